"""Moving blocks (layouts/block_moves.py: a node with its in-tree, its nodes of each rank
kept together) and the move clock (layouts/move_clock.py: moves whose ranks did not change
since they were tried are skipped)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from layouts.block_moves import in_tree_blocks
from layouts.layering import make_layered
from layouts.ordering import LayerOrder
from test_layout_rerouting import random_layered


@pytest.mark.parametrize("seed", range(12))
def test_moving_blocks_reports_the_real_gain_and_never_raises_the_cost(seed):
    lg, key = random_layered(300 + seed, n=26, p=0.15, max_rank=5)
    rigid = np.random.default_rng(seed).random(len(lg.seg_src)) < 0.2
    order = LayerOrder(lg, key, seg_rigid=rigid)
    before = order.cost()
    gain = order.move_blocks()
    assert gain >= 0
    assert before - order.cost() == pytest.approx(gain)
    for members in order.members:
        assert sorted(order.pos[members].tolist()) == list(range(len(members)))


def test_blocks_are_in_trees_with_several_nodes_in_a_rank():
    """r's in-tree is r with p1, p2, p3 (their only successor is r; x also feeds t1); in
    every block, every node but the last one's successors are all in the block; a chain
    (s0 -> t0, one node per rank) is no block (path moves carry it)."""
    lg, index, _ = fan_in_below_a_bundle()
    blocks = [sorted(b.tolist()) for b in in_tree_blocks(lg)]
    assert sorted(index[v] for v in ("r", "p1", "p2", "p3")) in blocks
    for b in blocks:
        root = max(b, key=lambda v: lg.layer[v])
        assert all(set(lg.seg_dst[lg.seg_src == v].tolist()) <= set(b) for v in b if v != root)
        assert len(set(lg.layer[b].tolist())) < len(b)
    assert sorted([index["s0"], index["t0"]]) not in blocks


def fan_in_below_a_bundle():
    """x (top of rank 0) feeds p1, p2, p3, which feed r, which feeds y (top of rank 3);
    three chains x -> sk -> tk -> y hold x and y on top, and the p's and r start below a
    bundle of three nodes a rank, each joined to every one of the next rank (which keeps
    the bundle together: no path of it gains by leaving)."""
    G = nx.DiGraph()
    for k in range(3):
        nx.add_path(G, ["x", f"s{k}", f"t{k}", "y"])
        for j in range(3):                      # each rank of the bundle joined to the next
            G.add_edges_from([(f"a{k}", f"b{j}"), (f"b{k}", f"c{j}"), (f"c{k}", f"d{j}")])
    for p in ("p1", "p2", "p3"):
        G.add_edge("x", p)
        G.add_edge(p, "r")
    G.add_edge("r", "y")
    top = ["x", "s0", "s1", "s2", "t0", "t1", "t2", "y"]
    block = ["p1", "p2", "p3", "r"]
    nodes = top + block + [f"{s}{k}" for s in "abcd" for k in range(3)]
    index = {v: i for i, v in enumerate(nodes)}
    rank = np.array([0, 1, 1, 1, 2, 2, 2, 3, 1, 1, 1, 2] + [r for r in range(4) for _ in range(3)])
    src = np.array([index[u] for u, _ in G.edges]); dst = np.array([index[v] for _, v in G.edges])
    lg = make_layered(len(nodes), src, dst, rank)
    key = np.zeros(lg.n_nodes)
    key[[index[v] for v in top]] = -1
    key[[index[v] for v in block]] = 10
    for v in nodes[len(top) + len(block):]:
        key[index[v]] = int(v[1])
    return lg, index, key


def test_a_fan_in_that_only_gains_as_a_whole_moves_as_one_block():
    """Each x -> p edge crosses the bundle's nine segments (27), and r -> y does (9): no
    node alone, no edge with its ends, no chain gains (r's other inputs, or x's and y's
    chains on top, would cross the bundle instead); moving r with its in-tree removes all
    of them."""
    lg, _, key = fan_in_below_a_bundle()
    order = LayerOrder(lg, key)
    inherent = 3 * 9                             # each bundle gap is a K(3,3): 9 crossings in any order
    assert order.crossings() == inherent + 36
    order.sift()
    order.transpose()
    assert order.reroute() == 0
    assert order.move_paths() == 0
    assert order.crossings() == inherent + 36
    assert order.move_blocks() == 36
    assert order.crossings() == inherent


@pytest.mark.parametrize("seed", range(6))
def test_moves_skipped_by_the_clock_could_not_have_gained(seed):
    """Once the moves are settled, forgetting when each was tried (so every one is tried
    again) finds nothing either: skipping unchanged neighbourhoods loses nothing."""
    lg, key = random_layered(400 + seed, n=30, p=0.12, max_rank=6)
    order = LayerOrder(lg, key)
    for _ in range(30):
        if order.reroute(rounds=1) + order.move_paths() + order.move_blocks() == 0:
            break
        order.sift(rounds=1)
    assert order.reroute(rounds=1) + order.move_paths() + order.move_blocks() == 0
    order._tried_at.clear()
    assert order.reroute(rounds=1) + order.move_paths() + order.move_blocks() == 0


def plain_in_tree_blocks(lg) -> list:
    """Every real node's whole in-tree, then the same filters as ``in_tree_blocks`` (two
    ranks or more, not one node per rank, at most half the nodes and fewer than
    ``MAX_BLOCK_RANKS`` ranks), each once, smallest first."""
    from layouts.block_moves import MAX_BLOCK_RANKS, MAX_BLOCK_SHARE

    succ = {v: set(lg.seg_dst[lg.seg_src == v].tolist()) for v in range(lg.n_nodes)}
    out = []
    for root in range(lg.n_real):
        tree, grew = {root}, True
        while grew:
            new = {u for u in range(lg.n_nodes) if u not in tree and succ[u] and succ[u] <= tree}
            tree |= new
            grew = bool(new)
        ranks = lg.layer[sorted(tree)]
        if (3 <= len(tree) <= MAX_BLOCK_SHARE * lg.n_nodes and ranks.max() - ranks.min() < MAX_BLOCK_RANKS
                and len(set(ranks.tolist())) < len(tree) and sorted(tree) not in out):
            out.append(sorted(tree))
    return sorted(out, key=len)


def test_in_tree_blocks_are_the_whole_in_trees_that_span_few_ranks(monkeypatch):
    """``in_tree_blocks`` stops growing a tree once it reaches ``MAX_BLOCK_RANKS`` ranks
    below its root (such a tree is dropped anyway): the same blocks as whole in-trees
    filtered afterwards (tall drawings, where many in-trees are dropped for their ranks)."""
    import layouts.block_moves as block_moves

    monkeypatch.setattr(block_moves, "MAX_BLOCK_RANKS", 4)
    found = 0
    for seed in range(8):
        lg, _ = random_layered(700 + seed, n=40, p=0.06, max_rank=12)
        blocks = [sorted(b.tolist()) for b in in_tree_blocks(lg)]
        assert blocks == plain_in_tree_blocks(lg)
        found += len(blocks)
    assert found >= 8


def test_groups_with_a_hub_are_not_moved_the_others_are(monkeypatch):
    """A node with more than ``HUB_SEGMENTS`` segments (the app's collapsed MLP loss: every
    shared weight feeds each sample's box) makes each try of a group holding it recount its
    segments against the whole rank: such groups are left out, every other group is still
    tried (and the drawing of a graph without hubs is as before)."""
    import layouts.block_moves as bm

    k = bm.HUB_SEGMENTS + 10
    # rank 0: k weights, and 4 plain leaves; rank 1: the hubs A, B and 4 ops fed crosswise
    A, B = k + 4, k + 5
    ops = [k + 6 + i for i in range(4)]
    src = [w for w in range(k) for _ in (0, 1)] + [k + i for i in range(4)] + [k + i for i in range(4)]
    dst = [h for _ in range(k) for h in (A, B)] + ops[::-1] + ops[1:] + ops[:1]
    n = k + 10
    rank = np.array([0] * (k + 4) + [1] * 6)
    lg = make_layered(n, np.array(src), np.array(dst), rank)
    order = LayerOrder(lg, np.random.default_rng(0).permutation(lg.n_nodes))
    tried = []
    real = bm.BlockMoves._move_group
    monkeypatch.setattr(bm.BlockMoves, "_move_group",
                        lambda self, cost, g: tried.append(g.nodes.tolist()) or real(self, cost, g))
    before = order.cost()
    gained = order.move_paths() + order.move_blocks()
    assert tried and not any(A in g or B in g for g in tried)
    assert any(set(g) & set(ops) for g in tried)
    assert before - order.cost() == pytest.approx(gained)
    monkeypatch.setattr(bm, "HUB_SEGMENTS", 4 * k)         # no hub: the hubs' groups are tried
    tried.clear()
    order = LayerOrder(lg, np.random.default_rng(0).permutation(lg.n_nodes))
    order.move_paths()
    assert any(A in g or B in g for g in tried)
