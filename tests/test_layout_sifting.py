"""Sifting's fast paths against plain references: the subset DP that orders small layers
exactly, and batched sifting of a layer against moving one node at a time."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from layouts.sifting import Sifting, _subset_dp, _subset_dp_small


def pair_matrix(rng, k):
    """A pairwise crossing matrix with many ties (small integers plus rigid quarters)."""
    return rng.integers(0, 3, (k, k)).astype(float) + 0.25 * rng.integers(0, 2, (k, k))


def order_cost(C, order):
    return sum(C[u, v] for i, u in enumerate(order) for v in order[i + 1:])


@pytest.mark.parametrize("k", [2, 3, 5, 6, 7])
def test_subset_dp_makes_the_same_choices_as_the_loop(k):
    rng = np.random.default_rng(k)
    for _ in range(200):
        C = pair_matrix(rng, k)
        best, choice = _subset_dp(C, k)
        loop_best, loop_choice = _subset_dp_small(C, k)
        assert np.array_equal(best, loop_best) and np.array_equal(choice, loop_choice)


def test_subset_dp_finds_the_cheapest_order():
    rng = np.random.default_rng(1)
    for k in (3, 5):
        for _ in range(20):
            C = pair_matrix(rng, k)
            best, _ = _subset_dp(C, k)
            assert best[-1] == min(order_cost(C, list(p)) for p in itertools.permutations(range(k)))


def sift_one_at_a_time(C, involved):
    """The reference: each node taken out and put back at the first cheapest slot."""
    k = len(C)
    order = list(range(k))
    for v in involved:
        i = order.index(v)
        rest = order[:i] + order[i + 1:]
        cost = [sum(C[u, v] for u in rest[:j]) + sum(C[v, u] for u in rest[j:]) for j in range(k)]
        j = int(np.argmin(cost))
        if cost[j] < cost[i] - 1e-9:
            order = rest[:j] + [v] + rest[j:]
    return order


class _Layer(Sifting):
    def __init__(self, k):
        self.pos = np.arange(k)


@pytest.mark.parametrize("k", [3, 9, 40, 75])
def test_batched_sifting_moves_nodes_as_one_at_a_time(k):
    rng = np.random.default_rng(k)
    for _ in range(30):
        C = pair_matrix(rng, k)
        involved = sorted(rng.choice(k, size=int(rng.integers(1, k + 1)), replace=False).tolist())
        layer = _Layer(k)
        layer._sift_free(np.arange(k), C, involved)
        expected = sift_one_at_a_time(C, involved)
        assert np.argsort(layer.pos).tolist() == expected


def test_sifting_skips_layers_whose_neighbourhood_did_not_change(monkeypatch):
    """A layer that sifting left as it was is not sifted again until it or a neighbouring
    rank changes (``move_clock``); the orders are those of sifting every layer."""
    from tests.test_layout_small_order import random_layered
    from layouts.ordering import LayerOrder
    rng = np.random.default_rng(7)
    lg, rigid = random_layered(rng, [5, 9, 9, 8, 9, 6])
    key = rng.permutation(lg.n_nodes)
    clocked, plain = LayerOrder(lg, key, rigid), LayerOrder(lg, key, rigid)
    plain.tick = None                     # no clock: every layer sifted every round
    for order in (clocked, plain):
        order.sift(rounds=4)
        while order.sift(rounds=1) > 0:   # to where a round changes nothing
            pass
    assert np.array_equal(clocked.pos, plain.pos)
    calls = []
    real = LayerOrder._sift_layer
    monkeypatch.setattr(LayerOrder, "_sift_layer", lambda self, l: calls.append(l) or real(self, l))
    clocked.sift(rounds=1)                # nothing changed since its last round
    assert calls == []
    clocked.pos[clocked.members[3]] = clocked.pos[clocked.members[3]][::-1]
    clocked.sift(rounds=1)
    assert set(calls) <= {2, 3, 4} and 3 in calls
