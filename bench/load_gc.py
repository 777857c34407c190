"""``python -m bench.load_gc LOG CLI-ARGS...``: ``autograd-ui`` itself (``app.cli.main``) with
each of its garbage collections timed, in every serving process (the hook is set before
``--num-procs`` forks): a line ``pid generation start-time ms collected`` appended to ``LOG``
for each collection of at least :data:`MIN_MS`. ``bench.load`` runs the CLI this way and
reports the longest collection while a class opens, works and leaves: every session of the
process waits that long (a collection holds the GIL, so the event loop).

Run with ``PYTHONMALLOC=malloc`` set (as the CLI sets it for itself when run as a program).
"""
from __future__ import annotations

import gc
import os
import sys
import time

#: Shorter collections are not written (young ones run thousands of times a minute).
MIN_MS = 5.0


def install(path: str) -> None:
    """Time this process's collections (and its forked children's) into ``path``."""
    started = {}

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started["t"], started["wall"] = time.perf_counter(), time.time()
            return
        if "t" not in started:
            return
        ms = 1000 * (time.perf_counter() - started.pop("t"))
        if ms >= MIN_MS:
            with open(path, "a") as f:
                f.write(f"{os.getpid()} {info['generation']} {started['wall']:.3f} {ms:.1f} "
                        f"{info['collected']}\n")

    gc.callbacks.append(on_gc)


def read(path: str) -> list[tuple[int, int, float, float]]:
    """(pid, generation, start time, ms) of each collection written to ``path``."""
    out = []
    try:
        with open(path) as f:
            for line in f:
                pid, gen, wall, ms, _ = line.split()
                out.append((int(pid), int(gen), float(wall), float(ms)))
    except FileNotFoundError:
        pass
    return out


def longest(collections, t0: float, t1: float) -> tuple[float, int]:
    """The longest collection that started between ``t0`` and ``t1`` (ms, its generation),
    (0, -1) if none of at least MIN_MS."""
    within = [(ms, gen) for _, gen, wall, ms in collections if t0 <= wall <= t1]
    return max(within, default=(0.0, -1))


def main(argv: list[str]) -> int:
    install(argv[0])
    from app.cli import main as serve

    return serve(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
