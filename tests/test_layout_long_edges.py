"""Long edges (chains of virtual nodes) handled as one unit where that gives the same result:
the start orders' depth-first searches number a chain in one step; and the huge-graph
ordering budget (sweeps only) applies to huge layered graphs only."""

from __future__ import annotations

import numpy as np
import pytest

from layouts.initial_order import dfs_order, forward_dfs_order
from layouts.layering import make_layered


def plain_preorder(n, here, there, roots):
    """Depth-first preorder, one node at a time (successors of ``v``: ``there`` where
    ``here == v``, in array order)."""
    nexts = {}
    for h, t in zip(here.tolist(), there.tolist()):
        nexts.setdefault(h, []).append(t)
    index, counter = [-1] * n, 0
    for root in list(roots) + list(range(n)):
        stack = [root]
        while stack:
            v = stack.pop()
            if index[v] >= 0:
                continue
            index[v], counter = counter, counter + 1
            stack.extend(reversed(nexts.get(v, [])))
    return np.array(index)


@pytest.mark.parametrize("seed", range(60))
def test_searches_number_long_edges_as_a_node_by_node_search_does(seed):
    rng = np.random.default_rng(seed)
    n = 30
    rank = rng.integers(0, 9, n)
    src, dst = rng.integers(0, n, 70), rng.integers(0, n, 70)
    keep = rank[src] < rank[dst]
    pairs = sorted(set(zip(src[keep].tolist(), dst[keep].tolist())))
    s, d = (np.array(x) for x in zip(*pairs))
    lg = make_layered(n, s, d, rank)
    assert lg.n_nodes > n                      # there are long edges
    if seed % 2:     # clusters add placeholder nodes after the virtual ones (no segments)
        lg.layer = np.concatenate([lg.layer, rng.integers(0, 9, 3)])
    # roots in any order, virtual nodes in the middle of chains among them
    roots = rng.permutation(lg.n_nodes)[:rng.integers(0, lg.n_nodes)].tolist()
    key = rng.integers(0, 3, len(lg.seg_src))
    back = np.lexsort((key, lg.seg_dst))
    assert np.array_equal(dfs_order(lg, key, roots),
                          plain_preorder(lg.n_nodes, lg.seg_dst[back], lg.seg_src[back], roots))
    fwd = np.argsort(lg.seg_src, kind="stable")
    assert np.array_equal(forward_dfs_order(lg, roots),
                          plain_preorder(lg.n_nodes, lg.seg_src[fwd], lg.seg_dst[fwd], roots))


def test_huge_layered_graphs_get_sweeps_only_and_never_a_worse_order(monkeypatch):
    from bench.graphs import random_expression_graph
    from layouts import ordering
    from layouts.layered import layered_layout
    G = random_expression_graph(200, 20, seed=3)
    normal = layered_layout(G, coordinates="bk")
    calls = []
    monkeypatch.setattr(ordering, "HUGE_LAYERED_NODES", 100)     # this graph counts as huge
    monkeypatch.setattr(ordering.LayerOrder, "transpose", lambda self, *a, **k: calls.append(1))
    start = {}
    real_sweep = ordering.LayerOrder.sweep

    def sweep(self, *a, **k):
        start.setdefault("cost", self.crossings())
        calls.append(0)
        return real_sweep(self, *a, **k)
    monkeypatch.setattr(ordering.LayerOrder, "sweep", sweep)
    huge = layered_layout(G, coordinates="bk")
    assert calls and set(calls) == {0}                           # sweeps, no transposition
    assert huge.crossings <= start["cost"]
    assert set(huge.positions) == set(normal.positions)
