"""Rerouting long edges (layouts/rerouting.py): each chain of virtual nodes goes to its best
route, the gain it reports is the real one, and it never makes an order worse; moving paths
(layouts/path_moves.py: edges with both ends, chains) never raises the cost either."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from layouts.layering import make_layered
from layouts.ordering import LayerOrder


def random_layered(seed: int, n: int = 14, p: float = 0.25, max_rank: int = 5):
    """A random DAG with random ranks (edges spanning up to ``max_rank`` ranks), layered,
    and a random order of every rank."""
    rng = np.random.default_rng(seed)
    rank = np.sort(rng.integers(0, max_rank + 1, n))
    pairs = [(u, v) for u in range(n) for v in range(n) if rank[u] < rank[v] and rng.random() < p]
    src = np.array([u for u, _ in pairs], dtype=np.int64)
    dst = np.array([v for _, v in pairs], dtype=np.int64)
    lg = make_layered(n, src, dst, rank - rank.min())
    return lg, rng.permutation(lg.n_nodes)


def crossings_over_every_route(order: LayerOrder, e: int) -> list[int]:
    """The order's crossings with edge e's virtual nodes put in every combination of slots
    (everything else in its current order); the order is left as it was."""
    lg, kept = order.lg, order.pos.copy()
    virtual = lg.path(e)[1:-1].tolist()
    rest = [sorted((u for u in order.members[lg.layer[v]] if u != v), key=lambda u: kept[u]) for v in virtual]
    counts = []
    for slots in itertools.product(*(range(len(r) + 1) for r in rest)):
        for v, r, s in zip(virtual, rest, slots):
            line = r[:s] + [v] + r[s:]
            order.pos[line] = np.arange(len(line))
        counts.append(order.crossings())
    order.pos[:] = kept
    return counts


@pytest.mark.parametrize("seed", range(12))
def test_the_reported_gain_is_the_real_one_and_never_negative(seed):
    lg, key = random_layered(seed, n=24, p=0.2, max_rank=7)
    order = LayerOrder(lg, key)
    before = order.crossings()
    gain = order.reroute()
    assert gain >= 0
    assert before - order.crossings() == gain
    # A layer's members are still a permutation of its slots.
    for l, members in enumerate(order.members):
        assert sorted(order.pos[members].tolist()) == list(range(len(members)))


@pytest.mark.parametrize("seed", range(8))
def test_once_settled_no_long_edge_has_a_better_route(seed):
    lg, key = random_layered(100 + seed, n=10, p=0.3, max_rank=4)
    order = LayerOrder(lg, key)
    order.reroute(rounds=50)
    assert order.reroute() == 0
    long_edges = [e for e in range(len(lg.path_ptr) - 1) if len(lg.path(e)) in (3, 4)]
    assert long_edges, "the random graph should have long edges of one or two bends"
    for e in long_edges:
        assert min(crossings_over_every_route(order, e)) == order.crossings()


def test_a_long_edge_on_the_wrong_side_of_a_bundle_moves_across_it():
    """u -> w spans four ranks below a bundle of three parallel chains, but u and w are held
    above it (by the chain u -> t1 -> t2 -> t3 -> w on top): moving any one node alone
    gains nothing, moving all of u -> w's bends removes its six crossings."""
    G = nx.DiGraph()
    for k in range(3):
        nx.add_path(G, [f"a{k}", f"b{k}", f"c{k}", f"d{k}", f"e{k}"])
    nx.add_path(G, ["u", "t1", "t2", "t3", "w"])
    G.add_edge("u", "w")
    top = ["u", "t1", "t2", "t3", "w"]
    nodes = top + [f"{x}{k}" for x in "abcde" for k in range(3)]
    index = {v: i for i, v in enumerate(nodes)}
    rank = np.array([0, 1, 2, 3, 4] + [r for r in range(5) for _ in range(3)])
    src = np.array([index[u] for u, _ in G.edges]); dst = np.array([index[v] for _, v in G.edges])
    lg = make_layered(len(nodes), src, dst, rank)
    key = np.zeros(lg.n_nodes)
    key[[index[v] for v in top]] = -1               # u, w and the t chain on top ...
    key[len(nodes):] = 10                           # ... u -> w's bends at the bottom
    for v in nodes[len(top):]:
        key[index[v]] = int(v[1])
    order = LayerOrder(lg, key)
    assert order.crossings() == 6
    order.sift()
    order.transpose()
    assert order.crossings() == 6                   # one node at a time cannot gain
    assert order.reroute() == 6
    assert order.crossings() == 0


@pytest.mark.parametrize("seed", range(12))
def test_moving_edges_with_their_ends_never_raises_the_cost(seed):
    lg, key = random_layered(200 + seed, n=24, p=0.2, max_rank=5)
    rigid = np.random.default_rng(seed).random(len(lg.seg_src)) < 0.2
    order = LayerOrder(lg, key, seg_rigid=rigid)
    before = order.cost()
    gain = order.move_paths()
    assert gain >= 0
    assert before - order.cost() == gain
    for members in order.members:
        assert sorted(order.pos[members].tolist()) == list(range(len(members)))


def test_an_edge_whose_ends_only_gain_together_moves_with_both():
    """x -> u -> w -> y runs below a bundle of three parallel chains while x and y are held
    on top (by x -> t1 -> t2 -> y): u or w alone gains nothing, the edge u -> w with both
    its ends removes all six crossings."""
    G = nx.DiGraph()
    for k in range(3):
        nx.add_path(G, [f"a{k}", f"b{k}", f"c{k}", f"d{k}"])
    nx.add_path(G, ["x", "t1", "t2", "y"])
    nx.add_path(G, ["x", "u", "w", "y"])
    top = ["x", "t1", "t2", "y"]
    nodes = top + ["u", "w"] + [f"{s}{k}" for s in "abcd" for k in range(3)]
    index = {v: i for i, v in enumerate(nodes)}
    rank = np.array([0, 1, 2, 3, 1, 2] + [r for r in range(4) for _ in range(3)])
    src = np.array([index[u] for u, _ in G.edges]); dst = np.array([index[v] for _, v in G.edges])
    lg = make_layered(len(nodes), src, dst, rank)
    key = np.zeros(lg.n_nodes)
    key[[index[v] for v in top]] = -1
    key[[index["u"], index["w"]]] = 10
    for v in nodes[len(top) + 2:]:
        key[index[v]] = int(v[1])
    order = LayerOrder(lg, key)
    assert order.crossings() == 6
    order.sift()
    order.transpose()
    assert order.reroute() == 0                     # no long edge here
    assert order.crossings() == 6                   # one node at a time cannot gain
    assert order.move_paths() == 6
    assert order.crossings() == 0


def test_a_chain_whose_nodes_only_gain_together_moves_as_one():
    """x -> u -> m -> w -> y runs below a bundle of three parallel chains while x and y are
    held on top (by x -> t1 -> t2 -> t3 -> y): no node alone and no edge with its two ends
    gains, the chain u -> m -> w -> y removes all six crossings."""
    G = nx.DiGraph()
    for k in range(3):
        nx.add_path(G, [f"a{k}", f"b{k}", f"c{k}", f"d{k}", f"e{k}"])
    nx.add_path(G, ["x", "t1", "t2", "t3", "y"])
    nx.add_path(G, ["x", "u", "m", "w", "y"])
    top = ["x", "t1", "t2", "t3", "y"]
    nodes = top + ["u", "m", "w"] + [f"{s}{k}" for s in "abcde" for k in range(3)]
    index = {v: i for i, v in enumerate(nodes)}
    rank = np.array([0, 1, 2, 3, 4, 1, 2, 3] + [r for r in range(5) for _ in range(3)])
    src = np.array([index[u] for u, _ in G.edges]); dst = np.array([index[v] for _, v in G.edges])
    lg = make_layered(len(nodes), src, dst, rank)
    key = np.zeros(lg.n_nodes)
    key[[index[v] for v in top]] = -1
    key[[index[v] for v in "umw"]] = 10
    for v in nodes[len(top) + 3:]:
        key[index[v]] = int(v[1])
    order = LayerOrder(lg, key)
    assert order.crossings() == 6
    order.sift()
    order.transpose()
    assert order.crossings() == 6
    edges_only = LayerOrder(lg, key)
    edges_only._path_moves = [lg.path(e) for e in range(len(lg.path_ptr) - 1)]
    assert edges_only.move_paths() == 0              # no edge with its ends gains
    assert order.move_paths() == 6
    assert order.crossings() == 0
