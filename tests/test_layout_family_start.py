"""The start order of tree-like drawings (layouts/family_start.py): each family of parallel
scopes (an MLP layer's neurons) split in halves around the nodes feeding it, the second half
mirrored; used from 500 real nodes and by the quick order (``order_stage.FAMILY_START``)."""

from __future__ import annotations

import numpy as np
import pytest


def prepared(G):
    """(g, lg, the DFS start key) as ``order_stage.order_nodes`` builds them."""
    from layouts.layering import make_layered
    from layouts.layout_input import prepare_input
    from layouts.order_stage import dfs_start_key
    from layouts.ranking import rank_nodes
    from layouts.sizes import default_node_size

    g = prepare_input(G, default_node_size, {})
    lg = make_layered(g.n, g.src, g.dst, rank_nodes(g.n, g.src, g.dst, g.rank_weight, g.tight, g.groups))
    return g, lg, dfs_start_key(G, g, lg)


def test_a_layer_s_neurons_are_split_around_the_values_feeding_them():
    """MLP(5,[8,8,1]): the second layer's 8 neurons are a family (one parent scope, one first
    rank); in every rank the first 4 (in start order) come before each node feeding them,
    the last 4 after, and the right half's roles are reversed (its last role first)."""
    from bench.graphs import mlp_forward_graph
    from layouts.family_start import family_start, scope_families

    G = mlp_forward_graph(5, (8, 8, 1), seed=5000)
    g, lg, key = prepared(G)
    family, scope = scope_families(G, g, lg)
    layer_1 = {k for k, v in enumerate(g.nodes) if (G.nodes[v].get("scope") or ("",))[0] == "layer 1"}
    fams = set(family[list(layer_1)].tolist())
    assert len(fams) == 1 and -1 not in fams                      # the 8 neurons, one family
    assert len(set(scope[list(layer_1)].tolist())) == 8
    out = family_start(lg, key, family, scope)
    f = fams.pop()
    first = {s: key[scope == s].min() for s in set(scope[family == f].tolist())}
    left = set(sorted(first, key=first.get)[:4])
    feeds = np.zeros(lg.n_nodes, dtype=bool)
    feeds[lg.seg_src[(family[lg.seg_src] < 0) & (family[lg.seg_dst] == f)]] = True
    split_ranks = 0
    for r in range(lg.n_layers):
        nodes = np.flatnonzero(lg.layer == r)
        nodes = nodes[np.argsort(out[nodes])]
        kinds = ["L" if family[v] == f and scope[v] in left else "R" if family[v] == f else
                 "F" if feeds[v] else "" for v in nodes.tolist()]
        seq = "".join(kinds)
        if "F" in seq and "L" in seq and "R" in seq:
            split_ranks += 1
            assert seq.rindex("L") < seq.index("F") and seq.rindex("F") < seq.index("R"), (r, seq)
    assert split_ranks >= 8


@pytest.mark.parametrize("make, fast", [
    (lambda: __import__("bench.graphs", fromlist=["x"]).mlp_forward_graph(5, (8, 8, 1), seed=5000), False),
    (lambda: __import__("bench.graphs", fromlist=["x"]).inspected_sample_graph((10, 8), False, seed=5000), False),
    (lambda: __import__("bench.graphs", fromlist=["x"]).mlp_forward_graph(2, (6, 8, 1), seed=5000), True),
])
def test_the_family_start_gives_fewer_crossings_whatever_the_input_order(monkeypatch, make, fast):
    """Forward pass MLP(5,[8,8,1]) (649 nodes; block_polish) 273 -> 242 crossings when written
    (graphlay 243), inspected MLP(2,[10,8,1]) sample (613 nodes) 433 -> 376, and the quick
    order of MLP(2,[6,8,1]) forward (395 nodes) 212 -> 176; the same from a shuffled input."""
    from bench.layout import shuffled
    from layouts import layered_layout, order_stage

    G = make()
    lay = layered_layout(G, fast=fast)
    monkeypatch.setattr(order_stage, "FAMILY_START", False)
    before = layered_layout(G, fast=fast)
    monkeypatch.undo()
    assert lay.crossings < 0.92 * before.crossings
    assert layered_layout(shuffled(G, 4), fast=fast).positions == lay.positions


def test_no_family_without_parallel_scopes():
    """An expression has no scopes, MLP(3,[1,1])'s two neurons are in different layers: no
    family (the start stays the DFS one)."""
    from bench.graphs import mlp_forward_graph, random_expression_graph
    from layouts.family_start import scope_families

    for G in (random_expression_graph(60, 8, seed=5003), mlp_forward_graph(3, (1, 1), seed=5000)):
        g, lg, _ = prepared(G)
        assert scope_families(G, g, lg) is None


def test_a_tree_like_block_polish_ends_with_a_rerouting_pass(monkeypatch):
    """From the family start, one pass of rerouting after the block moves
    (``block_polish.REROUTE_TREE``): MLP(7,[9,9,1]) forward (883 nodes) 376 -> 367 crossings
    when written."""
    from bench.graphs import mlp_forward_graph
    from layouts import block_polish, layered_layout

    G = mlp_forward_graph(7, (9, 9, 1), seed=5000)
    lay = layered_layout(G)
    monkeypatch.setattr(block_polish, "REROUTE_TREE", False)
    assert lay.crossings < layered_layout(G).crossings
