"""Path and block moves (layouts/path_moves.py, block_moves.py) and rerouting
(layouts/rerouting.py) with the per-gap tables of layouts/group_slots.py make the same moves
as the plain method they replaced: one padded table of every gap, infinite cost past each
rank's end, the whole order recounted after a move."""

from __future__ import annotations

import numpy as np
import pytest

from layouts.block_moves import BlockMoves
from layouts.ordering import LayerOrder
from layouts.rerouting import Rerouting, _from_fixed
from test_layout_rerouting import random_layered


def plain_move_group(self, cost, g):
    """The group's best slots from one (gaps, W, W) table of prefix counts, W past the
    widest rank around the group, slots past a rank's end at infinite cost; the move kept
    if the whole order's cost falls."""
    pos, lg = self.pos, self.lg
    lo, hi = max(g.l0 - 1, 0), min(g.l0 + g.n, self.n_layers - 1)
    W, n = int(self.layer_size[lo:hi + 1].max()) + 1, g.n
    stride = lg.n_nodes + 1
    group_key = np.sort(lg.layer[g.nodes] * stride + pos[g.nodes])
    rel = np.zeros(lg.n_nodes, dtype=np.int64)
    rel[g.near] = pos[g.near] - (np.searchsorted(group_key, g.near_key + pos[g.near]) - g.near_below)
    H = np.zeros((n + 1, W + 1, W + 1), dtype=np.int64)
    np.add.at(H, (g.gap, rel[g.src] + 1, rel[g.dst] + 1), 1)
    P = H.cumsum(axis=1).cumsum(axis=2)          # P[gap, s, t] = #(start < s and end < t)
    t = np.arange(W)
    node_cost = np.zeros((n, W))
    for r, f in zip(g.out_rank, rel[g.out_far]):
        k = r + 1
        node_cost[r] += P[k, t, W] - P[k, t, f + 1] + P[k, W, f] - P[k, t, f]
    for r, f in zip(g.in_rank, rel[g.in_far]):
        node_cost[r] += P[r, W, t] - P[r, f + 1, t] + P[r, f, W] - P[r, f, t]
    size = self.layer_size[g.l0:g.l0 + n] - g.count + 1
    node_cost[t[None, :] >= size[:, None]] = np.inf
    Q = P[1:n]
    step = Q[:, :W, W:] + Q[:, W:, :W] - 2 * Q[:, :W, :W]
    if g.weight.max(initial=1) > 1:
        step = step * g.weight[:, None, None]
    best, choice = node_cost[0], []
    for i in range(n - 1):
        total = best[:, None] + step[i]
        choice.append(total.argmin(axis=0))
        best = total[choice[-1], t] + node_cost[i + 1]
    route = [int(best.argmin())]
    for arg in reversed(choice):
        route.append(int(arg[route[-1]]))
    slots = np.array(route[::-1])
    mine = rel[g.nodes]
    first = mine[g.starts]
    if (np.maximum.reduceat(mine, g.starts) == first).all():
        current = node_cost[np.arange(n), first].sum() + step[np.arange(n - 1), first[:-1], first[1:]].sum()
        if np.array_equal(first, slots) or best[route[0]] >= current - 1e-9:
            return cost
    before, kept = self.cost(), pos[g.members]
    r, at = rel[g.members], slots[g.members_rank]
    pos[g.members] = np.where(g.members_in, at + kept - r, r + g.count[g.members_rank] * (r >= at))
    after = self.cost()
    if after >= before - 1e-9:
        pos[g.members] = kept
        return cost
    return cost - (before - after)


def plain_reroute_chain(self, path, first):
    """One long edge's best route, from one (gaps, W, W) table padded to the widest rank."""
    lg, pos = self.lg, self.pos
    virtual, l0 = path[1:-1], int(lg.layer[path[0]])
    n = len(virtual)
    segs, gap = self._chain_others(path, first)
    a, b = pos[lg.seg_src[segs]], pos[lg.seg_dst[segs]]
    slot = pos[virtual]
    inner_a, inner_b = gap > 0, gap < n
    a[inner_a] -= a[inner_a] > slot[gap[inner_a] - 1]
    b[inner_b] -= b[inner_b] > slot[gap[inner_b]]
    size = self.layer_size[l0 + 1:l0 + 1 + n]
    width = int(size.max())
    first_gap, last_gap = gap == 0, gap == n
    best = _from_fixed(a[first_gap], b[first_gap], int(pos[path[0]]), width)
    last = _from_fixed(b[last_gap], a[last_gap], int(pos[path[-1]]), width)
    middle = ~(first_gap | last_gap)
    H = np.zeros((max(n - 1, 0), width + 1, width + 1), dtype=np.int64)
    np.add.at(H, (gap[middle] - 1, a[middle] + 1, b[middle] + 1), 1)
    P = H.cumsum(axis=1).cumsum(axis=2)
    cost = P[:, :-1, -1:] + P[:, -1:, :-1] - 2 * P[:, :-1, :-1]
    free = np.arange(width)[None, :] >= size[:, None]
    best = np.where(free[0], np.inf, best)
    current = best[slot[0]] + last[slot[-1]] + cost[np.arange(n - 1), slot[:-1], slot[1:]].sum()
    choice = []
    for i in range(n - 1):
        total = best[:, None] + cost[i]
        choice.append(total.argmin(axis=0))
        best = np.where(free[i + 1], np.inf, total[choice[-1], np.arange(width)])
    best = best + last
    end = int(best.argmin())
    if best[end] >= current:
        return 0
    route = [end]
    for arg in reversed(choice):
        route.append(int(arg[route[-1]]))
    for v, layer, new in zip(virtual, range(l0 + 1, l0 + 1 + n), reversed(route)):
        self._move(v, layer, new)
    return int(current - best[end])


@pytest.mark.parametrize("seed", range(10))
def test_rerouting_makes_the_moves_of_the_plain_method(seed, monkeypatch):
    """Rounds of rerouting and sifting from a random order: same gains, same orders."""
    lg, key = random_layered(900 + seed, n=30 + seed, p=0.15, max_rank=6 + seed % 4)
    fast, plain = LayerOrder(lg, key), LayerOrder(lg, key)
    moved = 0
    for _ in range(3):
        steps = []
        for order, method in ((fast, Rerouting._reroute_chain), (plain, plain_reroute_chain)):
            monkeypatch.setattr(Rerouting, "_reroute_chain", method)
            steps.append([order.reroute(rounds=1), order.sift(rounds=1)])
        assert steps[0] == steps[1]
        assert np.array_equal(fast.pos, plain.pos)
        moved += steps[0][0]
    assert moved > 0 or seed % 3


@pytest.mark.parametrize("seed", range(16))
def test_path_and_block_moves_are_those_of_the_plain_method(seed, monkeypatch):
    """Rounds of path moves, block moves and sifting from a random order, with rigid
    segments: the same gains and the same order after every step."""
    lg, key = random_layered(700 + seed, n=34 + seed, p=0.1 + 0.01 * (seed % 5), max_rank=4 + seed % 5)
    rigid = np.random.default_rng(seed).random(len(lg.seg_src)) < 0.25
    fast, plain = LayerOrder(lg, key, seg_rigid=rigid), LayerOrder(lg, key, seg_rigid=rigid)
    moved = 0
    for _ in range(3):
        steps = []
        for order, method in ((fast, BlockMoves._move_group), (plain, plain_move_group)):
            monkeypatch.setattr(BlockMoves, "_move_group", method)
            steps.append([order.move_paths(), order.move_blocks(), order.sift(rounds=1)])
        assert steps[0] == steps[1]
        assert np.array_equal(fast.pos, plain.pos)
        moved += steps[0][0] + steps[0][1]
    assert moved > 0 or seed % 4     # most seeds move something: the comparison is not empty


@pytest.mark.parametrize("seed", range(6))
def test_the_recount_of_a_move_is_the_change_of_the_whole_cost(seed):
    """Only pairs with a segment of the moving group can cross or uncross: with the group's
    nodes put anywhere in their ranks (the others' order kept), the change of those pairs'
    cost is the change of the order's (rigid-rigid penalty included)."""
    lg, key = random_layered(800 + seed, n=30, p=0.2, max_rank=5)
    rigid = np.random.default_rng(seed).random(len(lg.seg_src)) < 0.3
    order = LayerOrder(lg, key, seg_rigid=rigid)
    order.move_paths()                     # makes the paths' static data
    rng = np.random.default_rng(seed)
    for group in list(order._groups.values())[:10]:
        pairs = order._changing_pairs(group)
        before, cost = order._pairs_cost(pairs), order.cost()
        mine = set(group.nodes.tolist())
        for layer in np.unique(lg.layer[group.nodes]).tolist():   # the group's nodes to random slots
            line = sorted(order.members[layer].tolist(), key=lambda v: order.pos[v])
            rest = [v for v in line if v not in mine]
            for v in rng.permutation([v for v in line if v in mine]).tolist():
                rest.insert(int(rng.integers(0, len(rest) + 1)), v)
            order.pos[rest] = np.arange(len(rest))
        assert order.cost() - cost == pytest.approx(order._pairs_cost(pairs) - before)


@pytest.mark.parametrize("seed", range(3))
def test_a_groups_ranks_and_gaps_are_slices_of_one_array(seed):
    """``BlockMoves._group_data`` takes the nodes of ranks l..m and the segments of gaps
    l..m - 1 as one slice each (``LayerOrder.by_layer``, ``Rerouting.gap_run``): the same
    arrays, in the same order, as the per-rank lists concatenated."""
    lg, key = random_layered(600 + seed, n=30, p=0.15, max_rank=6)
    order = LayerOrder(lg, key)
    size, offset = order.layer_size, order.layer_offset
    for lo in range(order.n_layers):
        for hi in range(lo, order.n_layers):
            assert np.array_equal(order.by_layer[offset[lo]:offset[hi] + size[hi]],
                                  np.concatenate(order.members[lo:hi + 1]))
            assert np.array_equal(order.gap_run(lo, hi + 1), np.concatenate(order.gap_segments[lo:hi + 1]))


def test_trunk_chains_cut_where_they_join_a_longer_one():
    """``trunk_chains``: chains into one node share all that follows it; the longest keeps
    it, each other ends ``tail`` nodes past the first node it shares with a longer one (and
    is left out with fewer than three nodes), in their own order."""
    from layouts.path_moves import _chains, trunk_chains

    trunk = np.arange(10)
    a = np.array([20, 21, 3, 4, 5, 6, 7, 8, 9])     # joins the trunk at 3
    b = np.array([30, 6, 7, 8, 9])                  # at 6
    c = np.array([40, 41, 42])                      # joins nothing
    d = np.array([50, 51, 52, 21, 3, 4, 5, 6, 7, 8, 9])   # the longest: keeps 3 .. 9, a ends at 21
    out = trunk_chains(60, [a, b, trunk, c], 1)
    assert [x.tolist() for x in out] == [a[:4].tolist(), b[:3].tolist(), trunk.tolist(), c.tolist()]
    assert [x.tolist() for x in trunk_chains(60, [a, b, trunk, c], 0)] == [a[:3].tolist(), trunk.tolist(),
                                                                       c.tolist()]
    out = trunk_chains(60, [a, b, trunk, c, d], 2)
    assert [x.tolist() for x in out] == [[20, 21, 3, 4], [30, 6, 7, 8], [0, 1, 2, 3, 4, 5], c.tolist(), d.tolist()]
    # a drawing's chains: those that share nodes, cut with no tail, share only their last
    lg, _ = random_layered(4, n=120, p=0.03, max_rank=10)
    chains = _chains(lg)
    before = np.concatenate([x[:-1] for x in chains])
    assert len(np.unique(before)) < len(before)
    after = np.concatenate([x[:-1] for x in trunk_chains(lg.n_nodes, chains, 0)])
    assert len(np.unique(after)) == len(after) and set(after.tolist()) <= set(before.tolist())
    assert len(after) > len(np.unique(before)) / 2
