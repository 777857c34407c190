"""The layout's fixed costs made cheaper without changing any drawing (issue 10: at 500+ nodes
at most half of dot's CPU time): the ranking LP solved by HiGHS directly, crossings counted
from per-gap tables on compact drawings."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import layouts.ranking as ranking
from layouts.crossings import _gap_tables, count_bilayer_crossings, count_grouped_inversions


def _inversions(layer, a, b):
    order = np.lexsort((b, a, layer))
    return count_grouped_inversions(layer[order], b[order])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 7), st.integers(0, 7)), min_size=2, max_size=40))
def test_gap_tables_count_what_the_inversions_count(segments):
    layer, a, b = (np.array(c, dtype=np.int64) for c in zip(*segments))     # repeated segments too
    expected = sum(1 for i in range(len(segments)) for j in range(i + 1, len(segments))
                   if layer[i] == layer[j] and (a[i] - a[j]) * (b[i] - b[j]) < 0)
    assert _inversions(layer, a, b) == expected
    counted = _gap_tables(layer, a, b)
    assert counted is None or counted == expected
    assert count_bilayer_crossings(layer, a, b) == expected


def test_gap_tables_take_compact_drawings_and_leave_wide_ones():
    rng = np.random.default_rng(3)
    layer = np.repeat(np.arange(30), 25)                  # 30 gaps, 25 segments each, 20 wide
    a, b = rng.integers(0, 20, len(layer)), rng.integers(0, 20, len(layer))
    assert _gap_tables(layer, a, b) == _inversions(layer, a, b) > 0
    a_wide = a * 40                                       # 800 positions a layer: cells past the bound
    assert _gap_tables(layer, a_wide, b) is None
    assert count_bilayer_crossings(layer, a_wide, b) == _inversions(layer, a_wide, b)


def _chain_lp():
    # a diamond with a long side and a tight edge: 0 -> 1 -> 2 -> 3, 0 -> 3, 1 -> 4 (tight)
    src, dst = np.array([0, 1, 2, 0, 1]), np.array([1, 2, 3, 3, 4])
    return 5, src, dst, np.array([1.0, 1.0, 1.0, 0.25, 4.0]), np.array([False, False, False, False, True])


def test_direct_highs_gives_linprogs_ranks(monkeypatch):
    from bench.graphs import mlp_loss_graph
    from layouts.layout_input import prepare_input
    from layouts.sizes import default_node_size
    g = prepare_input(mlp_loss_graph(2, (4, 4, 1), 2, seed=5300), default_node_size, {})
    args = (g.n, g.src, g.dst, g.rank_weight, g.tight, g.groups)
    assert ranking._highs is not None          # scipy's HiGHS module: called directly
    direct = ranking.rank_nodes(*args)
    monkeypatch.setattr(ranking, "_highs", None)
    assert np.array_equal(ranking.rank_nodes(*args), direct)
    assert np.array_equal(ranking.rank_nodes(*_chain_lp()), [0, 1, 2, 3, 2])


def test_a_highs_module_of_another_interface_falls_back_to_linprog(monkeypatch):
    """scipy's ``_highspy._core`` is private: a scipy where it exists with other names
    (scipy>=1.11 is allowed) ranks by ``linprog``, the same ranks."""
    from types import SimpleNamespace

    args = _chain_lp()
    expected = ranking.rank_nodes(*args)
    monkeypatch.setattr(ranking, "_highs", SimpleNamespace())     # no attribute it calls
    assert np.array_equal(ranking.rank_nodes(*args), expected)
    with pytest.raises(ValueError, match="ranking LP failed"):
        ranking._solve(np.array([1.0, -1.0]), A_ub=np.array([[1.0, -1.0]]), b_ub=np.array([-1.0]))


def test_direct_highs_ranks_with_groups_and_reports_failure():
    n, src, dst, w, tight = _chain_lp()
    groups = (np.array([2, 4]), np.array([0, 0]), np.array([1.0]))
    rank = ranking.rank_nodes(n, src, dst, w, tight, groups)
    assert rank[4] - rank[1] == 1 and (rank[dst] - rank[src] >= 1).all()
    assert np.allclose(ranking._solve(np.array([1.0, 1.0]), A_ub=np.array([[1.0, -1.0]]), b_ub=np.array([-1.0])),
                       [0, 1])
    with pytest.raises(ValueError, match="ranking LP failed"):     # unbounded: x1 - x0 grows freely
        ranking._solve(np.array([1.0, -1.0]), A_ub=np.array([[1.0, -1.0]]), b_ub=np.array([-1.0]))


def _stage_by_stage(P, shapes, node_cost, weight, current):
    """best_slots as it was written first: one table slice and a dozen numpy calls a stage."""
    from layouts.group_slots import table
    n = len(node_cost)
    w = weight if weight.max(initial=1) > 1 else np.ones(n - 1, dtype=np.int64)
    best = node_cost[0, :int(shapes[1][0])]
    now = int(node_cost[0, current[0]])
    slot = np.arange(node_cost.shape[1] + 1)
    choice = []
    for i in range(n - 1):
        Q = table(P, i + 1, shapes)
        wi = int(w[i])
        total = (best + wi * Q[:, -1])[:, None] - (2 * wi) * Q
        arg = total.argmin(axis=0)
        choice.append(arg)
        s, t = current[i], current[i + 1]
        now += wi * int(Q[s, -1] + Q[-1, t] - 2 * Q[s, t]) + int(node_cost[i + 1, t])
        best = total[arg, slot[:len(arg)]] + wi * Q[-1, :] + node_cost[i + 1, :len(arg)]
    route = [int(best.argmin())]
    for arg in reversed(choice):
        route.append(int(arg[route[-1]]))
    return np.array(route[::-1]), int(best[route[0]]), now


def random_outside_costs(rng, P, shapes, others, n: int, tries: int):
    """``node_costs`` of up to ``tries`` outside segments each way of a group of ``n`` ranks
    (``others``: other nodes of ranks l0 - 1 .. l0 + n): to an other node of the next rank /
    from one of the rank before, at random."""
    from layouts.group_slots import node_costs
    out_rank = rng.integers(0, n, tries)
    out_rank = out_rank[others[out_rank + 2] > 0]
    in_rank = rng.integers(0, n, tries)
    in_rank = in_rank[others[in_rank] > 0]
    return node_costs(P, shapes, out_rank, rng.integers(0, others[out_rank + 2]), in_rank,
                      rng.integers(0, others[in_rank]), n)


@pytest.mark.parametrize("seed", range(12))
def test_best_slots_all_stages_at_once_choose_as_stage_by_stage(seed):
    from layouts.group_slots import best_slots, gap_shapes, gap_tables
    rng = np.random.default_rng(5400 + seed)
    n = int(rng.integers(1, 9))                              # the group's ranks
    others = rng.integers(0, 7, n + 2)                       # other nodes of ranks l0 - 1 .. l0 + n
    others[1 + int(rng.integers(0, n))] = 6                  # some rank with room
    shapes = gap_shapes(others)
    # other segments of gap j (ranks j - 1 and j of the group): from an other node to an other node
    gap = rng.integers(0, n + 1, 80)
    gap = gap[(others[gap] > 0) & (others[gap + 1] > 0)]
    a, b = rng.integers(0, others[gap]), rng.integers(0, others[gap + 1])
    P = gap_tables(gap, a, b, shapes)
    node_cost = random_outside_costs(rng, P, shapes, others, n, 6)
    weight = rng.integers(1, 4, n - 1) if seed % 2 else np.ones(n - 1, dtype=np.int64)
    current = rng.integers(0, others[1:n + 1] + 1)           # a slot of each of the group's ranks
    got, want = best_slots(P, shapes, node_cost, weight, current), _stage_by_stage(P, shapes, node_cost, weight, current)
    assert np.array_equal(got[0], want[0]) and got[1:] == want[1:]
    assert (got[0] <= others[1:n + 1]).all()
    # only_if_cheaper: the same costs; the slots where they cost less than ``current``, else none
    # (no way back through the stages)
    cheaper = best_slots(P, shapes, node_cost, weight, current, only_if_cheaper=True)
    assert cheaper[1:] == want[1:]
    if n > 1 and want[1] >= want[2]:
        assert cheaper[0] is None
    else:
        assert np.array_equal(cheaper[0], want[0])
    at_best = best_slots(P, shapes, node_cost, weight, want[0], only_if_cheaper=True)
    assert at_best[1] == at_best[2] == want[1] and (n == 1 or at_best[0] is None)


def test_natural_key_shortcut_is_the_split_key():
    from layouts.layout_input import _DIGITS, natural_key

    def split_key(node):
        parts = _DIGITS.split(str(node))
        parts[1::2] = map(int, parts[1::2])
        return tuple(parts), str(type(node))

    names = ["v0", "v10", "o7", "12", "007", "x", "", "a1b2", "3a", "v١٢", "w[0][1]", "v-3", "é9"]
    for name in names:
        assert natural_key(name) == split_key(name), name
    for other in [5, ("v", 1), 2.5]:
        assert natural_key(other) == split_key(other)
    assert sorted(["v10", "v9", "o10", "o9", 3], key=natural_key) == [3, "o9", "o10", "v9", "v10"]


def test_no_clusters_take_the_shortcut_to_the_same_paths():
    from layouts.clusters import cluster_paths
    nodes = ["a", "b", "c"]
    paths, ids = cluster_paths(nodes, {})
    general = cluster_paths(nodes, {"a": (), "b": None})     # the general path: the same
    assert paths == general[0] == [()] and np.array_equal(ids, general[1]) and ids.dtype == general[1].dtype


def test_value_box_text_budget_unchanged():
    from layouts.sizes import default_node_size, format_number
    for data, grad, label in [(0.0, 0.0, ""), (-0.70710678, 1234567.0, "w[0][1]"), (1e-12, -3.0, "x"), (12, 0, "")]:
        attrs = dict(kind="value", data=data, grad=grad, label=label)
        numbers = sum(max(7, len(format_number(x))) for x in (data, grad)) + 3 + (len(label) + 3 if label else 0)
        assert default_node_size("v1", attrs) == (numbers * 8.0 + 16.0, 40.0)
