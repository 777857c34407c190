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
    assert m.error == "" and m.source.startswith("a = 1e308")
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
