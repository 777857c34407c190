"""``autograd-ui --num-procs 2`` (issue 12 item 6): Tornado forks two serving processes, each
session lives in one of them with its own app, and each process trains in its own pool; the
first process then becomes a small waiter (``app.serve_supervisor``), not a copy of the server
holding pages no process uses."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request


from bench.load_client import children, pages_mb
from browser_support import REPO, free_port


def _start(port: int, stderr=subprocess.DEVNULL) -> subprocess.Popen:
    # a new process group, so that whatever happens the test's cleanup stops every process
    return subprocess.Popen([sys.executable, "-m", "app", "--port", str(port), "--num-procs", "2"],
                            cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=stderr, env=dict(os.environ, PYTHONPATH=str(REPO)))


def _answers(proc: subprocess.Popen, url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, "the server exited"
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                assert r.status == 200
                return
        except OSError:
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.5)


def test_two_processes_serve_sessions(tmp_path):
    port = free_port()
    url = f"http://localhost:{port}/"
    proc = _start(port)
    try:
        _answers(proc, url)
        assert len(children(proc.pid)) == 2, "Tornado did not fork two serving processes"
        # every page request makes a session in one of the two processes, with its own app
        pages = []
        for _ in range(6):
            with urllib.request.urlopen(url, timeout=60) as r:
                assert r.status == 200
                pages.append(r.read().decode())
        tokens = {re.search(r'"token":\s*"([^"]+)"', page).group(1) for page in pages}
        assert len(tokens) == 6 and all("<title>autograd-ui</title>" in page for page in pages)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


def test_the_first_process_waits_small_and_stops_the_others(tmp_path):
    """After the forks the first process is ``app/serve_supervisor.py`` (same pid, the serving
    processes' parent), with a small heap instead of the server's (~200 MB before); a serving
    process that dies is said on stderr and the other serves on; SIGTERM to the first process
    alone stops them all (Tornado's parent ignored it)."""
    port = free_port()
    url = f"http://localhost:{port}/"
    log = tmp_path / "stderr.txt"
    with open(log, "wb") as err:
        proc = _start(port, stderr=err)
    try:
        _answers(proc, url)
        with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
            assert b"serve_supervisor.py" in f.read()
        assert pages_mb(proc.pid, ("Rss",))["Rss"] < 40
        first, second = sorted(children(proc.pid))
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while b"serving process" not in log.read_bytes():
            assert time.monotonic() < deadline, "the death was not said"
            time.sleep(0.2)
        assert f"serving process {first} ended (signal 9); 1 still serving" in log.read_text()
        assert children(proc.pid) == [second]
        _answers(proc, url)                          # the other one serves on
        os.kill(proc.pid, signal.SIGTERM)            # the first process only
        assert proc.wait(30) == 1                    # one serving process had failed
        assert not os.path.exists(f"/proc/{second}")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        proc.wait(20)
