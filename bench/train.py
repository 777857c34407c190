"""Time per full-batch training step in micrograd's demo setting, three ways, in one process.

    python -m bench.train [--tape-steps 40] [--rebuild-steps 5]

Setting: moons (100 samples, noise 0.1, seed 1337), MLP(2, [16, 16, 1]) ReLU, max-margin loss
+ 1e-4 L2, lr = 1.0 - 0.9*k/100, full batch. Each way trains from the same initial weights:

- tape:       ``engine.train.Trainer`` (loss graph compiled once into an ``engine.Tape``; a
              step writes weights and inputs into the tape and re-runs it);
- micrograd:  PyPI ``micrograd`` as in karpathy's demo notebook (Values rebuilt every step,
              ``backward()``, ``p.data -= lr * p.grad``): the baseline;
- engine:     the same rebuild loop on ``engine.Value`` (for reference).

Prints the median seconds per step of each and the ratio micrograd / tape (target >= 20x).
The one-off compile time of the tape is printed separately (it is paid once per architecture
and batch size, not per step).
"""
from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np

from engine import Value
from engine.datasets import make_moons
from engine.nn import MLP
from engine.train import TrainConfig, Trainer

DEMO = TrainConfig(hidden=(16, 16), nonlin="relu", loss="max_margin", alpha=1e-4, lr=1.0,
                   schedule="linear_decay", n_steps=100, batch_size=None, seed=1337)


def time_tape(X, y, steps: int):
    t0 = time.perf_counter()
    trainer = Trainer(X, y, DEMO)
    compile_s = time.perf_counter() - t0
    times, losses = [], []
    for _ in range(steps):
        t0 = time.perf_counter()
        record = trainer.step()
        times.append(time.perf_counter() - t0)
        losses.append(record.loss)
    return times, losses, compile_s, trainer.compiled.n_nodes


def rebuild_step(value_cls, model, X, y, k):
    """One step of the demo notebook's loop: build the loss from scratch, backward, update."""
    inputs = [[value_cls(float(v)) for v in row] for row in X]
    scores = [model(row) for row in inputs]
    losses = [(1 + -float(yi) * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    lr = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data


def time_rebuild(value_cls, model, X, y, steps: int):
    times, losses = [], []
    for k in range(steps):
        t0 = time.perf_counter()
        losses.append(rebuild_step(value_cls, model, X, y, k))
        times.append(time.perf_counter() - t0)
    return times, losses


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tape-steps", type=int, default=40)
    parser.add_argument("--rebuild-steps", type=int, default=5)
    args = parser.parse_args(argv)

    X, y = make_moons(100, noise=0.1, seed=1337)
    tape_times, tape_losses, compile_s, n_nodes = time_tape(X, y, args.tape_steps)

    from micrograd.engine import Value as MicrogradValue
    from micrograd.nn import MLP as MicrogradMLP
    random.seed(1337)       # the demo notebook's seed: same initial weights as the tape run
    mg_times, mg_losses = time_rebuild(MicrogradValue, MicrogradMLP(2, [16, 16, 1]), X, y,
                                       args.rebuild_steps)
    en_times, en_losses = time_rebuild(Value, MLP(2, [16, 16, 1], nonlin="relu", seed=1337),
                                       X, y, args.rebuild_steps)

    n = min(len(mg_losses), len(tape_losses))
    agree = float(np.max(np.abs(np.array(mg_losses[:n]) - tape_losses[:n])))
    result = {"tape": statistics.median(tape_times),
              "micrograd": statistics.median(mg_times),
              "engine_rebuild": statistics.median(en_times)}
    result["ratio"] = result["micrograd"] / result["tape"]
    print("full-batch training step, micrograd demo setting "
          f"(moons 100, MLP(2,[16,16,1]) relu, {n_nodes:,} nodes in the loss graph)")
    print(f"{'way':<34}{'median s/step':>14}{'steps':>7}")
    print(f"{'tape (engine.train.Trainer)':<34}{result['tape']:>14.5f}{len(tape_times):>7}")
    print(f"{'micrograd rebuild (PyPI)':<34}{result['micrograd']:>14.5f}{len(mg_times):>7}")
    print(f"{'engine.Value rebuild':<34}{result['engine_rebuild']:>14.5f}{len(en_times):>7}")
    print(f"tape compile (once): {compile_s:.3f} s")
    print(f"speed-up micrograd / tape: {result['ratio']:.0f}x (target >= 20x)")
    print(f"max |loss difference| tape vs micrograd over the first {n} steps: {agree:.1e}")
    return result


if __name__ == "__main__":
    main()
