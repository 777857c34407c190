"""show() (the notebook entry point) refuses what is not a graph with a message naming it
(was AttributeError or KeyError from deep inside). Kept out of test_notebook, which runs a
kernel."""

from __future__ import annotations

import re

import panel as pn
import pytest
from micrograd.engine import Value as MgValue

from app.notebook import show
from engine import GraphError, Value
from engine.expression import MAX_NODES


@pytest.fixture(autouse=True)
def no_serving(monkeypatch):
    """Outside a notebook show() serves the app: a test must fail before it would."""
    monkeypatch.setattr(pn, "serve", lambda *a, **k: pytest.fail("show() accepted the input"))


@pytest.mark.parametrize("given, named", [([1, 2], "got list [1, 2]"), (3.0, "got float 3.0")])
def test_show_of_a_list_or_a_number_says_what_it_takes(given, named):
    with pytest.raises(TypeError, match=re.escape(f"expected expression text or a micrograd-style "
                                                  f"Value, {named}")):
        show(given)


def test_show_of_a_cyclic_micrograd_graph_says_it_has_a_cycle():
    a = MgValue(2.0)
    b = a * 3
    a._prev = {b}
    with pytest.raises(GraphError, match="the graph has a cycle"):
        show(b)


def test_show_of_a_graph_over_the_node_limit_says_so():
    z = Value(1.0)
    for _ in range(MAX_NODES):
        z = z * 1.0001
    with pytest.raises(GraphError, match=f"the graph is too large \\(more than {MAX_NODES:,} nodes\\)"):
        show(z)
