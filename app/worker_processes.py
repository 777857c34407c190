"""What the app's two worker pools share: one pool per server process, and workers that run
nicer than the server.

Training steps (:mod:`app.train.pool`) and polished layouts (:mod:`app.graph_page.refine_pool`)
each run in spawned worker processes fed by a pool object. The pool is the only state sessions
share and holds no session's data; there is one per server process (made on first use, so the
forks of ``--num-procs`` never share one) and tests and benchmarks replace it.
"""

from __future__ import annotations

import os

#: Worker processes run this much nicer than the server: when the CPU is short (a 2-core
#: server, or one shared with other work), the server's event loop, which every student's
#: slider waits on, goes first; the workers, which are throughput, take what is left (all of an
#: idle core). Relative, so a server started under ``nice`` still comes first (at most 19).
WORKER_NICE = 10


def worker_niceness() -> int:
    """The niceness for a new worker: the server's plus ``WORKER_NICE``, at most 19."""
    return min(19, os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICE)


def executor_processes(executor) -> dict:
    """{pid: process} of a ``ProcessPoolExecutor``'s workers (started on demand, at a submit).
    A private attribute: public only from Python 3.14 (``terminate_workers``)."""
    return dict(getattr(executor, "_processes", None) or {})


def lower_priority(executor, niced: set) -> None:
    """Give each worker of ``executor`` not yet in ``niced`` the niceness ``worker_niceness()``
    and add it there. From the pool, not the worker's initializer: that comes from the engine,
    which knows nothing of serving."""
    processes = executor_processes(executor)
    if not processes:
        return
    try:
        nice = worker_niceness()
    except (AttributeError, OSError):              # no getpriority (Windows)
        return
    for pid in processes:
        if pid not in niced:
            niced.add(pid)
            try:
                os.setpriority(os.PRIO_PROCESS, pid, nice)
            except (AttributeError, OSError):      # no setpriority (Windows), or gone
                pass


class PerProcess:
    """One object per process, made by ``make()`` on first ``get()``; a forked process gets its
    own. ``replace(obj)`` swaps it (``None``: none until the next ``get``), shutting the old one
    down."""

    def __init__(self, make):
        self._make = make
        self._by_pid: dict = {}

    def get(self):
        pid = os.getpid()
        if pid not in self._by_pid:
            self._by_pid[pid] = self._make()
        return self._by_pid[pid]

    def replace(self, obj) -> None:
        old = self._by_pid.pop(os.getpid(), None)
        if old is not None and old is not obj:
            old.shutdown()
        if obj is not None:
            self._by_pid[os.getpid()] = obj

    def __len__(self) -> int:
        """How many processes have one (tests: a warm-up must leave none)."""
        return len(self._by_pid)
