"""engine.scope_steps: the neuron step mode's records carry the per-op steps' numbers, replay to
the same grads, and their chain rule matches a hand-written derivative of a tanh neuron."""
import math
import random

import numpy as np
import pytest

from engine import Tape, as_value, backprop_steps, scopes, to_graph, update_step, with_update
from engine.scope_steps import ScopeStep, scope_steps
from engine.train import TrainConfig, Trainer


def mlp_preset():
    from app.presets import build_mlp_loss

    return build_mlp_loss()


def micrograd_mlp():
    from micrograd.nn import MLP

    random.seed(11)
    out = MLP(3, [4, 3, 1])([0.5, -1.0, 2.0])
    return as_value((out - 1.0) ** 2)


def inspected():
    rng = np.random.RandomState(2)
    trainer = Trainer(rng.randn(8, 2), np.where(rng.randn(8) > 0, 1.0, -1.0),
                      TrainConfig(hidden=(3, 3), nonlin="tanh", loss="mse"))
    trainer.run(3)
    return trainer.inspect(5, with_l2=True).root


ROOTS = {"mlp preset": mlp_preset, "micrograd": micrograd_mlp, "inspected": inspected}


def grouped(root):
    tape = Tape(root)
    records = backprop_steps(tape)
    return tape, records, scope_steps(records, scopes(to_graph(root)))


@pytest.mark.parametrize("name", list(ROOTS))
def test_neuron_steps_carry_the_per_op_numbers(name):
    tape, records, steps = grouped(ROOTS[name]())
    assert sum(len(g) for g in steps.per_op) == len(records)
    assert sorted(k for g in steps.per_op for k in g) == list(range(len(records)))
    n_scoped = 0
    for step in steps:
        if not isinstance(step, ScopeStep):
            continue
        n_scoped += 1
        per_op = {t.node: t for k in step.op_steps for t in records[k].inputs}
        assert step.chain
        for term in step.chain:
            assert term.contribution == per_op[term.node].contribution
            assert term.upstream == records[step.op_steps[0]].out_grad
            product = math.prod(v for _, _, v in term.factors) * term.upstream
            assert product == pytest.approx(term.contribution, rel=1e-12, abs=1e-300)
    node_scopes = scopes(to_graph(tape.root))
    assert n_scoped == len({node_scopes[tape.ids[ins.out]] for ins in tape.instructions} - {()})


@pytest.mark.parametrize("name", list(ROOTS))
def test_replaying_neuron_steps_gives_the_per_op_grads(name):
    tape, records, steps = grouped(ROOTS[name]())
    grad = np.zeros(len(tape.ids))
    for step in steps:
        for vid, (before, after) in step.changes.items():
            assert grad[tape.index[vid]] == before
            grad[tape.index[vid]] = after
    np.testing.assert_allclose(grad, tape.grad, rtol=1e-12, atol=1e-15)


def test_tanh_neuron_chain_rule_matches_the_derivative_written_by_hand():
    root = mlp_preset()
    tape, _, steps = grouped(root)
    step = next(s for s in steps if getattr(s, "scope", ()) == ("layer 0", "neuron 1"))
    data = {tape.labels[v]: tape.data[tape.index[v]] for v in tape.ids if tape.labels[v]}
    grad = {tape.labels[v]: tape.grad[tape.index[v]] for v in tape.ids if tape.labels[v]}
    h = data["h[0][1]"]
    for i, x in enumerate(["x1", "x2"]):
        term = next(t for t in step.chain if t.label == f"w[0][1][{i}]")
        # dL/dw_i = x_i * tanh'(n) * dL/dh, tanh'(n) = 1 - h^2
        assert term.contribution == pytest.approx(data[x] * (1 - h * h) * grad["h[0][1]"], rel=1e-12)
        assert term.contribution == pytest.approx(grad[f"w[0][1][{i}]"], rel=1e-12)  # used once
        assert [(op, name) for op, name, _ in term.factors] == [("*", x), ("tanh", "n")]
    assert "w[0][1][0].grad += x1 * tanh'(n) * h[0][1].grad = 2 * " in step.text


def test_update_step_stays_last_and_single():
    root = inspected()
    tape = Tape(root)
    records = backprop_steps(tape)
    params = [v for v in tape.leaf_ids if tape.labels[v].startswith(("w[", "b["))]
    both = with_update(records, update_step(tape, 0.1, params, len(records)))
    steps = scope_steps(both, scopes(to_graph(root)))
    assert steps[len(steps) - 1].kind == "update" and steps.per_op[-1] == (len(both) - 1,)
    assert steps[0].kind == "seed"
