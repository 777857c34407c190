"""Everything the app derives once per graph *structure* (new expression, preset or Value).

A :class:`CompiledGraph` bundles the engine graph, its compiled ``Tape`` and the layout, plus the
index maps the view needs. Building one is the slow path (parse, compile, lay out); slider moves
and Player steps never build one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx


class _LaidOutWhenRead:
    """A dataclass field holding a layout or a function making it: the function runs when the
    field is first read. A graph that opens collapsed draws its quotient graph's layout, so the
    whole graph's (the slowest part of a structure change: 0.7 s of 1.9 s for a 5,000-node MLP
    loss) is made only if the reader opens every scope."""

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            raise AttributeError(self.slot)    # no default: the field is required
        value = obj.__dict__[self.slot]
        if callable(value):
            value = obj.__dict__[self.slot] = value()
        return value

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = value


@dataclass
class CompiledGraph:
    """One graph structure, ready to display.

    Attributes
    ----------
    root : engine.Value
        The output value (an engine Value: foreign micrograd-style objects are converted).
    graph : networkx.DiGraph
        ``engine.to_graph(root)``: value nodes ``v*`` and op nodes ``o*``.
    tape : engine.Tape
        Compiled once; ``tape.run`` recomputes data and grads for new leaf values.
    layout : object
        ``layouts.layered_layout(graph)`` result (positions, edges, sizes, width, height); given
        as a function making it, it is laid out when first read.
    value_ids : list of str
        Value node ids in topological order (== ``tape.ids``); position = row in the view's source.
    op_ids : list of str
        Op node ids, ordered like the value node they produce.
    edge_keys : list of (str, str)
        Edges of the graph, in a fixed order; position = row in the edge source.
    leaf_ids : list of str
        Non-constant leaves (one slider each), in topological order.
    output_id : str
    op_inputs : dict
        op id -> tuple of input value ids (operand order, repeated for ``a + a``).
    op_output : dict
        op id -> the value id it produces.
    labels : dict
        value id -> label (unlabelled nodes are called by their id, as the engine does).
    """

    root: object
    graph: nx.DiGraph
    tape: object
    layout: object = _LaidOutWhenRead()
    value_ids: list
    op_ids: list
    edge_keys: list
    leaf_ids: list
    output_id: str
    op_inputs: dict = field(default_factory=dict)
    op_output: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)


def as_engine_value(root):
    """Return an ``engine.Value`` for any micrograd-style root (``.data .grad ._prev ._op``).

    Engine values pass through; foreign objects (e.g. karpathy's micrograd ``Value``) are copied
    by ``engine.as_value`` so the app can compile a ``Tape``; the originals are never modified.
    """
    import engine

    return engine.as_value(root)


def compile_graph(root, direction: str = "LR") -> CompiledGraph:
    """Build the :class:`CompiledGraph` for ``root`` (the slow, once-per-structure path).

    Parameters
    ----------
    root : engine.Value or micrograd-style value
    direction : {"LR", "TB"}
        Layout direction.
    """
    import engine
    from layouts import layered_layout

    from .sizing import RANK_GAP, make_node_size

    root = as_engine_value(root)
    G = engine.to_graph(root)
    tape = engine.Tape(root)
    tape.run({})
    value_ids = list(tape.ids)
    labels = {v: str(G.nodes[v].get("label") or v) for v in value_ids}
    value_size = make_node_size(
        labels,
        {v: float(tape.data[i]) for i, v in enumerate(value_ids)},
        {v: float(tape.grad[i]) for i, v in enumerate(value_ids)},
    )

    def node_size(node, attrs):
        # a copy ``(leaf, "copy", k)`` shows its leaf's caption: sized as the leaf (it was sized
        # for the text "('v14', 'copy', 1)", 270 units wide where its leaf is 186)
        return value_size(node[0] if isinstance(node, tuple) else node, attrs)

    # A leaf used far apart (a weight in every sample, ``a`` in every line) is drawn again near
    # its later uses: its edges would otherwise span the drawing, and the layout's bends of
    # long edges grow with the square of the graph (2,247 nodes: 501k bends, 28 s; 0.3 s so).
    # ``fast``: from 500 nodes the quick order, not the mid-size polish (an 834-node random
    # expression: 0.2 s instead of 2.9 s of layout, for 6,526 crossings instead of 4,303), so an
    # Apply of a 1,000-node graph is painted within its second (README's targets).
    def lay():
        return layered_layout(G, direction=direction, node_size=node_size, rank_gap=RANK_GAP,
                              duplicate_leaves=True, fast=True)

    produced_by = {}
    op_inputs, op_output = {}, {}
    for n, attrs in G.nodes(data=True):
        if attrs.get("kind") != "op":
            continue
        outs = list(G.successors(n))
        op_output[n] = outs[0]
        produced_by[outs[0]] = n
        slots = []
        for child in G.predecessors(n):
            for pos in G.edges[child, n].get("operands", [0]):
                slots.append((pos, child))
        op_inputs[n] = tuple(child for _, child in sorted(slots))
    op_ids = [produced_by[v] for v in value_ids if v in produced_by]
    edge_keys = sorted(G.edges(), key=lambda e: (_order_key(e[0]), _order_key(e[1])))
    output_id = G.graph.get("output", value_ids[-1])
    return CompiledGraph(
        root=root,
        graph=G,
        tape=tape,
        layout=lay,
        value_ids=value_ids,
        op_ids=op_ids,
        edge_keys=edge_keys,
        leaf_ids=list(tape.leaf_ids),
        output_id=output_id,
        op_inputs=op_inputs,
        op_output=op_output,
        labels=labels,
    )


def _order_key(node_id: str):
    """Sort ids like ``v10`` after ``v9``."""
    digits = node_id.lstrip("abcdefghijklmnopqrstuvwxyz")
    return (node_id[: len(node_id) - len(digits)], int(digits) if digits.isdigit() else 0, node_id)
