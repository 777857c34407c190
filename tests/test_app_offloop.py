"""A structure change is built off the event loop (issue 9): while one session builds a
~3,000-node graph, the server keeps serving another session's slider, and the big graph still
arrives whole. A Bokeh server in this process, sessions opened with Bokeh's websocket client;
"a slider move" is a callback on session B's document setting a leaf (what the slider's message
runs), timed from the test thread. Compared as a generous ratio against the same moves on an
idle server, never against a wall-clock figure."""

from __future__ import annotations

import statistics
import time

import pytest

from bokeh.client import pull_session
from bokeh.events import DocumentReady

from app import create_app
from bench.app_open import chain_text
from test_server_sessions import client_doc, run_on, server_factory  # noqa: F401 - fixture

#: ~3,000 nodes (2,967): 0.7 s to build alone on this machine, more under load, of which a
#: third is shown on the loop (0.3-0.5 s, its model and views) once layouts got faster; so the
#: layout is made LAYOUT_EXTRA_CPU_S of thread CPU slower here (a layout's own kind of work:
#: Python holding the GIL, handed over every switch interval) and the part off the loop
#: dominates as with a slow layout (a move waited 0.61 of the build, against GAP 0.6, at load 6-8)
BIG = chain_text(330)
LAYOUT_EXTRA_CPU_S = 1.5
#: During the build, session B must get at least this share of the moves an idle server
#: serves in the same time (seen: 0.19-0.48 at load 8-13; built on the loop: 0.07), and no
#: move may wait longer than GAP of the build (seen: up to 0.37, the part shown on the loop;
#: built on the loop, a move made just after the click waited 0.93 of it)
SHARE, GAP = 0.1, 0.6


def _timed_move(doc, leaves, lid, i) -> float:
    t0 = time.perf_counter()
    run_on(doc, lambda: setattr(leaves, lid, 0.5 + 0.01 * (i % 50)))
    return time.perf_counter() - t0


def _open_sessions(server, n):
    clients = [pull_session(url=server.url) for _ in range(n)]
    assert server.wait(lambda: len(server.made) == n)
    apps = list(server.made)
    docs = [client_doc(server, app) for app in apps]
    for doc in docs:       # as each page's JS does once loaded (Panel then sends changes at once)
        run_on(doc, lambda doc=doc: doc.callbacks.trigger_event(DocumentReady()))
    return clients, apps, docs


@pytest.fixture
def slower_layout(monkeypatch):
    import layouts

    real = layouts.layered_layout

    def layered_layout(*args, **kwargs):
        end = time.thread_time() + LAYOUT_EXTRA_CPU_S
        while time.thread_time() < end:
            sum(range(2000))
        return real(*args, **kwargs)
    monkeypatch.setattr(layouts, "layered_layout", layered_layout)


def test_other_sessions_are_served_while_a_big_graph_is_built(server_factory, slower_layout):
    server = server_factory(create_app)
    clients, (a, b), (doc_a, doc_b) = _open_sessions(server, 2)
    try:
        lid = b.model.compiled.leaf_ids[0]
        idle = [_timed_move(doc_b, b.model.leaves, lid, i) for i in range(30)]
        before = a.model.compiled

        def apply_big():
            a.editor.text.value = BIG
            a.editor._apply()                 # what the Apply button's click runs

        t0 = time.perf_counter()
        run_on(doc_a, apply_big)              # returns once the click's callback is done
        during = []
        while a.model.compiled is before and time.perf_counter() - t0 < 120:
            during.append(_timed_move(doc_b, b.model.leaves, lid, len(during)))
        build_s = time.perf_counter() - t0
        print(f"\nbuild {build_s*1000:.0f} ms, B moves during it {len(during)}, idle median {statistics.median(idle)*1000:.1f} ms, max during {max(during)*1000:.0f} ms")
        assert a.model.compiled is not before, "the big graph was never shown"
        # B was served during the build: its moves went on at a fair share of the idle rate
        expected = build_s / statistics.median(idle)
        assert len(during) >= SHARE * expected, (len(during), expected, build_s,
                                                  statistics.median(idle))
        assert max(during) <= GAP * build_s, (max(during), build_s)
        # ... and A's graph arrived whole, its loading state ended
        assert a.model.compiled.graph.number_of_nodes() == 2967
        assert server.wait(lambda: not a.busy.loading and a.busy.pending == 0, timeout=30)
        assert len(a.graph.values.data["id"]) > 0 and a.model.error is None
        assert b.model.leaves.param[lid].default != getattr(b.model.leaves, lid)  # B moved
    finally:
        for c in clients:
            c.close()
