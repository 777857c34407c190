"""Closed sessions' memory leaves the process (app.memory): the heap is trimmed once after
sessions end, off the event loop, and the CLI serves with the system allocator."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from bokeh.client import pull_session

from browser_support import free_port
from test_server_sessions import server_factory  # noqa: F401 - a fixture

from app import memory
from app.factory import create_app

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def trims(monkeypatch):
    """The heap trims asked for (times), instead of trimming."""
    calls = []
    monkeypatch.setattr(memory, "trim_now", lambda: calls.append(time.monotonic()) or True)
    return calls


def _until(predicate, timeout=30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


def test_sessions_ending_together_get_one_trim(trims):
    for _ in range(5):
        memory.trim_soon(0.2)
    assert _until(lambda: trims), "no trim"
    time.sleep(0.5)
    assert len(trims) == 1
    memory.trim_soon(0.01)            # a later end gets its own
    assert _until(lambda: len(trims) == 2)


def test_a_session_ending_trims_the_heap(server_factory, trims):  # noqa: F811
    server = server_factory(create_app)
    client = pull_session(url=server.url)
    assert client.document.roots
    client.close()
    assert server.wait(lambda: server.destroyed, timeout=30), "the session was not destroyed"
    assert _until(lambda: trims), "the heap was not trimmed after the session ended"


def test_trim_now_runs_where_glibc_is():
    assert memory.trim_now() is sys.platform.startswith("linux")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PYTHONMALLOC only set on Linux")
@pytest.mark.parametrize("given,expected", [(None, b"malloc"), ("pymalloc", b"pymalloc")])
def test_the_cli_serves_with_the_system_allocator_unless_told(given, expected):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONMALLOC"}
    env["PYTHONPATH"] = REPO
    if given:
        env["PYTHONMALLOC"] = given
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app", "--port", str(port),
                             "--address", "127.0.0.1"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def listening():
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0
        assert _until(listening, timeout=120), "the server did not start"
        with open(f"/proc/{proc.pid}/environ", "rb") as f:
            served_env = dict(v.split(b"=", 1) for v in f.read().split(b"\0") if b"=" in v)
        assert served_env.get(b"PYTHONMALLOC") == expected
    finally:
        proc.terminate()
        proc.wait(30)


def test_a_release_that_fails_does_not_hold_up_the_others_nor_the_trim(monkeypatch):
    """app.session_release: ended sessions are released one after another on the loop; one
    that raises is left to the collector, the next ones still go and nothing stays pending
    (the heap trim waits while a release is pending: a stuck queue would keep it away)."""
    import asyncio

    from app import session_release

    released = []

    def release(app, models):
        if app == "broken":
            raise RuntimeError("a session whose objects cannot be cleared")
        released.append(app)

    monkeypatch.setattr(session_release, "release", release)

    async def end_three_sessions():
        for app in ("first", "broken", "last"):
            session_release.release_soon(app, ())
        for _ in range(500):
            if not session_release.releases_pending():
                return
            await asyncio.sleep(0.01)

    asyncio.run(end_three_sessions())
    assert released == ["first", "last"]
    assert not session_release.releases_pending()


WARM_UP_PROBE = """
import gc, sys, threading
import panel as pn
import app.cli
pn.extension("katex")
before = set(sys.modules)
from app.serve_warmup import warm_up
warm_up()
from app.factory import AutogradApp
from app.train.model import TrainModel
from app.train.pool import _pools
gc.collect()
imported = set(sys.modules) - before
print(sorted(m for m in ("app.train.view", "engine.train", "contourpy") if m in imported))
print(sum(isinstance(o, (AutogradApp, TrainModel)) for o in gc.get_objects()), len(_pools),
      threading.active_count())
"""


def test_warm_up_builds_a_session_once_and_keeps_nothing_of_it():
    """app.serve_warmup (the CLI, before it serves): what a first session imports for good
    (the Train tab's modules, contourpy for its decision boundary) is imported then, in a
    fresh process; no app, training model, training pool or thread is left."""
    out = subprocess.run([sys.executable, "-c", WARM_UP_PROBE], cwd=REPO, capture_output=True,
                         text=True, timeout=300, env=dict(os.environ, PYTHONPATH=REPO))
    assert out.returncode == 0, out.stderr
    modules, left = out.stdout.strip().splitlines()
    assert modules == "['app.train.view', 'contourpy', 'engine.train']"
    assert left == "0 0 1"


def test_the_cli_warms_up_before_it_serves(monkeypatch):
    """Before ``pn.serve`` (which is where ``--num-procs`` forks), so forked processes share
    what the warm-up made."""
    import panel as pn

    from app import cli, serve_warmup

    calls = []
    monkeypatch.setattr(serve_warmup, "warm_up", lambda *a: calls.append(("warm_up", a)))
    monkeypatch.setattr(memory, "freeze_startup", lambda: calls.append(("freeze", ())))

    def serve(*args, **kwargs):
        calls.append(("serve", ()))
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(pn, "serve", serve)
    assert cli.main(["--port", str(free_port()), "--preset", "neuron"]) == 1
    assert calls == [("warm_up", (None, "neuron")), ("freeze", ()), ("serve", ())]


def test_holoviews_backend_is_loaded_once_per_process():
    """Every ``hv.extension`` call rebuilds ``hv.opts``' builders (signatures of every
    element's options); made per session, each set outlived its session, scattered among the
    sessions' objects, and held freed heap pages in memory after a class left."""
    import gc
    import inspect

    from app.factory import load_extensions

    load_extensions(train=True)
    signatures = lambda: {id(o) for o in gc.get_objects() if isinstance(o, inspect.Signature)}
    before = signatures()
    load_extensions(train=True)
    assert signatures() - before == set()
