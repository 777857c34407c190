"""The step panel's chain rule for a phone (``app.graph_page.narrow_math``): every display line
broken at its top-level relations into rows that keep all of it, none wider than the line."""

from __future__ import annotations

import pytest

from app.graph_page.model import GraphModel
from app.graph_page.narration import step_latex
from app.graph_page.narrow_math import RELATIONS, _top_level_cuts, narrow_line, narrow_rows
from app.graph_page.step_panel import math_html


def _unbroken(rows: list[str]) -> str:
    """The rows joined back into one line (the ``{}`` and ``\\quad`` a row starts with dropped)."""
    out = rows[0]
    for row in rows[1:]:
        row = row.removeprefix("{}").removeprefix(r"\quad ")
        out += " " + row
    return " ".join(out.split())


def _all_lines(model: GraphModel):
    for k in range(1, model.n_steps + 1):
        model.step = k
        tex = step_latex(model.active_record, model)
        yield from (line for line in tex.split(r" \\ ") if line)


@pytest.mark.parametrize("preset", ["lecture", "neuron", "mlp", "accumulation", "tanh_exp"])
def test_every_step_of_a_preset_is_broken_at_its_relations_and_keeps_all_of_it(preset):
    model = GraphModel(preset=preset)
    broken = 0
    for mode in ("backward", "forward"):
        model.mode = mode
        for line in _all_lines(model):
            rows = narrow_line(line)
            assert _unbroken(rows) == " ".join(line.split())
            assert all(len(row) <= len(line) for row in rows)
            for row in rows[1:]:                       # a row after the first starts a relation
                assert row.startswith("{}") and any(
                    row[2:].startswith(rel.strip()) for rel in RELATIONS + (r"\quad +",)), row
            if len(_top_level_cuts(line, RELATIONS)) >= 3:
                assert len(rows) >= 2
                broken += 1
    if preset in ("neuron", "mlp", "lecture"):
        assert broken > 0                              # the chain rules were broken


def test_a_chain_rule_line_gives_one_row_per_relation_the_result_beside_its_product():
    model = GraphModel(preset="lecture")
    model.step = 4                                     # e = a * b pushes to a and b
    line = step_latex(model.active_record, model).split(r" \\ ")[0]
    rows = narrow_line(line)
    assert len(rows) == 3
    assert r"\mathrel{\text{+=}}" in rows[0] and rows[1].startswith("{}= ")
    assert rows[2].startswith("{}= ") and rows[2].endswith("= 6")   # "= (-3)(-2) = 6": one row


def test_relations_inside_groups_stay_and_leftarrow_is_not_a_left():
    assert narrow_line(r"o = \tanh\left(n = 3\right) = 0.7123456789012") == [
        r"o = \tanh\left(n = 3\right)", r"{}= 0.7123456789012"]
    assert narrow_line(r"w \leftarrow w - \eta\,g = 0.3 - 0.1\cdot 0.5 = 0.25") == [
        r"w \leftarrow w - \eta\,g", r"{}= 0.3 - 0.1\cdot 0.5 = 0.25"]
    assert narrow_line(r"\frac{a = b}{c} = d") == [r"\frac{a = b}{c} = d"]   # one relation: whole


def test_a_long_ledger_runs_on_over_rows_of_three_terms():
    model = GraphModel("a = 1\nL = a + a + a + a + a")
    model.step = model.n_steps
    ledger = step_latex(model.active_record, model).split(r" \\ ")[-1]
    rows = narrow_line(ledger)
    assert rows[0].endswith("= 1 + 1 + 1") and rows[1] == r"{}\quad + 1 + 1"
    assert rows[2].startswith("{}= 5")


def test_the_panel_html_holds_both_forms():
    model = GraphModel(preset="neuron")
    model.step = 3
    tex = step_latex(model.active_record, model)
    html = math_html(tex)
    assert html.count('class="math-wide"') == 1 and html.count('class="math-narrow"') == 1
    rows = sum(len(r) for r in narrow_rows(tex))
    assert html.count('class="math-row"') == rows > tex.count(r" \\ ") + 1
    assert math_html("") == "" and narrow_rows("") == []
