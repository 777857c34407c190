"""Where a forked server's memory goes: each serving process's pages, shared with the parent
or its own, before any session and after a class opened and closed.

``autograd-ui --num-procs N`` warms up, freezes and then forks: the children start sharing the
parent's heap (imports, the warm-up's caches). Serving writes to objects on those pages (every
reference count change is a write), and the kernel copies each page a process writes to. So a
child's shared pages turn into private ones as it serves, once; that is memory the
proportional set size (``bench.load``'s figure) counts partly and RSS not at all. (On Linux
the parent then execs a small waiter, ``app.serve_supervisor``: the pages only it held went
with it; the "parent" rows show the waiter.)

    python -m bench.load_pages               # --num-procs 2, a class of 20
    python -m bench.load_pages -n 50 --num-procs 3

Prints, per process (the parent, then the children): RSS, PSS, shared and private dirty MB
(``/proc/PID/smaps_rollup``), at start (server ready and steady) and after the class closed.
"""

from __future__ import annotations

import argparse

FIELDS = ("Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Dirty")


def _row(label: str, pid: int) -> str:
    from .load_client import pages_mb

    p = pages_mb(pid, FIELDS)
    return f"| {label} | {pid} | " + " | ".join(f"{p[k]:.0f}" for k in FIELDS) + " |"


def main(argv=None) -> int:
    from .load import _open_class, _register_page_models
    from .load_client import ServedApp

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--sessions", type=int, default=20)
    ap.add_argument("--num-procs", type=int, default=2)
    args = ap.parse_args(argv)
    _register_page_models()
    server = ServedApp(args.num_procs)
    try:
        server.settle()
        pids = [("parent", server.proc.pid)] * (args.num_procs > 1) + [("child", p) for p in server.pids]
        print("| when | process | pid | " + " | ".join(f"{k} MB" for k in FIELDS) + " |")
        print("|---|---|---|" + "---|" * len(FIELDS))
        for label, pid in pids:
            print(_row(f"start | {label}", pid), flush=True)
        sessions = _open_class(server.url, args.sessions, 0)
        for s in sessions:
            s.close()
        del sessions
        server.settle()
        for label, pid in pids:
            print(_row(f"after {args.sessions} closed | {label}", pid), flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
