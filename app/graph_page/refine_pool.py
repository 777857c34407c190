"""Where polished layouts are made: one worker process per server process, at a lower priority.

A 150-2,000-node graph is shown with the quick order first (``layered_layout(fast=True)``), and
its polished layout (``fast=False``: ``layouts.mid_order``, 0.5-8 s of pure Python) is made here
and swapped in (:mod:`app.graph_page.refine`). Not in the server's threads: they share the GIL
with the event loop, so a multi-second polish would slow every other session's slider (a GIL
convoy: a 544-node build took 3.8-22 s while another session moved a slider). A spawned worker
process imports ``layouts`` only (the job is ``layouts.layered_layout`` itself on a plain graph)
and runs :data:`~app.worker_processes.WORKER_NICE` nicer than the server, like the training workers:
when the CPU is short the event loop goes first.

Bounds: one worker, so one polish runs at a time per server process; each owner (a session's
refiner) has at most one job waiting, a newer request replacing it (newest wins: only the graph
on screen matters); at most :data:`MAX_WAITING` owners wait, and a request past that is
refused (the session keeps its quick layout). A class of 50 applying 900-node graphs together
thus queues at most ``1 + MAX_WAITING`` polishes (~30 s of one core at most), never 50; the
first come are served first, and nothing promised is dropped later. A running polish cannot be
stopped (killing the worker would cost a new one's start); its result is dropped when its owner
has moved on or gone.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor

from ..worker_processes import PerProcess, executor_processes, lower_priority

log = logging.getLogger(__name__)

#: owners whose polish waits for the worker, at most (see the module docstring)
MAX_WAITING = 8


class RefinePool:
    """Runs ``fn(*args, **kwargs)`` jobs for owners, one at a time, newest request per owner.

    ``request(owner, fn, args, kwargs, deliver)`` -> False when refused (queue full);
    ``deliver(result, error)`` is called once, from the pool's thread (or at once for the
    ``inline`` kind), unless ``cancel(owner)`` came first. ``kind``: ``"process"`` (a spawned
    worker process, fed by one thread of this process; the default) or ``"inline"`` (run at
    once in the caller: notebooks).
    """

    def __init__(self, kind: str = "process", max_waiting: int = MAX_WAITING):
        if kind not in ("process", "inline"):
            raise ValueError(f"kind must be process or inline, got {kind!r}")
        self.kind = kind
        self.max_waiting = max_waiting
        self._cond = threading.Condition()
        self._waiting: OrderedDict = OrderedDict()   # owner -> (fn, args, kwargs, deliver)
        self._running = None                          # [owner, deliver] of the job in the worker
        self._executor = None
        self._thread = None
        self._stopped = False
        self._niced: set = set()
        self.done = 0                                 # jobs finished (delivered or dropped)

    # ---- requests ---------------------------------------------------------------------------
    def request(self, owner, fn, args, kwargs, deliver) -> bool:
        if self.kind == "inline":
            try:
                result, error = fn(*args, **kwargs), None
            except Exception as exc:   # noqa: BLE001 - handed to the owner like a worker's
                result, error = None, exc
            self.done += 1
            deliver(result, error)
            return True
        with self._cond:
            if self._stopped:
                return False
            if owner not in self._waiting and len(self._waiting) >= self.max_waiting:
                log.info("polished layout refused: %d sessions wait for one", len(self._waiting))
                return False
            self._waiting[owner] = (fn, args, kwargs, deliver)   # replaces its older request
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="graph-refine", daemon=True)
                self._thread.start()
            self._cond.notify()
        return True

    def cancel(self, owner) -> None:
        """Forget ``owner``'s waiting job and the delivery of its running one."""
        with self._cond:
            self._waiting.pop(owner, None)
            if self._running is not None and self._running[0] is owner:
                self._running[0] = self._running[1] = None

    @property
    def n_waiting(self) -> int:
        return len(self._waiting)

    @property
    def busy(self) -> bool:
        """Whether a job is in the worker."""
        return self._running is not None

    def holds(self, owner) -> bool:
        """Whether ``owner`` has a job waiting or a delivery pending (tests: a closed session
        must leave nothing here)."""
        with self._cond:
            return owner in self._waiting or (self._running is not None and self._running[0] is owner)

    # ---- the worker ---------------------------------------------------------------------------
    def _serve(self) -> None:
        """The pool's thread: hands the oldest waiting job to the worker process, waits for it
        (a blocked thread holds no GIL), delivers, repeats."""
        while True:
            with self._cond:
                while not self._waiting and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                owner, (fn, args, kwargs, deliver) = self._waiting.popitem(last=False)
                self._running = running = [owner, deliver]
                del owner, deliver
                executor = self._worker()
            try:
                future = executor.submit(fn, *args, **kwargs)
                del fn, args, kwargs
                self._lower_priority(executor)
                result, error = future.result(), None
            except Exception as exc:   # noqa: BLE001 - the worker's failure, handed to the owner
                result, error = None, exc
            with self._cond:
                deliver = running[1]
                running[0] = running[1] = None
                if self._running is running:
                    self._running = None
                self.done += 1
            if deliver is not None:
                deliver(result, error)
            del deliver, result, error, running

    def _worker(self):          # holding the lock
        if self._executor is None:
            # spawn: a fork of a server with running threads may inherit held locks
            from engine.train_worker import exit_with_parent

            self._executor = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"),
                initializer=exit_with_parent, initargs=(os.getpid(),))
        return self._executor

    def _lower_priority(self, executor) -> None:
        """The worker process ``WORKER_NICE`` nicer than the server (as ``TrainingPool`` does)."""
        lower_priority(executor, self._niced)

    @property
    def worker_pids(self) -> list:
        """The worker process's id, once started (tests and benchmarks)."""
        return list(executor_processes(self._executor))

    def shutdown(self) -> None:
        """Drop waiting jobs and stop the worker (a running polish is terminated)."""
        with self._cond:
            self._stopped = True
            self._waiting.clear()
            if self._running is not None:
                self._running[0] = self._running[1] = None
            executor, self._executor = self._executor, None
            self._cond.notify_all()
        if executor is None:
            return
        processes = list(executor_processes(executor).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.terminate()
            proc.join(2.0)


_pools = PerProcess(RefinePool)   # one per server process, made on first use


def refine_pool() -> RefinePool:
    """This process's pool (created on first call; a forked process gets its own)."""
    return _pools.get()


def use_refine_pool(pool: RefinePool | None) -> None:
    """Replace this process's pool (tests and benchmarks)."""
    _pools.replace(pool)
