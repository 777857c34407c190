"""``bench.load``'s server side: ``InProcessServer`` serves the app with ``pn.serve`` in a
thread of this process and drives its sessions from here (the way a browser's messages arrive,
on each session's document), timing each slider move on the server. ``test_train_offloop``
uses it in-process; ``bench.load`` runs it in a child process."""
from __future__ import annotations

import random
import sys
import threading
import time
import weakref
from functools import partial
from pathlib import Path

DEMO_LEAF_VALUES = (1.5, 2.0, 2.5, 3.0)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


class StallProbe:
    """A thread that sleeps 5 ms at a time and records how late it wakes: the longest time
    this process's other threads kept it from running (a ``gc.collect`` holding the GIL, or a
    long callback on the server's loop). ``reset()`` starts a new window; ``max_ms`` the
    longest stall in it; ``gc_max_ms``/``gc_total_ms`` the garbage collections' (any
    generation, ours or Python's own) longest and total time in it."""

    TICK_S = 0.005

    def __init__(self):
        import gc

        self.max_ms = self.gc_max_ms = self.gc_total_ms = 0.0
        self._stop, self._gc_start = threading.Event(), None
        gc.callbacks.append(self._on_gc)
        threading.Thread(target=self._run, name="stall-probe", daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            t0 = time.perf_counter()
            time.sleep(self.TICK_S)
            self.max_ms = max(self.max_ms, 1000 * (time.perf_counter() - t0 - self.TICK_S))

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        elif self._gc_start is not None:
            ms = 1000 * (time.perf_counter() - self._gc_start)
            self.gc_max_ms, self.gc_total_ms = max(self.gc_max_ms, ms), self.gc_total_ms + ms
            self._gc_start = None

    def reset(self) -> None:
        self.max_ms = self.gc_max_ms = self.gc_total_ms = 0.0

    def stop(self) -> None:
        self._stop.set()


def settle_rss(timeout: float = 90.0, window: float = 3.0, tol_mb: float = 1.0):
    """Wait until this process's heap trim after closes has run (``app.memory``) and RSS has
    stayed within ``tol_mb`` for ``window`` seconds; returns (RSS in MB, seconds from the call
    until RSS reached that level, True if it settled before ``timeout``)."""
    from app.memory import trim_pending

    t0 = time.monotonic()
    samples = []                       # (time, rss)
    while True:
        now, rss = time.monotonic(), rss_mb()
        samples.append((now, rss))
        recent = [(t, r) for t, r in samples if t >= now - window]
        steady = max(r for _, r in recent) - min(r for _, r in recent) <= tol_mb
        if now - t0 >= window and steady and not trim_pending():
            return rss, recent[0][0] - t0, True
        if now - t0 > timeout:
            return rss, now - t0, False
        time.sleep(0.1)


def log(*args) -> None:
    print(time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


class InProcessServer:
    """``pn.serve`` in a thread with fast session expiry; ``apps`` the open sessions' apps (in
    the order they were made; dropped when a session ends), ``docs`` their documents. With ``sessions`` > 0, that many clients
    are opened from this process (``clients``)."""

    def __init__(self, sessions: int = 0, lifetime_ms: int = 500):
        self.sessions, self.lifetime_ms = sessions, lifetime_ms
        self.apps, self.docs, self.clients, self.destroyed = [], {}, [], []
        self._ready = weakref.WeakSet()    # documents told their page loaded

    def __enter__(self):
        import panel as pn

        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from browser_support import free_port
        from app.factory import create_app

        def make():
            app = create_app()
            self.apps.append(app)
            self.docs[id(app)] = pn.state.curdoc
            pn.state.on_session_destroyed(partial(self._forget, id(app)))
            return app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = pn.serve({"/": make}, port=self.port, address="127.0.0.1", show=False,
                               threaded=True, websocket_origin=[f"127.0.0.1:{self.port}"],
                               unused_session_lifetime_milliseconds=self.lifetime_ms,
                               check_unused_sessions_milliseconds=self.lifetime_ms // 2)
        self.open_clients(self.sessions)
        return self

    def _forget(self, key: int, session_context) -> None:
        """A session ended: drop this side's references to its app (a real server holds none,
        and the app's own end-of-session heap trim should find its memory freed)."""
        self.apps[:] = [a for a in self.apps if id(a) != key]
        self.docs.pop(key, None)
        self.destroyed.append(session_context.id)

    def open_clients(self, n: int) -> None:
        from bokeh.client import pull_session

        for _ in range(n):
            for attempt in range(100):
                try:
                    self.clients.append(pull_session(url=self.url))
                    break
                except OSError:          # not listening yet
                    time.sleep(0.1)
        self.wait(lambda: len(self.apps) >= len(self.clients))
        self.mark_connected()

    def mark_connected(self) -> None:
        """Say that each open session's page has loaded, as the page's JS does: a Bokeh
        ``DocumentReady`` event on the session's document, on its loop (Panel then applies a
        session's changes at once and runs its ``pn.state.onload`` callbacks). Bokeh's Python
        client never sends it. Each document once; closed sessions are left alone."""
        from bokeh.events import DocumentReady

        for app in list(self.apps):
            doc = self.docs[id(app)]
            context = doc.session_context
            if doc in self._ready or context is None or context.destroyed:
                continue
            self._ready.add(doc)
            self.on_doc(app, lambda doc=doc: doc.callbacks.trigger_event(DocumentReady()))

    def close_clients(self) -> None:
        for client in self.clients:
            client.close()
        self.clients = []

    def __exit__(self, *exc):
        self.close_clients()
        self.thread.stop()

    @staticmethod
    def wait(predicate, timeout: float = 120.0) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def on_doc(self, app, fn) -> float:
        """Run ``fn`` on ``app``'s document (as a browser message is); seconds until done."""
        from panel.io.state import set_curdoc

        doc, done, out = self.docs[id(app)], threading.Event(), {}

        def callback():
            with set_curdoc(doc):
                fn()
            out["t"] = time.perf_counter()
            done.set()

        t0 = time.perf_counter()
        doc.add_next_tick_callback(callback)
        if not done.wait(120):
            raise TimeoutError("the session did not answer in 120 s")
        return out["t"] - t0

    def slider_move(self, app, value: float) -> float:
        """Move ``app``'s first leaf to ``value`` (another value than it has); ms until done."""
        leaf = app.model.compiled.leaf_ids[0]
        if getattr(app.model.leaves, leaf) == value:
            value += 0.25
        return 1000 * self.on_doc(app, lambda: app.model.set_leaf(leaf, value))

    def slider_latencies(self, app, n: int, rng=random) -> list:
        """``n`` slider moves on ``app``'s first leaf, 20-60 ms apart; ms each."""
        out = []
        for i in range(n):
            out.append(self.slider_move(app, DEMO_LEAF_VALUES[i % len(DEMO_LEAF_VALUES)]))
            time.sleep(rng.uniform(0.02, 0.06))
        return out

    def open_train_tab(self, app) -> None:
        self.on_doc(app, lambda: setattr(app.tabs, "active", 1))

    def start_training(self, app, timeout: float = 120.0) -> None:
        """Press Run; return once a step has been applied (the first may wait for a worker)."""
        if app.train_view is None:
            self.open_train_tab(app)
        k = app.train_view.trainer.k
        self.on_doc(app, app.train_view.run)
        if not self.wait(lambda: app.train_view.trainer.k > k or app.train_view.model.queued,
                         timeout):
            raise TimeoutError("training did not start")

    def pause_training(self, app) -> None:
        self.on_doc(app, app.train_view.pause)
