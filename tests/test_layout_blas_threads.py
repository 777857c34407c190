"""The layout runs its float products on one BLAS thread (``layouts.blas_threads``) and gives
the process's thread count back when it ends."""

import networkx as nx
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import layouts.layered as layered
from bench.graphs import batch_loss_graph
from layouts import layered_layout


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture
def seen_inside(monkeypatch):
    """The BLAS thread counts seen while the order stage runs (a spy on it)."""
    seen = []
    order_nodes = layered.order_nodes

    def spy(*args, **kwargs):
        seen.append(_blas_threads())
        return order_nodes(*args, **kwargs)

    monkeypatch.setattr(layered, "order_nodes", spy)
    return seen


def test_a_layout_runs_on_one_blas_thread_and_restores_the_count(seen_inside):
    assert _blas_threads(), "numpy/scipy load a BLAS library"
    G = batch_loss_graph(2, (3,), 2, seed=1)      # a batch loss: ranks wide enough for the products
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        assert set(before) == {2}
        lay = layered_layout(G)
        after = _blas_threads()
    assert seen_inside and all(set(counts) == {1} for counts in seen_inside)
    assert after == before
    assert lay.crossings >= 0 and set(lay.positions) == set(G.nodes)


def test_the_cap_is_given_back_when_the_layout_fails():
    G = nx.DiGraph([("a", "b"), ("b", "a")])
    with threadpool_limits(limits=2, user_api="blas"):
        with pytest.raises(ValueError, match="acyclic"):
            layered_layout(G)
        assert set(_blas_threads()) == {2}
