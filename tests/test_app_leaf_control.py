"""A spare leaf control (made unbound, hidden on the page until a graph needs it) ignores what
a page sends it: the server raised TypeError for each such move (seen in a served bench run)."""

from __future__ import annotations

from app.graph_page.leaf_control import LeafControl
from app.graph_page.leaves import make_leaf_model


def test_an_unbound_control_ignores_moves_and_typing():
    control = LeafControl()
    control.slider.value = 0.5                 # as a page's slider move arrives
    control.box.value = "2.5"                  # as a page's typing arrives
    assert control.lid is None and control.leaves is None
    assert not control.message.visible


def test_a_bound_control_still_sets_its_leaf():
    leaves = make_leaf_model(["n1"], {"n1": "a"}, {"n1": 1.0})
    control = LeafControl(leaves, "n1")
    control.slider.value = 0.5
    assert leaves.n1 == 0.5
    control.box.value = "2.5"
    assert leaves.n1 == 2.5
