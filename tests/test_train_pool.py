"""The training pool's shutdown is bounded: a worker that does not stop by itself (a job that
never ends, or a worker that never gets its stop message, as bench.load's server saw in about
half its runs) is terminated, so the server process can exit."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time

from app.train.pool import TrainingPool
from engine.datasets import make_moons
from engine.train import TrainConfig, Trainer


def _started_pool() -> TrainingPool:
    X, y = make_moons(20, noise=0.1, seed=1)
    pool = TrainingPool("process", workers=1)
    pool.submit(Trainer(X, y, TrainConfig(hidden=(2,))).snapshot(), 1).result(timeout=120)
    return pool


def test_shutdown_terminates_a_worker_that_does_not_stop():
    before = set(multiprocessing.active_children())
    pool = _started_pool()
    workers = set(multiprocessing.active_children()) - before
    assert workers, "the pool started no worker process"
    # a job that never ends (a real one returns within JOB_BUDGET_S): the worker cannot take
    # its stop message, like a worker that never receives one
    pool._executor.submit(time.sleep, 600)
    try:
        pool.shutdown(grace_s=0.5)
        # The executor's own thread may reap the killed worker (a blocking waitpid) just before
        # this thread looks: is_alive() then reads "alive" until that thread has stored the exit
        # code, a few ms later. A worker still sleeping its 600 s is alive for good.
        deadline = time.monotonic() + 5.0
        while any(w.is_alive() for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(w.is_alive() for w in workers), "a worker outlived the pool's shutdown"
        pool.shutdown()                 # twice is harmless
    finally:
        for w in workers:               # on failure, or this test run waits 600 s at exit
            w.kill()


def test_a_pool_whose_worker_died_takes_new_jobs():
    """A worker killed (out of memory, or by hand) breaks a ProcessPoolExecutor for good: every
    later submit raises BrokenProcessPool, for every session of the server. The pool replaces
    it; only the job that was running fails (its session says so)."""
    import signal
    from concurrent.futures.process import BrokenProcessPool

    X, y = make_moons(20, noise=0.1, seed=1)
    state = Trainer(X, y, TrainConfig(hidden=(2,))).snapshot()
    before = set(multiprocessing.active_children())
    pool = _started_pool()
    try:
        for worker in set(multiprocessing.active_children()) - before:
            os.kill(worker.pid, signal.SIGKILL)
        done, deadline = None, time.monotonic() + 60
        while done is None and time.monotonic() < deadline:
            try:                    # a job sent before the pool saw the death fails with it
                done = pool.submit(state, 2).result(timeout=120)
            except BrokenProcessPool:
                time.sleep(0.1)
        assert done is not None, "the pool never took a job again"
        _state, records, _nodes = done
        assert [r.step for r in records] == [0, 1]   # two steps from the start
    finally:
        pool.shutdown()


def test_a_process_with_a_stuck_worker_exits_after_shutdown(tmp_path):
    """The hang itself: without the bounded shutdown this process waits for the 600 s job."""
    script = tmp_path / "server.py"
    script.write_text(
        "import time\n"
        "from tests.test_train_pool import _started_pool\n"
        "if __name__ == '__main__':\n"
        "    pool = _started_pool()\n"
        "    pool._executor.submit(time.sleep, 600)\n"
        "    pool.shutdown(grace_s=0.5)\n"
        "    print('shut down', flush=True)\n")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONPATH=os.getcwd()))
    assert proc.returncode == 0 and "shut down" in proc.stdout, proc.stderr[-2000:]


def test_workers_yield_the_cpu_to_the_server():
    """Training workers run WORKER_NICE (app.worker_processes) nicer than the server (at most
    19): on a busy machine the event loop every slider waits on goes first, also when the
    server itself runs under ``nice``."""
    from app.worker_processes import WORKER_NICE

    server = os.getpriority(os.PRIO_PROCESS, os.getpid())
    assert server < 19, "the test needs a server that is not already at the lowest priority"
    before = set(multiprocessing.active_children())
    pool = _started_pool()
    try:
        workers = set(multiprocessing.active_children()) - before
        assert workers, "the pool started no worker process"
        for w in workers:
            assert os.getpriority(os.PRIO_PROCESS, w.pid) == min(19, server + WORKER_NICE)
        assert os.getpriority(os.PRIO_PROCESS, os.getpid()) == server
    finally:
        pool.shutdown()
