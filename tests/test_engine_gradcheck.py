"""The finite-difference check the trust panel shows."""
import math

import pytest

from engine import Tape, gradcheck, parse
from engine.nn import MLP

LECTURE = "a = 2; b = -3; c = 10; f = -2\ne = a*b\nd = e + c\nL = d*f"
NEURON = "x1 = 2; x2 = 0; w1 = -3; w2 = 1; b = 6.8813735870195432\nn = x1*w1 + x2*w2 + b\no = tanh(n)"


def by_label(checks):
    return {c.label: c for c in checks}


def test_lecture_example():
    checks = by_label(gradcheck(Tape(parse(LECTURE))))
    assert list(checks) == ["a", "b", "c", "f"]
    for label, grad in dict(a=6, b=-4, c=-2, f=4).items():
        c = checks[label]
        assert c.analytic == grad and c.numeric == pytest.approx(grad, rel=1e-8) and c.ok
        assert c.h == pytest.approx(6e-6 * max(1, abs(c.x)))


def test_tanh_neuron():
    checks = by_label(gradcheck(Tape(parse(NEURON))))
    expected = dict(x1=-1.5, w1=1.0, x2=0.5, w2=0.0, b=0.5)
    for label, grad in expected.items():
        assert checks[label].analytic == pytest.approx(grad, abs=1e-12)
        assert checks[label].numeric == pytest.approx(grad, abs=1e-8)
        assert checks[label].ok


def test_relu_kink_is_flagged():
    tape = Tape(parse("x = 0; y = relu(x)"))
    (check,) = gradcheck(tape)
    assert check.analytic == 0.0 and check.numeric == pytest.approx(0.5) and not check.ok


def test_follows_slider_moves_and_leaves_tape_state():
    tape = Tape(parse(LECTURE))
    tape.run({"a": 5.0})
    data_before = tape.data.copy()
    checks = by_label(gradcheck(tape))
    assert checks["b"].x == -3 and checks["b"].numeric == pytest.approx(-10, rel=1e-8)
    assert checks["a"].x == 5.0
    assert (tape.data == data_before).all()


def test_numpy_executor_batch_agrees():
    model = MLP(2, [3, 1], seed=0)
    loss = sum((model([0.5, -1.0]) - 1.0) ** 2 for _ in range(8))
    wide, narrow = Tape(loss, executor="numpy"), Tape(loss, executor="python")
    for a, b in zip(gradcheck(wide), gradcheck(narrow)):
        assert a.numeric == pytest.approx(b.numeric, rel=1e-9) and a.ok and b.ok


def test_a_singular_point_is_undefined_not_a_disagreement():
    """At z = 0, a / z is inf: f(z +- h) = +-a/h gave a difference of ~1e10 beside the backward
    pass's -inf, and the panel said backprop disagreed. There is no derivative to check there."""
    (check,) = gradcheck(Tape(parse("x = 0; y = 1/x")))
    assert math.isinf(check.analytic) and not check.ok and check.defined is False
    checks = by_label(gradcheck(Tape(parse("a = 1\nz = 0\nb = a/z"))))
    assert [c.defined for c in checks.values()] == [False, False] and not any(c.ok for c in checks.values())
    (check,) = gradcheck(Tape(parse("x = 1e-3; y = 1/x")))          # near it, f finite: checked
    assert check.defined and check.ok and check.analytic == pytest.approx(-1e6)


def test_finite_difference_undefined_where_the_function_is_not_finite_nearby():
    from engine import Tape, gradcheck, parse

    for x in (-1.0, 0.0):
        (c,) = gradcheck(Tape(parse(f"x = {x}\ny = log(x)")))
        assert c.defined is False and c.ok is False
    (c,) = gradcheck(Tape(parse("x = 0\ny = relu(x)")))   # a kink: defined, and it disagrees
    assert c.defined is True and c.ok is False


def lecture_at(a: float) -> str:
    return f"a = {a!r}; b = -3; c = 10; f = -2\ne = a*b\nd = e + c\nL = d*f"


def verdicts(checks):
    return {c.label: c.verdict for c in checks}


@pytest.mark.parametrize("executor", ["python", "numpy"])
@pytest.mark.parametrize("a", [1e8, 2e198])
def test_a_perturbation_lost_in_rounding_is_not_a_disagreement(a, executor):
    """QA: with a = 1e8, c's step h = 6e-5 is added to a*b = -3e8, whose spacing is 6e-8, so
    the difference came out -2.0007 beside backprop's (correct) -2 and was flagged; at
    a = 2e198 c + h vanishes in the sum (difference 0). The difference's own rounding error
    covers both: c is 'imprecise' (the check cannot tell), never 'disagree'."""
    checks = gradcheck(Tape(parse(lecture_at(a)), executor=executor))
    assert verdicts(checks) == {"a": "agree", "b": "agree", "c": "imprecise", "f": "agree"}
    c = by_label(checks)["c"]
    assert c.analytic == -2.0 and not c.ok and not c.kink
    assert abs(c.numeric - c.analytic) <= c.rounding


@pytest.mark.parametrize("exponent", range(0, 301, 15))
@pytest.mark.parametrize("sign", [1, -1])
def test_correct_gradients_never_disagree_at_any_magnitude(exponent, sign):
    checks = gradcheck(Tape(parse(lecture_at(sign * 2.0 * 10.0 ** exponent))))
    assert set(verdicts(checks).values()) <= {"agree", "imprecise"}
    assert verdicts(checks)["a"] == "agree"      # a's own step is large: its difference is exact


def test_ordinary_values_are_checked_as_tightly_as_before():
    for check in gradcheck(Tape(parse(LECTURE))):
        assert check.verdict == "agree" and check.rounding < 1e-8


@pytest.fixture
def wrong_mul_derivative(monkeypatch):
    """A wrong local derivative, as a bug in an op would give: d(a*b)/db = 1.01 a."""
    from dataclasses import replace

    from engine.ops import OPS
    wrong = lambda a, b, out: (b, a * 1.01)                      # noqa: E731
    monkeypatch.setitem(OPS, "*", replace(OPS["*"], local=wrong, np_local=wrong))


@pytest.mark.parametrize("executor", ["python", "numpy"])
@pytest.mark.parametrize("a", [2.0, 1e8])
def test_a_wrong_local_derivative_is_still_flagged(wrong_mul_derivative, a, executor):
    """b and f get their gradient through the second operand of a product: both are 1% off and
    flagged, also where c's difference is imprecise (a = 1e8)."""
    checks = gradcheck(Tape(parse(lecture_at(a)), executor=executor))
    got = verdicts(checks)
    assert got["b"] == got["f"] == "disagree" and got["a"] == "agree"
    assert got["c"] == ("agree" if a == 2.0 else "imprecise")
    assert not any(c.kink for c in checks)


@pytest.mark.parametrize("executor", ["python", "numpy"])
@pytest.mark.parametrize("source", ["x = 0; y = relu(x)", "x = 1e-7; y = relu(x)",
                                    "x = 0; y = abs(x - 1e-6)", "x = 0; w = 3; y = w * relu(x * w)"])
def test_a_kink_within_the_step_is_flagged_and_named(source, executor):
    """relu and abs bend where their operand crosses 0: when it does within x +- h, the
    difference averages two slopes and disagrees with either, and the check says why."""
    check = by_label(gradcheck(Tape(parse(source), executor=executor)))["x"]
    assert check.verdict == "disagree" and check.kink and check.rounding < 1e-9


def test_a_disagreement_away_from_any_kink_is_not_called_one():
    """1/x at 1e-5 curves too much within +-h = 6e-6: a disagreement, but no kink."""
    (check,) = gradcheck(Tape(parse("x = 1e-5; y = 1/x")))
    assert check.verdict == "disagree" and not check.kink
    (check,) = gradcheck(Tape(parse("x = 1; y = relu(x)")))     # relu away from 0: smooth
    assert check.verdict == "agree" and not check.kink


def test_verdict_of_undefined_points():
    (check,) = gradcheck(Tape(parse("x = -1; y = log(x)")))
    assert check.verdict == "undefined"
