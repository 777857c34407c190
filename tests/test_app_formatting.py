"""Pure helpers of the app: number format, LaTeX of engine formulas, slider ranges, node sizes."""

from __future__ import annotations

import math

import pytest

from app.graph_page.formatting import fmt, latex_symbol, node_caption, op_symbol
from app.graph_page.graph_view import caption_font_units
from app.graph_page.leaves import make_leaf_model, slider_range
from app.graph_page.sizing import FONT_UNITS, caption_width, make_node_size
from engine.ops import OPS, fill


@pytest.mark.parametrize("x,s", [(6.0, "6"), (-0.70710678, "-0.7071"), (123456.7, "1.235e+05"),
                                 (float("nan"), "nan"), (float("inf"), "inf"), (-float("inf"), "-inf"),
                                 (-0.0, "0"), (None, "?")])
def test_fmt_four_significant_digits(x, s):
    assert fmt(x) == s


def test_node_caption_reads_label_data_grad():
    assert node_caption("a", 2.0, 6.0) == "a | 2 | 6"
    assert node_caption("o", 0.70710678, 1.0) == "o | 0.7071 | 1"
    assert node_caption("d", 4.0, 0.0, pending=True) == "d | ? | \u2013"


@pytest.mark.parametrize("op, operand, operands, out, tex", [
    ("*", 0, ("a", "b"), "e", "b"),
    ("tanh", 0, ("n",), "out", r"1 - \mathit{out}^{2}"),
    ("/", 1, ("a", "b"), "c", r"\frac{-a}{b^{2}}"),
    ("relu", 0, ("x",), "v11", r"[v_{11} > 0]"),
    ("*", 1, ("w[0][0][1]", "x"), "y", r"w_{[0][0][1]}"),
    ("**", 1, ("y", "p"), "v13", r"v_{13} \cdot \ln\left(y\right)"),
    ("**", 0, ("x", "-3"), "y", r"(-3) \cdot x^{(-3) - 1}"),
])
def test_local_derivative_latex_from_the_op_table(op, operand, operands, out, tex):
    """The step panel writes d out / d operand from the table's LaTeX and the labels' symbols."""
    symbols = [latex_symbol(label) for label in operands]
    assert fill(OPS[op].latex_local[operand], *symbols, out=latex_symbol(out)) == tex


def test_long_labels_are_shortened_in_the_math_keeping_head_and_tail():
    """A long name is written in every fraction of a step's chain rule: past
    ``MATH_LABEL_CHARS`` it keeps its head and tail (``loss_a`` and ``loss_b`` stay apart)."""
    from app.graph_page.formatting import MATH_LABEL_CHARS, grad_symbol

    name = "the_total_loss_of_this_rather_long_named_network"
    assert latex_symbol(name) == r"\text{the\_tot…work}"
    a, b = latex_symbol("total_loss_of_net_a"), latex_symbol("total_loss_of_net_b")
    assert a != b and "…" in a
    assert latex_symbol("x" * MATH_LABEL_CHARS) == rf"\mathit{{{'x' * MATH_LABEL_CHARS}}}"
    assert latex_symbol("w[10][11][12]") == r"w_{[10][11][12]}"    # MLP weights keep their index
    assert grad_symbol("a", name) == r"\frac{\partial \text{the\_tot…work}}{\partial a}"


def test_latex_symbols_and_op_symbols():
    assert [latex_symbol(s) for s in ("a", "x1", "L", "-3")] == ["a", "x_{1}", "L", "(-3)"]
    assert op_symbol("*") == "\u00d7" and op_symbol("tanh") == "tanh" and op_symbol("**2") == "^2"


@pytest.mark.parametrize("v", [2.0, -3.0, 10.0, 0.0, 6.8813735870195432, 1e-3, -250.0])
def test_slider_range_contains_value_with_room_both_sides(v):
    lo, hi, step = slider_range(v)
    assert lo < v < hi and hi - lo >= 4 and step > 0
    assert min(v - lo, hi - v) >= 0.2 * (hi - lo)


@pytest.mark.parametrize("v", [1e308, -1e308, 1.7976931348623157e308, -5e307, 1e307, 5e-324])
def test_slider_range_spans_a_finite_width_at_the_float_limits(v):
    # the browser's slider works in percent of end - start: past the float range a step gave NaN
    # or sent the handle to an end
    lo, hi, step = slider_range(v)
    assert lo <= v <= hi and math.isfinite((hi - lo) * 100) and 0 < step and (hi - lo) / step <= 202


def test_slider_range_for_non_finite_values():
    assert slider_range(math.inf) == (-10.0, 10.0, 0.1)


def test_generated_leaf_models_are_independent_classes():
    a = make_leaf_model(["v0"], {"v0": "a"}, {"v0": 2.0})
    b = make_leaf_model(["v0"], {"v0": "a"}, {"v0": 5.0})
    a.v0 = 7.0
    assert (a.v0, b.v0) == (7.0, 5.0)
    assert type(a) is not type(b) and a.param.v0.label == "a"


def test_node_size_fits_caption_and_font_shrinks_when_captions_grow():
    size = make_node_size({"v0": "a"}, {"v0": 2.0}, {"v0": 6.0})
    w, h = size("v0", {"kind": "value"})
    assert w >= caption_width(len("a | 2 | 6")) and h > FONT_UNITS
    assert caption_font_units([w], ["a | 2 | 6"]) == FONT_UNITS
    assert caption_font_units([w], ["a | -0.7071 | -1.234e+05"]) < FONT_UNITS
    d = size("o1", {"kind": "op", "op": "*"})
    assert d[0] == d[1]
