"""The Train tab's live network: the followed sample's loss graph, collapsed to neurons, kept
up to date as the network learns.

It is the Graph tab's machinery on a second ``GraphModel``: the same graph view (one box per
neuron with its activation and grad, a click opens a neuron into its scalar ops), the same
Player and step panel, the same collapse controls. A training tick only writes the new weights
(and the followed sample's inputs) into that model's Tape and lets the view *patch* what is
drawn (``GraphModel.show_leaf_values``): never a rebuild, never a layout. Paused, the Player
plays the followed sample's backward pass on the live graph, ending with the update step.

Edges that carry a weight (into a product of a parameter and its input) are drawn by that
weight: red positive, blue negative (the grad colours' convention), width by size. The
overlay shows |grad| or the last update (``-lr * grad``) instead.
"""
from __future__ import annotations

import numpy as np

from ..graph_page.model import GraphModel

POSITIVE, NEGATIVE = "#d6604d", "#4393c3"     # RdBu's ends, as the grad colours
#: Edge widths (px) from the smallest to the largest weight; rounded to WIDTH_STEP so a
#: tick sends only the edges whose drawn width really changes.
MIN_WIDTH, MAX_WIDTH, WIDTH_STEP = 0.5, 6.0, 0.5
#: What the weight edges show (the overlay's buttons): label -> ``WeightEdges.quantity``.
OVERLAYS = {"edges: weights": "weight", "|grad|": "grad", "last update": "update"}


def generic_input_labels(inspection) -> None:
    """Rename the followed sample's leaves ``x[s][i]`` -> ``x[i]`` and ``y[s]`` -> ``y``: the
    live graph keeps its structure when another sample is followed, only their values change."""
    s = inspection.sample
    seen, stack = set(), [inspection.root]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if not v._prev:
            if v.label.startswith(f"x[{s}]["):
                v.label = "x" + v.label[len(f"x[{s}]"):]
            elif v.label == f"y[{s}]":
                v.label = "y"
        stack.extend(v._prev)


class WeightEdges:
    """``GraphView.edge_style`` of the network view: every edge into a product with a parameter
    drawn by that parameter's ``quantity`` ("weight", "grad" or "update"), as shown at the
    Player's step (``model.shown_data``/``shown_grad``, the update record's change): colour by
    sign, width by size relative to the largest. ``params``: the parameters' value ids.
    Indexed again whenever the model shows a new structure (set ``params`` first)."""

    def __init__(self, model: GraphModel, params: list, quantity: str = "weight"):
        self.model, self.quantity = model, quantity
        self.params, self.compiled = list(params), None

    @property
    def rows(self) -> list:
        """The edge rows drawn by a parameter (of the structure the model shows now)."""
        self._index()
        return self._rows

    def _index(self) -> None:
        cg = self.model.compiled
        if cg is self.compiled:
            return
        wanted, index = set(self.params), cg.tape.index
        self._rows, self.param_rows = [], []
        for k, (u, v) in enumerate(cg.edge_keys):
            if cg.graph.nodes[v].get("op") != "*":
                continue
            p = next((i for i in cg.op_inputs.get(v, ()) if i in wanted), None)
            if p is not None:
                self._rows.append(k)
                self.param_rows.append(index[p])
        self._at = {r: k for k, r in enumerate(self._rows)}
        self.compiled = cg

    def amounts(self) -> np.ndarray:
        """The quantity drawn, one per styled edge."""
        m, rows = self.model, np.asarray(self.param_rows, dtype=int)
        if self.quantity == "grad":
            return m.shown_grad[rows]
        if self.quantity == "update":
            return self._update()[rows]
        return m.shown_data[rows]

    def _update(self) -> np.ndarray:
        """The last update ``-lr * grad`` per Tape row, from the engine's update record."""
        m = self.model
        out = np.zeros(len(m.compiled.tape.ids))
        recs = m.backward_records
        if recs and recs[-1].kind == "update":
            for vid, (before, after) in recs[-1].changes.items():
                out[m.compiled.tape.index[vid]] = after - before
        return out

    def columns(self, rows):
        """(colours, widths) of edge ``rows``; None entries for edges that carry no weight."""
        self._index()
        q = self.amounts()
        finite = np.isfinite(q)
        top = float(np.max(np.abs(q[finite]))) if finite.any() else 0.0
        size = np.abs(np.where(finite, q, 0.0)) / top if top > 0 else np.zeros(len(q))
        width = np.round((MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * size) / WIDTH_STEP) * WIDTH_STEP
        color = np.where(q > 0, POSITIVE, np.where(q < 0, NEGATIVE, ""))
        at = [self._at.get(r) for r in rows]
        colors = [color[k] or None if k is not None and finite[k] else None for k in at]
        widths = [float(width[k]) if k is not None and finite[k] else None for k in at]
        return colors, widths
