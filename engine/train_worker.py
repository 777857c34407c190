"""Running a ``Trainer`` in a worker process: ``run_steps`` takes a picklable ``TrainState``
in and gives one back, ``run_in_worker`` is a worker's entry point (with the process's cache of
compiled loss graphs), ``exit_with_parent`` its initializer. Importing this loads the engine
only, never a UI library."""
from __future__ import annotations

import time

import numpy as np

from .loss import CompiledLoss
from .train_records import TrainState
from .trainer import Trainer


def run_steps(state: TrainState, n: int, compiled_cache: dict | None = None,
              budget_s: float | None = None):
    """Up to ``n`` steps from ``state`` (a worker's job: everything in and out is picklable).
    Stops after a non-finite loss, or once ``budget_s`` seconds have passed (at least one
    step). ``compiled_cache`` {key: CompiledLoss} reuses compiled graphs across calls (they
    are stateless between runs) and keeps the last ``CACHE_SIZE``.
    Returns ``(new state, records, nodes per step)``."""
    cache = {} if compiled_cache is None else compiled_cache
    trainer = Trainer.from_state(state, compiled=None)
    compiled = cache.pop(trainer.key, None) or CompiledLoss(*trainer.key)
    cache[trainer.key] = compiled            # most recently used last
    while len(cache) > CACHE_SIZE:
        cache.pop(next(iter(cache)))
    trainer._compiled = compiled
    deadline = None if budget_s is None else time.perf_counter() + budget_s
    records = []
    for _ in range(n):
        records.append(trainer.step())
        if not np.isfinite(records[-1].loss):
            break
        if deadline is not None and time.perf_counter() > deadline:
            break
    return trainer.snapshot(), records, compiled.n_nodes


CACHE_SIZE = 4
_process_cache: dict = {}     # filled only in a worker process, by run_in_worker


def exit_with_parent(parent_pid: int, every_s: float = 0.5) -> None:
    """A worker process's initializer: exit once the process that started it is gone, so a
    server killed without shutting its pool down leaves no workers behind."""
    import os
    import threading

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(every_s)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def run_in_worker(state: TrainState, n: int, budget_s: float | None = None):
    """``run_steps`` with this process's compiled-graph cache: the entry point of a training
    worker process (importing it loads the engine only, never a UI library)."""
    return run_steps(state, n, _process_cache, budget_s)
