"""Brandes-Koepf (layouts.brandes_koepf), vectorised over all layers, against the paper's
per-layer loops written out plainly here: the same conflicts, the same blocks, and long edges
drawn as straight segments."""

from __future__ import annotations

import random

import numpy as np
import pytest

from layouts.brandes_koepf import _type1_conflicts, _vertical_alignment, brandes_koepf
from layouts.layering import make_layered
from layouts.ordering import minimise_crossings


def random_layered(seed, n=40, m=70, n_ranks=7):
    """A random proper layered graph (random ranks, random edges, long ones included) and a
    random order of every layer."""
    rng = random.Random(seed)
    rank = np.array([rng.randrange(n_ranks) for _ in range(n)])
    pairs = {(u, v) for u, v in ((rng.randrange(n), rng.randrange(n)) for _ in range(m)) if rank[u] < rank[v]}
    src, dst = (np.array(x, dtype=np.int64) for x in zip(*sorted(pairs)))
    lg = make_layered(n, src, dst, rank)
    members = []
    for l in range(lg.n_layers):
        nodes = np.flatnonzero(lg.layer == l).tolist()
        rng.shuffle(nodes)
        members.append(np.array(nodes, dtype=np.int64))
    lengths = np.array([len(x) for x in members])
    flat = np.concatenate(members)
    pos = np.zeros(lg.n_nodes, dtype=np.int64)
    for x in members:
        pos[x] = np.arange(len(x))
    return lg, members, pos, lengths, flat, rng


def paper_type1(inner, pos, layers, seg_src, seg_dst):
    """The paper's Alg. 1, layer by layer."""
    conflict = np.zeros(len(seg_src), dtype=bool)
    into = {}
    for s in range(len(seg_src)):
        into.setdefault(int(seg_dst[s]), []).append(s)
    for l in range(1, len(layers)):
        layer, k0, scan = list(layers[l]), 0, 0
        for i, v in enumerate(layer):
            inner_in = [s for s in into.get(v, []) if inner[s]]
            k1 = pos[seg_src[inner_in[-1]]] if inner_in else len(layers[l - 1])
            if inner_in or i == len(layer) - 1:
                for w in layer[scan:i + 1]:
                    for s in into.get(w, []):
                        if not inner[s] and not k0 <= pos[seg_src[s]] <= k1:
                            conflict[s] = True
                scan, k0 = i + 1, k1
    return conflict


def paper_roots(n, layers, neighbours, p):
    """The paper's Alg. 2 (vertical alignment) for one direction: layers in the order they
    are aligned, each node's eligible neighbours on the aligned side."""
    root, align = list(range(n)), list(range(n))
    for layer in layers:
        reach = -1
        for v in sorted(layer, key=lambda v: p[v]):
            ws = sorted(neighbours.get(v, []), key=lambda w: p[w])
            d = len(ws)
            for i in sorted({(d - 1) // 2, d // 2}) if d else []:
                w = ws[i]
                if align[v] == v and reach < p[w]:
                    align[w], root[v] = v, root[w]
                    align[v], reach = root[v], p[w]
    return np.array(root)


@pytest.mark.parametrize("seed", range(40))
def test_conflicts_and_blocks_equal_the_papers_loops(seed):
    lg, members, pos, lengths, flat, rng = random_layered(seed)
    m = len(lg.seg_src)
    inner = np.array([rng.random() < 0.4 for _ in range(m)])
    expected = paper_type1(inner, pos, members, lg.seg_src, lg.seg_dst)
    got = _type1_conflicts(inner, pos, lg.layer, lengths, flat, lg.seg_src, lg.seg_dst)
    assert np.array_equal(got, expected)
    eligible = np.array([rng.random() < 0.7 for _ in range(m)])
    src, dst = lg.seg_src[eligible], lg.seg_dst[eligible]
    width = int(lengths.max()) + 1
    for downward in (True, False):
        here, there = (dst, src) if downward else (src, dst)
        neighbours = {}
        for h, t in zip(here.tolist(), there.tolist()):
            neighbours.setdefault(h, []).append(t)
        for p in (pos, np.array([len(members[lg.layer[v]]) - 1 - pos[v] for v in range(lg.n_nodes)])):
            scan = flat[np.argsort(lg.layer[flat] * width + p[flat], kind="stable")]
            root, _ = _vertical_alignment(lg.n_nodes, scan, lg.layer, here, there, p, width)
            layers = members if downward else members[::-1]
            assert np.array_equal(root, paper_roots(lg.n_nodes, layers, neighbours, p))


@pytest.mark.parametrize("seed", range(10))
def test_coordinates_keep_the_order_and_separations_and_long_edges_straight(seed):
    lg, members, pos, lengths, flat, rng = random_layered(seed, n=60, m=60, n_ranks=12)
    pos, _ = minimise_crossings(lg, np.arange(lg.n_nodes))    # an order a drawing would have
    members = [x[np.argsort(pos[x])] for x in members]
    flat = np.concatenate(members)
    extent = np.zeros(lg.n_nodes)
    extent[:lg.n_real] = [rng.choice([30.0, 40.0]) for _ in range(lg.n_real)]
    gap = np.where(np.arange(lg.n_nodes) < lg.n_real, 20.0, 8.0)
    y = brandes_koepf(lg.n_nodes, lg.n_real, members, extent, gap, lg.seg_src, lg.seg_dst,
                      np.ones(len(lg.seg_src)))
    for x in members:
        need = (extent[x[:-1]] + extent[x[1:]]) / 2 + np.maximum(gap[x[:-1]], gap[x[1:]])
        assert np.all(np.diff(y[x]) >= need - 1e-9)
    # A long edge's inner part (virtual -> virtual) is one block in every alignment unless it
    # crosses another inner segment; with no such crossing it comes out straight.
    inner = (lg.seg_src >= lg.n_real) & (lg.seg_dst >= lg.n_real)
    straight = 0
    for e in range(len(lg.path_ptr) - 1):
        path = lg.path(e)[1:-1]
        seg = [s for s in range(len(lg.seg_src)) if lg.seg_edge[s] == e and inner[s]]
        if len(path) > 1 and not _inner_crossed(seg, inner, pos, lg):
            assert np.allclose(y[path], y[path[0]])
            straight += 1
    assert straight > 0


def _inner_crossed(segs, inner, pos, lg):
    for s in segs:
        l = lg.layer[lg.seg_src[s]]
        for t in np.flatnonzero(inner & (lg.layer[lg.seg_src] == l)):
            a = pos[lg.seg_src[s]] - pos[lg.seg_src[t]]
            b = pos[lg.seg_dst[s]] - pos[lg.seg_dst[t]]
            if a * b < 0:
                return True
    return False


@pytest.mark.parametrize("seed", range(10))
def test_compaction_skips_only_repeated_block_pairs(seed):
    """The compaction drops a neighbour pair whose aligned predecessors are neighbours at least
    as far apart (side by side long edges); the coordinates equal those from every pair."""
    from layouts.brandes_koepf import _horizontal_compaction
    lg, members, pos, lengths, flat, rng = random_layered(seed, n=60, m=60, n_ranks=12)
    pos, _ = minimise_crossings(lg, np.arange(lg.n_nodes))
    members = [x[np.argsort(pos[x])] for x in members]
    flat = np.concatenate(members)
    half = np.array([rng.choice([15.0, 20.0]) if v < lg.n_real else 0.0 for v in range(lg.n_nodes)])
    gap = np.where(np.arange(lg.n_nodes) < lg.n_real, 20.0, 8.0)
    width = int(lengths.max()) + 1
    root, chosen = _vertical_alignment(lg.n_nodes, flat, lg.layer, lg.seg_dst, lg.seg_src, pos, width)
    assert (chosen >= lg.n_real).sum() > 5                 # long edges aligned
    every_pair = _horizontal_compaction(lg.n_nodes, flat, lg.layer, root, np.full(lg.n_nodes, -1), half, gap)
    assert np.array_equal(_horizontal_compaction(lg.n_nodes, flat, lg.layer, root, chosen, half, gap), every_pair)



def four_alignments_plainly(n_nodes, n_real, members, extent, gap, seg_src, seg_dst, weight, priority=None):
    """Reference for ``brandes_koepf``: all four alignments and compactions computed, then the
    paper's balancing with a sort of the four candidates (no blocks shared between them)."""
    from layouts.brandes_koepf import _alignable, _horizontal_compaction
    lengths = np.array([len(x) for x in members])
    flat = np.concatenate(members)
    layer_of, pos = np.zeros(n_nodes, dtype=np.int64), np.zeros(n_nodes, dtype=np.int64)
    for l, x in enumerate(members):
        pos[x], layer_of[x] = np.arange(len(x)), l
    eligible = _alignable(n_nodes, n_real, pos, layer_of, lengths, flat, seg_src, seg_dst, weight, priority)
    width = int(lengths.max()) + 1
    half = extent / 2
    candidates = []
    for downward in (True, False):
        here, there = (seg_dst, seg_src) if downward else (seg_src, seg_dst)
        here, there = here[eligible], there[eligible]
        for leftward in (True, False):
            p = pos if leftward else lengths[layer_of] - 1 - pos
            scan = np.concatenate([x if leftward else x[::-1] for x in members])
            root, chosen = _vertical_alignment(n_nodes, scan, layer_of, here, there, p, width)
            xs = _horizontal_compaction(n_nodes, scan, layer_of, root, chosen, half, gap)
            candidates.append(xs if leftward else -xs)
    xs = np.vstack(candidates)
    widths = (xs + half).max(axis=1) - (xs - half).min(axis=1)
    ref = xs[int(np.argmin(widths))]
    lo, hi = (ref - half).min(), (ref + half).max()
    for i in range(4):
        xs[i] += lo - (xs[i] - half).min() if i % 2 == 0 else hi - (xs[i] + half).max()
    xs.sort(axis=0)
    return (xs[1] + xs[2]) / 2


def spy_all_aligned(monkeypatch):
    import layouts.brandes_koepf as bk
    seen = []
    all_aligned = bk._all_aligned
    monkeypatch.setattr(bk, "_all_aligned", lambda *a: seen.append(bool(all_aligned(*a))) or seen[-1])
    return seen


@pytest.mark.parametrize("seed", range(20))
def test_coordinates_equal_four_plain_alignments(seed, monkeypatch):
    """Alignments that make the same blocks share one compaction: the coordinates are those
    of four alignments and compactions run plainly, to the bit (random orders, some from a
    crossing minimisation)."""
    lg, members, pos, lengths, flat, rng = random_layered(seed, n=50, m=[70, 30, 20][seed % 3], n_ranks=10)
    if seed % 2 == 0:
        pos, _ = minimise_crossings(lg, np.arange(lg.n_nodes))
        members = [x[np.argsort(pos[x])] for x in members]
    extent = np.zeros(lg.n_nodes)
    extent[:lg.n_real] = [rng.choice([30.0, 40.0]) for _ in range(lg.n_real)]
    gap = np.where(np.arange(lg.n_nodes) < lg.n_real, 20.0, 8.0)
    weight = np.array([rng.choice([1.0, 2.0, 8.0]) for _ in range(len(lg.seg_src))])
    priority = np.array([rng.random() < 0.2 for _ in range(len(lg.seg_src))]) if seed % 3 == 0 else None
    args = (lg.n_nodes, lg.n_real, members, extent, gap, lg.seg_src, lg.seg_dst, weight)
    assert np.array_equal(brandes_koepf(*args, seg_priority=priority), four_alignments_plainly(*args, priority))


def test_alignments_run_once_when_the_first_takes_every_segment(monkeypatch):
    """Orders from median sweeps alone (as above ``HUGE_LAYERED_NODES``) keep long edges
    parallel; on some random expressions the first alignment then takes every eligible
    segment, and the other three are not run.  Same coordinates as four plain ones, whether
    or not that happens."""
    import layouts.ordering
    import layouts.placement
    from bench.graphs import random_expression_graph
    from layouts import layered_layout
    monkeypatch.setattr(layouts.ordering, "HUGE_LAYERED_NODES", 0)
    seen, calls = spy_all_aligned(monkeypatch), []
    monkeypatch.setattr(layouts.placement, "brandes_koepf",
                        lambda *a, **k: calls.append((a, k)) or brandes_koepf(*a, **k))
    for seed in range(8):
        layered_layout(random_expression_graph(20 + 5 * seed, 6, seed=seed), coordinates="bk")
        a, k = calls[-1]
        assert np.array_equal(brandes_koepf(*a, **k), four_alignments_plainly(*a, k.get("seg_priority")))
    assert any(seen) and not all(seen)


@pytest.mark.parametrize("seed", range(10))
def test_block_placement_equals_its_recursive_definition(seed):
    """``_place_blocks`` (Kahn's order over flat lists) against the placement written as
    its definition: a block sits at the longest path to it (0 without predecessors), then
    moves up to the least of its successors' final places minus the separations."""
    from functools import lru_cache

    from layouts.bk_compaction import _block_pairs, _place_blocks
    lg, members, pos, lengths, flat, rng = random_layered(seed, n=60, m=60, n_ranks=12)
    half = np.array([rng.choice([15.0, 20.0]) if v < lg.n_real else 0.0 for v in range(lg.n_nodes)])
    gap = np.where(np.arange(lg.n_nodes) < lg.n_real, 20.0, 8.0)
    width = int(lengths.max()) + 1
    root, chosen = _vertical_alignment(lg.n_nodes, flat, lg.layer, lg.seg_dst, lg.seg_src, pos, width)
    a, b, s = _block_pairs(lg.n_nodes, flat, lg.layer, root, chosen, half, gap)
    pairs = list(zip(a.tolist(), b.tolist(), s.tolist()))

    @lru_cache(maxsize=None)
    def longest(blk):
        return max([longest(x) + sep for x, y, sep in pairs if y == blk], default=0.0)

    @lru_cache(maxsize=None)
    def pulled(blk):
        out = [pulled(y) - sep for x, y, sep in pairs if x == blk]
        return max(longest(blk), min(out)) if out else longest(blk)

    expected = np.array([pulled(int(r)) for r in root])
    assert np.array_equal(_place_blocks(lg.n_nodes, root, a, b, s), expected)
