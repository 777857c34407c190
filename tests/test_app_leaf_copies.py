"""A leaf used far apart is drawn once per group of nearby uses (issue 10: no spanning edges;
issue 9: big graphs open fast). Every drawing shows the same value, follows sliders and steps,
and a click on any of them selects the one leaf."""

from __future__ import annotations

import pytest

from app import create_app


def chain(lines: int) -> str:
    """``a`` and ``b`` are used on every line: far apart once the chain is long."""
    out = ["a = 0.5", "b = -1.25", "x0 = a*b"]
    out += [f"x{i} = tanh(x{i - 1}*0.9 + a) * b" for i in range(1, lines)]
    return "\n".join(out + [f"L = x{lines - 1} + a"])


def drawings(app, label: str) -> list:
    """Rows of the value boxes that draw ``label``."""
    data = app.graph.values.data
    return [r for r, name in enumerate(data["label"]) if name == label]


@pytest.fixture(scope="module")
def app():
    app = create_app(chain(40))
    app.model.expanded = None     # each tanh line reads as a neuron: draw them all open
    return app


def test_far_used_leaves_are_drawn_near_their_uses(app):
    lay = app.model.display.layout
    assert lay.copies and set(lay.copies.values()) >= {app.model.compiled.leaf_ids[0]}
    for label in ("a", "b"):
        rows = drawings(app, label)
        assert len(rows) >= 3, rows
        data = app.graph.values.data
        assert len({data["id"][r] for r in rows}) == 1          # one node ...
        assert len({data["text"][r] for r in rows}) == 1        # ... one value and grad
        assert all("the same value as" in data["role"][r] for r in rows[1:])
    # no edge spans the drawing: every edge is shorter than a tenth of its width
    longest = max(abs(pts[-1][0] - pts[0][0]) for pts in lay.edges.values() if pts[0][0] == pts[0][0])
    assert longest < lay.width / 10


def test_every_drawing_follows_the_slider_and_the_player(app):
    m = app.model
    m.set_leaf("a", 0.75)
    texts = {app.graph.values.data["text"][r] for r in drawings(app, "a")}
    assert len(texts) == 1 and texts.pop().startswith("a | 0.75 |")
    m.step = 0                                                   # grads not reached yet
    texts = {app.graph.values.data["text"][r] for r in drawings(app, "b")}
    assert texts == {"b | -1.25 | 0"}
    m.step = m.n_steps                                           # the whole backward pass
    data = app.graph.values.data
    texts = {data["text"][r] for r in drawings(app, "b")}
    assert len(texts) == 1 and not texts.pop().endswith("| 0")


def test_a_click_on_a_copy_selects_the_leaf(app):
    clicked = []
    app.graph.on_node_click(clicked.append)
    rows = drawings(app, "a")
    app.graph.values.selected.indices = [rows[-1]]
    assert clicked == [app.graph.values.data["id"][rows[0]]]
