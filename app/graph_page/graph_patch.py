"""Restyling the graph plot: a model :class:`~app.graph_page.model.Frame` becomes
``ColumnDataSource.patch`` calls on the sources built by :mod:`app.graph_page.graph_figure`.

The model already says which value rows changed (``Frame.rows``); their cells are recomputed and
patched as they are, with no second diff here. Besides them only the borders of what stops or
starts being highlighted (the step's node, op and edges) are patched. Per Player step that is
O(changes), not O(graph); ``rows=None`` (a mode switch) patches whole columns, one slice each.

A box with several outputs (a collapsed layer) is drawn by one output's row but shows none of
their numbers as its own: its caption names it (``layer 1 · 16 outputs``), its fill is the
no-number colour (grad NaN: the mapper's ``nan_color``) and its hover lists the outputs' data
and grads (:func:`output_list`); its row is patched when any of its outputs changes.
"""

from __future__ import annotations

import html

import numpy as np

from . import palette, sizing
from .formatting import fmt, node_caption
from .graph_figure import FOCUS_COLUMNS, copy_rows

NAN = float("nan")

VALUE_BORDER = ("line_color", "line_width")
#: A layer's box hover lists this many of its outputs, then "and N more".
LISTED_OUTPUTS = 8


class GraphPatcher:
    """Shown (per-step) columns of one graph view and the patches that keep them current.

    Parameters
    ----------
    view : app.graph_page.graph_view.GraphView
        Owns the sources (``values``, ``ops``, ``edges``, ``arrows``, ``info``,
        ``focus``) and the colour ``mapper``.
    """

    def __init__(self, view):
        self.view = view
        self.model = view.model
        self.active = (None, (), None)  # (value row, edge rows, op row) highlighted now

    # ------------------------------------------------------------------ per structure
    def load(self, geometry, op_x=None):
        """Index the model's new structure; return the shown columns of every row as
        ``(value columns, op columns, edge columns)``. ``geometry``: the value boxes' static
        columns (x, y, w, h), for the hatches of non-finite values; ``op_x``: the op circles'
        x (NaN: not drawn). Rows not drawn (inside a collapsed scope) get no caption or
        local-derivative text: the browser would measure every caption it is sent."""
        self.geometry = geometry
        cg = self.model.display     # == compiled, but a collapsed scope's caption names it
        self.rows = {v: i for i, v in enumerate(cg.value_ids)}
        self.op_rows = {o: i for i, o in enumerate(cg.op_ids)}
        self.edge_rows = {e: i for i, e in enumerate(cg.edge_keys)}
        # Drawn rows: one per value, then one per extra drawing of a far-used leaf; a drawing
        # shows its value's row of the model (``model_row``), and is patched with it.
        self.n_values = len(cg.value_ids)
        self.model_row = list(range(self.n_values))
        self.drawings = {}
        for k, (_, leaf) in enumerate(copy_rows(cg)):
            r = self.rows[leaf]
            self.model_row.append(r)
            self.drawings.setdefault(r, []).append(self.n_values + k)
        self.labels = [cg.labels[cg.value_ids[r]] for r in self.model_row]
        self.const = [bool(cg.graph.nodes[cg.value_ids[r]].get("const")) for r in self.model_row]
        # value row -> op rows whose tooltip (local derivatives) reads it
        self.ops_reading = [[] for _ in cg.value_ids]
        for o, k in self.op_rows.items():
            for vid in {*cg.op_inputs[o], cg.op_output[o]}:
                self.ops_reading[self.rows[vid]].append(k)
        self.ops_reading += [self.ops_reading[r] for r in self.model_row[self.n_values:]]
        # boxes with several outputs: drawn row -> [(model row, label)] of its outputs, and
        # each output's model row -> that drawn row (a change of any output re-patches it)
        self.summary, self.summary_of = {}, {}
        for rep, outs in getattr(cg, "summaries", {}).items():
            self.summary[self.rows[rep]] = [(self.rows[o], label) for o, label in outs]
            for o, _ in outs:
                self.summary_of[self.rows[o]] = self.rows[rep]
        # Rows drawn at this collapse state (a collapsed scope's members have NaN positions):
        # only these are ever patched, so a frame that changes every value of a big graph
        # collapsed to a few boxes (a training step) sends the boxes, not the graph.
        self.visible = {r for r, x in enumerate(geometry["x"]) if x == x}
        self.visible_ops = {k for o, k in self.op_rows.items() if cg.layout.positions[o][0] == cg.layout.positions[o][0]}
        self.visible_edges = {k for e, k in self.edge_rows.items() if cg.layout.edges[e][0][0] == cg.layout.edges[e][0][0]}
        self.active = self.active_targets()
        self.flagged = set()
        n_ops, n_edges = len(cg.op_ids), len(cg.edge_keys)
        drawn_ops = range(n_ops) if op_x is None else [k for k, x in enumerate(op_x) if x == x]
        local = dict(zip(drawn_ops, self.op_locals(drawn_ops)))
        ops = {"locals": [local.get(k, "") for k in range(n_ops)], **self.op_border(range(n_ops))}
        values = self.value_columns(range(len(self.labels)))
        values["text"] = [t if x == x else "" for t, x in zip(values["text"], geometry["x"])]
        self.update_flags(range(len(self.labels)), values["hatch"], force=True)
        return values, ops, self.edge_columns(range(n_edges))

    def update_flags(self, rows, hatch, force=False):
        """Hatch exactly the boxes whose ``hatch`` is "x" (replaces the small flag source's
        data when the set of non-finite values changed)."""
        flagged = set(self.flagged)
        for r, h in zip(rows, hatch):
            (flagged.add if h == "x" else flagged.discard)(int(r))
        if flagged == self.flagged and not force:
            return
        self.flagged = flagged
        g, rows = self.geometry, sorted(flagged)
        self.view.flags.data = {c: [g[c][r] for r in rows] for c in ("x", "y", "w", "h")}

    def update_mapper(self):
        """Colour scale symmetric around 0, wide enough for every grad of the graph."""
        lim = palette.symmetric_limit(self.model.compiled.tape.grad)
        mapper = self.view.mapper
        if (mapper.low, mapper.high) != (-lim, lim):
            mapper.update(low=-lim, high=lim)

    # ------------------------------------------------------------------ per frame
    def patch(self, frame):
        """Patch the cells ``frame`` (a slider move, Player step or mode switch) changed."""
        v = self.view
        old, new = self.active, self.active_targets()
        self.active = new
        if new[0] is not None and new[0] != old[0]:
            v.focus.patch({c: [(0, z)] for c, z in zip(FOCUS_COLUMNS, self.focus_point(new[0]))})
        n = len(self.labels)
        if frame.rows is None:
            rows = range(n)
            if n:
                cols = self.value_columns(rows)
                v.values.patch({c: [(slice(0, n), vals)] for c, vals in cols.items()})
                self.update_flags(rows, cols["hatch"])
        else:
            changed = {int(r) for r in frame.rows}
            changed |= self.boxes_of(changed)
            rows = [r for r in self.drawn(changed) if r in self.visible]
            cols = self.value_columns(rows)
            self.update_flags(rows, cols["hatch"])
            cells = _changed_cells(rows, cols, v.values.data)
            moved = sorted(set(self.drawn({r for r in (old[0], new[0]) if r is not None}))
                           & self.visible - set(rows))
            border = self.value_columns(moved)
            for col in VALUE_BORDER:
                cells.setdefault(col, []).extend(zip(moved, border[col]))
            cells = {c: cs for c, cs in cells.items() if cs}
            if cells:
                v.values.patch(cells)

        op_rows = sorted({r for r in (old[2], new[2]) if r is not None})
        op_cells = _cells(op_rows, self.op_border(op_rows))
        if frame.kind == "values":
            self.update_mapper()
            font = sizing.caption_font_units(v.values.data["w"], v.values.data["text"])
            if font != v.info.data["size"][0]:
                v.info.patch({"size": [(0, font)]})
            reading = sorted({o for r in rows for o in self.ops_reading[r]} & self.visible_ops)
            op_cells["locals"] = list(zip(reading, self.op_locals(reading)))
        op_cells = {c: cs for c, cs in op_cells.items() if cs}
        if op_cells:
            v.ops.patch(op_cells)

        edge_rows = sorted(set(old[1]) | set(new[1]))
        if edge_rows:
            edge_cells = _cells(edge_rows, self.edge_columns(edge_rows))
            v.edges.patch(edge_cells)
            v.arrows.patch({"color": edge_cells["color"]})
        if frame.kind == "values" and self.view.edge_style is not None:
            self.restyle_edges()

    def restyle_edges(self) -> None:
        """Patch the edges whose style (``view.edge_style``: e.g. weights by sign and size)
        changed, cell by cell: a training step moves every weight a little, but most edges
        keep their drawn colour and width."""
        v = self.view
        rows = [r for r in v.edge_style.rows if r in self.visible_edges]
        if not rows:
            return
        new = self.edge_columns(rows)
        cells = {}
        for col in ("color", "width"):
            shown = v.edges.data[col]
            changed = [(r, x) for r, x in zip(rows, new[col]) if shown[r] != x]
            if changed:
                cells[col] = changed
        if cells:
            v.edges.patch(cells)
            if "color" in cells:
                v.arrows.patch({"color": cells["color"]})

    def boxes_of(self, model_rows: set) -> set:
        """The rows drawing a box with several outputs that one of ``model_rows`` is an
        output of (a slider on neuron 3's weight changes h[1][3], not the row drawing layer 1)."""
        of = self.summary_of
        if len(of) < len(model_rows):
            return {b for r, b in of.items() if r in model_rows}
        return {of[r] for r in model_rows if r in of}

    def drawn(self, model_rows) -> list:
        """The drawn rows showing the model's value ``model_rows`` (a leaf's copies too)."""
        out = set(model_rows)
        for r in model_rows:
            out.update(self.drawings.get(r, ()))
        return sorted(out)

    def focus_point(self, row) -> tuple:
        """Where the value of ``row`` is drawn, (x, y, half width, half height): its box, or that
        of the collapsed scope it is inside (the outlined box; before, no point, and the camera
        stayed where it was while the Player stepped through a collapsed neuron); NaN, NaN, 0, 0
        without a row. The camera keeps the whole box in view, not only its centre (a wide box
        was cut at the plot's edge)."""
        if row is None:
            return NAN, NAN, 0.0, 0.0
        g = self.geometry
        x, y = float(g["x"][row]), float(g["y"][row])
        if x != x:
            d = self.model.display
            owner = getattr(d, "owner", {}).get(d.value_ids[self.model_row[row]])
            box = next((b for b in getattr(d, "boxes", ()) if b["id"] == owner), None)
            if box is not None:
                return float(box["x"]), float(box["y"]), float(box["w"]) / 2, float(box["h"]) / 2
            return x, y, 0.0, 0.0
        return x, y, float(g["w"][row]) / 2, float(g["h"][row]) / 2

    # ------------------------------------------------------------------ columns
    def active_targets(self):
        """(value row, edge rows, op row) of the node, edges and op of the current step record."""
        rec = self.model.active_record
        if rec is None or rec.node not in self.rows:
            return (None, (), None)
        edges = []
        op = getattr(rec, "op_node", None)
        if op is not None:
            edges.append(self.edge_rows.get((op, rec.node)))
            for child in self.model.compiled.op_inputs.get(op, ()):
                edges.append(self.edge_rows.get((child, op)))
        edge_rows = tuple(sorted({e for e in edges if e is not None}))
        return (self.rows[rec.node], edge_rows, self.op_rows.get(op))

    def value_columns(self, rows):
        """Shown columns for value ``rows``: caption, grad (colour), alpha, border, hatch."""
        m = self.model
        data, grad, pending = m.shown_data, m.shown_grad, m.pending
        out_row = self.rows[m.compiled.output_id]
        active_row = self.active[0]
        cols = {k: [] for k in ("text", "grad", "data_s", "grad_s", "alpha", "text_alpha",
                                "line_color", "line_width", "hatch")}
        for drawn in rows:
            drawn = int(drawn)
            r = self.model_row[drawn]
            if drawn in self.summary:
                pend, flagged = self.summary_columns(self.summary[drawn], cols)
                cols["text"].append(self.labels[drawn])
            else:
                d, g, pend = float(data[r]), float(grad[r]), bool(pending[r])
                flagged = not pend and not (np.isfinite(d) and np.isfinite(g))
                cols["text"].append(node_caption(self.labels[drawn], d, g, pend, self.const[drawn]))
                cols["grad"].append(g)
                cols["data_s"].append("?" if pend else fmt(d))
                cols["grad_s"].append(fmt(g))
            cols["alpha"].append(0.18 if pend else 1.0)
            cols["text_alpha"].append(0.45 if pend else 1.0)
            if r == active_row:
                color, width = palette.ACTIVE_COLOR, 5.0
            elif flagged:
                color, width = palette.FLAG_COLOR, 3.0
            elif r == out_row:
                color, width = palette.OUTPUT_COLOR, 3.0
            else:
                color, width = palette.BORDER_COLOR, 1.2
            cols["line_color"].append(color)
            cols["line_width"].append(width)
            cols["hatch"].append("x" if flagged else " ")
        return cols

    def summary_columns(self, outputs, cols):
        """Append the ``grad``, ``data_s``, ``grad_s`` cells of a box with several
        ``outputs`` (``[(model row, label)]``): no number of its own (grad NaN), the first
        :data:`LISTED_OUTPUTS` outputs' data and grads listed. Returns ``(pending, flagged)``:
        every output not computed yet; some computed output not finite."""
        m = self.model
        data, grad, pending = m.shown_data, m.shown_grad, m.pending
        pend = all(bool(pending[r]) for r, _ in outputs)
        flagged = any(not pending[r] and not (np.isfinite(data[r]) and np.isfinite(grad[r]))
                      for r, _ in outputs)
        cols["grad"].append(float("nan"))
        cols["data_s"].append(output_list(
            (label, "?" if pending[r] else fmt(data[r])) for r, label in outputs))
        cols["grad_s"].append(output_list((label, fmt(grad[r])) for r, label in outputs))
        return pend, flagged

    def op_locals(self, op_rows):
        """Tooltip text of the local derivatives of ``op_rows``, from the backward records."""
        m = self.model
        cg = m.compiled
        # no Step objects, only the ops asked for: cheap per slider move
        local = m.backward_records.local_derivatives([cg.op_ids[k] for k in op_rows])
        texts = []
        for k in op_rows:
            o = cg.op_ids[k]
            out = self.labels[self.rows[cg.op_output[o]]]
            texts.append("; ".join(f"\u2202{out}/\u2202{name} = {formula} = {fmt(value)}"
                                   for name, formula, value in local.get(o, ())))
        return texts

    def op_border(self, rows):
        active = self.active[2]
        return {
            "line_color": [palette.ACTIVE_COLOR if r == active else palette.BORDER_COLOR for r in rows],
            "line_width": [4.0 if r == active else 1.2 for r in rows],
        }

    def edge_columns(self, rows):
        """Colour and width of edge ``rows``: the step's edges highlighted, the others as
        ``view.edge_style`` draws them (default: plain grey)."""
        active = set(self.active[1])
        style = self.view.edge_style
        color, width = style.columns(rows) if style is not None else (None, None)
        return {
            "color": [palette.ACTIVE_COLOR if r in active else
                      (color[k] if color is not None and color[k] else palette.EDGE_COLOR)
                      for k, r in enumerate(rows)],
            "width": [4.0 if r in active else
                      (width[k] if width is not None and width[k] else 1.6)
                      for k, r in enumerate(rows)],
        }


def output_list(pairs) -> str:
    """A layer box's hover cell: ``label = number`` lines (HTML: the tooltip shows ``data_s``
    and ``grad_s`` as ``{safe}``, the labels escaped), the first :data:`LISTED_OUTPUTS`, then
    ``and N more``. One line each: a comma list ran the tooltip off the screen's edge."""
    pairs = list(pairs)
    lines = [f"{html.escape(label)} = {number}" for label, number in pairs[:LISTED_OUTPUTS]]
    if len(pairs) > LISTED_OUTPUTS:
        lines.append(f"and {len(pairs) - LISTED_OUTPUTS} more")
    return "<br>".join(lines)


def _changed_cells(rows, columns: dict, shown: dict) -> dict:
    """``_cells`` without the cells that already show their new value (a training step moves
    every number, but a box's border, alpha and hatch rarely change)."""
    return {col: [(r, x) for r, x in zip(rows, vals) if not _same(shown[col][r], x)]
            for col, vals in columns.items()}


def _same(a, b) -> bool:
    """``a == b``, NaN counting as equal to NaN (a layer's box has grad NaN: not re-sent)."""
    return a == b or (a != a and b != b)


def _cells(rows, columns: dict) -> dict:
    """``{column: [(row, value), ...]}`` for ``rows`` and their new ``columns``."""
    return {col: list(zip(rows, vals)) for col, vals in columns.items()}
