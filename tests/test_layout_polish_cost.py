"""The cheaper arithmetic of the path and block moves on mid-size drawings (wide ranks): the
tables made by comparisons and one running sum (``group_slots._row_ranges``), ``best_slots``'
sums in int32 where they cannot overflow (else int64) and the outside segments' costs
counted from the segments (``BlockMoves._outside_costs``) give the same integers as the
methods they replace."""

from __future__ import annotations

import numpy as np
import pytest

from layouts import group_slots
from layouts.group_slots import ROW_RANGE_CELLS, best_slots, gap_shapes, gap_tables, node_costs
from layouts.ordering import LayerOrder
from test_layout_fixed_costs import _stage_by_stage, random_outside_costs
from test_layout_path_moves import plain_move_group
from test_layout_rerouting import random_layered


def two_running_sums(gap, a, b, shapes):
    """The tables as first made: one count per cell, a running sum along each axis, each
    table's first row subtracted."""
    rows, cols, first_row, C = shapes
    H = np.bincount((first_row[gap] + a + 1) * C + b + 1, minlength=int(first_row[-1]) * C).reshape(-1, C)
    H = H.cumsum(axis=1).cumsum(axis=0)
    return H - H[np.repeat(first_row[:-1], rows)]


def wide_gaps(rng, n: int, low: int = 20, high: int = 70, segments: int = 900):
    """Other nodes of ranks l0 - 1 .. l0 + n (some empty) and other segments of each gap, some
    nodes with several segments into one gap (and some segments twice)."""
    others = rng.integers(low, high, n + 2)
    others[rng.random(n + 2) < 0.15] = 0
    gap = rng.integers(0, n + 1, segments)
    gap = gap[(others[gap] > 0) & (others[gap + 1] > 0)]
    a, b = rng.integers(0, others[gap]), rng.integers(0, others[gap + 1])
    a[: len(a) // 3] %= 4                  # a few nodes with many segments
    twice = rng.integers(0, len(a), len(a) // 10)
    return others, np.concatenate([gap, gap[twice]]), np.concatenate([a, a[twice]]), np.concatenate([b, b[twice]])


@pytest.mark.parametrize("seed", range(10))
def test_row_ranges_make_the_tables_of_two_running_sums(seed):
    rng = np.random.default_rng(6100 + seed)
    others, gap, a, b = wide_gaps(rng, int(rng.integers(3, 9)), low=40)
    shapes = gap_shapes(others)
    assert int(shapes[2][-1]) * shapes[3] >= ROW_RANGE_CELLS          # gap_tables takes _row_ranges
    want = two_running_sums(gap, a, b, shapes)
    assert np.array_equal(group_slots._row_ranges(gap, a, b, shapes), want)
    assert np.array_equal(gap_tables(gap, a, b, shapes), want)
    small = gap_shapes(np.array([3, 2, 4]))                          # and the small tables' way
    g, s, t = np.array([0, 1, 1, 1]), np.array([2, 0, 1, 1]), np.array([1, 3, 0, 0])
    assert np.array_equal(gap_tables(g, s, t, small), two_running_sums(g, s, t, small))


@pytest.mark.parametrize("seed", range(12))
def test_wide_stages_choose_as_stage_by_stage(seed):
    """Wide ranks (20-70 other nodes), weighted or not, and node costs near the int32 limit on
    some seeds (there the sums must be made in int64): the same slots and costs as the
    stage-by-stage method (Python integers where it matters)."""
    rng = np.random.default_rng(6200 + seed)
    n = int(rng.integers(2, 8))
    others, gap, a, b = wide_gaps(rng, n, low=25)
    others[1:n + 1] = np.maximum(others[1:n + 1], 20)
    shapes = gap_shapes(others)
    P = gap_tables(gap, a, b, shapes)
    node_cost = random_outside_costs(rng, P, shapes, others, n, 8)
    if seed % 3 == 2:       # every route's sum past 2^31: int32 would wrap
        node_cost = node_cost * 1000 + 2 ** 31 // n + rng.integers(0, 1000, node_cost.shape)
    weight = rng.integers(1, 4, n - 1) if seed % 2 else np.ones(n - 1, dtype=np.int64)
    current = rng.integers(0, others[1:n + 1] + 1)
    want = _stage_by_stage(P, shapes, node_cost, weight, current)
    got = best_slots(P, shapes, node_cost, weight, current)
    assert np.array_equal(got[0], want[0]) and got[1:] == want[1:]
    assert want[1] >= 2 ** 31 or seed % 3 != 2
    cheaper = best_slots(P, shapes, node_cost, weight, current, only_if_cheaper=True)
    assert cheaper[1:] == want[1:]
    assert cheaper[0] is None if want[1] >= want[2] else np.array_equal(cheaper[0], want[0])
    at_best = best_slots(P, shapes, node_cost, weight, want[0], only_if_cheaper=True)
    assert at_best[1] == at_best[2] == want[1] and at_best[0] is None


@pytest.mark.parametrize("seed", range(4))
def test_outside_costs_are_those_read_off_the_tables(seed):
    """Every path and block of a drawing with wide ranks, from a random order: the costs of
    the group's outside segments counted from the segments are ``node_costs`` of the whole
    tables (the first and last gaps' included)."""
    lg, key = random_layered(6300 + seed, n=160, p=0.05, max_rank=5)
    order = LayerOrder(lg, key)
    groups = order.path_groups() + order.block_groups()
    checked = 0
    for nodes in groups[::3]:
        g = order._group_data(nodes)
        stride = lg.n_nodes + 1
        group_key = np.sort(lg.layer[g.nodes] * stride + order.pos[g.nodes])
        rel = np.zeros(lg.n_nodes, dtype=np.int64)
        rel[g.near] = order.pos[g.near] - (np.searchsorted(group_key, g.near_key + order.pos[g.near]) - g.near_below)
        a, b = rel[g.src], rel[g.dst]
        P = gap_tables(g.gap, a, b, g.shapes)
        want = node_costs(P, g.shapes, g.out_rank, rel[g.out_far], g.in_rank, rel[g.in_far], g.n)
        got = order._outside_costs(g, a, b, rel[g.out_far], rel[g.in_far])
        assert got.dtype == want.dtype and np.array_equal(got, want)
        checked += len(g.out_rank) + len(g.in_rank) > 0
    assert checked > 20


@pytest.mark.parametrize("seed", range(3))
def test_moves_on_wide_ranks_are_those_of_the_plain_method(seed, monkeypatch):
    """As ``test_path_and_block_moves_are_those_of_the_plain_method``, on drawings whose ranks
    are wide enough for ``_row_ranges`` (and most groups' first and last tables left out)."""
    from layouts.block_moves import BlockMoves
    lg, key = random_layered(6400 + seed, n=130, p=0.04, max_rank=4)
    rigid = np.random.default_rng(seed).random(len(lg.seg_src)) < 0.25
    fast, plain = LayerOrder(lg, key, seg_rigid=rigid), LayerOrder(lg, key, seg_rigid=rigid)
    assert fast.layer_size.max() > 40
    wide = []
    real = group_slots._row_ranges
    monkeypatch.setattr(group_slots, "_row_ranges", lambda *args: wide.append(1) or real(*args))
    for _ in range(2):
        steps = []
        for order, method in ((fast, BlockMoves._move_group), (plain, plain_move_group)):
            monkeypatch.setattr(BlockMoves, "_move_group", method)
            steps.append([order.move_paths(), order.move_blocks()])
        assert steps[0] == steps[1]
        assert np.array_equal(fast.pos, plain.pos)
    assert wide and steps[0][0] > 0 or seed
