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


# --------------------------------------------------------------- a closed tab logs no traceback

#: pages per round and rounds: measured before the fix (panel 1.9.4, tornado 6.6.1), a tab
#: closed while training streamed left a "Task exception was never retrieved ...
#: WebSocketClosedError" traceback about one close in three (9 closes: ~2% chance of none)
CLOSE_ROUNDS, PAGES_PER_ROUND = 3, 3


def _train_and_close(chromium, url: str, pages: int) -> None:
    """Open ``pages`` tabs, start training on each (updates stream to every page), then close
    them all at once, as a class leaving does, mid-stream."""
    from playwright.sync_api import expect

    from browser_support import VIEWPORT, wait_for_app

    contexts = [chromium.new_context(viewport=VIEWPORT) for _ in range(pages)]
    try:
        opened = [ctx.new_page() for ctx in contexts]
        for page in opened:
            page.goto(url)
        for page in opened:
            wait_for_app(page, timeout=60_000)
            page.get_by_text("Train", exact=True).click()
            run = page.get_by_role("button", name="\u25b6 Run")
            expect(run).to_be_visible(timeout=30_000)
            run.click()
        for page in opened:             # the loss curve grows: records stream to the page
            expect(page.get_by_role("button", name="\u25b6 Run")).to_be_disabled(timeout=30_000)
        time.sleep(1.0)
    finally:
        for ctx in contexts:
            ctx.close()                 # abrupt: the page goes without a websocket close


@pytest.mark.browser
def test_closing_tabs_while_updates_stream_logs_no_traceback(chromium):
    """A class closing its tabs while the server pushes updates: the server's log shows no
    traceback (it was a wall of "Task exception was never retrieved ... WebSocketClosedError",
    one per unlucky close: Panel's write to a socket the browser had just dropped)."""
    from browser_support import serve_app, server_output, stop

    proc, url = serve_app(["--unused-session-lifetime", "2000", "--check-unused-sessions", "500"])
    try:
        for _ in range(CLOSE_ROUNDS):
            _train_and_close(chromium, url, PAGES_PER_ROUND)
        # the failed writes are reported when their futures are collected, and the sessions
        # are destroyed 2 s after their tabs closed: wait for both, with a page still served
        time.sleep(8.0)
        assert proc.poll() is None, server_output(proc)
        log = server_output(proc)
    finally:
        stop(proc)
    assert "Traceback" not in log and "WebSocketClosedError" not in log, log
    assert "never retrieved" not in log, log


def test_a_closed_tabs_failed_write_is_dropped_from_the_log_but_real_errors_are_not(caplog):
    """``app.closed_tabs.ClosedTabLogFilter`` (what ``autograd-ui`` and ``app/serve_setup.py``
    install): an unretrieved ``WebSocketClosedError`` and Bokeh's "Failed sending message as
    connection was closed" become one DEBUG line each; any other unretrieved exception, and
    any other warning of those loggers, is still logged as before."""
    import asyncio
    import logging
    import threading

    from tornado.websocket import WebSocketClosedError

    from app.closed_tabs import _CLOSED_TAB_LOGGERS, ClosedTabLogFilter, quiet_closed_tabs

    async def fail(exc):
        raise exc

    async def unretrieved():
        tasks = [asyncio.ensure_future(fail(WebSocketClosedError())),
                 asyncio.ensure_future(fail(RuntimeError("a real error")))]
        await asyncio.sleep(0.01)        # both failed; nobody asks for their exceptions
        del tasks
        gc.collect()                     # asyncio reports them when they are collected

    quiet_closed_tabs()
    quiet_closed_tabs()                  # twice: still one filter per logger
    try:
        with caplog.at_level(logging.DEBUG):
            # a loop of its own, in a thread: this one may run Playwright's (the test above)
            worker = threading.Thread(target=asyncio.run, args=(unretrieved(),))
            worker.start()
            worker.join(30)
            ws = logging.getLogger("bokeh.server.views.ws")
            ws.warning("Failed sending message as connection was closed")
            ws.warning("some other bokeh warning")
    finally:
        for name in _CLOSED_TAB_LOGGERS:
            logger = logging.getLogger(name)
            filters = [f for f in logger.filters if isinstance(f, ClosedTabLogFilter)]
            assert len(filters) == 1, name
            logger.removeFilter(filters[0])
    shown = [(r.name, r.levelname, r.exc_info[1] if r.exc_info else None)
             for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(name, level, type(exc)) for name, level, exc in shown] == [
        ("asyncio", "ERROR", RuntimeError), ("bokeh.server.views.ws", "WARNING", type(None))]
    assert "some other bokeh warning" in caplog.text and "a real error" in caplog.text
    debug = [r.getMessage() for r in caplog.records if r.name == "app.closed_tabs"]
    assert len(debug) == 2 and all(r.startswith("a tab closed") for r in debug), debug


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
