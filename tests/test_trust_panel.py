"""The gradient-check card: engine.gradcheck's numbers on the lecture example and the tanh
neuron, the relu kink flagged, and re-runs on slider moves only."""

from __future__ import annotations

import math

import pytest

from app.graph_page.model import GraphModel
from app.share.trust_panel import TrustPanel, check_rows, summary, table_html


def by_label(panel):
    return {c.label: c for c in panel.checks}


def test_lecture_example_values():
    panel = TrustPanel(GraphModel(preset="lecture"))
    checks = by_label(panel)
    assert list(checks) == ["a", "b", "c", "f"]
    for label, grad in {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}.items():
        c = checks[label]
        assert c.analytic == grad
        assert c.numeric == pytest.approx(grad, rel=1e-8)
        assert c.rel_diff < 1e-8 and c.ok
    assert panel.view.title == "Gradient check: \u2713 all 4 leaves agree"
    rows = check_rows(panel.checks)
    assert rows[0] == {"leaf": "a", "analytic": "6", "numeric": "6", "rel_diff": rows[0]["rel_diff"], "ok": True,
                       "verdict": "agree", "kink": False}
    assert panel.table.object == ""          # closed: only the title is drawn
    panel.view.collapsed = False             # opening draws the table
    assert "<td>a</td><td>6</td><td>6</td>" in panel.table.object


def test_tanh_neuron_values():
    panel = TrustPanel(GraphModel(preset="neuron"))
    checks = by_label(panel)
    # karpathy's numbers: o = tanh(n) = 0.7071, do/dn = 0.5
    expected = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}
    assert set(checks) == set(expected)
    for label, grad in expected.items():
        assert checks[label].analytic == pytest.approx(grad, abs=1e-9)
        assert checks[label].numeric == pytest.approx(grad, abs=1e-7)
        assert checks[label].ok


def test_relu_kink_is_flagged_and_listed_first():
    model = GraphModel("x = 0\nw = 2\ny = relu(x) + w*w")
    panel = TrustPanel(model)
    checks = by_label(panel)
    assert not checks["x"].ok and checks["x"].analytic == 0.0 and checks["x"].numeric == pytest.approx(0.5)
    assert checks["w"].ok
    assert panel.view.title == "Gradient check: \u26a0 1 of 2 leaves disagree"
    assert check_rows(panel.checks)[0]["leaf"] == "x"
    panel.view.collapsed = False
    assert "class='bad'" in panel.table.object
    # a slider move away from the kink re-runs the check
    model.set_leaf("x", 1.5)
    assert all(c.ok for c in panel.checks)
    assert panel.view.title == "Gradient check: \u2713 all 2 leaves agree"


def test_steps_do_not_rerun_the_check():
    model = GraphModel()
    panel = TrustPanel(model)
    before = panel.checks
    model.step = 1
    model.mode = "forward"
    assert panel.checks is before
    model.set_leaf("a", 3)
    assert panel.checks is not before and by_label(panel)["b"].analytic == -6.0


def test_nan_and_labels_are_escaped():
    panel = TrustPanel(GraphModel("x = -1\ny = log(x)"))
    assert panel.checks[0].ok is False
    assert math.isnan(panel.checks[0].analytic) or not math.isfinite(panel.checks[0].numeric)
    assert "<script" not in table_html([]) and summary([]) == "no leaves to check"


def test_big_graphs_are_checked_only_while_the_card_is_open():
    n = 300
    source = "\n".join(f"a{i} = {i % 7 + 1}" for i in range(n)) + "\nL = " + " + ".join(
        f"a{i}*a{i}" for i in range(n))
    model = GraphModel(source)
    panel = TrustPanel(model)
    assert not panel.cheap and panel.stale and panel.checks == []
    assert panel.view.title == "Gradient check (open to run)"
    panel.view.collapsed = False
    assert len(panel.checks) == n and not panel.stale
    assert by_label(panel)["a3"].analytic == 8.0
    model.set_leaf("a3", 1.0)  # open: every move re-runs
    assert by_label(panel)["a3"].analytic == 2.0


def test_closed_card_sends_nothing_on_a_slider_move_unless_the_verdict_changes():
    model = GraphModel()
    panel = TrustPanel(model)
    titles = []
    panel.view.param.watch(lambda e: titles.append(e.new), "title")
    tables = []
    panel.table.param.watch(lambda e: tables.append(e.new), "object")
    model.set_leaf("a", 3.0)
    model.set_leaf("a", 4.0)
    assert titles == [] and tables == []
    model.load_preset("accumulation")
    assert titles == ["Gradient check: \u2713 the leaf agrees"] and tables == []


@pytest.mark.parametrize("x", [-1.0, 0.0])
def test_log_outside_its_domain_is_undefined_here_not_a_disagreement(x):
    """log(x) at -1: f is nan on both sides; at 0 only one side is finite (inf vs nan)."""
    model = GraphModel(f"x = {x}\ny = log(x)")
    panel = TrustPanel(model)
    (check,) = panel.checks
    assert check.defined is False
    assert panel.view.title == "Gradient check: finite difference undefined here"
    panel.view.collapsed = False
    assert "undefined here" in panel.table.object and "class='bad'" not in panel.table.object
    model.set_leaf("x", 2.0)             # back inside the domain: an ordinary agreement
    assert panel.checks[0].ok and panel.view.title == "Gradient check: \u2713 the leaf agrees"


def test_summary_counts_undefined_leaves_apart_from_disagreements():
    model = GraphModel("x = -1\nw = 2\ny = w*w + log(x)")
    checks = TrustPanel(model).checks
    assert summary(checks) == "finite difference undefined here"   # nan everywhere: both leaves
    model.apply("x = 0\nw = 2\ny = relu(x) + w*w")
    assert summary(TrustPanel(model).checks) == "\u26a0 1 of 2 leaves disagree"


def lecture_at(a: float) -> str:
    return f"a = {a!r}\nb = -3\nc = 10\nf = -2\ne = a*b\nd = e + c\nL = d*f"


@pytest.mark.parametrize("a", [1e8, 2e198])
def test_a_step_lost_in_rounding_is_not_flagged_and_not_blamed_on_a_kink(a):
    """QA: at a = 1e8 the table showed 'c  -2  -2.001  3.6e-04  ⚠' and blamed 'a kink such as
    relu at 0'; backprop was right, c's step was lost in rounding beside a*b."""
    panel = TrustPanel(GraphModel(lecture_at(a)))
    panel.view.collapsed = False
    rows = {r["leaf"]: r for r in check_rows(panel.checks)}
    assert {leaf: r["verdict"] for leaf, r in rows.items()} == {
        "c": "imprecise", "a": "agree", "b": "agree", "f": "agree"}
    assert list(rows)[0] == "c" and rows["c"]["analytic"] == "-2"
    assert panel.view.title == "Gradient check: \u2713 3 agree, 1 imprecise here"
    table = panel.table.object
    assert "\u26a0" not in table and "class='bad'" not in table and "kink" not in table
    assert "<td>c</td>" in table and "imprecise here" in table
    assert "the perturbation is lost in rounding (values of very different size)" in table


def test_the_kink_note_shows_only_where_a_kink_is_crossed():
    panel = TrustPanel(GraphModel("x = 0\nw = 2\ny = relu(x) + w*w"))
    panel.view.collapsed = False
    assert "<td>\u26a0 kink</td>" in panel.table.object and "relu or abs" in panel.table.object
    assert "lost in rounding" not in panel.table.object
    panel = TrustPanel(GraphModel("x = 1e-5\ny = 1/x"))       # curves too much within +-h
    panel.view.collapsed = False
    assert panel.view.title == "Gradient check: \u26a0 the leaf disagrees"
    assert "<td>\u26a0</td>" in panel.table.object and "kink" not in panel.table.object


def test_summary_when_no_leaf_can_be_checked():
    panel = TrustPanel(GraphModel("x = 10\nb = 2e198\ny = b + x"))
    assert [c.label for c in panel.checks if c.verdict == "imprecise"] == ["x"]
    assert summary([c for c in panel.checks if c.label == "x"]) == "finite difference imprecise here"
