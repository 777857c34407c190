"""Extract the drawable compute graph of any micrograd-style value."""
from __future__ import annotations

import networkx as nx

from .convert import value_order
from .topo import operands


def value_ids(order: list) -> dict[int, str]:
    """``{id(node): "vK"}`` for nodes in topological order: the ids every engine view shares."""
    return {id(v): f"v{k}" for k, v in enumerate(order)}


def op_id(value_id: str) -> str:
    """The id of the op node that produced value node ``value_id`` (``"v7"`` -> ``"o7"``)."""
    return "o" + value_id[1:]


def to_graph(root) -> nx.DiGraph:
    """The compute graph of ``root`` as a ``networkx.DiGraph`` with value and op nodes.

    Duck-typed: ``root`` and its ancestors need ``.data``, ``.grad``, ``._prev``, ``._op`` (and
    ``.label`` if they have one), so karpathy's micrograd ``Value`` works unchanged.

    Returns a DiGraph where
    - value nodes ``"v0" .. "vN"`` (topological order, output last) have ``kind="value"``,
      ``label``, ``data``, ``grad``, ``role`` (``"leaf"``, ``"intermediate"``, ``"output"``)
      and ``const`` (a number literal, not a tunable leaf); a value built inside an
      ``engine.nn`` module also has ``scope``, its module path (see ``engine.scopes``);
    - the op node that made ``"vK"`` is ``"oK"``, with ``kind="op"`` and ``op``;
    - edges run operand value -> op node -> result value; an operand edge has ``operands``,
      the operand positions it fills (``b = a + a`` gives one edge with ``[0, 1]``);
    - ``G.graph["output"]`` is the output's id and ``G.graph["order"]`` the value ids in
      topological order.

    Raises ``TypeError`` or :class:`GraphError` for what is not a compute graph of at most
    20,000 nodes (see ``engine.convert.value_order``).
    """
    order = value_order(root)
    ids = value_ids(order)
    G = nx.DiGraph(output=ids[id(root)], order=[ids[id(v)] for v in order])
    for v in order:
        vid = ids[id(v)]
        children = operands(v)
        role = "output" if v is root else ("intermediate" if children else "leaf")
        G.add_node(vid, kind="value", label=str(getattr(v, "label", "") or ""),
                   data=float(v.data), grad=float(v.grad), role=role,
                   const=bool(getattr(v, "_const", False)))
        scope = getattr(v, "_scope", None)
        if scope:
            G.nodes[vid]["scope"] = tuple(scope)
        if children:
            oid = op_id(vid)
            G.add_node(oid, kind="op", op=str(v._op))
            G.add_edge(oid, vid)
            for pos, child in enumerate(children):
                cid = ids[id(child)]
                if G.has_edge(cid, oid):
                    G.edges[cid, oid]["operands"].append(pos)
                else:
                    G.add_edge(cid, oid, operands=[pos])
    return G
