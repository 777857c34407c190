"""What another student's slider waits while one session's polished layout is made (issue 10).

    python -m bench.app_refine [--rounds 3]

A Bokeh server in this process (``pn.serve``, threaded), two sessions opened with Bokeh's
websocket client. Session A applies an 834-node random expression (its quick layout is shown,
then its polished layout, ~3 s of CPU, is made and swapped in); meanwhile session B's leaf is
moved again and again, each move timed from the benchmark's thread until its callback has run
on B's document (``run_on``, what a slider message runs). Rows:

- idle: B's moves with nothing else running;
- polish in the worker process (the app's way: ``app.graph_page.refine_pool``, nice +10);
- polish in a server thread (what running it in ``structure_pool()`` would do: the same
  ``layered_layout(fast=False)`` call in a thread of the server process, sharing its GIL).

Each prints B's moves per second and the median / 90th percentile / longest wait, and the ratio
of the median to idle's (same process, same run). Also: the swap itself on A's thread (the
"layout" frame: geometry columns replaced, info patched), timed around ``GraphModel.relayout``.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from bench.app_open import random_text
from bench.served import Server, open_session, run_on

BIG = random_text(330)


def _moves_until(doc, leaves, lid, stop, limit_s=60.0) -> list:
    waits, t_end = [], time.monotonic() + limit_s
    while not stop() and time.monotonic() < t_end:
        t0 = time.perf_counter()
        run_on(doc, lambda i=len(waits): setattr(leaves, lid, 0.5 + 0.01 * (i % 50)))
        waits.append(time.perf_counter() - t0)
    return waits


def _row(name, waits, span_s, idle_median=None) -> str:
    waits = sorted(waits)
    med = statistics.median(waits)
    p90 = waits[int(0.9 * (len(waits) - 1))]
    ratio = f"{med / idle_median:5.2f}x" if idle_median else "   1x"
    return (f"{name:<34} {len(waits) / span_s:7.1f}/s  median {med * 1e3:6.1f} ms  p90 "
            f"{p90 * 1e3:6.1f} ms  max {waits[-1] * 1e3:7.1f} ms  median/idle {ratio}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--verbose", action="store_true", help="when the longest waits were")
    args = ap.parse_args(argv)
    from app.graph_page.model import GraphModel
    from app.graph_page.refine import polish_job

    swaps = []
    real_relayout = GraphModel.relayout

    def timed_relayout(self, layout):
        t0 = time.perf_counter()
        real_relayout(self, layout)
        swaps.append(time.perf_counter() - t0)
    GraphModel.relayout = timed_relayout

    from app import create_app

    server = Server(create_app)
    (client_a, a, doc_a), (client_b, b, doc_b) = open_session(server), open_session(server)
    clients = [client_a, client_b]
    lid = b.model.compiled.leaf_ids[0]
    rows, swapped = [], []
    try:
        for r in range(args.rounds):
            t0 = time.perf_counter()
            idle = _moves_until(doc_b, b.model.leaves, lid, lambda: time.perf_counter() - t0 > 3.0)
            idle_s = time.perf_counter() - t0
            # the app's way: apply in A, wait for its quick layout, time B until the swap
            applied = a.refiner.applied
            before = a.model.compiled

            def apply_big(text=BIG + "\n" * r):
                a.editor.text.value = text
                a.editor._apply()
            t_apply = time.perf_counter()
            run_on(doc_a, apply_big)
            # timed once A's quick layout is on screen (its own show runs on the loop, as any
            # Apply's does: not what is measured here)
            while a.model.compiled is before or a.busy.pending or not a.refiner.pending:
                time.sleep(0.01)
            t1 = time.perf_counter()
            worker = _moves_until(doc_b, b.model.leaves, lid, lambda: a.refiner.applied > applied,
                                  limit_s=600)
            worker_s = time.perf_counter() - t1
            if args.verbose:      # when the longest waits were, in s before the swap was seen
                ends = [t1 + sum(worker[:k + 1]) for k in range(len(worker))]
                top = sorted(range(len(worker)), key=lambda k: -worker[k])[:3]
                print("  longest waits:", ", ".join(f"{worker[k] * 1e3:.0f} ms at {ends[k] - ends[-1]:+.1f} s"
                                                      for k in top), flush=True)
            swapped.append(time.perf_counter() - t_apply)
            # the same polish in a thread of the server process
            fn, fargs, fkwargs = polish_job(a.model.compiled)
            done = threading.Event()
            threading.Thread(target=lambda: (fn(*fargs, **fkwargs), done.set()), daemon=True).start()
            t2 = time.perf_counter()
            thread = _moves_until(doc_b, b.model.leaves, lid, done.is_set)
            thread_s = time.perf_counter() - t2
            idle_med = statistics.median(idle)
            rows.append((r, [_row("idle", idle, idle_s),
                             _row(f"polish in the worker ({worker_s:.1f} s)", worker, worker_s, idle_med),
                             _row(f"polish in a server thread ({thread_s:.1f} s)", thread, thread_s, idle_med)]))
            print(f"round {r + 1}:", *rows[-1][1], sep="\n  ", flush=True)
        print("Apply to polished layout on screen (A): "
              f"{', '.join(f'{s:.1f}' for s in swapped)} s")
        print(f"swap on A's thread (GraphModel.relayout, 834 nodes): "
              f"{', '.join(f'{s * 1e3:.0f}' for s in swaps)} ms")
    finally:
        import logging

        logging.getLogger("tornado").setLevel(logging.CRITICAL)   # the closing websockets' noise
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        logging.getLogger("panel.io.document").setLevel(logging.CRITICAL)
        for c in clients:
            c.close()
        from app.graph_page.refine_pool import use_refine_pool

        use_refine_pool(None)
        server.stop()


if __name__ == "__main__":
    main()
