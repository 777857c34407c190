"""Transposition (``layouts.transposition``) against a from-scratch evaluation: every pair of
every layer of each phase counted pair by pair (no skipped layers, no sort keys), on random
layered graphs with long edges, rigid segments, in-trees and clusters: the same positions and
the same cost removed.  And ``pair_gains`` against the old per-slot count (``pair_crossings``
up to session 22), entry for entry."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from layouts.layering import make_layered
from layouts.ordering import LayerOrder
from layouts.sifting import RIGID_PENALTY
from layouts import transposition
from layouts.transposition import STALE_SHARE, pair_gains
from test_layout_rerouting import random_layered as random_dag
from test_layout_small_order import random_layered as random_proper


def reference_transpose(lg, pos, rigid, inner, reverse=False, max_rounds=8):
    """dot's transpose as ``Transposition.transpose`` specifies it, from scratch: per round,
    even layers then odd ones, pairs from even then odd slots; each pair's crossings with
    both neighbouring layers counted edge by edge (a crossing of two rigid segments costs
    1 + RIGID_PENALTY), the winning pairs of a phase swapped together (within one innermost
    cluster only); rounds while they gain.  Returns (pos, cost removed)."""
    pos = pos.copy()
    sides = [[[] for _ in range(lg.n_nodes)] for _ in range(2)]      # (neighbour, rigid)
    for s, (a, b) in enumerate(zip(lg.seg_src.tolist(), lg.seg_dst.tolist())):
        sides[0][b].append((a, bool(rigid[s])))
        sides[1][a].append((b, bool(rigid[s])))
    members = [np.flatnonzero(lg.layer == l).tolist() for l in range(lg.n_layers)]
    total = 0.0
    for _ in range(max_rounds):
        gained = 0.0
        for layer_parity in (0, 1):
            for pair_parity in (0, 1):
                swaps = []
                for l in range(layer_parity, lg.n_layers, 2):
                    line = sorted(members[l], key=lambda v: pos[v])
                    for i in range(pair_parity, len(line) - 1, 2):
                        u, w = line[i], line[i + 1]
                        now = swapped = 0.0
                        for side in sides:
                            for a, rigid_a in side[u]:
                                for b, rigid_b in side[w]:
                                    cost = 1 + (RIGID_PENALTY if rigid_a and rigid_b else 0)
                                    now += cost if pos[a] > pos[b] else 0
                                    swapped += cost if pos[a] < pos[b] else 0
                        gain = now - swapped
                        wins = gain > 0 or (reverse and gain == 0 and now > 0)
                        if wins and inner[u] == inner[w]:
                            swaps.append((u, w))
                            gained += gain
                for u, w in swaps:
                    pos[u], pos[w] = pos[w], pos[u]
        total += gained
        if gained < 1:
            break
    return pos, total


def random_in_trees(seed: int, n: int = 80, max_rank: int = 8):
    """A random forest of in-trees (every node but the roots feeds one node of a higher
    rank, edges spanning 1-3 ranks), layered."""
    rng = np.random.default_rng(seed)
    rank = np.sort(rng.integers(0, max_rank + 1, n))
    src, dst = [], []
    for u in range(n):
        later = np.flatnonzero((rank > rank[u]) & (rank <= rank[u] + 3))
        if len(later) and rng.random() < 0.9:
            src.append(u)
            dst.append(int(rng.choice(later)))
    return make_layered(n, np.array(src, np.int64), np.array(dst, np.int64), rank)


def graphs():
    """(name, layered graph, rigid segments) of each kind."""
    out = []
    for seed in range(4):
        rng = np.random.default_rng(seed)
        sizes = rng.integers(3, 12, size=7).tolist()
        lg, rigid = random_proper(rng, sizes, max_out=3, rigid_share=0.4)
        out.append((f"proper {seed}", lg, rigid))
        lg, _ = random_dag(700 + seed, n=45, p=0.08, max_rank=8)
        out.append((f"long edges {seed}", lg, rng.random(len(lg.seg_src)) < 0.15))
        lg = random_in_trees(seed)
        out.append((f"in-trees {seed}", lg, np.zeros(len(lg.seg_src), dtype=bool)))
    return out


@pytest.mark.parametrize("stale_share", [0.0, STALE_SHARE, 2.0])
@pytest.mark.parametrize("name, lg, rigid", graphs(), ids=lambda x: x if isinstance(x, str) else "")
def test_transposition_is_the_from_scratch_evaluation(name, lg, rigid, stale_share, monkeypatch):
    """From random orders, with and without ``reverse`` (ties with crossings swap too) and
    with random innermost clusters: the same order and gain as the reference, also for a
    second and third call on the same ``LayerOrder`` (caches kept, flags renewed); whether
    the layers left as they were are always dropped from a phase, as ``STALE_SHARE`` says,
    or never."""
    monkeypatch.setattr(transposition, "STALE_SHARE", stale_share)
    rng = np.random.default_rng(len(name))
    for clustered in (False, True):
        order = LayerOrder(lg, rng.permutation(lg.n_nodes), seg_rigid=rigid)
        inner = rng.integers(0, 3, lg.n_nodes) if clustered else np.zeros(lg.n_nodes, np.int64)
        if clustered:   # transposition only reads the innermost cluster of each node
            order.tree = SimpleNamespace(inner=inner)
        for reverse in (False, True, True):
            want_pos, want_gain = reference_transpose(lg, order.pos, rigid, inner, reverse)
            gain = order.transpose(reverse=reverse)
            assert np.array_equal(order.pos, want_pos), (name, clustered, reverse)
            assert gain == want_gain, (name, clustered, reverse)
            order.tree = None                   # a sweep moves on to another order
            order.sweep(downward=bool(reverse))
            order.tree = SimpleNamespace(inner=inner) if clustered else None


def old_pair_crossings(group, value, role, n_slots, width, weight=None, side_weight=(1.0, 1.0)):
    """``transposition.pair_crossings`` as it was up to session 22 (one entry per segment end,
    grouped by slot * sides + side): (crossings now, crossings once swapped) per slot."""
    sides = len(side_weight)
    order = np.argsort((group * width + value) * 2 + role)
    g, v, r = group[order], value[order], role[order]
    before = np.cumsum(r) - r
    n_el = len(g)
    starts = np.empty(n_el, dtype=bool)
    starts[0] = True
    np.not_equal(g[1:], g[:-1], out=starts[1:])
    start_index = np.maximum.accumulate(np.where(starts, np.arange(n_el), 0))
    within = before - before[start_index]
    slot_sorted = g // sides
    first = r == 0
    w = None if weight is None else weight[order]
    counted = within if w is None else within * w
    now = np.bincount(slot_sorted[first], weights=counted[first], minlength=n_slots)
    tie = np.zeros(n_el, dtype=bool)
    tie[:-1] = (g[1:] == g[:-1]) & (v[1:] == v[:-1])
    n_all = np.bincount(g, minlength=sides * n_slots)
    n_first = np.bincount(g[first], minlength=sides * n_slots)
    pairs = (n_first * (n_all - n_first)).reshape(-1, sides)
    products = (pairs[:, 0] + pairs[:, 1]).astype(np.float64) if w is None else \
        pairs @ np.asarray(side_weight)
    ties = np.bincount(slot_sorted[tie], weights=None if w is None else w[tie], minlength=n_slots)
    return now, products - now - ties


@pytest.mark.parametrize("side_bits", [1, 2])
@pytest.mark.parametrize("seed", range(4))
def test_pair_gains_are_the_old_counts(seed, side_bits):
    """Random entries (some groups of one node only, repeated neighbours and repeated entries
    included): ``pair_gains``' crossings now and gains equal the old count's now and now
    less swapped, exactly."""
    rng = np.random.default_rng(seed)
    n_pairs, width, n = 40, 9, 600
    pair = rng.integers(0, n_pairs, n)
    side = rng.integers(0, 1 << side_bits, n)
    value = rng.integers(0, width, n)
    role = rng.integers(0, 2, n)
    value_bits = (width - 1).bit_length() + 1
    key = (((pair << side_bits) + side) << value_bits) + (value << 1) + role
    now, gain = pair_gains(key, n_pairs, value_bits, side_bits)
    no_now, same_gain = pair_gains(key, n_pairs, value_bits, side_bits, with_now=False)
    side_weight = (1.0, 1.0) if side_bits == 1 else (1.0, 1.0, RIGID_PENALTY, RIGID_PENALTY)
    weight = None if side_bits == 1 else np.asarray(side_weight)[side]
    old_now, old_swapped = old_pair_crossings(pair * len(side_weight) + side, value, role, n_pairs,
                                              width + 1, weight, side_weight)
    assert np.array_equal(now, old_now) and np.array_equal(gain, old_now - old_swapped)
    assert no_now is None and np.array_equal(same_gain, gain)
    assert (gain != 0).sum() > n_pairs // 2          # the draws are not trivial
