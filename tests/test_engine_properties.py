"""Property tests on random programs in the expression language.

Oracles, independent of the engine's derivative rules: central finite differences on every
leaf, and PyTorch float64 on every node's data and grad (the ``torch`` fixture: a failure in CI
when torch is missing, a skip elsewhere).
"""
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine import Tape, parse
from engine.topo import topo_order
from strategies import expressions, leaf_values, program


def well_behaved(root) -> bool:
    """No overflow, no kinks near the point, no near-zero denominators."""
    for v in topo_order(root):
        if not math.isfinite(v.data) or abs(v.data) > 1e4:
            return False
        if v._op in ("relu", "abs") and abs(v._prev[0].data) < 1e-2:
            return False
        if v._op == "/" and abs(v._prev[1].data) < 0.1:
            return False
        if v._op == "exp" and v._prev[0].data > 8:
            return False
    return True


def moderate(root) -> bool:
    """No huge intermediates, no division by a near-zero: where a grad is a difference of huge
    terms (c/c at c = 1e-79 gives 1e78 - 1e78), the residue is rounding in both engines."""
    return all(abs(v.data) < 1e6 and not (v._op == "/" and abs(v._prev[1].data) < 1e-3)
               for v in topo_order(root))


def leaves_of(root):
    return {v.label: v for v in topo_order(root) if not v._prev and not v._const}


settings.register_profile("autograd", max_examples=int(os.environ.get("AUTOGRAD_EXAMPLES", "150")), deadline=None,
                          suppress_health_check=[HealthCheck.filter_too_much,
                                                 HealthCheck.too_slow])
settings.load_profile("autograd")


@given(expressions, leaf_values)
def test_leaf_grads_match_central_finite_differences(expr, values):
    root = parse(program(expr, values))
    assume(well_behaved(root))
    root.backward()
    tape = Tape(root)
    for label, leaf in leaves_of(root).items():
        x = values[label]
        h = 1e-6 * max(1.0, abs(x))
        up = tape.run({label: x + h}).output
        down = tape.run({label: x - h}).output
        tape.run({label: x})
        fd = (up - down) / (2 * h)
        assert leaf.grad == pytest.approx(fd, rel=1e-4, abs=1e-5), (expr, label)


@given(expressions, leaf_values, st.sampled_from(["python", "numpy"]))
def test_tape_matches_backward(expr, values, executor):
    if executor == "numpy":
        # numpy adds a node's gradient contributions in another order than backward(); with a
        # leaf so small that 1/x dwarfs the rest, the float sum itself depends on that order
        # (a = 8.48e-181 in -((a/(a**2+0.5)) + a/a): -2 one way, 0 the other). Not a bug.
        assume(all(v == 0 or abs(v) >= 1e-3 for v in values.values()))
    root = parse(program(expr, values))
    root.backward()
    nodes = topo_order(root)
    want_data = np.array([v.data for v in nodes])
    want_grad = np.array([v.grad for v in nodes])
    tape = Tape(root, executor=executor)
    present = {k: v for k, v in values.items() if k in leaves_of(root)}
    tape.run({k: v * 0.5 + 0.1 for k, v in present.items()})   # move away and come back:
    r = tape.run(present)                                       # no stale state
    tol = 1e-12 if executor == "python" else 1e-9      # python: same order, same floats
    np.testing.assert_allclose(r.data, want_data, rtol=tol, atol=tol, equal_nan=True)
    np.testing.assert_allclose(r.grad, want_grad, rtol=tol, atol=tol, equal_nan=True)


def torch_ops(torch) -> dict:
    """Each engine op written in torch, by hand (an oracle independent of engine.ops)."""
    return {
        "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
        "/": lambda a, b: a / b, "**": lambda a, b: torch.pow(a, b), "neg": lambda a: -a,
        "tanh": torch.tanh, "relu": torch.relu, "exp": torch.exp, "log": torch.log,
        "sigmoid": torch.sigmoid, "abs": torch.abs,
    }


def torch_mirror(root, torch):
    """Each node of ``root`` recomputed in torch float64; literals do not require grad."""
    ops, out = torch_ops(torch), {}
    for v in topo_order(root):
        if not v._prev:
            out[id(v)] = torch.tensor(v.data, dtype=torch.float64, requires_grad=not v._const)
        else:
            t = ops[v._op](*(out[id(c)] for c in v._prev))
            if t.requires_grad:       # a subgraph of literals only has no grad in torch
                t.retain_grad()
            out[id(v)] = t
    if out[id(root)].requires_grad:
        out[id(root)].backward()
    return out


def assert_matches_torch(torch, root, context, rel=None, abs_data=None, abs_grad=None):
    """Every node's data, and the grad of every node torch tracks, equal torch float64's."""
    mirror = torch_mirror(root, torch)
    for v in topo_order(root):
        t = mirror[id(v)]
        assert v.data == pytest.approx(t.item(), rel=rel, abs=abs_data, nan_ok=True)
        if t.requires_grad:
            tg = t.grad.item() if t.grad is not None else 0.0
            assert v.grad == pytest.approx(tg, rel=rel, abs=abs_grad, nan_ok=True), (context, v)


@given(expressions, leaf_values)
def test_every_node_matches_torch_float64(torch, expr, values):
    root = parse(program(expr, values))
    assume(moderate(root))
    root.backward()
    assert_matches_torch(torch, root, expr, rel=1e-12, abs_data=1e-300, abs_grad=1e-12)


@pytest.mark.parametrize("source", [
    "x = 0.0; y = 1 / x", "x = -1.0; y = log(x)", "x = 1000.0; y = exp(x) * tanh(x)",
    "x = 0.0; p = 0.0; y = x ** p", "x = 0.0; p = 2.0; y = x ** p", "x = -2.0; p = 0.5; y = x ** p",
    "x = -2.0; p = 3.0; y = x ** p", "x = 0.0; y = relu(x) + sigmoid(-x * 1000)",
])
def test_extremes_match_torch(torch, source):
    root = parse(source)
    root.backward()
    assert_matches_torch(torch, root, source)


def test_python_tape_adds_contributions_in_backward_order():
    """The case found by hypothesis: the python executor keeps backward()'s order, so it gives
    the same -2 where contributions of +-1/a (a tiny) cancel; numpy may not (see above)."""
    root = parse("a = 8.48e-181\nL = -((a/(a**2+0.5)) + a/a)")
    root.backward()
    want = [v.grad for v in topo_order(root)]
    assert want[0] == -2.0
    r = Tape(root, executor="python").run({"a": 8.48e-181})
    assert list(r.grad) == want
