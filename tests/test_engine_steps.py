"""Step records of the backward and forward passes."""
import pytest

from engine import Tape, backprop_steps, forward_steps, parse
from engine.topo import topo_order

LECTURE = "a = 2; b = -3; c = 10; f = -2\ne = a*b\nd = e + c\nL = d*f"


def test_lecture_backprop_steps():
    steps = backprop_steps(parse(LECTURE))
    assert [s.kind for s in steps] == ["seed", "backward", "backward", "backward"]
    assert [s.label for s in steps] == ["L", "L", "d", "e"]
    e_step = steps[3]
    a_term = e_step.inputs[0]
    assert (a_term.label, a_term.local_formula, a_term.local, a_term.upstream,
            a_term.contribution, a_term.grad_before, a_term.grad_after) == \
        ("a", "b.data", -3, -2, 6, 0, 6)
    assert a_term.text == "a.grad += b.data * e.grad = -3 * -2 = 6   (a.grad: 0 -> 6)"
    assert e_step.op == "*" and e_step.op_node == "o" + e_step.node[1:]


def test_applying_steps_reproduces_backward():
    root = parse("x = 0.7; w = -1.2; b = 0.3\nn = x*w + b\no = tanh(n) * x + n / (x + 2)")
    steps = backprop_steps(root)
    grads = {}
    for s in steps:
        for vid, (before, after) in s.changes.items():
            assert grads.get(vid, 0.0) == before
            grads[vid] = after
    root.backward()
    tape = Tape(root)
    for vid, v in zip(tape.ids, topo_order(root)):
        assert grads.get(vid, 0.0) == v.grad


def test_accumulation_is_visible():
    steps = backprop_steps(parse("a = 3; b = a + a"))
    t0, t1 = steps[1].inputs
    assert (t0.grad_before, t0.grad_after, t1.grad_before, t1.grad_after) == (0, 1, 1, 2)
    assert steps[1].changes == {t0.node: (0.0, 2.0)}


def test_tanh_formula_and_literal_operands():
    steps = backprop_steps(parse("n = 0.5; o = tanh(n) * 2"))
    mul = steps[1]
    assert [t.label for t in mul.inputs] == ["v1"]   # the literal 2 gets no term
    assert mul.inputs[0].local_formula == "2"
    tanh_term = steps[2].inputs[0]
    assert tanh_term.local_formula == "1 - v1.data**2"
    assert tanh_term.text.startswith("n.grad += (1 - v1.data**2) * v1.grad = ")


def test_steps_follow_tape_values():
    tape = Tape(parse(LECTURE))
    tape.run({"a": 5.0})
    a_term = backprop_steps(tape)[3].inputs[0]
    assert a_term.local == -3 and a_term.upstream == -2 and a_term.grad_after == 6
    tape.run({"f": 1.0})
    assert backprop_steps(tape)[3].inputs[0].grad_after == -3 * 1.0


def test_forward_steps():
    steps = forward_steps(parse(LECTURE))
    assert [s.label for s in steps] == ["a", "b", "e", "c", "d", "f", "L"]
    assert steps[2].summary == "e = a * b = 2 * -3 = -6"
    assert steps[0].summary == "a = 2   (a leaf)"
    assert steps[-1].changes == {steps[-1].node: (None, -8.0)}
    assert steps[2].operands == (steps[0].node, steps[1].node)


def test_steps_for_each_op_kind_have_formulas():
    root = parse("a = 0.5; b = 1.5\n"
                 "y = a + b - a * b / b ** a + tanh(a) + relu(b) + exp(a) + log(b) + sigmoid(-a)")
    for step in backprop_steps(root)[1:]:
        for term in step.inputs:
            assert term.local_formula and "{" not in term.local_formula
            assert term.contribution == pytest.approx(term.local * term.upstream)


def test_step_records_behave_like_a_list():
    steps = backprop_steps(parse(LECTURE))
    assert len(steps) == 4 and steps[-1] is steps[3] and steps[1:3] == [steps[1], steps[2]]
    assert [s.index for s in steps] == [0, 1, 2, 3]
    with pytest.raises(IndexError):
        steps[4]
    fwd = forward_steps(parse(LECTURE))
    assert len(fwd) == 7 and fwd[-1].label == "L"


def test_update_step_after_backward():
    from engine import update_step, with_update
    tape = Tape(parse("w = 0.5; x = 2; L = (w * x - 3) ** 2"))
    w = tape.leaf_ids[0]
    step = update_step(tape, 0.1, [w], index=len(backprop_steps(tape)))
    grad_w = 2 * (0.5 * 2 - 3) * 2
    assert step.kind == "update" and step.changes == {w: (0.5, pytest.approx(0.5 - 0.1 * grad_w))}
    assert step.text == f"w.data -= lr * w.grad = 0.5 - 0.1 * {grad_w:g} = {0.5 - 0.1 * grad_w:g}"
    steps = with_update(backprop_steps(tape), step)
    assert len(steps) == len(backprop_steps(tape)) + 1 and steps[-1] is step


def test_cheap_views_agree_with_the_steps():
    from engine import update_step, with_update
    root = parse("a = 3; w = -0.5\nh = tanh(a * w)\nb = h * a + h / 2")
    steps = backprop_steps(root)
    locals_ = steps.local_derivatives()
    for s in steps[1:]:
        assert locals_[s.op_node] == tuple((t.label, t.local_formula, t.local) for t in s.inputs)
    a_id = next(t.node for s in steps[1:] for t in s.inputs if t.label == "a")
    got = steps.contributions(a_id)
    want = [(s.index, t) for s in steps for t in s.inputs if t.node == a_id]
    assert got == want and len(got) == 2                 # a is used twice: a ledger
    assert got[-1][1].grad_after == pytest.approx(sum(t.contribution for _, t in got))
    tape = Tape(root)
    extended = with_update(steps, update_step(tape, 0.1, [a_id], len(steps)))
    assert extended.contributions(a_id) == got and extended[-1].kind == "update"
