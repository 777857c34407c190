"""Pair moves (layouts/pair_moves.py): a segment's two ends moved together.  Checked against
the order's whole cost recounted with the two ends put in every pair of slots: the gain a
move reports is the change of ``LayerOrder.cost``, and it is the best pair of slots (within
``PAIR_WINDOW`` of each end's own, or anywhere without it)."""

from __future__ import annotations

import numpy as np
import pytest

import layouts.pair_moves as pair_moves
from layouts.ordering import LayerOrder
from test_layout_rerouting import random_layered


def op_result_rigid(lg, rng) -> np.ndarray:
    """Rigid segments as ``layout_input`` makes them (op -> result: the op's only segment
    out, the result's only one in), most of those that could be."""
    n = lg.n_nodes
    out_degree = np.bincount(lg.seg_src, minlength=n)
    in_degree = np.bincount(lg.seg_dst, minlength=n)
    could = (out_degree[lg.seg_src] == 1) & (in_degree[lg.seg_dst] == 1)
    return could & (rng.random(len(lg.seg_src)) < 0.7)


def costs_over_every_pair_of_slots(order: LayerOrder, s: int) -> np.ndarray:
    """[i, j]: the order's cost with segment s's source at slot i of its rank and its target
    at slot j (slots among the rank's other nodes); the order is left as it was."""
    lg, kept = order.lg, order.pos.copy()
    u, w = int(lg.seg_src[s]), int(lg.seg_dst[s])
    l = int(lg.layer[u])
    out = np.zeros((order.layer_size[l], order.layer_size[l + 1]))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            order.pos[:] = kept
            pair_moves._reinsert(order.pos, order.members[l], u, int(kept[u]), i)
            pair_moves._reinsert(order.pos, order.members[l + 1], w, int(kept[w]), j)
            out[i, j] = order.cost()
    order.pos[:] = kept
    return out


def move_one(order: LayerOrder, s: int) -> float:
    """``move_pairs``' step for one segment: its table, the move if it gains."""
    lg = order.lg
    l = int(lg.layer[lg.seg_src[s]])
    gain, best = order._pair_tables(l, np.array([s]))
    if gain[0] <= 1e-9:
        return 0.0
    i, j = divmod(int(best[0]), int(order.layer_size[l + 1]))
    u, w = int(lg.seg_src[s]), int(lg.seg_dst[s])
    pair_moves._reinsert(order.pos, order.members[l], u, int(order.pos[u]), i)
    pair_moves._reinsert(order.pos, order.members[l + 1], w, int(order.pos[w]), j)
    return float(gain[0])


@pytest.mark.parametrize("window", [None, 2])
@pytest.mark.parametrize("seed", range(6))
def test_a_pair_move_takes_its_best_slots_and_says_exactly_what_it_gained(seed, window, monkeypatch):
    monkeypatch.setattr(pair_moves, "PAIR_WINDOW", window)
    lg, key = random_layered(seed, n=16, p=0.3, max_rank=3)
    rng = np.random.default_rng(seed)
    order = LayerOrder(lg, key, op_result_rigid(lg, rng))
    moved = 0
    for s in range(len(lg.seg_src)):
        u, w = int(lg.seg_src[s]), int(lg.seg_dst[s])
        pu, pw = int(order.pos[u]), int(order.pos[w])
        costs = costs_over_every_pair_of_slots(order, s)
        if window is not None:      # only the slots the move may take
            far = ((np.abs(np.arange(costs.shape[0]) - pu) > window)[:, None]
                   | (np.abs(np.arange(costs.shape[1]) - pw) > window)[None, :])
            costs[far] = np.inf
        before = order.cost()
        gain = move_one(order, s)
        after = order.cost()
        assert before - after == pytest.approx(gain, abs=1e-9)
        assert after == pytest.approx(costs.min(), abs=1e-9)
        for members in order.members:        # still a permutation of every rank
            assert sorted(order.pos[members].tolist()) == list(range(len(members)))
        moved += gain > 0
    assert moved > 0        # the random orders leave pairs to move


@pytest.mark.parametrize("seed", range(6))
def test_a_pass_removes_what_it_says_and_never_raises_the_cost(seed):
    lg, key = random_layered(100 + seed, n=30, p=0.15, max_rank=4)
    order = LayerOrder(lg, key, op_result_rigid(lg, np.random.default_rng(seed)))
    before = order.cost()
    gained = order.move_pairs()
    after = order.cost()
    assert gained >= 0
    assert before - after == pytest.approx(gained, abs=1e-9)
    capped = LayerOrder(lg, key, op_result_rigid(lg, np.random.default_rng(seed)))
    assert capped.move_pairs(evaluations=0) == 0
    assert np.array_equal(capped.pos, LayerOrder(lg, key, capped.rigid).pos)


def test_narrow_losses_gain_from_pair_moves(monkeypatch):
    """``order_stage.NARROW_PAIRS`` sends a loss with a narrow layer through the pair moves and
    a sifting round: fewer crossings than without (427 -> 405, graphlay 417), and a loss
    without one (its loose key is its side-by-side key) is drawn as before."""
    from bench.graphs import mlp_loss_graph
    from layouts import layered_layout, order_stage

    assert order_stage.NARROW_PAIRS
    narrow = mlp_loss_graph(5, (2, 4, 1), 4, seed=7171)      # 502 nodes
    wide = mlp_loss_graph(3, (4, 4, 1), 3, seed=2)            # 534 nodes
    on = [layered_layout(G) for G in (narrow, wide)]
    monkeypatch.setattr(order_stage, "NARROW_PAIRS", False)
    off = [layered_layout(G) for G in (narrow, wide)]
    assert on[0].crossings < off[0].crossings
    assert on[1].positions == off[1].positions
