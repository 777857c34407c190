"""Faults a first tour of the app tripped over (issue 13): each test failed before its fix."""

from __future__ import annotations

import math
import sys

import pytest

from app.graph_page.leaves import slider_range
from app.graph_page.model import GraphModel


@pytest.mark.parametrize("v", [1e308, 1.7e308, -1.7e308, sys.float_info.max, -sys.float_info.max,
                               1e-320, 5e-324, 1e200])
def test_slider_range_of_extreme_values_is_finite_and_contains_the_value(v):
    lo, hi, step = slider_range(v)
    assert all(math.isfinite(x) for x in (lo, hi, step)) and step > 0
    assert lo <= v <= hi and lo < hi


def test_applying_a_huge_leaf_shows_it_and_clears_the_earlier_error():
    m = GraphModel()
    assert not m.apply("a = 2\nL = a +")
    assert m.error
    assert m.apply("a = 1e308\nL = a*2")
    assert m.error is None and m.source.startswith("a = 1e308")
    assert m.output == math.inf


@pytest.mark.parametrize("text, order", [
    ("x = 1; y = 2\nL = y*x", ["x", "y"]),
    ("z = 3\ny = 2\nx = 1\nL = x*(y+z)", ["z", "y", "x"]),
    ("b = 1; a = 2; ab = 3\nL = ab*a*b", ["b", "a", "ab"]),
])
def test_leaf_sliders_follow_the_source_order(text, order):
    from app.graph_page.controls import LeafSliders

    m = GraphModel(text)
    sliders = LeafSliders(m)
    assert [w.label for w in sliders.widgets] == order


def test_text_cut_at_the_editor_limit_names_the_limit_not_a_column():
    from app.graph_page.controls import ExpressionEditor

    m = GraphModel()
    editor = ExpressionEditor(m)
    limit = editor.text.max_length
    long_sum = "a = 1\nL = " + "+".join(["a"] * (limit // 2))
    editor.text.value = long_sum[:limit]          # what the browser sends: cut at the limit
    editor.apply_button.clicks += 1
    assert f"{limit:,} characters" in m.error.message and m.error.line == m.error.col == 0
    assert m.preset == "lecture"                   # the graph on screen stays
    editor.text.value = "a = 1\nL = a + a"
    editor.apply_button.clicks += 1
    assert m.error is None and m.source == "a = 1\nL = a + a"


@pytest.mark.parametrize("value, text", [(1e308, "1e+308"), (1e-320, "1e-320"), (2.0, "2"), (-0.35, "-0.35"),
                                         (5.050000000000001, "5.05"), (-0.0, "0"), (123456.0, "123456")])
def test_number_box_text_is_short_and_exact(value, text):
    from app.graph_page.leaf_control import number_text, read_number

    assert number_text(value) == text
    assert read_number(text)[0] == pytest.approx(value, rel=1e-11, abs=0)


def test_number_box_gives_feedback_for_text_it_cannot_take():
    from app.graph_page.controls import LeafSliders

    m = GraphModel()                    # lecture: a = 2
    (a, *_), output = LeafSliders(m).widgets, m.output
    for typed, says in [("abc", "not a number"), ("nan", "not a finite number"),
                        ("inf", "not a finite number"), ("-inf", "not a finite number"),
                        ("1e400", "largest number")]:
        a.box.value = typed
        assert a.message.visible and says in a.message.object, typed
        assert m.leaves.v0 == 2.0 and m.output == output        # nothing changed behind it
    a.box.value = "1e308"                 # far beyond the slider: taken, the slider widens
    assert not a.message.visible and m.leaves.v0 == 1e308
    assert a.slider.start <= 1e308 <= a.slider.end and a.box.value == "1e308"   # kept as typed
    a.box.value = "1e-320"
    assert m.leaves.v0 == 1e-320 and a.box.value == "1e-320"
    m.set_leaf("a", 1e-320 * 3)
    assert a.box.value == "3e-320"
    m.set_leaf("a", 3)                    # from code / a link: box and slider follow
    assert (a.box.value, a.slider.value) == ("3", 3.0)
    a.slider.value = 4.0
    assert m.leaves.v0 == 4.0 and a.box.value == "4"


def test_box_echo_of_a_slider_value_never_moves_the_leaf():
    """A slider step lands on float noise (2 + 23*0.05 = 3.1500000000000004); the box shows it
    as 3.15. That text coming back from the browser is the same value, not a new entry: taking
    it pushed the slider back to 3.15 while the user dragged on (seen in the browser under load)."""
    from app.graph_page.controls import LeafSliders

    m = GraphModel()
    a = LeafSliders(m).widgets[0]
    noisy = 2 + 23 * 0.05
    assert noisy != 3.15
    a.slider.value = noisy
    assert m.leaves.v0 == noisy and a.box.value == "3.15"
    a.box.value = "3.150"                  # the browser echoes the box text, however spelled
    assert m.leaves.v0 == noisy and a.slider.value == noisy and a.box.value == "3.15"
    a.box.value = "3.16"                   # a real entry still counts
    assert m.leaves.v0 == 3.16 and a.slider.value == 3.16


@pytest.mark.parametrize("x", [1e308, -1e308, 1.5e20, -2.5e-7, math.inf, -math.inf, math.nan, -3.0, 6.0])
def test_latex_numbers_use_the_captions_notation(x):
    """One notation on one screen: the step panel's LaTeX spells a number as the boxes do."""
    import re

    from app.graph_page.formatting import fmt, fmt_latex_number, latex_symbol
    from engine.ops import OPS, fill

    tex = fmt_latex_number(x)
    assert r"\infty" not in tex and r"\times" not in tex and "NaN" not in tex
    spelled = re.sub(r"\\mathrm\{([^}]*)\}", r"\1", tex).replace("{", "").replace("}", "")
    assert spelled.strip("()") == fmt(x)
    assert (tex.startswith("(") and tex.endswith(")")) == fmt(x).startswith("-")
    if math.isinf(x) and x > 0:         # a literal inf as an operand: d(a * inf)/da = inf
        local = fill(OPS["*"].latex_local[0], latex_symbol("a"), latex_symbol(fmt(x)))
        assert local.startswith(r"\mathrm{inf}")                            # not an italic i·n·f


def test_step_panel_of_a_huge_leaf_has_no_mixed_notation():
    from app.graph_page.narration import step_latex

    m = GraphModel("a = 1e308\nb = 3\ne = a*b\nL = e*2")
    tex = ""
    for k in range(1, m.n_steps + 1):
        m.step = k
        tex += step_latex(m.active_record, m)
    assert r"\mathrm{e}{+}308" in tex and r"\mathrm{inf}" in tex
    assert r"\times 10" not in tex and r"\infty" not in tex


def test_a_200_term_sum_keeps_its_step_formulas_and_a_short_ledger():
    from app.graph_page.narration import ledger_lines, step_latex

    m = GraphModel("a = 1\nL = " + "+".join(["a"] * 200))
    for k in (100, m.n_steps):
        m.step = k
        (ledger,) = ledger_lines(m.active_record, m)
        assert ledger.count("+ 1") <= 6 and r"\cdots" in ledger
        assert f"more}})}}" in ledger and ledger.rstrip().endswith(("to come)}", "(complete)}"))
        done = k - 1 if k < m.n_steps else 200
        assert f"= {done}" in ledger
        tex = step_latex(m.active_record, m)
        assert tex.count(r"\mathrel{\text{+=}}") >= 1 and len(tex) < 1000
    m.apply("a = 1\nL = a + a + a")          # short ledgers are written out in full
    m.step = m.n_steps
    assert any("1 + 1 + 1 = 3" in line for line in ledger_lines(m.active_record, m))


def test_names_the_output_does_not_use_are_said_not_dropped_silently():
    """'a = 2, b = 3, c = a*a': b got no slider and no box, and nothing said why."""
    from app import create_app

    app = create_app()
    editor, m = app.editor, app.model
    editor.text.value = "a = 2\nb = 3\nc = a*a"
    editor.apply_button.clicks += 1
    assert m.error is None and m.unused == ["b"]
    assert editor.error.visible and "b is not used by the output" in editor.error.object
    assert "unused-note" in editor.error.object and "\u26a0" not in editor.error.object   # a note, not an error
    editor.text.value = "a = 2\nc = a*a"
    editor.apply_button.clicks += 1
    assert m.unused == [] and not editor.error.visible
    editor.text.value = "a = 2\nb = 3\nc = a*"                # an error outranks the note
    editor.apply_button.clicks += 1
    assert "\u26a0" in editor.error.object
