"""A structure change is built off the event loop (issue 9): while one session builds a
big graph, the server keeps serving another session's slider, and the big graph still
arrives whole. A Bokeh server in this process, sessions opened with Bokeh's websocket client;
"a slider move" is a callback on session B's document setting a leaf (what the slider's message
runs), timed from the test thread. Compared as a generous ratio against the same moves on an
idle server, never against a wall-clock figure."""

from __future__ import annotations

import statistics
import time

from bokeh.client import pull_session
from bokeh.events import DocumentReady

from app import create_app
from bench.app_open import random_text
from test_server_sessions import client_doc, run_on, server_factory  # noqa: F401 - fixture

#: a 544-node random expression, many long edges: ~1.2 s of layout (a mid-size drawing's polish,
#: layouts.mid_order) off the loop, and a few hundred ms shown on it. (A 2,967-node chain was
#: used before: once its layout got faster, the part shown on the loop was a third of the build
#: and a move waited past GAP of it at load 6-8.)
BIG = random_text(200, 20, seed=4)
#: During the build, session B must get at least this share of the moves an idle server
#: serves in the same time (seen: 0.19-0.48 at load 8-13; built on the loop: 0.07), and no
#: move may wait longer than GAP of the build (seen: up to 0.37, the part shown on the loop;
#: built on the loop, a move made just after the click waited 0.93 of it)
SHARE, GAP = 0.1, 0.6
BIG_NODES = 544


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


def test_other_sessions_are_served_while_a_big_graph_is_built(server_factory):
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
        assert a.model.compiled.graph.number_of_nodes() == BIG_NODES
        assert server.wait(lambda: not a.busy.loading and a.busy.pending == 0, timeout=30)
        assert len(a.graph.values.data["id"]) > 0 and a.model.error is None
        assert b.model.leaves.param[lid].default != getattr(b.model.leaves, lid)  # B moved
    finally:
        for c in clients:
            c.close()
