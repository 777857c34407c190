"""Load benchmark: a classroom on one server. N sessions, K of them training, sliders moved in
all; slider latency against idle, memory per session and after all close.

    python -m bench.load                       # N=50 sessions, K=5 training, process pool
    python -m bench.load -n 20 -k 5 --kinds process,thread,inline

The server (``pn.serve`` of ``app.create_app``, in a child process so its memory is its own)
gets N sessions opened by Bokeh's websocket client (``bokeh.client.pull_session``) from this
process. Latency is measured on the server: a slider value is handed to a session's document
(``doc.add_next_tick_callback``, the way a browser's message arrives) and timed until the
session's recompute and patches are done, i.e. how long the event loop makes a user wait. Moves
go round all N sessions, first with nobody training (idle), then while K sessions train the
demo MLP (moons 100, MLP(2, [16, 16, 1])). ``--kinds`` compares where the steps run
(``app.train.pool``): ``process`` (default), ``thread``, ``inline`` (slices on the loop).
Memory: the server's RSS at start, per open session (Graph tab; every 5th session also opened
the Train tab), and after all sessions closed and were discarded.
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
import weakref
from pathlib import Path

DEMO_LEAF_VALUES = (1.5, 2.0, 2.5, 3.0)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


class InProcessServer:
    """``pn.serve`` in a thread with fast session expiry; ``apps`` the sessions' apps (in the
    order they were made), ``docs`` their documents. With ``sessions`` > 0, that many clients
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
            pn.state.on_session_destroyed(lambda ctx: self.destroyed.append(ctx.id))
            return app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = pn.serve({"/": make}, port=self.port, address="127.0.0.1", show=False,
                               threaded=True, websocket_origin=[f"127.0.0.1:{self.port}"],
                               unused_session_lifetime_milliseconds=self.lifetime_ms,
                               check_unused_sessions_milliseconds=self.lifetime_ms // 2)
        self.open_clients(self.sessions)
        return self

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


# ---- the benchmark: server in a child process, clients here --------------------------------

def _serve(conn, kind: str) -> None:
    """Child process: serve, then answer the parent's commands over ``conn``."""
    from app.train.pool import TrainingPool, use_pool

    use_pool(TrainingPool(kind))
    server = InProcessServer(lifetime_ms=1000).__enter__()
    conn.send(("url", server.url, rss_mb()))
    rng = random.Random(1)
    probe = None
    while True:
        cmd, *args = conn.recv()
        if cmd == "opened":
            server.wait(lambda: len(server.apps) >= args[0])
            server.mark_connected()
            for i, app in enumerate(server.apps):
                if i % 5 == 0 and app.train_view is None:
                    server.open_train_tab(app)
            gc.collect()
            conn.send(rss_mb())
        elif cmd == "latency":
            n_train, moves = args
            trainers = server.apps[:n_train]
            for app in trainers:
                server.start_training(app)
            ms = []
            for _ in range(moves):
                app = rng.choice(server.apps[n_train:] or server.apps)
                ms.append(server.slider_move(app, rng.choice(DEMO_LEAF_VALUES)))
                time.sleep(rng.uniform(0.02, 0.06))
            steps = sum(a.train_view.trainer.k for a in trainers)
            for app in trainers:
                server.pause_training(app)
            del trainers, app            # or these sessions would look leaked after close
            conn.send((ms, steps))
        elif cmd == "closed":
            ok = server.wait(lambda: len(server.destroyed) >= len(server.apps), 120)
            server.destroyed.clear()
            server.apps.clear()
            server.docs.clear()
            gc.collect()
            time.sleep(1.0)
            gc.collect()
            rss = rss_mb()
            # freed but kept by the C allocator, or still alive? give free pages back and count
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            conn.send((ok, rss, rss_mb(), census()))
            if os.environ.get("LOAD_PROBE"):
                probe = _probe(probe)
        elif cmd == "stop":
            server.thread.stop()
            use_pool(None)       # its workers exit now, not when this process is joined
            conn.send("stopped")
            return


def _probe(before):
    """LOAD_PROBE=1: after the first close, a baseline (type counts, tracemalloc started);
    after the next, what grew since, printed on stderr."""
    import collections
    import tracemalloc

    gc.collect()
    _allocator_report()
    counts = collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}"
                                 for o in gc.get_objects())
    if before is None:
        tracemalloc.start(12)
        return counts, tracemalloc.take_snapshot()
    grown = sorted(((n - before[0].get(k, 0), k) for k, n in counts.items()), reverse=True)
    log("objects grown:", *(f"\n  {n:7d} {k}" for n, k in grown[:30]))
    stats = tracemalloc.take_snapshot().compare_to(before[1], "traceback")
    log("traced growth MB", sum(s.size_diff for s in stats) / 2**20)
    for s in stats[:12]:
        log(f"{s.size_diff / 2**20:.2f} MB, {s.count_diff} blocks",
            *("\n    " + line for line in s.traceback.format()[-12:]))
    return None


def _allocator_report() -> None:
    """Where freed memory stays: pymalloc's arenas (``sys._debugmallocstats`` summary) and
    glibc's heap (``mallinfo2``: bytes in use vs held free)."""
    import io
    import os as _os
    import tempfile

    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks",
                    "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    m = libc.mallinfo2()
    log(f"glibc: heap {m.arena / 2**20:.0f} MB (in use {m.uordblks / 2**20:.0f}, free "
        f"{m.fordblks / 2**20:.0f}), mmapped {m.hblkhd / 2**20:.0f} MB")
    with tempfile.TemporaryFile("w+") as f:
        saved = _os.dup(2)
        _os.dup2(f.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            _os.dup2(saved, 2)
            _os.close(saved)
        f.seek(0)
        lines = [l.strip() for l in f if l.startswith(("# arenas", "Total", "# bytes in"))]
    log("pymalloc:", *("\n  " + l for l in lines))


def _register_page_models() -> None:
    """Bokeh's client must know every model class a page holds, including those Panel makes
    at run time (e.g. ``FileUpload1``): making one app here makes them, with the same names."""
    from app.factory import create_app

    create_app()


def census() -> int:
    """Live app instances and training models in this process."""
    from app.factory import AutogradApp
    from app.train.model import TrainModel

    gc.collect()
    return sum(isinstance(o, (AutogradApp, TrainModel)) for o in gc.get_objects())


def percentile(values, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def log(*args) -> None:
    print(time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def run(n: int, k: int, kind: str, moves: int) -> dict:
    from bokeh.client import pull_session

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child, kind), daemon=False)
    proc.start()
    _, url, _ = parent.recv()
    _register_page_models()
    # warm-up: one session with the Train tab, trained and closed, so that modules imported
    # and caches filled by a first session are in the baseline
    warm = pull_session(url=url)
    parent.send(("opened", 1))
    parent.recv()
    parent.send(("latency", 1, 5))
    parent.recv()
    warm.close()
    parent.send(("closed",))
    _, _, rss_start, _ = parent.recv()
    log(kind, "warm; opening", n, "sessions")
    clients = [pull_session(url=url) for _ in range(n)]
    parent.send(("opened", n))
    rss_open = parent.recv()
    log(kind, "opened; idle moves")
    parent.send(("latency", 0, moves))
    idle, _ = parent.recv()
    log(kind, "training moves")
    parent.send(("latency", k, moves))
    busy, steps = parent.recv()
    log(kind, "closing")
    for c in clients:
        c.close()
    parent.send(("closed",))
    destroyed, rss_closed, rss_trimmed, alive = parent.recv()
    log(kind, "closed")
    parent.send(("stop",))
    parent.recv()
    proc.join(30)
    return {"kind": kind, "n": n, "k": k, "idle_p50": statistics.median(idle),
            "idle_p95": percentile(idle, 0.95), "busy_p50": statistics.median(busy),
            "busy_p95": percentile(busy, 0.95), "steps": steps,
            "rss_start": rss_start, "rss_per_session": (rss_open - rss_start) / n,
            "rss_closed": rss_closed, "rss_trimmed": rss_trimmed, "alive": alive,
            "all_destroyed": destroyed}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--sessions", type=int, default=50)
    ap.add_argument("-k", "--train", type=int, default=5)
    ap.add_argument("--moves", type=int, default=60, help="slider moves per phase")
    ap.add_argument("--kinds", default="process", help="comma-separated: process,thread,inline")
    args = ap.parse_args(argv)
    print(f"{args.sessions} sessions, {args.train} training, {args.moves} slider moves per phase",
          flush=True)
    print("kind     idle p50/p95 ms   training p50/p95 ms   p50 x  p95 x  steps  "
          "RSS start  per session  after close (trimmed, apps alive)")
    for kind in args.kinds.split(","):
        r = run(args.sessions, args.train, kind, args.moves)
        print(f"{kind:8s} {r['idle_p50']:6.1f} / {r['idle_p95']:6.1f}   "
              f"{r['busy_p50']:7.1f} / {r['busy_p95']:7.1f}     "
              f"{r['busy_p50'] / r['idle_p50']:4.2f}  {r['busy_p95'] / r['idle_p95']:4.2f}  "
              f"{r['steps']:5d}  {r['rss_start']:6.0f} MB  {r['rss_per_session']:6.2f} MB  "
              f"{r['rss_closed']:6.0f} MB ({r['rss_trimmed']:.0f} MB, {r['alive']})"
              f"{'' if r['all_destroyed'] else ' (not all destroyed)'}",
              flush=True)


if __name__ == "__main__":
    main()
