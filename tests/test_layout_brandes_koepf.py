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
