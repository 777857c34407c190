"""Engine benchmark: what a slider move costs.

micrograd (PyPI) has to rebuild the graph and run backward for every new leaf value; the
engine's ``Tape`` re-runs the compiled graph. Both are timed in this process, one after the
other, and compared as ratios (these machines are noisy: absolute times vary, ratios less).

    python -m bench.engine
"""
from __future__ import annotations

import random
import statistics
import sys
import time

from micrograd.engine import Value as MgValue
from micrograd.nn import MLP as MgMLP, Neuron as MgNeuron

from engine import Tape


def median_time(fn, min_time=0.4, min_runs=5) -> float:
    """Median seconds per call of ``fn`` over at least ``min_runs`` calls and ``min_time`` s."""
    times, start = [], time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def lecture(x):
    a, b, c, f = MgValue(x), MgValue(-3.0), MgValue(10.0), MgValue(-2.0)
    return (a * b + c) * f


def neuron_case():
    random.seed(1)
    n = MgNeuron(3)
    return lambda x: n([MgValue(x), MgValue(-1.0), MgValue(0.5)])


def mlp_case(nin, nouts, samples):
    random.seed(1337)
    model = MgMLP(nin, nouts)
    rng = random.Random(0)
    xs = [[rng.uniform(-1, 1) for _ in range(nin)] for _ in range(samples)]
    ys = [rng.choice([-1.0, 1.0]) for _ in range(samples)]

    def loss(x):
        data = [[MgValue(x if (s, i) == (0, 0) else v) for i, v in enumerate(row)]
                for s, row in enumerate(xs)]
        return sum(((model(row) - y) ** 2 for row, y in zip(data, ys)), MgValue(0.0))
    return loss


def chain(x, n=5000):
    y = MgValue(x)
    for _ in range(n):
        y = y * 1.0001
    return y


CASES = [
    ("(a) lecture example", lecture),
    ("(b) 3-input neuron", neuron_case()),
    ("(c) MLP(3,[4,4,1]) loss, 4 samples", mlp_case(3, [4, 4, 1], 4)),
    ("(d) MLP(2,[16,16,1]) loss, 10 samples", mlp_case(2, [16, 16, 1], 10)),
    ("(e) chain of 5,000 ops", chain),
]


def main() -> None:
    sys.setrecursionlimit(50_000)   # micrograd's recursive topological sort needs it at 5,000 ops
    rows = []
    for name, build in CASES:
        xs = iter(range(10**9))

        def micrograd_rebuild():
            out = build(0.5 + next(xs) % 7 * 0.1)
            out.backward()

        root = build(0.5)
        tape = Tape(root)
        leaf = tape.leaf_ids[0]

        def tape_run():
            tape.run({leaf: 0.5 + next(xs) % 7 * 0.1})

        t_mg = median_time(micrograd_rebuild)
        t_tape = median_time(tape_run)
        rows.append((name, len(tape.ids), tape.executor, t_mg, t_tape))

    print(f"{'graph':40} {'values':>7} {'executor':>8} {'micrograd':>11} {'Tape.run':>10} {'speed-up':>9}")
    for name, n, executor, t_mg, t_tape in rows:
        print(f"{name:40} {n:7d} {executor:>8} {t_mg * 1e3:9.3f}ms {t_tape * 1e3:8.3f}ms "
              f"{t_mg / t_tape:8.1f}x")
    print("\nmicrograd: rebuild forward + backward per new leaf value; Tape.run: compiled "
          "re-run (median per call, same process).")


if __name__ == "__main__":
    main()
