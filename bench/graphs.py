"""Benchmark compute graphs, built with ``engine`` (shared by the layout and engine benchmarks).

Every builder returns ``engine.to_graph``'s networkx graph (value nodes + op nodes).  Sizes
match the graphs of issue 3's measurements: 197, 694, 13,528 and 5,001 nodes.
"""

from __future__ import annotations

import random

from engine import Value, to_graph
from engine.nn import MLP

# micrograd's demo data set (karpathy/micrograd README / lecture).
DEMO_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
DEMO_YS = [1.0, -1.0, -1.0, 1.0]


def lecture_graph():
    """The lecture's L = (a*b + c) * f, labelled as in the video (10 nodes)."""
    a = Value(2.0, label="a"); b = Value(-3.0, label="b"); c = Value(10.0, label="c")
    e = a * b; e.label = "e"
    d = e + c; d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f; L.label = "L"
    return to_graph(L)


def neuron_graph():
    """The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b)."""
    x1 = Value(2.0, label="x1"); x2 = Value(0.0, label="x2")
    w1 = Value(-3.0, label="w1"); w2 = Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1; x1w1.label = "x1*w1"
    x2w2 = x2 * w2; x2w2.label = "x2*w2"
    s = x1w1 + x2w2; s.label = "x1*w1 + x2*w2"
    n = s + b; n.label = "n"
    o = n.tanh(); o.label = "o"
    return to_graph(o)


def mlp_forward_graph(nin=3, nouts=(4, 4, 1), seed=1337):
    """One forward pass of MLP(nin, nouts) on micrograd's first demo sample."""
    model = MLP(nin, list(nouts), rng=random.Random(seed))
    x = (DEMO_XS[0] * nin)[:nin]
    return to_graph(model(x))


def mlp_loss_graph(nin=3, nouts=(4, 4, 1), samples=4, seed=1337):
    """Squared-error loss of MLP(nin, nouts) summed over ``samples`` samples (micrograd's demo
    data for nin=3 and 4 samples; seeded uniform inputs otherwise)."""
    rng = random.Random(seed)
    model = MLP(nin, list(nouts), rng=rng)
    if nin == 3 and samples <= 4:
        xs, ys = DEMO_XS[:samples], DEMO_YS[:samples]
    else:
        xs = [[rng.uniform(-1, 1) for _ in range(nin)] for _ in range(samples)]
        ys = [rng.choice([-1.0, 1.0]) for _ in range(samples)]
    loss = sum(((model(x) - y) ** 2 for x, y in zip(xs, ys)), Value(0.0))
    return to_graph(loss)


def batch_loss_graph(nin=2, hidden=(4, 4), batch=4, loss="max_margin", with_l2=True, nonlin="relu", seed=0):
    """micrograd's demo loss of a batch (``engine.loss.build_loss``: the mean of the samples'
    ``loss`` plus, ``with_l2``, alpha times every weight's square summed) for MLP(nin, hidden +
    [1]) on ``batch`` seeded samples."""
    from engine.loss import build_loss

    rng = random.Random(seed)
    model = MLP(nin, list(hidden) + [1], nonlin=nonlin, rng=rng)
    xs = [[Value(rng.uniform(-1, 1)) for _ in range(nin)] for _ in range(batch)]
    ys = [Value(rng.choice([-1.0, 1.0])) for _ in range(batch)]
    total, _, _ = build_loss(model, xs, ys, loss, alpha=1e-4 if with_l2 else None)
    return to_graph(total)


def chain_graph(ops=2000):
    """A long chain x = tanh(x * 0.99), ``ops`` ops in all (each * brings a constant leaf)."""
    x = Value(0.5, label="x")
    for _ in range(ops // 2):
        x = (x * 0.99).tanh()
    return to_graph(x)


def random_expression_graph(n_ops=30, n_leaves=8, seed=5):
    """A random expression: ``n_ops`` ops (+ - * tanh) over ``n_leaves`` leaves and earlier
    results (recent ones likelier, so there are chains and shared subexpressions); every
    value nothing else uses is added into the output (100 nodes for the defaults)."""
    rng = random.Random(seed)
    values = [Value(rng.uniform(-2, 2), label=f"x{i}") for i in range(n_leaves)]
    unused = set(range(n_leaves))

    def pick():
        k = len(values) - 1 - min(len(values) - 1, int(abs(rng.gauss(0, len(values) / 3))))
        unused.discard(k)
        return values[k]

    for _ in range(n_ops):
        a, op = pick(), rng.choice("+-**t")
        if op == "t":
            out = (a * 0.5).tanh() if rng.random() < 0.5 else a.tanh()
        else:
            b = pick()
            out = a + b if op == "+" else a - b if op == "-" else a * b
        unused.add(len(values))
        values.append(out)
    output = values[-1]
    for i in sorted(unused - {len(values) - 1}):
        output = output + values[i]
    return to_graph(output)


def inspected_sample_graph(hidden=(16, 16), with_l2=False, seed=0):
    """The Train tab's "Inspect sample" graph: one moons sample's loss with an MLP(2, hidden
    + [1]) after three training steps (1,635 nodes for the default (16, 16))."""
    from engine.datasets import labels_pm1, make_moons
    from engine.train import TrainConfig, Trainer

    X, y = make_moons(100, 0.1, seed=seed)
    trainer = Trainer(X, labels_pm1(y), TrainConfig(hidden=tuple(hidden)))
    trainer.run(3)
    return to_graph(trainer.inspect(0, with_l2=with_l2).root)


def benchmark_graphs():
    """[(name, builder)]: issue 3's table (plus the two lecture graphs), then issue 10's
    lecture-size graphs, then three more random expressions (100-200 nodes)."""
    return [
        ("lecture L=(a*b+c)*f", lecture_graph),
        ("tanh neuron", neuron_graph),
        ("MLP(3,[4,4,1]) forward, 1 sample", mlp_forward_graph),
        ("MLP(3,[4,4,1]) loss, 4 samples", mlp_loss_graph),
        ("chain of 2,000 ops", chain_graph),
        ("MLP(2,[16,16,1]) loss, 10 samples", lambda: mlp_loss_graph(2, (16, 16, 1), 10)),
        ("random expression", random_expression_graph),
        ("MLP(3,[4,4,1]) loss, 1 sample", lambda: mlp_loss_graph(3, (4, 4, 1), 1)),
        ("MLP(2,[8,8,1]) loss, 2 samples", lambda: mlp_loss_graph(2, (8, 8, 1), 2)),
        ("inspected sample MLP(2,[8,8,1]) + L2", lambda: inspected_sample_graph((8, 8), True)),
        ("inspected sample MLP(2,[16,16,1])", inspected_sample_graph),
        # more random expressions: one seed flattered us (22 vs dot 21), these do not
        ("random expression, seed 1", lambda: random_expression_graph(30, 8, seed=1)),
        ("random expression, 60 ops, seed 1", lambda: random_expression_graph(60, 12, seed=1)),
        ("random expression, 60 ops, seed 8", lambda: random_expression_graph(60, 12, seed=8)),
    ]
