"""Where training steps run: a per-process pool of workers with a cap on training sessions.

The server's event loop only applies results; the steps (and the one-off compile of a loss
graph) run elsewhere. One ``TrainingPool`` per server process, made on first use (so
``--num-procs`` forks never share one), is the only state sessions share, and it holds no
session's data: a job carries a picklable ``engine.train.TrainState`` in and out.

Kinds (``bench.load`` compares them; ``process`` is the default, see ``DEFAULT_KIND``):

- ``process``: a ``ProcessPoolExecutor`` (spawned, so the workers import the engine only)
  with ``cpu_count - 1`` workers; the loop's own core stays free and the GIL is not shared.
- ``thread``: a thread pool in the server process (shares the GIL with the loop).
- ``inline``: the job runs on the event loop itself, in slices of at most ``SLICE_S``.

At most ``max_training`` sessions train at once; the others wait in FIFO order and are told
when a slot frees (``acquire``'s ``on_granted``), so the page can say "queued".
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait as wait_for_ready

from engine.train import exit_with_parent, run_in_worker, run_steps

from ..worker_processes import PerProcess, executor_processes, lower_priority

DEFAULT_KIND = "process"
SLICE_S = 0.006          # inline kind: longest run of steps per tick on the loop
JOB_BUDGET_S = 0.08      # any kind: a job returns after this long, so results show steadily


def default_workers() -> int:
    """Leave one core to the event loop: 1 worker on a 2-core machine."""
    return max(1, (os.cpu_count() or 2) - 1)


class TrainingPool:
    """Runs training jobs for every session of one process; caps concurrent sessions.

    ``acquire(owner, on_granted)`` -> True when ``owner`` may train now; otherwise it is queued
    and ``on_granted()`` is called (from the releasing thread) when its turn comes.
    ``release(owner)`` frees its slot or leaves the queue. ``submit(state, n)`` -> a
    ``Future`` of ``engine.train.run_steps``'s result.
    """

    def __init__(self, kind: str = DEFAULT_KIND, workers: int | None = None,
                 max_training: int | None = None):
        if kind not in ("process", "thread", "inline"):
            raise ValueError(f"kind must be process, thread or inline, got {kind!r}")
        self.kind = kind
        self.workers = workers or default_workers()
        self.max_training = max_training or 4 * self.workers
        self._lock = threading.Lock()
        self._active: set = set()
        self._waiting: OrderedDict = OrderedDict()      # owner -> on_granted
        self._executor = None
        self._cache: dict = {}                          # compiled graphs (thread/inline kinds)
        self._niced: set = set()                        # worker process ids given WORKER_NICE

    # ---- the cap --------------------------------------------------------------------------
    def acquire(self, owner, on_granted) -> bool:
        with self._lock:
            if owner in self._active:
                return True
            if len(self._active) < self.max_training:
                self._active.add(owner)
                return True
            self._waiting[owner] = on_granted
            return False

    def release(self, owner) -> None:
        granted = None
        with self._lock:
            self._waiting.pop(owner, None)
            if owner in self._active:
                self._active.discard(owner)
                if self._waiting:
                    nxt, granted = self._waiting.popitem(last=False)
                    self._active.add(nxt)
        if granted is not None:
            granted()

    @property
    def n_training(self) -> int:
        return len(self._active)

    @property
    def n_waiting(self) -> int:
        return len(self._waiting)

    # ---- the work -------------------------------------------------------------------------
    def submit(self, state, n: int) -> Future:
        if self.kind == "inline":
            future = Future()
            try:
                future.set_result(run_steps(state, n, self._cache, SLICE_S))
            except Exception as exc:   # noqa: BLE001 - handed to the caller like a worker's
                future.set_exception(exc)
            return future
        if self._executor is None:
            self._executor = self._make_executor()
        if self.kind == "thread":
            return self._executor.submit(run_steps, state, n, self._cache, JOB_BUDGET_S)
        try:
            future = self._executor.submit(run_in_worker, state, n, JOB_BUDGET_S)
        except BrokenProcessPool:
            # A worker died (killed for memory, or by hand): the executor then refuses every
            # job, every session's, for good. A new one takes over; the job that was running
            # failed with the same error, which its session shows ("training failed: ...").
            self.shutdown(grace_s=0.0)
            self._executor = self._make_executor()
            future = self._executor.submit(run_in_worker, state, n, JOB_BUDGET_S)
        self._lower_priority()
        return future

    def _lower_priority(self) -> None:
        """Each new worker process ``WORKER_NICE`` nicer than the server (they start on demand,
        at a submit)."""
        lower_priority(self._executor, self._niced)

    def prepare(self, state) -> None:
        """Start the workers and compile ``state``'s loss graph there now (a job of no steps),
        so the first Run does not wait for them. Nothing for the inline kind (it would compile
        on the loop)."""
        if self.kind != "inline":
            self.submit(state, 0)

    def _make_executor(self):
        if self.kind == "thread":
            return ThreadPoolExecutor(self.workers, thread_name_prefix="autograd-ui-train")
        # spawn: a fork of a server with running threads may inherit held locks
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=exit_with_parent, initargs=(os.getpid(),))

    def shutdown(self, grace_s: float = 2.0) -> None:
        """Stop the workers: queued jobs are cancelled; a running job gets ``grace_s`` to end
        (a job returns within ``JOB_BUDGET_S``), then its worker process is terminated.

        Why not just ``shutdown(wait=False)``: a process exits only once its executor's
        manager thread has joined every worker, and ``bench.load``'s server hung there in
        about half its runs (CPython 3.11): the idle worker waited on its job queue for a stop
        message that never came (CPython has known races of this kind around cancelled jobs,
        e.g. python/cpython#94440). Thread workers cannot be stopped; their jobs end within
        ``JOB_BUDGET_S``."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        # the worker processes: a private attribute (public only from 3.14, terminate_workers)
        processes = list(executor_processes(executor).values())
        executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace_s
        for proc in processes:
            proc.join(max(0.0, deadline - time.monotonic()))
        for proc in processes:
            for stop in (proc.terminate, proc.kill):
                if not _exited(proc):
                    stop()
                    proc.join(1.0)


def _exited(proc) -> bool:
    """Whether worker ``proc`` has ended, from its sentinel (ready once the process is gone).
    Not ``is_alive()``: the executor's own thread may reap the worker at the same moment, and
    ``is_alive()`` then reads "alive" until that thread stores the exit code; a signal sent then
    would go to a pid the system may already have given to another process."""
    try:
        return bool(wait_for_ready([proc.sentinel], 0))
    except (ValueError, OSError):      # closed: only a finished process can be
        return True


_pools = PerProcess(TrainingPool)   # one per server process, made on first use


def training_pool() -> TrainingPool:
    """This process's pool (created on first call; a forked process gets its own)."""
    return _pools.get()


def use_pool(pool: TrainingPool | None) -> None:
    """Replace this process's pool (benchmarks and tests: another kind or cap)."""
    _pools.replace(pool)
