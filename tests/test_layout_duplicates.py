"""Leaves used far apart along the flow drawn once per group of nearby uses
(``layered_layout(..., duplicate_leaves=True)``)."""

from __future__ import annotations

import math

from layouts import layered_layout
from test_layout import GraphBuilder, box_overlaps, mlp_graph, shuffled_copy


def l2_graph():
    """An MLP loss plus an L2 term alpha * sum(p*p): every weight is used by the forward pass
    and again by its p*p at the far end of the sum (an inspected training sample's shape)."""
    G = mlp_graph(samples=1)
    g = GraphBuilder()
    g.G, g.k = G, 1000
    params = [v for v, d in G.nodes(data=True) if d.get("label", "")[:1] in ("w", "b")]
    reg = g.op("*", params[0], params[0])
    for p in params[1:]:
        reg = g.op("+", reg, g.op("*", p, p))
    total = g.op("+", G.graph["output"], g.op("*", g.leaf(1e-4, "alpha"), reg))
    G.nodes[G.graph["output"]]["role"] = "intermediate"
    return g.finish(total)


def longest(lay):
    return max(sum(math.dist(a, b) for a, b in zip(p, p[1:])) for p in lay.edges.values())


def test_far_used_leaves_get_copies_and_edges_get_short():
    G = l2_graph()
    plain = layered_layout(G)
    lay = layered_layout(G, duplicate_leaves=True)
    assert plain.copies == {}
    assert lay.copies and all(G.in_degree(v) == 0 for v in lay.copies.values())
    assert set(lay.edges) == set(G.edges)          # keyed by the graph's own edges
    assert set(lay.positions) == set(G) | set(lay.copies)
    assert box_overlaps(lay) == []
    for copy, leaf in lay.copies.items():
        assert lay.sizes[copy] == lay.sizes[leaf]
    # Every edge starts at the border of the drawing of its source that serves it.
    for (u, v), pts in lay.edges.items():
        starts = [u] + [c for c, leaf in lay.copies.items() if leaf == u]
        assert any(abs(pts[0][0] - (lay.positions[s][0] + lay.sizes[s][0] / 2)) < 1e-6
                   and abs(pts[0][1] - lay.positions[s][1]) < 1e-6 for s in starts), (u, v)
    assert longest(lay) < 0.5 * longest(plain)
    assert lay.crossings <= plain.crossings


def test_copies_are_deterministic_and_off_by_default():
    G = l2_graph()
    lay = layered_layout(G, duplicate_leaves=True)
    again = layered_layout(shuffled_copy(G, 2), duplicate_leaves=True)
    assert again.positions == lay.positions and again.copies == lay.copies
    assert layered_layout(G).positions.keys() == set(G)
