"""Ordering of small drawings (``layouts.small_order``: two polished starts) and its last step,
exact windows of three ranks (``layouts.window_order``)."""

from __future__ import annotations

from itertools import permutations, product

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from layouts.layering import make_layered
from layouts.ordering import LayerOrder, minimise_crossings, order_cost
from layouts.window_order import solve_window, improve_windows


def random_layered(rng, sizes, max_out=3, rigid_share=0.3):
    """A proper layered graph with ``sizes`` nodes per rank, every node but the last rank's
    tied to 1..max_out random nodes of the next rank; some segments rigid (as op -> result
    ones: the source's only segment out, the target's only one in, and no node both the
    source and the target of a rigid segment)."""
    first = np.concatenate([[0], np.cumsum(sizes)])
    src, dst = [], []
    for l in range(len(sizes) - 1):
        for v in range(first[l], first[l + 1]):
            k = int(rng.integers(1, min(max_out, sizes[l + 1]) + 1))
            for w in rng.choice(sizes[l + 1], size=k, replace=False):
                src.append(v); dst.append(int(first[l + 1] + w))
    layer = np.repeat(np.arange(len(sizes)), sizes)
    lg = make_layered(int(first[-1]), np.array(src), np.array(dst), layer)
    n = lg.n_nodes
    tight = ((np.bincount(lg.seg_src, minlength=n) == 1)[lg.seg_src]
             & (np.bincount(lg.seg_dst, minlength=n) == 1)[lg.seg_dst])
    rigid = np.zeros(len(lg.seg_src), dtype=bool)
    is_source, is_target = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for s in np.flatnonzero(tight & (rng.random(len(tight)) < rigid_share)):
        if not is_target[lg.seg_src[s]] and not is_source[lg.seg_dst[s]]:
            rigid[s] = True
            is_source[lg.seg_src[s]] = is_target[lg.seg_dst[s]] = True
    return lg, rigid


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=3, max_size=3), st.integers(2, 5), st.integers(2, 5),
       st.integers(0, 10_000))
def test_a_window_gets_its_exact_optimum(window, above, below, seed):
    """Ranks 1..3 reordered with ranks 0 and 4 held still: the cost is the least over every
    order of the three ranks (brute force), and never above the cost before."""
    rng = np.random.default_rng(seed)
    lg, rigid = random_layered(rng, [above] + window + [below])
    order = LayerOrder(lg, rng.permutation(lg.n_nodes), rigid)
    before = order.cost()
    members = [order.members[l] for l in (1, 2, 3)]
    kept = order.pos.copy()
    best = np.inf
    for perms in product(*(permutations(range(len(m))) for m in members)):
        for m, p in zip(members, perms):
            order.pos[m] = p
        best = min(best, order.cost())
    order.pos[:] = kept
    gained = solve_window(order, 1, 3)
    after = order.cost()
    assert after == best
    assert np.isclose(before - after, gained)
    for l in range(lg.n_layers):           # still an order: every rank a permutation
        assert sorted(order.pos[order.members[l]].tolist()) == list(range(len(order.members[l])))
    for l in (0, 4):                        # the ranks around the window held still
        assert np.array_equal(order.pos[order.members[l]], kept[order.members[l]])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=3, max_size=8), st.integers(0, 10_000))
def test_windows_never_raise_the_cost_and_are_deterministic(sizes, seed):
    rng = np.random.default_rng(seed)
    lg, rigid = random_layered(rng, sizes)
    start = rng.permutation(lg.n_nodes)
    runs = []
    for _ in range(2):
        order = LayerOrder(lg, start, rigid)
        before = order.cost()
        gained = improve_windows(order)
        assert order.cost() <= before
        assert np.isclose(before - order.cost(), gained)
        runs.append(order.pos.copy())
    assert np.array_equal(runs[0], runs[1])


def test_small_graphs_polish_both_starts_and_stay_deterministic():
    """Graphs under SMALL_GRAPH_NODES are swept from the DFS start, from a BFS back from the
    sinks and from the mirrored DFS, and all are polished: the result costs no more than any
    start after its sweeps, and the drawing is the same whatever the insertion order of the graph."""
    from bench.graphs import random_expression_graph
    from bench.layout import shuffled
    from layouts import layered_layout
    from layouts import small_order as S

    differ = []
    for seed in (1, 5, 8):
        G = random_expression_graph(40, 8, seed)
        runs, results = [], []
        real, real_small = S.minimise_crossings, S.order_small

        def spy(lg, key, **kw):
            pos, crossings = real(lg, key, **kw)
            runs.append(order_cost(lg, pos, kw["seg_rigid"]))
            return pos, crossings

        def spy_small(lg, key, rigid, **kw):
            pos, crossings = real_small(lg, key, rigid, **kw)
            results.append((order_cost(lg, pos, rigid), crossings))
            return pos, crossings
        S.minimise_crossings = spy
        import layouts.order_stage as O
        O.order_small = spy_small
        try:
            lay = layered_layout(G)
        finally:
            S.minimise_crossings, O.order_small = real, real_small
        assert len(runs) == 3 and len(results) == 1
        assert results[0][0] <= min(runs)
        assert lay.crossings == results[0][1]
        differ.append(len(set(runs)) > 1)
        assert layered_layout(shuffled(G, 3)).positions == lay.positions
    assert any(differ)  # the other starts matter on some of these graphs


def test_windows_gain_where_the_other_moves_are_stuck():
    """MLP(2,[2,2,2,1])'s two-sample loss: after both starts' polish the sums of each layer
    cross in a pattern no single node, path or block move improves; a window of three ranks
    does (some op -> result segments cross so that the sums cross less)."""
    from bench.graphs import mlp_loss_graph
    from bench.layout import shuffled
    from layouts import layered_layout, order_stage

    from layouts import small_order
    G = mlp_loss_graph(2, (2, 2, 2, 1), 2, seed=11)
    kicks, loss_start = small_order.MAX_KICKS, small_order.LOSS_START
    small_order.MAX_KICKS = 0          # the kicks may find the same order: without them here
    small_order.LOSS_START = False     # so may the loss start's polish (27 without the windows)
    real = order_stage.order_small
    order_stage.order_small = lambda lg, key, rigid, **kw: real(lg, key, rigid, windows=False, **kw)
    try:
        without = layered_layout(G)
    finally:
        order_stage.order_small = real
    try:
        lay = layered_layout(G)
        again = layered_layout(shuffled(G, 2))
    finally:
        small_order.MAX_KICKS, small_order.LOSS_START = kicks, loss_start
    assert lay.crossings < without.crossings
    assert again.positions == lay.positions


def test_big_drawings_polish_one_start(monkeypatch):
    """Above POLISH_BOTH_SEGMENTS segments only the start that is cheaper after its sweeps is
    polished (time); the result still costs no more than it."""
    from layouts import small_order as S
    rng = np.random.default_rng(3)
    lg, rigid = random_layered(rng, [6, 7, 7, 6, 5], max_out=3)
    key = rng.permutation(lg.n_nodes)
    swept = [order_cost(lg, minimise_crossings(lg, k, seg_rigid=rigid, sweep_work=S.SMALL_SWEEP_WORK,
                                               polish=False)[0], rigid) for k in S.start_orders(lg, key)]
    polished = []
    real = S.polish_round

    def spy(order, paths):
        polished.append(order)
        return real(order, paths)
    monkeypatch.setattr(S, "polish_round", spy)
    monkeypatch.setattr(S, "POLISH_BOTH_SEGMENTS", 0)
    pos, _ = S.order_small(lg, key, rigid, windows=False)
    assert len({id(o) for o in polished}) == 1
    assert order_cost(lg, pos, rigid) <= min(swept)


def test_kicks_find_cheaper_orders_than_the_polish_alone(monkeypatch):
    """Scrambling two ranks at a crossing and polishing again (``kick_and_polish``) ends
    below where the two polished starts stop on some of these small expressions, never above,
    and the drawing stays the same whatever the insertion order."""
    from bench.graphs import random_expression_graph
    from bench.layout import shuffled
    from layouts import layered_layout
    from layouts import small_order as S

    gained = []
    for seed in (2, 3, 12):     # 12: 34 -> 31 (6 gained before the mirrored start, which found it)
        G = random_expression_graph(35, 8, seed)
        monkeypatch.setattr(S, "MAX_KICKS", 0)
        without = layered_layout(G)
        monkeypatch.setattr(S, "MAX_KICKS", 4)
        lay = layered_layout(G)
        assert lay.crossings <= without.crossings
        gained.append(lay.crossings < without.crossings)
        assert layered_layout(shuffled(G, 4)).positions == lay.positions
    assert any(gained)


def test_kicks_from_300_nodes_find_cheaper_orders(monkeypatch):
    """From KICK_MAX_NODES real nodes every drawing gets BIG_KICKS kicks (none before session
    22): on a random 300-node layered graph (10 ranks of 30) the order ends cheaper than the
    polished starts alone (789 -> 769)."""
    from layouts import small_order as S
    rng = np.random.default_rng(0)
    lg, rigid = random_layered(rng, [30] * 10, max_out=2)
    key = rng.permutation(lg.n_nodes)
    assert lg.n_real >= S.KICK_MAX_NODES
    with monkeypatch.context() as m:
        m.setattr(S, "BIG_KICKS", 0)
        without, _ = S.order_small(lg, key, rigid, windows=False)
    pos, _ = S.order_small(lg, key, rigid, windows=False)
    assert order_cost(lg, pos, rigid) < order_cost(lg, without, rigid)


def test_the_kick_budget_shrinks_with_size():
    """Under KICK_MAX_NODES real nodes the kicks shrink with the drawing's size; from there
    on every drawing gets BIG_KICKS."""
    from layouts import small_order as S
    rng = np.random.default_rng(5)
    budgets = [S.kick_budget(random_layered(rng, [k] * 6)[0]) for k in (3, 49, 50, 80)]
    assert budgets[0] == S.MAX_KICKS > budgets[1] > 0         # 18 and 294 real nodes
    assert budgets[2] == budgets[3] == S.BIG_KICKS > 0        # 300 and 480


def test_a_start_swept_to_no_crossings_is_kept_without_polishing_the_other(monkeypatch):
    """The app's 110-line chain (``bench.app_open.chain_text``) drawn as it opens, its lines
    collapsed (405 nodes with the leaves' copies), but polished (``fast=False``; the app
    draws it with the quick order since session 18): one start has no crossings after its sweeps,
    the other 71.  Nothing can beat the first, so the other is not polished (that polish was
    0.47 s of the layout's 0.58 s) and the drawing is the same: no crossings."""
    import layouts.small_order as small_order
    from app.graph_page import scopes_display
    from app.graph_page.structure import from_text
    from bench.app_open import chain_text

    calls, costs = [], []
    real_polish, real_swept = small_order.polish_round, small_order.swept_starts
    monkeypatch.setattr(small_order, "polish_round", lambda *a: (calls.append(1), real_polish(*a))[1])

    def swept(*a):
        out = real_swept(*a)
        costs.append(sorted(t[0] for t in out))
        return out
    monkeypatch.setattr(small_order, "swept_starts", swept)
    # polished (fast=False): the app lays collapsed drawings out quick since session 18
    import layouts
    real_layout = layouts.layered_layout
    monkeypatch.setattr(layouts, "layered_layout", lambda *a, **k: real_layout(*a, **{**k, "fast": False}))
    structure = from_text(chain_text(110))
    display = scopes_display.display_graph(structure.compiled, structure.expanded)
    assert costs and costs[-1][0] == 0 < costs[-1][-1], costs     # the case: one start without crossings
    assert calls == [] and display.layout.crossings == 0


def test_drawings_from_300_nodes_polish_two_of_three_starts(monkeypatch):
    """From RESTART_FROM_NODES real nodes a third start (a DFS back from the sinks, last
    operand first) is swept too, and the two starts cheapest after one polish round are both
    polished to the end: on the forward pass of MLP(4,[6,5,1]), seed 5030 (353 nodes)
    70 -> 62 crossings; the same drawing from a shuffled input; and the polish
    is bounded: the three starts get one round each, two of them at most POLISH_ROUNDS - 1
    more, the exact windows' polish at most POLISH_ROUNDS."""
    from bench.graphs import mlp_forward_graph
    from bench.layout import shuffled
    from layouts import layered_layout
    from layouts import small_order as S

    G = mlp_forward_graph(4, (6, 5, 1), seed=5030)
    with monkeypatch.context() as m:
        m.setattr(S, "RESTART_FROM_NODES", 10 ** 9)
        m.setattr(S, "MIRRORED_FROM_NODES", 10 ** 9)
        without = layered_layout(G)
    rounds = {}
    real = S.polish_round

    def spy(order, paths):
        rounds[id(order)] = rounds.get(id(order), 0) + 1
        return real(order, paths)
    monkeypatch.setattr(S, "BIG_KICKS", 0)      # the starts only (the kicks: the test above)
    with monkeypatch.context() as m:
        m.setattr(S, "polish_round", spy)
        lay = layered_layout(G)
    assert len(rounds) == 3
    assert sum(r > 1 for r in rounds.values()) <= S.FULL_POLISH_STARTS
    assert sum(rounds.values()) <= 3 + S.FULL_POLISH_STARTS * (S.POLISH_ROUNDS - 1) + S.POLISH_ROUNDS
    assert lay.crossings < without.crossings
    assert layered_layout(shuffled(G, 5)).positions == lay.positions



def test_drawings_under_300_nodes_also_start_from_the_mirrored_dfs(monkeypatch):
    """The mirrored DFS start (a DFS back from the sinks, last operand first) on every size
    (``MIRRORED_FROM_NODES``): a random expression of 286 nodes (90 ops, 17 leaves, seed 9111)
    281 -> 257 drawn crossings; three starts swept, the same drawing from a shuffled input."""
    from bench.graphs import random_expression_graph
    from bench.layout import shuffled
    from layouts import count_polyline_crossings, layered_layout
    from layouts import small_order as S

    G = random_expression_graph(90, 17, seed=9111)
    assert G.number_of_nodes() < S.RESTART_FROM_NODES
    with monkeypatch.context() as m:
        m.setattr(S, "MIRRORED_FROM_NODES", S.RESTART_FROM_NODES)
        without = layered_layout(G)
    starts = []
    real = S.swept_starts
    monkeypatch.setattr(S, "swept_starts", lambda *a: (lambda out: (starts.append(len(out)), out)[1])(real(*a)))
    lay = layered_layout(G)
    assert starts == [3]

    def drawn(layout):
        return count_polyline_crossings(list(layout.edges.values()))
    assert drawn(lay) < drawn(without)
    assert layered_layout(shuffled(G, 2)).positions == lay.positions
