"""Training off the event loop (issue 12 item 2, issue 11 items 2-3): pause is exact, a capped
pool queues extra sessions with a notice, and a session's slider latency while another session
trains stays within 1.5x of idle (a ratio measured in this run, not a wall-clock bound)."""

from __future__ import annotations

import asyncio
import statistics
import time

import numpy as np
import pytest

from app.train.model import TrainModel
from app.train.pool import TrainingPool, training_pool, use_pool
from app.train.view import create_train_view, status_html
from engine.train import TrainConfig, Trainer

SMALL = TrainConfig(hidden=(4,), seed=3)


@pytest.fixture
def pool():
    """A fresh pool for the test (its own cap), the process's default one back afterwards."""
    made = []

    def make(**kwargs):
        made.append(TrainingPool(**kwargs))
        use_pool(made[-1])
        return made[-1]

    yield make
    use_pool(None)
    for p in made:
        p.shutdown()


async def until(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_pause_is_exact_and_lands_on_a_real_state(pool):
    """After pause() no step is applied, even from a job in flight; the weights shown are
    exactly those of k steps from the start (replayed here), and curves, history and the
    status all say k."""
    pool(kind="process")

    async def scenario():
        view = create_train_view(n_samples=40, config=SMALL, period_ms=10)
        view.run()
        await until(lambda: view.trainer.k >= 6)
        view.pause()
        k, weights = view.trainer.k, view.trainer.weights.copy()
        await asyncio.sleep(0.5)                # any job in flight has come back by now
        return view, k, weights

    view, k, weights = asyncio.run(scenario())
    t = view.trainer
    assert t.k == k and np.array_equal(t.weights, weights) and not view.running
    assert len(t.history) == k == view.curves.n_points == view.model.steps
    assert f"steps done <b>{k}</b>" in view.status.object
    replay = Trainer(t.X, t.y, t.config)
    replay.run(k)
    np.testing.assert_array_equal(replay.weights, t.weights)
    assert [r.loss for r in replay.history] == list(view.curves.source.data["loss"])


def test_a_job_in_flight_at_pause_is_dropped(pool):
    """The pause lands between a job's submission and its result: the result is not applied."""
    pool(kind="thread")

    async def scenario():
        model = TrainModel(config=SMALL, n_samples=40, period_ms=10)
        model.run()
        model.pause()                           # the first job is in flight (or done, unseen)
        await asyncio.sleep(0.5)
        return model

    model = asyncio.run(scenario())
    assert model.trainer.k == 0 and model.steps == 0 and model.trainer.history == []


def two_running():
    """Two small sessions asked to train, in this order (a first)."""
    a = TrainModel(config=SMALL, n_samples=40, period_ms=10)
    b = TrainModel(config=SMALL, n_samples=40, period_ms=10)
    a.run()
    b.run()
    return a, b


def test_sessions_over_the_cap_are_queued_with_a_notice(pool):
    pool(kind="inline", max_training=1)

    async def scenario():
        a, b = two_running()
        await until(lambda: a.trainer.k >= 3)
        assert b.queued and b.running and b.trainer.k == 0
        assert "queued" in status_html(b) and "queued" not in status_html(a)
        a.pause()                               # frees the slot: b starts
        await until(lambda: b.trainer.k >= 3)
        assert not b.queued and training_pool().n_training == 1
        b.pause()
        assert training_pool().n_training == 0 and training_pool().n_waiting == 0

    asyncio.run(scenario())


def test_pausing_while_queued_leaves_the_queue(pool):
    pool(kind="inline", max_training=1)

    async def scenario():
        a, b = two_running()
        b.pause()
        assert not b.queued and training_pool().n_waiting == 0
        a.pause()
        await asyncio.sleep(0.1)
        assert b.trainer.k == 0 and not b.running

    asyncio.run(scenario())


#: Scheduler jitter allowed on top of the 1.5x ratio (ms): on a 2-core machine shared with other
#: test runs, B's ~15-25 ms recompute varies by a few ms whatever A does. For scale: with the
#: steps on the loop (before this design) B's median was 242 ms against 17 ms idle.
NOISE_MS = 5.0


def test_slider_latency_while_another_session_trains(pool):
    """Issue 12/11 acceptance: session B's slider latency (a leaf set on B's document until its
    recompute and patches are done, through the server's event loop) while session A trains is
    at most 1.5x idle: medians over interleaved idle/training rounds in this run."""
    from bench.load import InProcessServer

    pool(kind="process")
    with InProcessServer(sessions=2) as server:
        a, b = server.apps
        server.open_train_tab(a)
        idle, busy = [], []
        for _ in range(5):
            idle += server.slider_latencies(b, 12)
            server.start_training(a)
            busy += server.slider_latencies(b, 12)
            server.pause_training(a)
        trained = a.train_view.trainer.k
    idle_ms, busy_ms = statistics.median(idle), statistics.median(busy)
    assert trained >= 20, "A hardly trained: the comparison would say nothing"
    assert busy_ms <= 1.5 * idle_ms + NOISE_MS, \
        f"B's median latency {busy_ms:.1f} ms while A trains vs {idle_ms:.1f} ms idle"


def test_a_killed_server_leaves_no_training_workers_behind(tmp_path):
    """The pool's worker processes exit when the server that spawned them dies (SIGKILL: no
    chance to shut the pool down)."""
    import os
    import signal
    import subprocess
    import sys

    script = tmp_path / "server.py"
    script.write_text(
        "from app.train.pool import TrainingPool\n"
        "from engine.datasets import make_moons\n"
        "from engine.train import TrainConfig, Trainer\n"
        "if __name__ == '__main__':\n"
        "    X, y = make_moons(20, noise=0.1, seed=1)\n"
        "    pool = TrainingPool('process')\n"
        "    pool.submit(Trainer(X, y, TrainConfig(hidden=(2,))).snapshot(), 1).result()\n"
        "    print(*[p.pid for p in pool._executor._processes.values()], flush=True)\n"
        "    import time; time.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=os.getcwd()))
    workers = [int(p) for p in proc.stdout.readline().split()]
    assert workers and all(_alive(pid) for pid in workers)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "a worker outlived its server"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"     # a zombie has exited
    except FileNotFoundError:
        return False


def test_a_pool_that_refuses_the_job_pauses_the_run_and_says_why(pool):
    """Run whose first job cannot even be submitted (the pool raises): the run stops at once
    and the page says why, never a run that seems to go on with nothing behind it."""
    refusing = pool(kind="thread")

    def submit(state, n):
        raise RuntimeError("no worker can be started")
    refusing.submit = submit

    async def scenario():
        model = TrainModel(n_samples=20, config=SMALL)
        model.run()
        await asyncio.sleep(0.05)
        return model

    model = asyncio.run(scenario())
    assert not model.running and not model.queued
    assert model.error == "training could not start: no worker can be started"
    assert model.trainer.k == 0
