"""Clusters (scopes) in the layered layout: members consecutive in every rank, frames that hold
their members and nothing else, collapsed clusters as plain nodes, stability on expanding.

Scopes are built here from engine.nn's parameter labels (``w[l][j][i]``, ``b[l][j]``,
``h[l][j]``), independently of engine.scopes."""

from __future__ import annotations

import random
import re

import networkx as nx
import numpy as np
import pytest

from engine import Value, to_graph
from engine.nn import MLP
from layouts import count_polyline_crossings, layered_layout
from test_layout import box_overlaps, shuffled_copy


def mlp_loss_graph(nin=3, nouts=(4, 4, 1), samples=1, seed=0):
    rng = random.Random(seed)
    model = MLP(nin, list(nouts), rng=rng)
    loss = Value(0.0)
    for s in range(samples):
        x = [Value(rng.uniform(-1, 1), label=f"x[{s}][{i}]") for i in range(nin)]
        loss = loss + (model(x) - rng.choice([-1.0, 1.0])) ** 2
    return to_graph(loss)


def neuron_scopes(G) -> dict:
    """node -> ("mlp", "layer l", "neuron j"): a neuron's parameters, and its body (what
    lies between its output h[l][j] and the previous layer's outputs / the inputs)."""
    label = {v: G.nodes[v].get("label", "") for v in G}
    outputs = {v for v in G if re.fullmatch(r"h\[\d+\]\[\d+\]", label[v])}
    scopes = {}
    for v in G:
        m = re.fullmatch(r"[wbh]\[(\d+)\]\[(\d+)\](\[\d+\])?", label[v])
        if m:
            scopes[v] = ("mlp", f"layer {m.group(1)}", f"neuron {m.group(2)}")
    for h in outputs:
        stack = list(G.predecessors(h))
        while stack:
            u = stack.pop()
            if u in scopes or u in outputs or G.nodes[u].get("role") == "leaf":
                continue
            scopes[u] = scopes[h]
            stack.extend(G.predecessors(u))
    return scopes


def collapse(G, scopes, paths):
    """The quotient graph: each cluster in ``paths`` becomes one node (an 80 x 40 box)."""
    def stand_in(v):
        p = scopes.get(v, ())
        for k in range(1, len(p) + 1):
            if p[:k] in paths:
                return "/".join(p[:k]), p[:k]
        return v, None

    Q = nx.DiGraph(**G.graph)
    clusters = {}
    for v, attrs in G.nodes(data=True):
        r, path = stand_in(v)
        if path is None:
            Q.add_node(v, **attrs)
            clusters[v] = scopes.get(v, ())
        else:
            Q.add_node(r, kind="value", label=r, collapsed=path, size=(80.0, 40.0))
            clusters[r] = path[:-1]
    for u, v, attrs in G.edges(data=True):
        ru, rv = stand_in(u)[0], stand_in(v)[0]
        if ru != rv and not Q.has_edge(ru, rv):
            Q.add_edge(ru, rv, **attrs)
    Q.graph["output"] = stand_in(G.graph["output"])[0]
    return Q, clusters


def box(lay, v):
    (x, y), (w, h) = lay.positions[v], lay.sizes[v]
    return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def inside(inner, outer, eps=1e-6):
    return all(outer[i] <= inner[i] + eps for i in (0, 1)) and all(inner[i] <= outer[i] + eps for i in (2, 3))


def overlap(a, b, eps=1e-6):
    return a[0] < b[2] - eps and b[0] < a[2] - eps and a[1] < b[3] - eps and b[1] < a[3] - eps


def check_clusters(G, clusters, lay):
    """Every invariant of a clustered drawing; returns the frames checked."""
    paths = {tuple(p)[:k] for p in clusters.values() for k in range(1, len(p) + 1)}
    assert set(lay.clusters) == paths
    assert box_overlaps(lay) == []
    for v in G:
        mine = tuple(clusters.get(v, ()))
        for path, frame in lay.clusters.items():
            if mine[:len(path)] == path:
                assert inside(box(lay, v), frame), (v, path)
            else:
                assert not overlap(box(lay, v), frame), (v, path)   # nothing foreign inside
    for a in paths:
        for b in paths:
            if a < b and a != b[:len(a)] and b != a[:len(b)]:
                assert not overlap(lay.clusters[a], lay.clusters[b]), (a, b)
            elif a != b and a == b[:len(a)]:
                assert inside(lay.clusters[b], lay.clusters[a]), (a, b)
    # In every rank, each cluster's members are consecutive across the flow.
    across = (lambda v: -lay.positions[v][1]) if lay.direction == "LR" else (lambda v: lay.positions[v][0])
    for r in set(lay.ranks.values()):
        in_rank = sorted((v for v in G if lay.ranks[v] == r), key=across)
        for path in paths:
            hits = [i for i, v in enumerate(in_rank) if tuple(clusters.get(v, ()))[:len(path)] == path]
            assert hits == list(range(hits[0], hits[0] + len(hits))) if hits else True, (r, path)
    flow_axis = 0 if lay.direction == "LR" else -1
    assert count_polyline_crossings(list(lay.edges.values()), flow_axis=flow_axis) == lay.crossings


@pytest.mark.parametrize("direction", ["LR", "TB"])
@pytest.mark.parametrize("shape", [((4, 4, 1), 1), ((3, 2, 1), 2)])
def test_expanded_mlp_scopes_are_contiguous_and_framed(shape, direction):
    nouts, samples = shape
    G = mlp_loss_graph(3, nouts, samples)
    scopes = neuron_scopes(G)
    lay = layered_layout(G, direction=direction, clusters=scopes)
    check_clusters(G, scopes, lay)
    assert ("mlp", "layer 0", "neuron 0") in lay.clusters and ("mlp",) in lay.clusters


@pytest.mark.parametrize("collapsed", ["neurons", "layer 1", "one neuron"])
def test_collapsed_clusters_are_nodes_of_the_quotient_graph(collapsed):
    G = mlp_loss_graph()
    scopes = neuron_scopes(G)
    neurons = {p for p in scopes.values() if len(p) == 3}
    paths = {"neurons": neurons, "layer 1": {("mlp", "layer 1")},
             "one neuron": {("mlp", "layer 0", "neuron 2")}}[collapsed]
    Q, clusters = collapse(G, scopes, paths)
    lay = layered_layout(Q, clusters=clusters)
    check_clusters(Q, clusters, lay)
    stand_ins = [v for v, d in Q.nodes(data=True) if d.get("collapsed")]
    assert len(stand_ins) == len(paths)
    for v in stand_ins:
        assert lay.sizes[v] == (80.0, 40.0)
        assert lay.collapsed[Q.nodes[v]["collapsed"]] == v


def test_no_foreign_node_inside_a_frame_whose_cluster_skips_ranks():
    # a and d share a scope four ranks apart; the chain between them is not in it.
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d"), ("x", "b"), ("y", "c")])
    clusters = {"a": ("s",), "d": ("s",), "x": ("t",), "y": ("t",)}
    for direction in ("LR", "TB"):
        lay = layered_layout(G, direction=direction, clusters=clusters)
        check_clusters(G, clusters, lay)


def test_same_drawing_whatever_the_insertion_order():
    G = mlp_loss_graph(3, (3, 2, 1), 2)
    scopes = neuron_scopes(G)
    reference = layered_layout(G, clusters=scopes)
    for seed in range(3):
        items = list(scopes.items())
        random.Random(seed).shuffle(items)
        lay = layered_layout(shuffled_copy(G, seed), clusters=dict(items))
        assert lay.positions == reference.positions
        assert lay.edges == reference.edges
        assert lay.clusters == reference.clusters


def cross_displacement(before, after):
    """Mean move across the flow of the nodes both drawings have, after the best common
    shift (expanding a cluster adds ranks, so nodes downstream move along the flow anyway)."""
    common = [v for v in before.positions if v in after.positions]
    axis = 1 if before.direction == "LR" else 0
    d = np.array([after.positions[v][axis] - before.positions[v][axis] for v in common])
    return float(np.mean(np.abs(d - np.median(d))))


def test_expanding_a_cluster_moves_the_rest_less_than_a_fresh_layout():
    G = mlp_loss_graph()
    scopes = neuron_scopes(G)
    neurons = sorted({p for p in scopes.values() if len(p) == 3})
    Q0, c0 = collapse(G, scopes, set(neurons))
    before = layered_layout(Q0, clusters=c0)
    stable_total = fresh_total = 0.0
    for expand in neurons:
        Q1, c1 = collapse(G, scopes, set(neurons) - {expand})
        fresh = layered_layout(Q1, clusters=c1)
        stable = layered_layout(Q1, clusters=c1, previous=before)
        check_clusters(Q1, c1, stable)
        assert cross_displacement(before, stable) <= cross_displacement(before, fresh) + 1e-6
        stable_total += cross_displacement(before, stable)
        fresh_total += cross_displacement(before, fresh)
    assert stable_total < 0.8 * fresh_total


def test_clusters_need_the_lp_and_paths():
    G = mlp_loss_graph()
    scopes = neuron_scopes(G)
    with pytest.raises(ValueError):
        layered_layout(G, clusters=scopes, coordinates="bk")
    with pytest.raises(ValueError):
        layered_layout(G, clusters={next(iter(G)): "mlp"})
    assert layered_layout(G, clusters={}).clusters == {}
    assert layered_layout(G).positions == layered_layout(G, clusters={v: () for v in G}).positions


def random_cluster_tree(rng, n_nodes: int):
    """A ClusterTree over ``n_nodes`` nodes: random nested paths (up to 3 deep), each node in
    one of them or in none, random cluster keys."""
    from layouts.clusters import ClusterTree

    leaves = {tuple(f"{'ab'[rng.integers(2)]}{rng.integers(3)}" for _ in range(rng.integers(1, 4)))
              for _ in range(rng.integers(1, 8))}
    paths = [()] + sorted({p[:k] for p in leaves for k in range(1, len(p) + 1)}, key=lambda p: (len(p), p))
    index = {p: i for i, p in enumerate(paths)}
    node_path = [paths[rng.integers(len(paths))] for _ in range(n_nodes)]
    levels = max(len(p) for p in paths)
    chain = np.full((n_nodes, levels), -1, dtype=np.int64)
    for v, p in enumerate(node_path):
        for i in range(len(p)):
            chain[v, i] = index[p[:i + 1]]
    node_depth = np.array([len(p) for p in node_path], dtype=np.int64)
    inner = np.array([index[p] for p in node_path], dtype=np.int64)
    parent = np.array([index[p[:-1]] if p else 0 for p in paths], dtype=np.int64)
    depth = np.array([len(p) for p in paths], dtype=np.int64)
    return ClusterTree(paths, parent, depth, chain, inner, node_depth, rng.random(len(paths))), node_path


@pytest.mark.parametrize("seed", range(20))
def test_every_rank_regrouped_at_once_as_rank_by_rank(seed):
    """``contiguous_layers`` (one sort over all ranks, what ``sift_clusters`` runs per cost it
    evaluates) gives each rank the order ``contiguous_ranks`` gives it alone, and in it every
    cluster's members are consecutive."""
    from layouts.clusters import contiguous_layers, contiguous_ranks

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    tree, node_path = random_cluster_tree(rng, n)
    layer = rng.integers(0, int(rng.integers(1, 6)), n)
    layer_size = np.bincount(layer, minlength=layer.max() + 1)
    layer_offset = np.concatenate([[0], np.cumsum(layer_size)[:-1]])
    pos = np.empty(n, dtype=np.int64)
    for l in range(len(layer_size)):
        members = np.flatnonzero(layer == l)
        pos[members] = rng.permutation(len(members))
    at_once = contiguous_layers(tree, pos, layer, layer_size, layer_offset)
    for l in range(len(layer_size)):
        members = rng.permutation(np.flatnonzero(layer == l))      # in any order
        alone = contiguous_ranks(tree, members, pos, int(layer_size[l]))
        assert at_once[members].tolist() == alone.tolist()
        in_rank = members[np.argsort(at_once[members])]
        assert sorted(at_once[members].tolist()) == list(range(len(members)))
        for path in tree.paths[1:]:
            hits = [i for i, v in enumerate(in_rank) if node_path[v][:len(path)] == path]
            assert hits == list(range(hits[0], hits[0] + len(hits))) if hits else True, (l, path)


def test_bend_points_in_no_cluster_leave_the_lp_and_keep_every_invariant(monkeypatch):
    """Past ``placement.CLUSTER_LP_MAX_NODES`` layered nodes the long edges' bend points in no
    cluster are placed after the coordinate LP (``bend_points``): frames, contiguity and the
    drawn crossings hold as with them in it, for the same order.  (The Train tab's inspected
    sample + L2, collapsed to neurons with the L2 term open, made 179k of them: 80-220 s.)"""
    from layouts import placement

    G = mlp_loss_graph(3, (3, 3, 1), 2)
    scopes = neuron_scopes(G)
    # long edges between clusters: each weight's square summed at the far end
    total = None
    for v in [v for v in G if re.fullmatch(r"w\[\d+\]\[\d+\]\[\d+\]", G.nodes[v].get("label", ""))]:
        sq = f"sq {v}"
        G.add_node(sq, kind="value", label=sq)
        G.add_edge(v, sq)
        if total is not None:
            s = f"sum {v}"
            G.add_node(s, kind="value", label=s)
            G.add_edge(total, s)
            G.add_edge(sq, s)
            sq = s
        total = sq
    full = layered_layout(G, clusters=scopes)
    monkeypatch.setattr(placement, "CLUSTER_LP_MAX_NODES", 0)
    thin = layered_layout(G, clusters=scopes)
    check_clusters(G, scopes, thin)
    assert thin.crossings == full.crossings and thin.ranks == full.ranks
    assert thin.positions != full.positions                  # it did leave them out
    assert thin.height <= 1.25 * full.height


def test_dropped_bend_points_keep_their_order_and_room_nearest_their_line():
    from layouts.bend_points import place

    # two runs: one between left end 0 and right end 100 (separations 10 each, 3 points),
    # one open on the right from 50
    upto = np.array([10.0, 20.0, 30.0, 10.0, 20.0])
    run = np.array([0, 0, 0, 1, 1])
    total = np.array([40.0, 20.0])
    lower, upper = np.array([0.0, 50.0]), np.array([100.0, np.inf])
    ideal = np.array([95.0, 5.0, 50.0, 0.0, 200.0])
    y = place(ideal, lower, upto, run, total, upper)
    first = y[:3]
    assert first[0] >= 10 and np.all(np.diff(first) >= 10 - 1e-9) and first[-1] <= 100 - 10
    assert y[3] >= 60 and y[4] - y[3] >= 10 and y[4] == 200.0   # free where nothing is in the way
    free = place(np.array([30.0, 60.0]), np.array([0.0]), np.array([10.0, 20.0]), np.array([0, 0]),
                 np.array([30.0]), np.array([100.0]))
    assert free.tolist() == [30.0, 60.0]
