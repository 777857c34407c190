"""``bench.load``'s client side: sessions driven as a browser drives them, over Bokeh's websocket
client, and slider moves timed in the client, from the value sent to the graph's patch back.
It sees nothing of the server, so it times any server, ``autograd-ui --num-procs 2`` included
(whose sessions live in processes the server-side timing cannot reach).

Each ``DrivenSession`` runs its client's IOLoop in a thread of its own (Bokeh's client only reads
its websocket while its loop runs, in a blocking call): it reads every message the server sends,
as a page does,
and applies it to its copy of the document; changes to that copy are made on that thread and
go to the server as the browser's would (a property change, or a UI event such as a click).
"""
from __future__ import annotations

import threading
import time

#: The Graph tab's value boxes (``app.graph_page.graph_figure``): a slider move patches them.
VALUE_BOXES = "value-boxes"


class DrivenSession:
    """One session opened with ``bokeh.client.pull_session``; ``slider_move()`` times a move of
    the first leaf's slider; ``start_training()``/``pause_training()`` press the Train tab's
    buttons; ``close()``."""

    def __init__(self, url: str):
        from bokeh.client import pull_session
        from bokeh.events import DocumentReady

        self.client = pull_session(url=url)
        self.doc = self.client.document
        self.loop = self.client._connection.io_loop
        self._waiters: list = []
        self.errors: list = []
        self.thread = threading.Thread(target=self._serve_loop, daemon=True, name="driven-session")
        self.thread.start()
        self.call(lambda: self.doc.on_change(self._on_change))
        # what the page's JS says once drawn: Panel then applies changes at once
        self.call(lambda: self.doc.callbacks.send_event(DocumentReady()))
        self.values = self.find(lambda m: getattr(m, "name", None) == VALUE_BOXES)[0].data_source
        self._moves = 0
        self.slider = self._leaf_slider()

    def _leaf_slider(self):
        """The slider of a leaf on the graph: the page also holds leaf controls kept hidden and
        unbound for other graphs, and the document's order of models varies from session to
        session, so each is tried with an untimed move until one patches the graph."""
        for slider in self.find(lambda m: type(m).__name__ == "Slider"
                                and "leaf-range" in (m.css_classes or [])):
            self.slider = slider
            try:
                self.slider_move(timeout=10.0)
                return slider
            except TimeoutError:
                continue
        raise RuntimeError("no leaf slider of this page moves its graph")

    # ---- on the client's loop ---------------------------------------------------------------
    def _serve_loop(self) -> None:
        """This thread: read and apply the server's messages until the websocket closes. Not
        Bokeh's own reading loop: it recurses once per message (``_next`` -> ``_handle_messages``
        -> ``_next``), so a training page's ~1,000th message ends it with a RecursionError."""
        connection = self.client._connection

        async def read() -> None:
            while True:
                message = await connection._pop_message()
                if message is None:
                    break
                if message.msgtype == "PATCH-DOC":
                    try:
                        self.client._handle_patch(message)
                    except Exception as exc:   # noqa: BLE001 - kept: a dropped patch is a bug
                        self.errors.append(exc)
            self.loop.stop()

        self.loop.add_callback(read)
        self.loop.start()

    def call(self, fn, timeout: float = 60.0):
        """Run ``fn()`` on this client's loop thread; its result."""
        done, out = threading.Event(), {}

        def run():
            try:
                out["value"] = fn()
            except Exception as exc:   # noqa: BLE001 - raised in the caller
                out["error"] = exc
            done.set()

        self.loop.add_callback(run)
        if not done.wait(timeout):
            raise TimeoutError("the client's loop did not answer")
        if "error" in out:
            raise out["error"]
        return out.get("value")

    def find(self, predicate, timeout: float = 120.0) -> list:
        """The document's models matching ``predicate``, once there are any."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.call(lambda: [m for m in self.doc.models if predicate(m)])
            if found:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError("no such model in the page")
            time.sleep(0.1)

    def _on_change(self, event) -> None:
        now = time.perf_counter()
        for waiter in list(self._waiters):
            if waiter["until"](event):
                waiter["at"] = now
                self._waiters.remove(waiter)
                waiter["done"].set()

    def timed(self, action, until, timeout: float = 120.0) -> float:
        """Seconds from ``action()`` (run on the loop) to the first document change ``until``
        accepts (a message from the server applied here)."""
        waiter = {"until": until, "done": threading.Event()}

        def start():
            self._waiters.append(waiter)
            waiter["t0"] = time.perf_counter()
            action()

        self.call(start)
        if not waiter["done"].wait(timeout):
            self.call(lambda: waiter in self._waiters and self._waiters.remove(waiter))
            raise TimeoutError("the server did not answer in time")
        return waiter["at"] - waiter["t0"]

    # ---- what a student does ------------------------------------------------------------------
    def slider_move(self, timeout: float = 120.0) -> float:
        """Move the first leaf's slider to another of four values spread over its range; ms
        until the graph's value boxes are patched in this client's document."""
        from bokeh.document.events import ColumnsPatchedEvent

        s = self.slider
        self._moves += 1
        value = s.start + (s.end - s.start) * (0.2 + 0.2 * (self._moves % 4))
        value = round(value / s.step) * s.step if s.step else value
        if value == s.value:
            value = s.start + (s.end - s.start) * 0.1
        patched = lambda e: isinstance(e, ColumnsPatchedEvent) and e.model is self.values
        return 1000 * self.timed(lambda: setattr(s, "value", value), patched, timeout)

    def _clicker(self, label: str):
        """A function clicking the button labelled ``label`` (to run on the client's loop)."""
        from bokeh.events import ButtonClick

        button = self.find(lambda m: type(m).__name__ == "Button" and m.label == label)[0]
        return lambda: self.doc.callbacks.send_event(ButtonClick(button))

    def open_train_tab(self) -> None:
        tabs = self.find(lambda m: type(m).__name__ == "Tabs"
                         and [t.title for t in m.tabs] == ["Graph", "Train"])[0]
        self.call(lambda: setattr(tabs, "active", 1))
        self.find(lambda m: getattr(m, "name", None) == f"network-{VALUE_BOXES}")

    def start_training(self, timeout: float = 120.0) -> None:
        """Open the Train tab, press Run; return once the loss curve has grown (or the page
        says the session is queued for a training slot)."""
        from bokeh.document.events import ColumnsStreamedEvent, ModelChangedEvent

        self.open_train_tab()

        def started(e) -> bool:
            return isinstance(e, ColumnsStreamedEvent) or (
                isinstance(e, ModelChangedEvent) and isinstance(e.new, str) and "queued" in e.new)
        self.timed(self._clicker("\u25b6 Run"), started, timeout)

    def steps_shown(self) -> int:
        """The last step on this page's loss curve (0 before any)."""
        curves = self.find(lambda m: type(m).__name__ == "ColumnDataSource"
                           and {"step", "loss", "accuracy"} <= set(m.data))[0]
        return self.call(lambda: int(curves.data["step"][-1]) if len(curves.data["step"]) else 0)

    def pause_training(self) -> None:
        self.call(self._clicker("\u275a\u275a Pause"))

    def close(self) -> None:
        self.loop.add_callback(self.client.close)
        self.thread.join(30)
        if self.errors:
            raise RuntimeError(f"a patch from the server could not be applied: {self.errors[0]}")


# ---- a served autograd-ui, measured from outside ----------------------------------------------

def pages_mb(pid: int, fields=("Pss",)) -> dict:
    """``fields`` of one process's ``/proc/PID/smaps_rollup`` (Rss, Pss, Shared_Dirty, ...), in
    MB."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            name, *rest = line.split()
            if name.rstrip(":") in fields:
                out[name.rstrip(":")] = int(rest[0]) / 1024
    return out


def pss_mb(pids) -> float:
    """Proportional set size of ``pids`` together (MB): forked processes share their parent's
    pages, which RSS would count once per process."""
    total = 0.0
    for pid in pids:
        try:
            total += pages_mb(pid)["Pss"]
        except OSError:
            continue
    return total


class ServedApp:
    """``python -m app`` (the CLI, as a teacher runs it) in a process group of its own, with fast
    session expiry; ``url``, ``pids`` (the serving processes), ``memory_mb()``, ``stop()``."""

    def __init__(self, num_procs: int = 1, gc_log: str | None = None):
        import os
        import subprocess
        import sys
        import urllib.request
        from pathlib import Path

        repo = Path(__file__).resolve().parents[1]
        sys.path.insert(0, str(repo / "tests"))
        from browser_support import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONMALLOC"}   # the CLI's own
        env["PYTHONPATH"] = str(repo)
        # with gc_log, each garbage collection of the served processes timed (bench.load_gc)
        program = ["app"] if gc_log is None else ["bench.load_gc", gc_log]
        if gc_log is not None:
            env["PYTHONMALLOC"] = "malloc"      # what the CLI would set for itself
        self.proc = subprocess.Popen(
            [sys.executable, "-m", *program, "--address", "127.0.0.1", "--port", str(self.port),
             "--num-procs", str(num_procs), "--unused-session-lifetime", "1000",
             "--check-unused-sessions", "500"], cwd=repo, env=env, start_new_session=True,
            stdout=subprocess.DEVNULL,     # LOAD_SERVER_LOG=path keeps the server's log there
            stderr=open(os.environ["LOAD_SERVER_LOG"], "ab") if os.environ.get("LOAD_SERVER_LOG")
            else subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(self.url, timeout=30):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("autograd-ui did not start")
                time.sleep(0.5)
        self.pids = ([self.proc.pid] if num_procs == 1 else
                     [p for p in children(self.proc.pid) if not _is_worker(p)])

    def memory_mb(self) -> float:
        return pss_mb(self.pids)

    def memory_all_mb(self) -> float:
        """PSS of every process of the server: the serving ones and, with --num-procs > 1,
        their parent (which shares pages with them; a page only it still holds counts here
        only)."""
        return pss_mb(set(self.pids) | {self.proc.pid})

    def settle(self, timeout: float = 120.0, window: float = 15.0, tol_mb: float = 1.0):
        """Wait until memory stays within ``tol_mb`` for ``window`` s: (MB, seconds until it
        reached that level, settled before ``timeout``). The window outlasts what happens after
        the last close (sessions discarded 1-1.5 s later, the trim 2 s after that, then a
        collection of seconds): nothing changes before it is done, so a 5 s window read the
        memory of 50 closed sessions as settled (23:26 UTC run, --num-procs 2)."""
        t0, samples = time.monotonic(), []
        while True:
            now, mb = time.monotonic(), self.memory_mb()
            samples.append((now, mb))
            recent = [(t, m) for t, m in samples if t >= now - window]
            if now - t0 >= window and max(m for _, m in recent) - min(m for _, m in recent) \
                    <= tol_mb:
                return mb, recent[0][0] - t0, True
            if now - t0 > timeout:
                return mb, now - t0, False
            time.sleep(0.2)

    def stop(self) -> None:
        import os
        import signal

        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(30)
        except (ProcessLookupError, OSError):
            pass
        except Exception:   # noqa: BLE001 - still running: no leftovers
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def children(pid: int) -> list[int]:
    """The process ids whose parent is ``pid`` (Linux: read from /proc)."""
    from app.serve_supervisor import children as of

    return of(pid)


def _is_worker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"multiprocessing" in f.read()
    except OSError:
        return False
