"""A spare leaf control (made unbound, hidden on the page until a graph needs it) ignores what
a page sends it: the server raised TypeError for each such move (seen in a served bench run)."""

from __future__ import annotations

import math

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


def test_a_slider_move_to_nan_leaves_the_leaf_and_puts_the_slider_back():
    # a browser slider whose span overflowed sent NaN, which the leaf took (QA, a = 1e308)
    leaves = make_leaf_model(["n1"], {"n1": "a"}, {"n1": 1e308})
    control = LeafControl(leaves, "n1")
    control.slider.value = float("nan")
    assert leaves.n1 == 1e308 and control.slider.value == 1e308
    control.slider.value = control.slider.start
    assert leaves.n1 == control.slider.start < 1e308


def test_typing_a_far_value_and_back_brings_the_fine_slider_back():
    leaves = make_leaf_model(["n1"], {"n1": "a"}, {"n1": 2.0})
    control = LeafControl(leaves, "n1")
    fine = (control.slider.start, control.slider.end, control.slider.step)
    control.box.value = "1e6"
    assert leaves.n1 == 1e6 and control.slider.start <= 1e6 <= control.slider.end
    assert control.slider.step > 1000 and control.slider.value == 1e6
    control.box.value = "2"
    assert leaves.n1 == 2.0 and (control.slider.start, control.slider.end, control.slider.step) == fine
    control.box.value = "-1e308"      # the leaf's range and one around -1e308 would overflow: the latter
    assert control.slider.start <= -1e308 <= control.slider.end
    assert math.isfinite((control.slider.end - control.slider.start) * 100)


def test_a_value_set_elsewhere_widens_the_range_without_overflow():
    leaves = make_leaf_model(["n1"], {"n1": "a"}, {"n1": 1e308})
    control = LeafControl(leaves, "n1")
    leaves.n1 = -1e308              # as a link or a new value would
    assert control.slider.start <= -1e308 <= control.slider.end and control.slider.value == -1e308
    assert math.isfinite((control.slider.end - control.slider.start) * 100)
