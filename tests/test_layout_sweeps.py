"""Fast paths of the big graphs' stages against plain per-node references: the median sweep
(``LayerOrder.sweep``: one argsort of integer keys where no median is weighted, slots
0..size-1 where every node has neighbours) and the edge routes (``routing``)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from layouts.layering import make_layered
from layouts.ordering import LayerOrder


def random_layered(seed, n, m, n_ranks):
    rng = random.Random(seed)
    rank = np.array([rng.randrange(n_ranks) for _ in range(n)])
    pairs = {(u, v) for u, v in ((rng.randrange(n), rng.randrange(n)) for _ in range(m)) if rank[u] < rank[v]}
    src, dst = (np.array(x, dtype=np.int64) for x in zip(*sorted(pairs)))
    return make_layered(n, src, dst, rank), rng


def plain_sweep(lg, pos, downward, reverse):
    """dot's medians/reorder node by node: the median of the neighbours' positions in the
    layer just placed (weighted towards the closer side for an even count above 2); nodes
    with neighbours take their own slots in order of (median, position or reversed)."""
    pos = pos.copy()
    here, there = (lg.seg_dst, lg.seg_src) if downward else (lg.seg_src, lg.seg_dst)
    layers = range(1, lg.n_layers) if downward else range(lg.n_layers - 2, -1, -1)
    for l in layers:
        medians = {}
        for v in np.flatnonzero(lg.layer == l).tolist():
            ps = sorted(int(pos[w]) for w in there[here == v])
            d = len(ps)
            if not d:
                continue
            left, right = ps[(d - 1) // 2], ps[d // 2]
            median = (left + right) / 2
            if d > 2 and d % 2 == 0:
                lspan, rspan = left - ps[0], ps[-1] - right
                if lspan + rspan > 0:
                    median = (left * rspan + right * lspan) / (lspan + rspan)
            medians[v] = median
        slots = sorted(int(pos[v]) for v in medians)
        ranked = sorted(medians, key=lambda v: (medians[v], -pos[v] if reverse else pos[v]))
        for v, slot in zip(ranked, slots):
            pos[v] = slot
    return pos


@pytest.mark.parametrize("seed", range(24))
def test_sweeps_equal_plain_median_sweeps(seed):
    """Dense graphs give nodes 3+ neighbours (sorted, weighted medians), sparse ones layers of
    single neighbours and nodes with none; six sweeps alternating as ``minimise_crossings``
    does, from a random order."""
    n, m = [(30, 150), (60, 70), (40, 40)][seed % 3]
    lg, rng = random_layered(seed, n, m, n_ranks=[4, 8][seed % 2])
    key = np.array([rng.random() for _ in range(lg.n_nodes)])
    order = LayerOrder(lg, key)
    expected = order.pos.copy()
    for it in range(6):
        downward, reverse = it % 2 == 0, it % 4 < 2
        order.sweep(downward, reverse)
        expected = plain_sweep(lg, expected, downward, reverse)
        assert np.array_equal(order.pos, expected)


def plain_routes(lg, nodes, edge_list, along, cross, column, column_start, direction, cross_extent, flow_extent):
    """Each edge's polyline point by point: the source's border (and its column's edge when the
    source is narrower), both column edges at every bend (one where the column is empty),
    the target's column edge (when it is narrower) and border."""
    routes = {}
    for e, (u, v, _) in enumerate(edge_list):
        path = lg.path(e).tolist()
        pts = []
        for i, w in enumerate(path):
            l = lg.layer[w]
            mid, start, end = column_start[l] + column[l] / 2, column_start[l], column_start[l] + column[l]
            if i == 0:
                flows = [mid + along[w] / 2] + ([end] if end > mid + along[w] / 2 else [])
            elif i == len(path) - 1:
                flows = ([start] if start < mid - along[w] / 2 else []) + [mid - along[w] / 2]
            else:
                flows = [start] + ([end] if end > start else [])
            for f in flows:
                pts.append((f, cross_extent - cross[w]) if direction == "LR" else (cross[w], flow_extent - f))
        routes[nodes[u], nodes[v]] = pts
    return routes


@pytest.mark.parametrize("direction", ["LR", "TB"])
@pytest.mark.parametrize("seed", [1, 2])
def test_routes_equal_plain_polylines(seed, direction, monkeypatch):
    import layouts.layered
    from bench.graphs import random_expression_graph
    from layouts import layered_layout
    from layouts.routing import route_edges
    calls = []
    monkeypatch.setattr(layouts.layered, "route_edges", lambda *a: calls.append(a) or route_edges(*a))
    lay = layered_layout(random_expression_graph(300, 20, seed=seed), direction=direction)
    args = calls[-1]
    assert sum(len(p) for p in lay.edges.values()) > 3 * len(lay.edges)     # long edges bend
    assert lay.edges == plain_routes(*args)
