"""``autograd-ui --num-procs 2`` (issue 12 item 6): Tornado forks two serving processes, each
session lives in one of them with its own app, and each process trains in its own pool."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request


from bench.load_client import children
from browser_support import REPO, free_port


def test_two_processes_serve_sessions(tmp_path):
    port = free_port()
    url = f"http://localhost:{port}/"
    # a new process group: Tornado's forking parent does not stop its children on SIGTERM
    proc = subprocess.Popen([sys.executable, "-m", "app", "--port", str(port), "--num-procs", "2"],
                            cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONPATH=str(REPO)))
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, "the server exited"
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.5)
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
