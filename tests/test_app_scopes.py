"""Collapsed scopes in the app without a browser: which graphs open collapsed, expanding and
collapsing redraws the view only (Tape, values, records untouched), neuron steps end at the
per-op grads, follow opens and closes the step's scope, and links carry the collapse state."""

from __future__ import annotations

import math
from types import SimpleNamespace
from urllib.parse import parse_qsl

import numpy as np
import pytest

from app import create_app
from app.graph_page.formatting import fmt
from app.graph_page.model import GraphModel
from app.graph_page.narration import step_latex, step_title
from app.graph_page.no_relayout import is_shown
from app.graph_page.scopes_display import encode_collapse
from app.presets import PRESETS
from app.share.url_model import apply_state, state_from_model
from app.share.url_state import decode, encode
from engine.train import TrainConfig, Trainer

NEURONS = {("layer 0", "neuron 0"), ("layer 0", "neuron 1"), ("layer 1", "neuron 0"),
           ("layer 1", "neuron 1"), ("layer 2", "neuron 0")}


def drawn(display):
    """Ids of the value nodes the view draws (a position that is a number)."""
    return {v for v in display.value_ids if not math.isnan(display.layout.positions[v][0])}


def test_mlp_preset_opens_collapsed_to_neurons_small_graphs_do_not():
    m = GraphModel(preset="mlp")
    d = m.display
    assert {tuple(b["path"]) for b in d.boxes} == NEURONS
    assert m.expanded == {("layer 0",), ("layer 1",), ("layer 2",)}
    # a box is drawn by its output's row (so steps and sliders patch it) and reads like one
    for b in d.boxes:
        assert b["output"] in drawn(d)
        assert d.layout.positions[b["output"]] == (b["x"], b["y"])
        assert d.labels[b["output"]] == m.compiled.labels[b["output"]]
        assert "collapsed" in d.graph.nodes[b["output"]]["role"]
    assert len(drawn(d)) < len(m.compiled.value_ids) / 3
    # edges inside a box are not drawn; an edge into a box ends at the box
    for (u, v), pts in d.layout.edges.items():
        owner_u, owner_v = d.owner.get(u, u), d.owner.get(v, v)
        assert math.isnan(pts[0][0]) == (owner_u == owner_v)
    for name in ("lecture", "neuron", "accumulation", "tanh_exp"):
        small = GraphModel(preset=name)
        assert small.expanded is None and small.display is small.compiled


def test_arrow_heads_of_edges_not_drawn_are_hidden():
    """An edge inside a collapsed box has NaN ends; BokehJS still drew its arrow head, as a dot at
    the plot frame's top-left corner. Its head is transparent, every drawn one opaque, also after
    a box is opened (the geometry-only path) and in the served figure's head spec."""
    app = create_app(preset="mlp")
    view = app.graph
    head = next(a for a in view.figure.center if type(a).__name__ == "Arrow").end
    assert head.fill_alpha == "shown" and head.line_alpha == "shown"

    def check():
        data = view.arrows.data
        ends = np.asarray(data["x1"], dtype=float)
        shown = np.asarray(data["shown"], dtype=float)
        assert len(shown) == len(ends) and np.isnan(ends).any() and (~np.isnan(ends)).any()
        np.testing.assert_array_equal(shown, np.where(np.isnan(ends), 0.0, 1.0))

    check()
    app.model.expanded = app.model.expanded | {("layer 0", "neuron 1")}
    check()


def test_the_camera_point_of_a_step_inside_a_collapsed_neuron_is_its_box():
    """The Player's node inside a collapsed neuron has no position of its own (NaN): the point
    the first view keeps in view and the camera follows is its neuron's box (it was NaN, and the
    view stayed where it was). A drawn node is its own point; step 0 has none."""
    app = create_app(preset="mlp")
    m, view = app.model, app.graph
    rec = m.active_record
    owner = m.display.owner[rec.node]
    box = next(b for b in m.display.boxes if b["id"] == owner)
    # its centre and half sizes: the camera keeps the whole box in view
    assert view.focus.data == {"x": [box["x"]], "y": [box["y"]], "hw": [box["w"] / 2], "hh": [box["h"] / 2]}
    steps = {}
    m.param.watch(lambda e: steps.update(xy=(view.focus.data["x"][0], view.focus.data["y"][0])), "frame")
    m.step = 1                        # the seed: the loss, drawn itself
    out = m.display.layout.positions[m.compiled.output_id]
    assert steps["xy"] == pytest.approx(out)
    m.step = m.n_steps                # back inside the neuron: its box again
    assert steps["xy"] == pytest.approx((box["x"], box["y"]))
    x, y, hw, hh = view.patcher.focus_point(None)                            # no node: no point
    assert math.isnan(x) and math.isnan(y) and hw == hh == 0


def test_expanding_redraws_the_view_only():
    m = GraphModel(preset="mlp")
    tape, records = m.compiled.tape, m.backward_records
    data, grad, shown = tape.data.copy(), tape.grad.copy(), m.shown_grad.copy()
    frames = []
    m.param.watch(lambda e: frames.append(e.new.kind), "frame")
    m.expanded = m.expanded | {("layer 0", "neuron 1")}
    assert frames == ["view"]
    assert m.compiled.tape is tape and m.backward_records is records
    np.testing.assert_array_equal(tape.data, data)
    np.testing.assert_array_equal(tape.grad, grad)
    np.testing.assert_array_equal(m.shown_grad, shown)
    d = m.display
    inside = {n for n, p in m.node_scopes.items() if p == ("layer 0", "neuron 1")}
    assert {v for v in inside if v.startswith("v")} <= drawn(d)
    assert ("layer 0", "neuron 1") in {f["path"] for f in d.frames}
    # every member of the open neuron lies inside its frame
    frame = next(f for f in d.frames if f["path"] == ("layer 0", "neuron 1"))
    for v in inside:
        x, y = d.layout.positions[v]
        assert frame["x0"] <= x <= frame["x1"] and frame["y0"] <= y <= frame["y1"]
    m.expanded = None
    assert m.display is m.compiled


def test_neuron_steps_play_to_the_per_op_grads_and_narrate_the_chain_rule():
    m = GraphModel(preset="mlp")
    m.step_by = "neuron"
    assert m.n_steps == 8 and m.step == 8          # at the end it was, at the end it stays
    m.step = 0
    for k in range(1, m.n_steps + 1):
        m.step = k
    np.testing.assert_allclose(m.shown_grad, m.compiled.tape.grad, rtol=1e-12, atol=1e-15)
    m.step = 7
    rec = m.active_record
    assert rec.kind == "scope" and rec.scope == ("layer 0", "neuron 1")
    title = step_title(rec, m.step, m.n_steps, m.mode)
    assert "layer 0 / neuron 1" in title
    tex = step_latex(rec, m)
    w = next(t for t in rec.chain if t.label == "w[0][1][0]")
    assert r"\tanh'" in tex and w.contribution == pytest.approx(
        m.compiled.tape.grad[m.compiled.tape.index[w.node]], rel=1e-12)
    m.step_by = "op"
    assert m.n_steps == len(m.backward_records) and m.step == 0


def inspected_app(with_l2=False, sample=3):
    rng = np.random.RandomState(4)
    trainer = Trainer(rng.randn(10, 2), np.where(rng.randn(10) > 0, 1.0, -1.0),
                      TrainConfig(hidden=(16, 16)))
    trainer.run(2)
    ins = trainer.inspect(sample, with_l2=with_l2)
    app = create_app()
    app.inspect(ins.root, ins.updates)
    return app


def test_an_inspected_sample_opens_collapsed_to_layers_and_plays_to_its_update():
    app = inspected_app()
    m = app.model
    d = m.display
    assert m.expanded == frozenset()                # 33 neurons are too many boxes: layers
    assert {b["path"] for b in d.boxes} == {("layer 0",), ("layer 1",), ("layer 2",),
                                            ("sample loss",)}
    assert len(drawn(d)) < 20
    # a layer's box names the layer and counts its 16 outputs (no one output's name)
    layer0 = next(b for b in d.boxes if b["path"] == ("layer 0",))
    assert d.labels[layer0["output"]] == "layer 0 \u00b7 16 outputs"
    m.step = m.n_steps
    assert m.active_record.kind == "update"
    app.scopes.collapse_to("neurons")
    assert len(m.display.boxes) == 16 + 16 + 1 + 1


def box_row(app, path):
    """The layer box ``path`` of the app's drawing and its row's cells in the values source."""
    box = next(b for b in app.model.display.boxes if b["path"] == path)
    data = app.graph.values.data
    row = list(data["id"]).index(box["output"])
    return box, {c: data[c][row] for c in ("text", "label", "grad", "data_s", "grad_s",
                                           "line_color")}


def listing(m, outputs, column):
    """``"h[1][0] = 0.1<br>...<br>h[1][7] = 0.3<br>and 8 more"``: what a layer box's hover
    lists (one output a line)."""
    cg, shown = m.compiled, (m.shown_data if column == "data" else m.shown_grad)
    return "<br>".join([f"{cg.labels[o]} = {fmt(shown[cg.tape.index[o]])}"
                        for o in outputs[:8]] + [f"and {len(outputs) - 8} more"])


def test_a_layer_box_shows_no_one_outputs_numbers_after_slider_moves_and_player_steps():
    """An inspected sample's "layer 1" box has 16 outputs h[1][0..15]; it read "layer 1:
    h[1][15] | data | grad", coloured by h[1][15]'s grad, while the step panel narrated
    h[1][6]. Its row (the one drawing it, patched in place by sliders and the Player) names the
    layer and counts its outputs, has no colour of a grad (NaN: the no-number colour), and its
    hover lists its outputs' data and grads, kept current by both update paths."""
    app = inspected_app(sample=1)          # a sample with a loss: its grads are not all 0
    m = app.model
    path = ("layer 1",)

    def check():
        box, cells = box_row(app, path)
        assert cells["text"] == cells["label"] == "layer 1 \u00b7 16 outputs"
        assert math.isnan(cells["grad"])
        assert cells["data_s"] == listing(m, box["outputs"], "data")
        assert cells["grad_s"] == listing(m, box["outputs"], "grad")
        return box, cells

    box, cells = check()
    assert [m.compiled.labels[o] for o in box["outputs"]] == [f"h[1][{j}]" for j in range(16)]
    # one Player step that sets the grad of h[1][j] (j < 8), not of the output drawing the box
    index = m.compiled.tape.index
    step, h = next((k, vid) for k, rec in enumerate(m.records, 1) for vid, (_, after)
                   in rec.changes.items() if vid in box["outputs"][:8] and after != 0
                   and box["output"] not in rec.changes)
    m.step = step - 1
    m.step = step
    box, cells = check()
    assert f"{m.compiled.labels[h]} = {fmt(m.shown_grad[index[h]])}" in cells["grad_s"]
    # a step at a node inside the box: the box is outlined as the step's place
    m.step = next(k for k, rec in enumerate(m.records, 1)
                  if m.display.owner.get(rec.node) == box["id"] and rec.node != box["output"])
    box, cells = check()
    active = app.scopes.active.data
    assert (active["x"][0], active["y"][0]) == (box["x"], box["y"])
    # a slider on the bias of a live neuron j < 8 changes h[1][j], not the output drawing the box
    j = next(j for j, o in enumerate(box["outputs"][:8]) if m.shown_data[index[o]] > 0)
    h, before = box["outputs"][j], m.shown_data[index[box["outputs"][j]]]
    drawing = m.shown_data[index[box["output"]]]
    bias = next(lid for lid in m.compiled.leaf_ids if m.compiled.labels[lid] == f"b[1][{j}]")
    m.set_leaf(bias, m.compiled.tape.data[index[bias]] + 0.5)
    assert m.shown_data[index[h]] == pytest.approx(before + 0.5)
    assert m.shown_data[index[box["output"]]] == drawing
    box, cells = check()
    assert f"h[1][{j}] = {fmt(m.shown_data[index[h]])}" in cells["data_s"]
    # a box with one output (layer 2's one neuron) reads as that output, as before
    last, cells = box_row(app, ("layer 2",))
    out = index[last["output"]]
    assert cells["text"] == (f"{m.compiled.labels[last['output']]} | "
                             f"{fmt(m.shown_data[out])} | {fmt(m.shown_grad[out])}")
    assert cells["grad"] == m.shown_grad[out]
    # layer 2 open: its op reading h[1][15] (whose row draws layer 1) names h[1][15]
    m.expanded = frozenset({("layer 2",), ("layer 2", "neuron 0")})
    box, _ = box_row(app, path)
    ops = app.graph.ops.data
    k = next(k for k, o in enumerate(ops["id"]) if box["output"] in m.compiled.op_inputs[o])
    assert ops["inputs"][k] == "w[2][0][15], h[1][15]"


def test_a_layer_box_hover_lists_outputs_one_a_line_with_labels_escaped():
    """The hover shows data, grad and role as HTML (one output a line, a long role wrapped:
    the tooltip ran off the screen); a label is text, never markup."""
    from app.graph_page.graph_figure import role_html
    from app.graph_page.graph_patch import output_list

    assert output_list([("h<img src=x>", "1"), ("b&c", "?")]) == (
        "h&lt;img src=x&gt; = 1<br>b&amp;c = ?")
    assert output_list((f"h{k}", "0") for k in range(10)).split("<br>")[-3:] == [
        "h6 = 0", "h7 = 0", "and 2 more"]
    # the role line (what a box holds, ~90 characters) wraps: it ran the tooltip off the screen
    assert role_html("leaf") == "leaf" and role_html("a<b") == "a&lt;b"
    app = inspected_app()
    box, _ = box_row(app, ("layer 1",))
    role = app.graph.values.data["role"][list(app.graph.values.data["id"]).index(box["output"])]
    assert role.startswith('<div style="white-space:normal') and "layer 1 (collapsed" in role


def test_clicks_open_a_box_in_place_and_close_its_frame():
    app = create_app(preset="mlp")
    m, sv = app.model, app.scopes
    box = next(b for b in m.display.boxes if b["path"] == ("layer 1", "neuron 0"))
    sv._on_tap(SimpleNamespace(x=box["x"], y=box["y"]))
    assert ("layer 1", "neuron 0") in m.expanded
    frame = next(f for f in m.display.frames if f["path"] == ("layer 1", "neuron 0"))
    assert len(sv.frames.data["x"]) == len(m.display.frames)
    assert len(sv.boxes.data["x"]) == 4
    # a click on the frame's margin (not on a node) closes it again
    sv._on_tap(SimpleNamespace(x=frame["x0"] + 2, y=frame["y1"] - 2))
    assert ("layer 1", "neuron 0") not in m.expanded and len(sv.boxes.data["x"]) == 5
    sv.collapse_to("layers")
    assert len(m.display.boxes) == 3
    sv.collapse_to("all")
    assert m.display.boxes == []


def test_follow_opens_the_scope_of_the_step_and_closes_it_when_the_pass_leaves():
    app = create_app(preset="mlp")
    m, sv = app.model, app.scopes
    start = m.expanded
    sv.follow.value = True
    m.step = 0
    assert m.expanded == start
    opened = []
    for k in range(1, m.n_steps + 1):
        m.step = k
        rec = m.active_record
        path = m.node_scopes.get(rec.node, ())
        if path:
            assert path in m.expanded and len(m.display.boxes) == 4
            opened.append(path)
        else:
            assert m.expanded == start
    assert set(opened) == NEURONS
    m.step = 1                      # the seed: outside every neuron
    assert m.expanded == start
    # when a box is closed over the step's node, the box is marked
    sv.follow.value = False
    m.step = 5
    assert m.node_scopes[m.active_record.node] and not math.isnan(sv.active.data["x"][0])


def test_links_carry_the_collapse_state_and_step_mode():
    m = GraphModel(preset="mlp")
    assert "scopes" not in encode(state_from_model(m))     # the state it opens with
    m.expanded = m.expanded | {("layer 0", "neuron 1")}
    m.step_by = "neuron"
    m.step = 5
    query = dict(parse_qsl(encode(state_from_model(m))))
    assert query["by"] == "neuron" and query["step"] == "5"
    assert query["scopes"] == encode_collapse(m.compiled, m.expanded)
    state, notices = decode(query, PRESETS)
    other = GraphModel()
    assert apply_state(other, state) == [] and notices == []
    assert other.expanded == m.expanded and other.step_by == "neuron" and other.step == 5
    np.testing.assert_array_equal(other.shown_grad, m.shown_grad)
    for level in ("layers", "neurons", "all"):
        state, _ = decode({"preset": "mlp", "scopes": level}, PRESETS)
        fresh = GraphModel()
        apply_state(fresh, state)
        assert encode_collapse(fresh.compiled, fresh.expanded) == level
    state, notices = decode({"preset": "mlp", "scopes": "99"}, PRESETS)
    assert notices == [] and "collapse state was ignored" in apply_state(GraphModel(), state)[0]
    assert decode({"scopes": "1;2"}, PRESETS)[1] == ["scopes '1;2' is not a collapse state"]


def test_a_graph_without_scopes_hides_the_scope_controls():
    app = create_app(preset="lecture")
    assert not is_shown(app.scopes.view)
    app.model.load_preset("mlp")
    assert is_shown(app.scopes.view)


def test_a_collapsed_drawing_of_150_nodes_or_more_is_laid_out_quick():
    """The layout of a collapsed graph runs inside the reader's expand or collapse click: from
    ``QUICK_FROM_NODES`` nodes it is the quick order (``fast``: no small-drawing polish),
    below that the polished one.  Two-sample MLP losses open fully collapsed: each shared
    weight feeds both samples' boxes."""
    import random

    from engine import Value
    from engine.nn import MLP
    from layouts.order_stage import QUICK_FROM_NODES

    def loss_of(nin, shape, samples):
        rng = random.Random(1)
        mlp = MLP(nin, shape, rng=rng)
        loss = Value(0.0)
        for s in range(samples):
            out = mlp([Value(rng.uniform(-1, 1), label=f"x{s}_{i}") for i in range(nin)])
            loss = loss + (out - Value(1.0)) ** 2
        return loss

    for shape, quick in (([10, 10, 1], True), ([8, 8, 1], False)):
        m = GraphModel(loss_of(4, shape, 2))
        quotient = m.compiled.tape.memo["last quotient layout"]
        assert m.expanded == frozenset()
        assert (len(quotient.positions) >= QUICK_FROM_NODES) == quick
        assert quotient.refinable == quick        # refinable: the polish was skipped
