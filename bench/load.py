"""Load benchmark: a classroom on one server. N sessions, K of them training, sliders moved in
all; slider latency against idle, memory per session and after all close.

    python -m bench.load                       # N=50 sessions, K=5 training, process pool
    python -m bench.load -n 20 -k 5 --kinds process,thread,inline
    python -m bench.load --kinds "" --num-procs 1,2   # autograd-ui itself, timed in the clients

The server (``pn.serve`` of ``app.create_app``, in a child process so its memory is its own)
gets N sessions opened by Bokeh's websocket client (``bokeh.client.pull_session``) from this
process. Latency is measured on the server: a slider value is handed to a session's document
(``doc.add_next_tick_callback``, the way a browser's message arrives) and timed until the
session's recompute and patches are done, i.e. how long the event loop makes a user wait. Moves
go to random sessions other than the K trainers, with nobody training (idle) and while the K
train the demo MLP (moons 100, MLP(2, [16, 16, 1])), in ``--rounds`` alternating phases (a
change of the machine's load then falls on both). ``--kinds`` compares where the steps run
(``app.train.pool``): ``process`` (default), ``thread``, ``inline`` (slices on the loop).
The trainers (and every 5th session) open the Train tab before anything is timed, so the
timed moves see training, not the one-off building of those tabs.
Memory: the server's RSS at start, per open session (Graph tab; every 5th session also opened
the Train tab), and after all sessions closed and were discarded, read once the app's own
collection and heap trim has run and RSS has stopped moving (with how long that took), then
after a further collect and trim of the benchmark's own; while closing, the longest stall of
the server process (a thread that sleeps 5 ms, woken late) and its garbage collections.

``--num-procs 1,2`` also serves with the CLI itself (``autograd-ui --num-procs N``, a process
of its own) and drives its sessions from the clients (``bench.load_client``): a move is timed
from the slider's value sent by the client to the graph's patch arriving back, and memory is
the serving processes' PSS (forked processes share pages), read at start once the server
answers and its memory is steady (after the CLI's own warm-up, ``app.serve_warmup``; before
any session), and after each of ``--cycles`` classes of N opened and closed (the first one is
the timed class): what is made once per process shows in the first cycle only, a leak in
every cycle. Also printed: the PSS of all the server's processes (with ``--num-procs 2`` their
parent too), and the longest garbage collection of the serving processes while the class
opened, during the timed moves and while it closed (the CLI run by ``bench.load_gc``).
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import multiprocessing
import os
import random
import statistics
import time

from .load_server import (DEMO_LEAF_VALUES, InProcessServer, StallProbe, log, rss_mb,
                          settle_rss)

__all__ = ["InProcessServer", "run", "main"]


# ---- the benchmark: server in a child process, clients here --------------------------------

def _serve(conn, kind: str) -> None:
    """Child process: serve, then answer the parent's commands over ``conn``."""
    from app.memory import freeze_when_idle
    from app.train.pool import TrainingPool, use_pool

    use_pool(TrainingPool(kind))
    freeze_when_idle()                  # as the CLI serves
    server = InProcessServer(lifetime_ms=1000).__enter__()
    conn.send(("url", server.url, rss_mb()))
    rng = random.Random(1)
    probe, stalls = None, StallProbe()
    while True:
        cmd, *args = conn.recv()
        if cmd == "opened":
            n, n_train = args
            server.wait(lambda: len(server.apps) >= n)
            server.mark_connected()
            # the trainers and every 5th session open the Train tab, and their network views
            # are built (a one-off per session), before anything is timed
            for i, app in enumerate(server.apps):
                if (i < n_train or i % 5 == 0) and app.train_view is None:
                    server.open_train_tab(app)
            server.wait(lambda: all(network_built(a) for a in server.apps))
            time.sleep(1.0)
            gc.collect()
            conn.send(rss_mb())
        elif cmd == "latency":
            n_train, moves, train = args
            trainers = server.apps[:n_train] if train else []
            for app in trainers:
                server.start_training(app)
            time.sleep(1.0)              # every trainer's page updated once: steady training
            ms = []
            for _ in range(moves):
                app = rng.choice(server.apps[n_train:] or server.apps)
                ms.append(server.slider_move(app, rng.choice(DEMO_LEAF_VALUES)))
                time.sleep(rng.uniform(0.02, 0.06))
            steps = sum(a.train_view.trainer.k for a in trainers)    # since the Train tab opened
            for app in trainers:
                server.pause_training(app)
            del trainers, app            # or these sessions would look leaked after close
            conn.send((ms, steps))
        elif cmd == "closed":
            ok = server.wait(lambda: not server.apps, 120)
            # app.session collects and trims once sessions end: wait for it, and for RSS to
            # stay put, rather than a fixed time (at 50 sessions under load it takes seconds)
            rss, settled_s, steady = settle_rss()
            # the longest stall and collection since the closes began, all collections' time
            stall_ms = (stalls.max_ms, stalls.gc_max_ms, stalls.gc_total_ms)
            gc.collect()
            # freed but kept by the C allocator, or still alive? give free pages back and count
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            conn.send((ok, rss, rss_mb(), census(), settled_s, steady, stall_ms))
            if os.environ.get("LOAD_PROBE"):
                from .load_probe import probe as take_probe

                probe = take_probe(probe)
        elif cmd == "closing":
            stalls.reset()
            conn.send("ok")
        elif cmd == "stop":
            server.thread.stop()
            use_pool(None)       # its workers exit now, not when this process is joined
            conn.send("stopped")
            return



def _register_page_models() -> None:
    """Bokeh's client must know every model class a page holds, including those Panel makes
    at run time (e.g. ``FileUpload1``): making one app here makes them, with the same names."""
    from app.factory import create_app

    create_app()


def network_built(app) -> bool:
    """The app has no Train tab, or its network view has been built."""
    return app.train_view is None or app.train_view.network.model is not None


def census() -> int:
    """Live app instances and training models in this process."""
    from app.factory import AutogradApp
    from app.train.model import TrainModel

    gc.collect()
    return sum(isinstance(o, (AutogradApp, TrainModel)) for o in gc.get_objects())


def percentile(values, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]



def run(n: int, k: int, kind: str, moves: int, malloc: str = "malloc", rounds: int = 3) -> dict:
    from bokeh.client import pull_session

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child, kind), daemon=False)
    saved = os.environ.get("PYTHONMALLOC")
    os.environ["PYTHONMALLOC"] = malloc      # the server's allocator, as the CLI sets it
    try:
        proc.start()
    finally:
        if saved is None:
            del os.environ["PYTHONMALLOC"]
        else:
            os.environ["PYTHONMALLOC"] = saved
    _, url, _ = parent.recv()
    _register_page_models()
    # warm-up: one session with the Train tab, trained and closed, so that modules imported
    # and caches filled by a first session are in the baseline
    warm = pull_session(url=url)
    parent.send(("opened", 1, 1))
    parent.recv()
    parent.send(("latency", 1, 5, True))
    parent.recv()
    warm.close()
    parent.send(("closed",))
    _, _, rss_start, *_ = parent.recv()
    log(kind, "warm; opening", n, "sessions")
    clients = [pull_session(url=url) for _ in range(n)]
    parent.send(("opened", n, k))
    rss_open = parent.recv()
    idle, busy, steps = [], [], 0
    for r in range(rounds):          # interleaved, so that a change of machine load between
        log(kind, "idle moves")      # phases does not count as the training's doing
        parent.send(("latency", k, moves // rounds, False))
        idle += parent.recv()[0]
        log(kind, "training moves")
        parent.send(("latency", k, moves // rounds, True))
        ms, steps = parent.recv()    # the trainers' steps so far
        busy += ms
    log(kind, "closing")
    parent.send(("closing",))
    parent.recv()
    for c in clients:
        c.close()
    parent.send(("closed",))
    destroyed, rss_closed, rss_trimmed, alive, settled_s, steady, stall_ms = parent.recv()
    log(kind, "closed")
    parent.send(("stop",))
    parent.recv()
    proc.join(30)
    return {"kind": kind, "n": n, "k": k, "idle_p50": statistics.median(idle),
            "idle_p95": percentile(idle, 0.95), "busy_p50": statistics.median(busy),
            "busy_p95": percentile(busy, 0.95), "steps": steps,
            "rss_start": rss_start, "rss_per_session": (rss_open - rss_start) / n,
            "rss_closed": rss_closed, "rss_trimmed": rss_trimmed, "alive": alive,
            "settled_s": settled_s, "steady": steady, "stall_ms": stall_ms,
            "all_destroyed": destroyed}


def run_client(n: int, k: int, moves: int, num_procs: int, rounds: int = 3,
               cycles: int = 2) -> dict:
    """The same phases against ``autograd-ui --num-procs num_procs`` (the CLI, in a process of
    its own), timed in the clients (``bench.load_client``); memory is the serving processes'
    proportional set size (PSS: forks share pages). Start: once the server answers and its
    memory is steady, before any session. After the timed class closes, ``cycles - 1`` more
    classes of ``n`` open (the same tabs) and close: growth that stops after the first class
    (something made once per process) shows as a second cycle's ~0, growth per session (a
    leak) as the same growth again."""
    import tempfile

    from . import load_gc
    from .load_client import ServedApp

    _register_page_models()
    rng = random.Random(1)
    gc_log = tempfile.NamedTemporaryFile(prefix="load-gc-", suffix=".txt", delete=False).name
    server = ServedApp(num_procs, gc_log=gc_log)
    label = f"num-procs {num_procs}"
    times, totals = {}, []          # phase -> (start, end); PSS of all processes, parent too
    try:
        mem_start, _, _ = server.settle()
        totals.append(server.memory_all_mb())
        log(label, "ready; opening", n, "sessions")
        t0 = time.time()
        sessions = _open_class(server.url, n, k)
        times["open"] = (t0, time.time())
        time.sleep(1.0)
        mem_open = server.memory_mb()
        t0 = time.time()
        idle, busy = [], []
        for r in range(rounds):                 # interleaved, as in run()
            log(label, "idle moves")
            idle += _client_moves(sessions[k:], moves // rounds, rng)
            log(label, "training moves")
            for s in sessions[:k]:
                s.start_training()
            time.sleep(1.0)
            busy += _client_moves(sessions[k:], moves // rounds, rng)
            for s in sessions[:k]:
                s.pause_training()
        times["moves"] = (t0, time.time())
        time.sleep(1.0)
        steps = sum(s.steps_shown() for s in sessions[:k])
        log(label, "closing")
        t0 = time.time()
        for s in sessions:
            s.close()
        del sessions
        mem_closed, settled_s, steady = server.settle()
        times["close"] = (t0, time.time())
        totals.append(server.memory_all_mb())
        later = []                              # memory after each further class closed
        for cycle in range(2, cycles + 1):
            log(label, f"class {cycle}: opening and closing", n, "sessions")
            again = _open_class(server.url, n, k)
            for s in again[:k]:
                s.start_training()
            again[k].slider_move()
            for s in again[:k]:
                s.pause_training()
            for s in again:
                s.close()
            del again
            later.append(server.settle()[0])
            totals.append(server.memory_all_mb())
    finally:
        server.stop()
    collections = load_gc.read(gc_log)
    os.unlink(gc_log)
    return {"kind": label, "n": n, "k": k, "idle_p50": statistics.median(idle),
            "idle_p95": percentile(idle, 0.95), "busy_p50": statistics.median(busy),
            "busy_p95": percentile(busy, 0.95), "steps": steps, "rss_start": mem_start,
            "rss_per_session": (mem_open - mem_start) / n, "rss_closed": mem_closed,
            "settled_s": settled_s, "steady": steady, "rss_later": later, "totals": totals,
            "gc": {phase: load_gc.longest(collections, *span) for phase, span in times.items()}}


def _open_class(url: str, n: int, k: int) -> list:
    """``n`` driven sessions; the first ``k`` (the trainers) and every 5th open the Train tab."""
    from .load_client import DrivenSession

    sessions = [DrivenSession(url) for _ in range(n)]
    for i, s in enumerate(sessions):
        if i < k or i % 5 == 0:
            s.open_train_tab()
    return sessions


def _client_moves(sessions, moves: int, rng) -> list:
    out = []
    for _ in range(moves):
        out.append(rng.choice(sessions).slider_move())
        time.sleep(rng.uniform(0.02, 0.06))
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--sessions", type=int, default=50)
    ap.add_argument("-k", "--train", type=int, default=5)
    ap.add_argument("--moves", type=int, default=60, help="slider moves per phase")
    ap.add_argument("--rounds", type=int, default=3, help="idle and training phases alternate "
                    "this many times (the moves split between them)")
    ap.add_argument("--kinds", default="process", help="comma-separated: process,thread,inline")
    ap.add_argument("--malloc", default="malloc", help="the server's PYTHONMALLOC, comma-"
                    "separated for several runs: malloc (as autograd-ui runs), pymalloc")
    ap.add_argument("--cycles", type=int, default=2, help="CLI runs: classes of N opened and "
                    "closed in all (the first one timed); memory after each")
    ap.add_argument("--num-procs", default="", help="comma-separated, e.g. 1,2: also serve with "
                    "`autograd-ui --num-procs N` and time the moves in the clients")
    args = ap.parse_args(argv)
    print(f"{args.sessions} sessions, {args.train} training, {args.moves} slider moves per phase",
          flush=True)
    print("kind/malloc        idle p50/p95 ms   training p50/p95 ms   p50 x  p95 x  steps  "
          "RSS start  per session  after close (settled in s; then collected+trimmed, apps "
          "alive)  while closing: longest stall, longest/all gc")
    for kind, malloc in [(k, m) for k in args.kinds.split(",") if k
                         for m in args.malloc.split(",")]:
        r = run(args.sessions, args.train, kind, args.moves, malloc, args.rounds)
        print(f"{kind + '/' + malloc:18s} {r['idle_p50']:6.1f} / {r['idle_p95']:6.1f}   "
              f"{r['busy_p50']:7.1f} / {r['busy_p95']:7.1f}     "
              f"{r['busy_p50'] / r['idle_p50']:4.2f}  {r['busy_p95'] / r['idle_p95']:4.2f}  "
              f"{r['steps']:5d}  {r['rss_start']:6.0f} MB  {r['rss_per_session']:6.2f} MB  "
              f"{r['rss_closed']:6.0f} MB (in {r['settled_s']:.1f} s"
              f"{'' if r['steady'] else ', NOT settled'}; {r['rss_trimmed']:.0f} MB, "
              f"{r['alive']})  {r['stall_ms'][0]:.0f} ms, {r['stall_ms'][1]:.0f}/"
              f"{r['stall_ms'][2]:.0f} ms"
              f"{'' if r['all_destroyed'] else ' (not all destroyed)'}",
              flush=True)
    for num_procs in [int(p) for p in args.num_procs.split(",") if p]:
        r = run_client(args.sessions, args.train, args.moves, num_procs, args.rounds, args.cycles)
        print(f"{r['kind']:18s} {r['idle_p50']:6.1f} / {r['idle_p95']:6.1f}   "
              f"{r['busy_p50']:7.1f} / {r['busy_p95']:7.1f}     "
              f"{r['busy_p50'] / r['idle_p50']:4.2f}  {r['busy_p95'] / r['idle_p95']:4.2f}  "
              f"{r['steps']:5d}  {r['rss_start']:6.0f} MB  {r['rss_per_session']:6.2f} MB  "
              f"{r['rss_closed']:6.0f} MB (in {r['settled_s']:.1f} s"
              f"{'' if r['steady'] else ', NOT settled'}; PSS, timed in the client)"
              + "".join(f"; after class {i + 2}: {mb:.0f} MB ({mb - r['rss_closed']:+.0f})"
                        for i, mb in enumerate(r["rss_later"])), flush=True)
        print(f"{'':18s} all processes (PSS, the parent too): "
              + " -> ".join(f"{mb:.0f}" for mb in r["totals"]) + " MB (start, after each "
              "class); longest garbage collection (ms, generation) while the class opened "
              "{open}, during the moves {moves}, while it closed {close}".format(
                  **{p: f"{ms:.0f} (gen {gen})" for p, (ms, gen) in r["gc"].items()}),
              flush=True)


if __name__ == "__main__":
    main()
