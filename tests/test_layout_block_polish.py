"""Drawings of 500-2,000 real nodes with few long edges (layouts/block_polish.py): the big
drawings' order, then the outermost blocks moved under a work budget; and the cheaper set-up
of block moves (in-trees from a post-dominator tree, groups without a crossing skipped) and
of the big drawings' order (transposition and sifting skip layers with no crossing near)."""

from __future__ import annotations

import numpy as np
import pytest

from layouts.block_moves import GROUP_WORK, MAX_BLOCK_RANKS, MAX_BLOCK_SHARE, in_tree_blocks
from layouts.ordering import LayerOrder, minimise_crossings
from test_layout_rerouting import random_layered


def forward_pass():
    from bench.graphs import mlp_forward_graph
    return mlp_forward_graph(9, (9, 8, 1), seed=5000)      # 938 nodes, 994 layered


def forward_layered():
    """The forward pass's layered graph and rigid segments."""
    from layouts.layering import make_layered
    from layouts.layout_input import prepare_input
    from layouts.ranking import rank_nodes
    from layouts.sizes import default_node_size

    g = prepare_input(forward_pass(), default_node_size, {})
    lg = make_layered(g.n, g.src, g.dst, rank_nodes(g.n, g.src, g.dst, g.rank_weight, g.tight, g.groups))
    return lg, g.rigid[lg.seg_edge]


def grown_in_trees(lg) -> list:
    """Every real node's in-tree grown from it (a node joins once all its successors are
    in), kept as ``in_tree_blocks`` keeps them: 3+ nodes, up to MAX_BLOCK_SHARE of the nodes,
    fewer than MAX_BLOCK_RANKS ranks, some rank with two nodes; smallest first, ties by root."""
    succ = [set() for _ in range(lg.n_nodes)]
    for u, v in zip(lg.seg_src.tolist(), lg.seg_dst.tolist()):
        succ[u].add(v)
    out = []
    for root in range(lg.n_real):
        tree, grown = {root}, True
        while grown:
            grown = False
            for u in range(lg.n_nodes):
                if u not in tree and succ[u] and succ[u] <= tree:
                    tree.add(u)
                    grown = True
        ranks = lg.layer[sorted(tree)]
        if (3 <= len(tree) <= MAX_BLOCK_SHARE * lg.n_nodes and ranks.max() - ranks.min() < MAX_BLOCK_RANKS
                and len(set(ranks.tolist())) < len(tree)):
            out.append(sorted(tree))
    return sorted(out, key=len)


@pytest.mark.parametrize("seed", range(8))
def test_in_trees_are_the_grown_ones_and_outermost_are_in_no_other(seed):
    lg, _ = random_layered(700 + seed, n=40, p=0.08, max_rank=6)
    grown = grown_in_trees(lg)
    assert [b.tolist() for b in in_tree_blocks(lg)] == grown
    outer = [b for b in grown if not any(len(c) > len(b) and set(b) <= set(c) for c in grown)]
    assert [b.tolist() for b in in_tree_blocks(lg, outermost=True)] == outer


def test_a_forward_pass_keeps_its_neurons_as_outermost_blocks():
    """MLP(3,[4,4,1])'s outermost blocks are the neurons' whole in-trees: fewer than a tenth
    of its blocks, and no two share a node."""
    from bench.graphs import mlp_forward_graph
    from layouts.layering import make_layered
    from layouts.layout_input import prepare_input
    from layouts.ranking import rank_nodes
    from layouts.sizes import default_node_size

    g = prepare_input(mlp_forward_graph(3, (4, 4, 1), seed=5001), default_node_size, {})
    lg = make_layered(g.n, g.src, g.dst, rank_nodes(g.n, g.src, g.dst, g.rank_weight, g.tight, g.groups))
    blocks, outer = in_tree_blocks(lg), in_tree_blocks(lg, outermost=True)
    assert 0 < 10 * len(outer) < len(blocks)
    flat = np.concatenate(outer)
    assert len(np.unique(flat)) == len(flat)


def test_groups_without_a_crossing_get_no_static_data():
    """Block moves make a group's static data only for the groups with a crossing at one of
    their nodes when the pass starts (the others cannot gain)."""
    lg, rigid = forward_layered()
    pos, _ = minimise_crossings(lg, np.arange(lg.n_nodes, dtype=float), seg_rigid=rigid)
    order = LayerOrder(lg, pos, rigid)
    blocks = order.block_groups()
    crossed = order.segment_crossings()
    at_node = (np.bincount(lg.seg_src, weights=crossed, minlength=lg.n_nodes)
               + np.bincount(lg.seg_dst, weights=crossed, minlength=lg.n_nodes))
    order.move_blocks()
    made = {k for kind, k in order._groups if kind == "block"}
    assert made == {k for k, b in enumerate(blocks) if at_node[b].any()}
    assert made and len(made) < len(blocks)


def test_the_block_polish_lowers_a_forward_pass_crossings(monkeypatch):
    """A 938-node MLP forward pass is ordered by ``order_blocks``; fewer crossings than the
    big drawings' order (557 -> 450 when written), the same drawing from any input order.
    Both from the DFS start: from the family start (``order_stage.FAMILY_START``) both end at
    281 (its median sweeps do no harm there)."""
    from bench.layout import shuffled
    from layouts import block_polish, layered_layout, order_stage

    G = forward_pass()
    monkeypatch.setattr(order_stage, "FAMILY_START", False)
    calls = []
    real = order_stage.order_blocks
    monkeypatch.setattr(order_stage, "order_blocks", lambda *a: (calls.append(1), real(*a))[1])
    lay = layered_layout(G)
    assert calls == [1]
    monkeypatch.setattr(block_polish, "MID_GRAPH_NODES", 0)        # the big drawings' order
    monkeypatch.setattr(block_polish, "MID_LARGE_NODES", 0)
    big = layered_layout(G)
    assert lay.crossings < 0.9 * big.crossings
    monkeypatch.undo()
    monkeypatch.setattr(order_stage, "FAMILY_START", False)
    for seed in (1, 2):
        assert layered_layout(shuffled(G, seed)).positions == lay.positions


def test_tree_like_drawings_are_the_forward_passes_not_the_losses():
    """Few real nodes with two or more consumers: a forward pass (its neuron outputs only)
    and an inspected sample, not an MLP loss (its weights feed every sample)."""
    from bench.graphs import inspected_sample_graph, mlp_loss_graph
    from layouts.block_polish import tree_like
    from layouts.layering import make_layered
    from layouts.layout_input import prepare_input
    from layouts.ranking import rank_nodes
    from layouts.sizes import default_node_size

    def layered(G):
        g = prepare_input(G, default_node_size, {})
        return make_layered(g.n, g.src, g.dst, rank_nodes(g.n, g.src, g.dst, g.rank_weight, g.tight, g.groups))

    assert tree_like(forward_layered()[0])
    assert tree_like(layered(inspected_sample_graph((8, 8), False, seed=5000)))
    assert not tree_like(layered(mlp_loss_graph(3, (4, 4, 1), 3, seed=2)))


def test_a_tree_like_drawing_gains_by_leaving_out_the_sweeps(monkeypatch):
    """From the DFS start (each neuron's in-tree together) transposition, sifting and the
    block moves end lower than after the median sweeps, which pull the neurons apart:
    MLP(5,[8,8,1]) forward 399 -> 273 crossings when written."""
    from bench.graphs import mlp_forward_graph
    from bench.layout import shuffled
    from layouts import block_polish, layered_layout

    G = mlp_forward_graph(5, (8, 8, 1), seed=5000)
    lay = layered_layout(G)
    monkeypatch.setattr(block_polish, "TREE_LIKE_BRANCHING", -1.0)      # never tree-like: sweeps
    swept = layered_layout(G)
    monkeypatch.undo()
    assert lay.crossings < 0.8 * swept.crossings
    assert layered_layout(shuffled(G, 3)).positions == lay.positions


def test_a_tree_like_drawing_ends_with_no_swap_left_to_gain():
    """After the block moves of a tree-like drawing, transposition: no two neighbours gain by
    a swap (MLP(3,[11,10,1]) forward: 617 -> 606 crossings when written)."""
    from bench.graphs import mlp_forward_graph
    from layouts.block_polish import order_blocks, tree_like
    from layouts.initial_order import forward_dfs_order
    from layouts.layering import make_layered
    from layouts.layout_input import prepare_input
    from layouts.ranking import rank_nodes
    from layouts.sizes import default_node_size

    g = prepare_input(mlp_forward_graph(3, (11, 10, 1), seed=5000), default_node_size, {})
    lg = make_layered(g.n, g.src, g.dst, rank_nodes(g.n, g.src, g.dst, g.rank_weight, g.tight, g.groups))
    rigid = g.rigid[lg.seg_edge]
    assert tree_like(lg)
    key = forward_dfs_order(lg, np.argsort(lg.layer, kind="stable").tolist())
    pos, _ = order_blocks(lg, key, rigid)
    assert LayerOrder(lg, pos, rigid).transpose() == 0


def test_fast_skips_the_block_polish_and_says_so(monkeypatch):
    """``fast=True``: the big drawings' order, and ``refinable`` (the app polishes later).
    From the family start (``order_stage.FAMILY_START``) the quick order of this forward pass
    is as good as the polished one (281 crossings each when written; 332 and 310 from the
    DFS start)."""
    from layouts import layered_layout, order_stage

    G = forward_pass()
    calls = []
    real = order_stage.order_blocks
    monkeypatch.setattr(order_stage, "order_blocks", lambda *a: (calls.append(1), real(*a))[1])
    quick = layered_layout(G, fast=True)
    assert calls == []
    slow = layered_layout(G)
    assert calls == [1]
    assert quick.refinable and not slow.refinable
    assert slow.crossings <= quick.crossings


@pytest.mark.parametrize("shape, nin", [((8, 8, 1), 5), ((5, 10, 1), 4)])
def test_the_quick_order_of_a_tree_like_drawing_leaves_out_the_sweeps(monkeypatch, shape, nin):
    """``fast=True`` on forward passes (649 nodes: the big drawings' order; 466: the quick
    small order) without median sweeps (``order_stage.QUICK_TREE_SWEEPS``): fewer crossings,
    454 -> 292 and 303 -> 280 when written; still ``refinable``, whatever the input order.
    From the DFS start: from the family start (``order_stage.FAMILY_START``) the first ends
    at 241 with and without the sweeps."""
    from bench.graphs import mlp_forward_graph
    from bench.layout import shuffled
    from layouts import layered_layout, order_stage

    monkeypatch.setattr(order_stage, "FAMILY_START", False)
    G = mlp_forward_graph(nin, shape, seed=5001 if nin == 5 else 5107)
    quick = layered_layout(G, fast=True)
    monkeypatch.setattr(order_stage, "QUICK_TREE_SWEEPS", 24)           # the sweeps as before
    swept = layered_layout(G, fast=True)
    monkeypatch.setattr(order_stage, "QUICK_TREE_SWEEPS", 0)
    assert quick.refinable and swept.refinable
    assert quick.crossings < 0.95 * swept.crossings
    assert layered_layout(shuffled(G, 2), fast=True).positions == quick.positions


def test_the_block_polish_spends_at_most_its_budget_and_more_work_gains_more():
    from layouts import block_moves
    from layouts.block_polish import order_blocks
    from layouts.ordering import order_cost

    lg, rigid = forward_layered()
    key = np.arange(lg.n_nodes, dtype=float)
    costs = {}
    real = block_moves.BlockMoves._move_group
    for work in (0.0, 2e5, 1e6):
        spent = []

        def spy(self, cost, group, spent=spent):
            spent.append(group.cells + GROUP_WORK)
            return real(self, cost, group)
        block_moves.BlockMoves._move_group = spy
        try:
            pos, crossings = order_blocks(lg, key, rigid, work=work)
        finally:
            block_moves.BlockMoves._move_group = real
        assert sum(spent) <= work + max(spent, default=0)       # stops once the budget is spent
        assert (len(spent) == 0) == (work == 0)
        costs[work] = order_cost(lg, pos, rigid)
    # tree-like: no sweeps, and a pass of rerouting at the end (``block_polish.REROUTE_TREE``)
    base, _ = minimise_crossings(lg, key, seg_rigid=rigid, polish=True, max_iterations=0)
    assert costs[0.0] == order_cost(lg, base, rigid)
    assert costs[1e6] < costs[2e5] < costs[0.0]


@pytest.mark.parametrize("seed", range(6))
def test_skipping_layers_without_crossings_changes_nothing_and_saves_work(seed, monkeypatch):
    """Transposition and sifting leave out layers with no crossing in the gaps on either
    side: the same order and gains as looking at every layer, fewer layers sifted."""
    lg, key = random_layered(900 + seed, n=70, p=0.05, max_rank=12)
    rigid = np.random.default_rng(seed).random(len(lg.seg_src)) < 0.2
    sifted = {}

    def run(skip: bool):
        if not skip:
            monkeypatch.setattr(LayerOrder, "layers_near_crossings", lambda self: np.ones(self.n_layers, dtype=bool))
            monkeypatch.setattr(LayerOrder, "_crossed_gaps", lambda self: [True] * (self.n_layers + 1))
        real = LayerOrder._sift_layer
        calls = sifted[skip] = []
        monkeypatch.setattr(LayerOrder, "_sift_layer", lambda self, l: (calls.append(l), real(self, l))[1])
        order = LayerOrder(lg, key, seg_rigid=rigid)
        order.sweep(downward=True)
        gains = [order.transpose(), order.sift(rounds=2), order.transpose(reverse=True)]
        monkeypatch.undo()
        return order.pos.copy(), gains

    pos_skip, gains_skip = run(True)
    pos_all, gains_all = run(False)
    assert np.array_equal(pos_skip, pos_all) and gains_skip == gains_all
    assert len(sifted[True]) < len(sifted[False])


def test_a_layer_without_crossings_near_is_never_sifted():
    lg, key = random_layered(5, n=60, p=0.05, max_rank=12)
    order = LayerOrder(lg, key)
    near = order.layers_near_crossings()
    lg_layer = lg.layer[lg.seg_src]
    for l in range(order.n_layers):                     # the flag, recounted pair by pair
        segs = [s for s in range(len(lg.seg_src)) if lg_layer[s] in (l - 1, l)]
        p = order.pos
        crossing = any(lg_layer[s] == lg_layer[t] and (p[lg.seg_src[s]] - p[lg.seg_src[t]])
                       * (p[lg.seg_dst[s]] - p[lg.seg_dst[t]]) < 0 for s in segs for t in segs)
        assert near[l] == crossing


def test_drawings_with_many_long_edges_get_path_moves(monkeypatch):
    """A batch loss with its L2 term (594 nodes, over 1,000 layered: each weight's edge to its
    square is long) gets a pass of path moves after the block polish (``LONG_EDGES_FROM``
    layered nodes per real node), on a budget of ``LONG_EDGE_WORK`` cells per squared layered
    node (``LONG_EDGE_COPIES_WORK`` times that over several samples, where scope groups are), its
    sifting round skipped (``LONG_EDGE_SIFT`` off): 1,228 -> 816 crossings (graphlay
    1,344; session 35, sifted and on 1 cell, 853); the pass before session 35 (a rerouting pass,
    then paths and blocks ranked together, ``LONG_EDGE_PATHS`` off) 964 on the same budget.  The
    same drawing from a shuffled input.  Under ``LONG_EDGE_FULL_LAYERED`` layered nodes the pass
    takes ``LONG_EDGE_SMALL_WORK`` cells: MLP(1,[7,1]) + L2 on 5 samples (515 nodes, 987 layered)
    945 -> 641 crossings (graphlay 1,055).  An inspected sample + L2 (one copy of each neuron: no
    scope groups) takes the pass on its cells alone.  A loss without long edges (534 nodes, 576
    layered) gets no such pass, and is sifted."""
    import layouts.block_polish as block_polish
    from bench.graphs import batch_loss_graph, inspected_sample_graph, mlp_loss_graph
    from bench.layout import shuffled
    from layouts import layered_layout

    G = batch_loss_graph(1, (7,), 6, "mse", True, "tanh", seed=850935)
    monkeypatch.setattr(block_polish, "LONG_EDGES_FROM", float("inf"))
    without = layered_layout(G)
    monkeypatch.setattr(block_polish, "LONG_EDGES_FROM", 1.5)
    monkeypatch.setattr(block_polish, "LONG_EDGE_PATHS", False)
    before_paths = layered_layout(G)
    monkeypatch.setattr(block_polish, "LONG_EDGE_PATHS", True)
    seen = []
    for name in ("reroute", "move_groups", "move_paths"):
        real = getattr(LayerOrder, name)

        def spy(order, *a, _real=real, _name=name, **k):
            before = order.work_left
            out = _real(order, *a, **k)
            seen.append((_name, before, order.work_left, order.lg.n_nodes))
            return out

        monkeypatch.setattr(LayerOrder, name, spy)
    sift_limits = []
    real_minimise = block_polish.minimise_crossings
    monkeypatch.setattr(block_polish, "minimise_crossings",
                        lambda *a, **k: (sift_limits.append(k.get("sift_max_nodes")), real_minimise(*a, **k))[1])
    lay = layered_layout(G)
    assert sift_limits == [0]
    assert lay.crossings < 0.9 * before_paths.crossings < 0.81 * without.crossings
    assert [s[0] for s in seen if s[1] is not None and s[1] > 1e5] == ["move_paths"]   # the pass: paths alone
    _, before, after, n_layered = next(s for s in seen if s[0] == "move_paths")
    assert before == block_polish.LONG_EDGE_WORK * block_polish.LONG_EDGE_COPIES_WORK * n_layered ** 2
    assert n_layered > max(block_polish.LONG_EDGE_FULL_LAYERED, 1.5 * G.number_of_nodes())
    assert -n_layered ** 2 < after < before      # spent, and stopped once spent (a last move over it)
    assert layered_layout(shuffled(G, 3)).positions == lay.positions

    # under LONG_EDGE_FULL_LAYERED layered nodes the pass runs on LONG_EDGE_SMALL_WORK
    small = batch_loss_graph(1, (7,), 5, "mse", True, "tanh", seed=265328)      # 515 nodes, 987 layered
    seen.clear(), sift_limits.clear()
    lay = layered_layout(small)
    _, before, _, n_layered = next(s for s in seen if s[0] == "move_paths")
    assert 1.5 * small.number_of_nodes() < n_layered < block_polish.LONG_EDGE_FULL_LAYERED
    assert before == block_polish.LONG_EDGE_SMALL_WORK * block_polish.LONG_EDGE_COPIES_WORK * n_layered ** 2
    assert sift_limits == [0]
    monkeypatch.setattr(block_polish, "LONG_EDGES_FROM", float("inf"))
    assert lay.crossings < 0.8 * layered_layout(small).crossings
    monkeypatch.setattr(block_polish, "LONG_EDGES_FROM", 1.5)
    assert layered_layout(shuffled(small, 2)).positions == lay.positions

    # one copy of each neuron (an inspected sample + L2): the pass on its cells alone
    seen.clear(), sift_limits.clear()
    layered_layout(inspected_sample_graph((5, 6), True, 0))                    # 520 nodes
    _, before, _, n_layered = next(s for s in seen if s[0] == "move_paths")
    work = block_polish.LONG_EDGE_WORK if n_layered >= block_polish.LONG_EDGE_FULL_LAYERED \
        else block_polish.LONG_EDGE_SMALL_WORK
    assert before == work * n_layered ** 2 and sift_limits == [0]

    seen.clear(), sift_limits.clear()
    layered_layout(mlp_loss_graph(3, (4, 4, 1), 3, seed=2))
    assert not any(s[0] == "move_paths" for s in seen)
    assert sift_limits == [None]          # the default: sifted
    monkeypatch.setattr(block_polish, "LONG_EDGE_SIFT", True)
    sift_limits.clear()
    layered_layout(G)
    assert sift_limits == [None]
