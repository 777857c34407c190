"""Leaf controls scale: beyond MAX_SLIDERS leaves, a searchable table and one control (issue 9)."""

from __future__ import annotations

import pytest

from app import create_app
from app.graph_page.no_relayout import is_shown
from app.graph_page.leaf_table import MAX_SLIDERS


def _many_leaves(n):
    # leaves assigned in reverse name order, used in another order: the table keeps the text's
    lines = [f"z{i} = {i}" for i in reversed(range(n))]
    return "\n".join(lines) + "\nout = " + " + ".join(f"z{i}*z{(i + 1) % n}" for i in range(n)) + "\n"


def test_few_leaves_get_one_control_each_in_source_order():
    app = create_app("b = 1\na = 2\nout = a*b")
    assert not app.sliders.table.view.visible
    assert [w.label for w in app.sliders.widgets] == ["b", "a"]


def test_many_leaves_get_a_table_and_one_control():
    app = create_app(_many_leaves(MAX_SLIDERS + 6))
    s = app.sliders
    assert s.widgets == [] and s.table.view.visible and not any(is_shown(w.view) for w in s._pool)
    table = s.table.table
    assert list(table.value["leaf"]) == [f"z{i}" for i in reversed(range(MAX_SLIDERS + 6))]
    assert table.header_filters["leaf"]["type"] == "input" and table.header_filters["leaf"]["placeholder"] == "find leaf"
    # the first leaf is selected; a click on another leaf's box selects that one
    m = app.model
    first, control = s.table.selected, s.table.control
    assert m.compiled.labels[first] == f"z{MAX_SLIDERS + 5}"
    z3 = m.compiled.tape.leaf_ids[[m.compiled.labels[v] for v in m.compiled.tape.leaf_ids].index("z3")]
    app.graph._on_selected("indices", [], [m.compiled.tape.index[z3]])
    assert s.table.selected == z3 and table.selection == [s.table.order.index(z3)]
    assert s.table.control is control and s.table.control.label == "z3"   # rebound, not rebuilt
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
    assert not app.sliders.table.view.visible and len(app.sliders.widgets) == 4
    assert all(is_shown(w.view) for w in app.sliders.widgets) and app.sliders.table._watcher is None
    assert [w.label for w in app.sliders.widgets] == ["a", "b", "c", "f"]


@pytest.mark.parametrize("n", [MAX_SLIDERS, MAX_SLIDERS + 1])
def test_threshold(n):
    app = create_app(_many_leaves(n))
    assert (len(app.sliders.widgets), app.sliders.table.view.visible) == \
        ((n, False) if n <= MAX_SLIDERS else (0, True))


def test_a_new_graph_rebinds_the_controls_already_on_the_page():
    """New leaves take over the controls on the page (no new widgets, the column unchanged);
    spare controls hide and come back; the rebound controls move the new graph's leaves."""
    app = create_app("a = 1\nb = 2\nc = 3\nout = a*b + c")
    s = app.sliders
    first, objects = list(s.widgets), list(s.column.objects)
    app.model.apply("p = 0.5\nq = -4\nout = p*q")
    assert [w.label for w in s.widgets] == ["p", "q"]
    assert s.widgets == first[:2] and s.column.objects == objects
    assert [is_shown(w.view) for w in first] == [True, True, False]
    assert (s.widgets[0].box.value, s.widgets[1].slider.value) == ("0.5", -4)
    s.widgets[1].slider.value = 2.0
    assert app.model.output == 1.0
    # back to three leaves: the hidden control comes back, bound to the new third leaf
    app.model.apply("x = 1\ny = 1\nz = 1\nout = x + y + z")
    assert s.widgets == first and all(is_shown(w.view) for w in first)
    s.widgets[2].box.value = "5"
    assert app.model.output == 7
    # a leaf beyond a slider's range keeps its value: binding is not a move of the slider
    app.model.apply("a = 1e6\nout = a*2")
    assert app.model.output == 2e6 and s.widgets[0].box.value == "1000000"
    # the old leaves are no longer followed
    assert [is_shown(w.view) for w in first] == [True, False, False]


def test_no_leaves_then_leaves_again():
    app = create_app("a = 1\nout = a*2")
    s = app.sliders
    app.model.apply("out = 2*3")
    assert s.widgets == [] and is_shown(s._no_leaves) and not is_shown(s._pool[0].view)
    app.model.apply("b = 4\nout = b*2")
    assert [w.label for w in s.widgets] == ["b"] and not is_shown(s._no_leaves)
