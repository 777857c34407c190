"""The app served in this process, its sessions driven from another thread: what the served
tests (``tests/test_server_sessions.py`` and the tests that import its fixture) and the served
benchmarks (``bench.app_refine``) share.

``Server(session)`` runs ``pn.serve`` in a thread; ``made`` holds each session's app and
``destroyed`` the ids of sessions the server has destroyed. Sessions are opened with Bokeh's
websocket client (``open_session``), and ``run_on`` runs a function on a session's document as
a widget's message would.
"""

from __future__ import annotations

import socket
import threading
import time
import weakref


def free_port() -> int:
    """A free localhost TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 20.0) -> bool:
    """Poll ``predicate`` every 50 ms until it holds or ``timeout`` s pass; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


class Server:
    """``pn.serve`` of ``session()`` (an app factory) in a thread, expiring closed sessions
    within a few tenths of a second."""

    def __init__(self, session):
        import panel as pn

        self.made, self.destroyed, self.docs = [], [], weakref.WeakValueDictionary()
        self.port = free_port()

        def make():
            app = session()
            self.made.append(app)
            self.docs[id(app)] = pn.state.curdoc
            pn.state.on_session_destroyed(lambda ctx: self.destroyed.append(ctx.id))
            return app

        self.thread = pn.serve({"/": make}, port=self.port, address="127.0.0.1", show=False,
                               threaded=True, websocket_origin=[f"127.0.0.1:{self.port}"],
                               unused_session_lifetime_milliseconds=300,
                               check_unused_sessions_milliseconds=100)
        self.url = f"http://127.0.0.1:{self.port}/"
        if not self.wait(self._listening, timeout=30):
            raise RuntimeError("the server did not start")

    def _listening(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def wait(self, predicate, timeout: float = 20.0) -> bool:
        return wait_for(predicate, timeout)

    def doc(self, app):
        """The server-side document of ``app``'s session."""
        return self.docs[id(app)]

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server and wait until its thread has ended (Panel's ``stop`` only asks
        the loop to shut down): no callback of this server runs after a test's teardown."""
        self.thread.stop()
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise RuntimeError(f"the server thread did not end within {timeout} s")


def run_on(doc, fn, timeout: float = 60.0) -> None:
    """Run ``fn`` on ``doc``'s thread with it as Panel's current document (as a widget's
    message would); returns once it has run."""
    from panel.io.state import set_curdoc

    done = threading.Event()

    def callback():
        with set_curdoc(doc):
            fn()
        done.set()

    doc.add_next_tick_callback(callback)
    if not done.wait(timeout):
        raise RuntimeError("the session did not run the callback")


def open_session(server: Server) -> tuple:
    """(client, app, doc) of a new session of ``server`` whose page has reported ready (what a
    browser's first render sends), e.g. for its first-view work to have run."""
    from bokeh.client import pull_session
    from bokeh.events import DocumentReady

    before = len(server.made)
    client = pull_session(url=server.url)
    if not server.wait(lambda: len(server.made) > before):
        raise RuntimeError("the server made no app for the session")
    app = server.made[before]
    doc = server.doc(app)
    run_on(doc, lambda: doc.callbacks.trigger_event(DocumentReady()))
    return client, app, doc
