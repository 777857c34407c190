"""Leaf controls scale: beyond MAX_SLIDERS leaves, a searchable table and one control (issue 9)."""

from __future__ import annotations

import pytest

from app import create_app
from app.graph_page.leaf_table import MAX_SLIDERS


def _many_leaves(n):
    # leaves assigned in reverse name order, used in another order: the table keeps the text's
    lines = [f"z{i} = {i}" for i in reversed(range(n))]
    return "\n".join(lines) + "\nout = " + " + ".join(f"z{i}*z{(i + 1) % n}" for i in range(n)) + "\n"


def test_few_leaves_get_one_control_each_in_source_order():
    app = create_app("b = 1\na = 2\nout = a*b")
    assert app.sliders.table is None
    assert [w.label for w in app.sliders.widgets] == ["b", "a"]


def test_many_leaves_get_a_table_and_one_control():
    app = create_app(_many_leaves(MAX_SLIDERS + 6))
    s = app.sliders
    assert s.widgets == [] and s.table is not None and s.column.objects == [s.table.view]
    table = s.table.table
    assert list(table.value["leaf"]) == [f"z{i}" for i in reversed(range(MAX_SLIDERS + 6))]
    assert "search" in str(table.header_filters)
    # the first leaf is selected; a click on another leaf's box selects that one
    m = app.model
    first = s.table.selected
    assert m.compiled.labels[first] == f"z{MAX_SLIDERS + 5}"
    z3 = m.compiled.tape.leaf_ids[[m.compiled.labels[v] for v in m.compiled.tape.leaf_ids].index("z3")]
    app.graph._on_selected("indices", [], [m.compiled.tape.index[z3]])
    assert s.table.selected == z3 and table.selection == [s.table.order.index(z3)]
    # its control moves that leaf; the table cell and the graph follow
    s.table.control.slider.value = 7.5
    assert getattr(m.leaves, z3) == 7.5
    assert table.value["value"][s.table.order.index(z3)] == "7.5"
    row = m.compiled.tape.index[z3]
    assert app.graph.values.data["text"][row].startswith("z3 | 7.5 |")
    # a click on an op's output that is not a leaf changes nothing
    app.graph._on_selected("indices", [], [m.compiled.tape.index[m.compiled.output_id]])
    assert s.table.selected == z3


def test_back_to_few_leaves_after_the_table():
    app = create_app(_many_leaves(MAX_SLIDERS + 1))
    app.model.load_preset("lecture")
    assert app.sliders.table is not None and len(app.sliders.widgets) == 4
    assert [w.label for w in app.sliders.widgets] == ["a", "b", "c", "f"]


@pytest.mark.parametrize("n", [MAX_SLIDERS, MAX_SLIDERS + 1])
def test_threshold(n):
    app = create_app(_many_leaves(n))
    assert (len(app.sliders.widgets), app.sliders.column.objects == [getattr(app.sliders.table, "view", None)]) == \
        ((n, False) if n <= MAX_SLIDERS else (0, True))
