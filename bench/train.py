"""Time per full-batch training step in micrograd's demo setting, three ways, in one process.

    python -m bench.train [--tape-steps 40] [--rebuild-steps 5]
    python -m bench.train --live [--ticks 60]

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

``--live``: the Train tab's live network view (issue 11) in the same setting, speed 2 steps per
tick, shown in a Bokeh document. Per tick: the bare training steps (``Trainer.run``), the
network view's server work (``NetworkView.refresh``: weights into its Tape, run, patches, plus
serialising the PATCH-DOC message the server sends) and that message's size; also the whole
page's update as the Train view makes it while training (curves, status and the network;
the boundary image once a second and the table every 2 s are left out). Medians and p95, and
ratios against the bare steps. Budget: network <= 10 ms and <= 16 KiB per tick.
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


def live(ticks: int, speed: int = 2) -> dict:
    """Server work and message size per tick of the live network view (see the docstring)."""
    from bokeh.document import Document

    from app.train.view import create_train_view
    from bench.app import WireRecorder

    view = create_train_view(dataset="moons", n_samples=100, noise=0.1, seed=1337, config=DEMO)
    view.step(1)                                    # compiles; builds the network view
    net, t = view.network, view.trainer
    doc = Document()
    doc.add_root(view.__panel__().get_root(doc))
    wire = WireRecorder(doc)
    wire.take()
    rows = {k: [] for k in ("bare", "network", "net_bytes", "page", "page_bytes")}
    view.model.running = True                   # as while training (no step panel narration)
    wire.take()
    for _ in range(ticks):                      # the network view alone
        t0 = time.perf_counter()
        t.run(speed)
        rows["bare"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        net.refresh(force=True)                 # (not skipped: ticks here come faster than live)
        size, ser = wire.take()
        rows["network"].append(time.perf_counter() - t0 + ser)
        rows["net_bytes"].append(size)
    for _ in range(ticks):                      # the page as it is updated while training
        records = t.run(speed)
        view._drawn_at["curves"] = 0.0          # due now (it is every 0.5 s while training)
        net._last = (0.0, 0.0)                  # and so is the network view
        t0 = time.perf_counter()
        view.model._publish(records)
        size, ser = wire.take()
        rows["page"].append(time.perf_counter() - t0 + ser)
        rows["page_bytes"].append(size)
    view.model.running = False
    n_values, n_drawn = len(net.model.compiled.value_ids), len(net.graph.patcher.visible)
    view.close()

    def med(xs):
        return statistics.median(xs)

    def p95(xs):
        return sorted(xs)[int(0.95 * (len(xs) - 1))]

    bare = med(rows["bare"])
    print(f"live network view: moons 100, MLP(2,[16,16,1]), {speed} steps per tick, {ticks} ticks; "
          f"followed sample {net.sample}, {n_values:,} values, {n_drawn:,} drawn")
    print(f"{'per tick':<34}{'median ms':>10}{'p95 ms':>9}{'x bare':>8}{'median B':>10}{'max B':>8}")
    print(f"{'bare training steps':<34}{1e3 * bare:>10.2f}{1e3 * p95(rows['bare']):>9.2f}"
          f"{1.0:>8.2f}")
    for name, key, nbytes in (("network view (budget 10 ms, 16 KiB)", "network", "net_bytes"),
                              ("page: curves, status, network", "page", "page_bytes")):
        print(f"{name:<34}{1e3 * med(rows[key]):>10.2f}{1e3 * p95(rows[key]):>9.2f}"
              f"{med(rows[key]) / bare:>8.2f}{med(rows[nbytes]):>10.0f}{max(rows[nbytes]):>8}")
    return {"bare_ms": 1e3 * bare, "network_ms": 1e3 * med(rows["network"]),
            "network_p95_ms": 1e3 * p95(rows["network"]),
            "network_bytes": med(rows["net_bytes"]), "network_max_bytes": max(rows["net_bytes"]),
            "page_ms": 1e3 * med(rows["page"]), "page_bytes": med(rows["page_bytes"])}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tape-steps", type=int, default=40)
    parser.add_argument("--rebuild-steps", type=int, default=5)
    parser.add_argument("--live", action="store_true", help="the live network view's cost")
    parser.add_argument("--ticks", type=int, default=60)
    args = parser.parse_args(argv)
    if args.live:
        return live(args.ticks)

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
