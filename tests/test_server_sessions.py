"""Sessions clean up: a Bokeh server in this process, sessions opened and closed with Bokeh's
websocket client, then a ``gc`` census and weak references show what is still alive."""

from __future__ import annotations

import gc
import time
import weakref

import pytest
from bokeh.client import pull_session
from bokeh.events import DocumentReady

from app import memory
from app.factory import AutogradApp, create_app
from app.graph_page.graph_view import GraphView
from app.graph_page.model import GraphModel
from bench.served import Server, run_on
from engine.train import TrainConfig

SMALL = TrainConfig(hidden=(4,), seed=3)


def census() -> dict:
    gc.collect()
    counts = dict.fromkeys((AutogradApp, GraphModel, GraphView), 0)
    for obj in gc.get_objects():
        for cls in counts:
            if isinstance(obj, cls):
                counts[cls] += 1
    return {cls.__name__: n for cls, n in counts.items()}


@pytest.fixture
def server_factory():
    servers = []

    def start(session):
        servers.append(Server(session))
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


def _with_train_tab(i):
    app = create_app()
    if i % 5 == 0:
        app.tabs.active = 1          # builds the Train tab (trainer, compiled tape, plots)
    return app


def test_twenty_sessions_open_and_close_leave_no_app_alive(server_factory):
    from panel.links import Callback

    before = census()
    links_before = len(Callback.registry)
    counter = iter(range(10**6))
    server = server_factory(lambda: _with_train_tab(next(counter)))
    refs = []
    for _ in range(20):
        client = pull_session(url=server.url)
        assert client.document.roots, "the session sent no page"
        refs += _refs(server.made.pop())   # taken while open: a closed app's parts are cleared
        client.close()
    assert server.wait(lambda: len(server.destroyed) == 20), server.destroyed
    assert len(refs) == 44          # 20 apps, 20 models, 4 train views
    assert server.wait(lambda: not memory.trim_pending(), timeout=60), "the trim never ended"
    assert server.wait(lambda: (gc.collect(), not any(r() for r in refs))[1], timeout=5), \
        f"{sum(1 for r in refs if r())} objects of closed sessions still alive"
    assert census() == before
    # Panel's Callback.registry keeps a widget whose JS callback args reach back to it (see
    # app/session.py): nothing of the closed sessions may stay in it
    assert len(Callback.registry) == links_before


def _refs(app) -> list:
    """Weak references to ``app``, its model and its train view if it has one."""
    parts = [app, app.model] + ([app.train_view] if app.train_view is not None else [])
    return [weakref.ref(p) for p in parts]


def test_a_closed_sessions_objects_die_when_it_ends_not_at_a_collection(server_factory,
                                                                        monkeypatch):
    """app.session_release: a destroyed session's cycles are cut, so its app and trainer, and
    nearly all its objects, die by reference counting, without the collector (off here; the
    heap trim's collection is stubbed out). Before, all of them waited for a full collection,
    which held the event loop ~5 s when 50 sessions ended."""
    import app.session

    monkeypatch.setattr(app.session, "trim_soon", lambda *a, **k: None)
    counter = iter([0, 0, 1])       # warm-up and first session with the Train tab
    server = server_factory(lambda: _with_train_tab(next(counter)))
    pull_session(url=server.url).close()     # first-use caches and imports made before counting
    assert server.wait(lambda: len(server.destroyed) == 1)
    server.made.clear()
    gc.collect()
    start = len(gc.get_objects())
    clients = [pull_session(url=server.url) for _ in range(2)]      # Train tab, Graph tab
    assert server.wait(lambda: len(server.made) == 2)
    refs = [weakref.ref(server.made[0].train_view.trainer)]
    refs += [weakref.ref(made) for made in server.made]
    server.made.clear()
    gc.collect()
    opened = len(gc.get_objects()) - start   # both sessions, and the clients' copies of their pages
    gc.disable()
    try:
        for client in clients:
            client.close()
        assert server.wait(lambda: len(server.destroyed) == 3), server.destroyed
        # within 3 s: Panel's own collection would come 5 s after the destroy
        assert server.wait(lambda: not any(r() for r in refs), timeout=3), \
            f"alive after destroy: {[type(r()).__name__ for r in refs if r()]}"
        time.sleep(0.5)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left_to_collect = len(gc.garbage)    # measured: ~100% of the sessions before, 16-25% now
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    # what is left is steady (17,311-17,349 objects in three runs, alone and in the whole suite:
    # the graph's Values and tape instructions, cycles by micrograd's closures, and some widgets),
    # but ``opened`` is not (68k in the whole suite, where caches are warm, 91-111k alone): the
    # bound is on the leftover's share of ``opened`` with that spread allowed for
    assert left_to_collect < 0.4 * opened, (left_to_collect, opened)


def _served_and_training(server_factory):
    """``(server, client, app)``: one served session on its Train tab, trained a few steps."""
    def training():
        app = create_app()
        app.tabs.active = 1
        app.train_view.period_ms = 20
        return app

    server = server_factory(training)
    client = pull_session(url=server.url)
    assert server.wait(lambda: server.made and server.made[0].train_view is not None)
    app = server.made[0]
    doc = client_doc(server, app)
    run_on(doc, lambda: doc.callbacks.trigger_event(DocumentReady()))   # as the page's JS does once loaded
    run_on(doc, app.train_view.run)
    assert server.wait(lambda: app.train_view.trainer.k >= 3, timeout=90), "training never started"
    return server, client, app


def test_closing_the_tab_stops_training_within_two_seconds(server_factory):
    server, client, app = _served_and_training(server_factory)
    model, trainer = app.train_view.model, app.train_view.trainer
    client.close()
    closed_at = time.monotonic()
    # stopped before Bokeh even discards the session (that takes unused_session_lifetime)
    stopped_at = []         # its step when it stopped (read then: the session may be released
                            # right after, its trainer's attributes dropped, app.session_release)
    assert server.wait(lambda: not model.running and not stopped_at.append(trainer.k), timeout=2.0), \
        "still training 2 s after close"
    assert time.monotonic() - closed_at < 2.5
    time.sleep(0.3)
    assert getattr(trainer, "k", stopped_at[0]) == stopped_at[0], "steps applied after training stopped"


def test_a_served_session_destroyed_mid_training_drops_its_objects(server_factory):
    """Issue 12: a session that Bokeh destroys while it trains (its tab closed) stops, and its
    app, models, trainer and the training pool's hold on it are gone (weak references), once
    app.memory has let go of it."""
    from app.train.pool import training_pool

    server, client, app = _served_and_training(server_factory)
    view = app.train_view
    model, trainer = view.model, view.trainer
    refs = [weakref.ref(o) for o in (app, app.model, view, model, trainer)]
    del app, view, model, trainer
    server.made.clear()
    client.close()
    assert server.wait(lambda: server.destroyed, timeout=30), "the session was not destroyed"
    assert server.wait(lambda: not memory.trim_pending(), timeout=60), "never let go"
    assert server.wait(lambda: (gc.collect(), not any(r() for r in refs))[1], timeout=10), \
        [type(r()).__name__ for r in refs if r() is not None]
    assert training_pool().n_training == 0 and training_pool().n_waiting == 0


def test_closing_an_app_mid_training_stops_it_and_drops_its_objects():
    """What ``on_session_end`` runs when Bokeh destroys a session (``AutogradApp.close``)."""
    import asyncio

    from app.train.pool import training_pool

    async def scenario():
        app = create_app()
        app.tabs.active = 1
        view = app.train_view
        view.period_ms = 20
        view.run()
        for _ in range(3000):
            await asyncio.sleep(0.02)
            if view.trainer.k >= 3:
                break
        trainer, model = view.trainer, view.model
        assert trainer.k >= 3 and model.running
        app.close()
        k = trainer.k
        await asyncio.sleep(0.3)        # a job in flight comes back and is dropped
        assert trainer.k == k and not model.running and view.trainer is None
        assert model not in training_pool()._active
        return [weakref.ref(o) for o in (app, app.model, view, model, trainer)]

    refs = asyncio.run(scenario())
    gc.collect()
    assert [r() is None for r in refs] == [True] * len(refs)


def client_doc(server, app):
    """The server-side document of ``app``'s session."""
    return server.doc(app)


def test_a_step_of_closing_that_fails_does_not_stop_the_others(server_factory, monkeypatch, caplog):
    """``AutogradApp.close`` and ``on_session_end``: a step of closing that fails (a part half
    built when the tab closed) is logged, and the other steps (the train view's close, the
    links' release), the session's release and the heap trim still run: before, the exception
    ended the hook there, and the app stayed in Panel's link registry for good."""
    from panel.links import Callback

    from app.graph_page.refine import Refiner
    from app.train.view import TrainView

    def broken_close(self):
        raise RuntimeError("close failed")

    closed = []
    monkeypatch.setattr(Refiner, "close", broken_close)
    real_close = TrainView.close
    monkeypatch.setattr(TrainView, "close", lambda self: (closed.append(self), real_close(self))[1])
    server = server_factory(lambda: _with_train_tab(0))
    client = pull_session(url=server.url)
    app = server.made.pop()
    linked = [obj for obj in app._layout.select() if obj in Callback.registry]
    assert linked                # (what the last step releases)
    linked = weakref.WeakSet(linked)
    del app
    client.close()
    assert server.wait(lambda: len(server.destroyed) == 1), server.destroyed
    assert server.wait(lambda: not memory.trim_pending(), timeout=60), "the trim never ended"
    assert "close failed" in caplog.text
    assert len(closed) == 1                          # the step after the failed one ran
    assert not any(obj in Callback.registry for obj in linked)    # and the last one
