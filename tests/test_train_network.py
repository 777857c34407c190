"""The Train tab's live network view (issue 11) without a browser: its numbers against a plain
``Value``/``backward`` of the same weights, ticks that patch only what changed, following
another sample without a rebuild, and the weight-edge overlay."""
from __future__ import annotations

import numpy as np
import pytest
from bokeh.document import Document
from bokeh.document.events import ColumnDataChangedEvent, ColumnsPatchedEvent

from app.train.network import MAX_WIDTH, MIN_WIDTH, NEGATIVE, POSITIVE, WIDTH_STEP
from app.graph_page.formatting import fmt
from app.train.view import create_train_view
from engine import Value
from engine.train import TrainConfig


def oracle(weights, x, y, hidden, nonlin):
    """The sample's neuron activations and their grads, written out by hand with plain
    ``Value`` arithmetic and ``backward()`` (weights in ``MLP.parameters()`` order: per layer,
    per neuron, its input weights then its bias); max-margin loss ``relu(1 - y * score)``."""
    sizes, at = [len(x)] + list(hidden) + [1], 0
    h = [Value(float(v)) for v in x]
    acts = {}
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        out = []
        for j in range(n_out):
            w, b = weights[at: at + n_in], weights[at + n_in]
            at += n_in + 1
            z = Value(float(b))
            for wi, hi in zip(w, h):
                z = z + Value(float(wi)) * hi
            last = layer == len(sizes) - 2
            a = z if last else (z.relu() if nonlin == "relu" else z.tanh())
            acts["score" if last else f"h[{layer}][{j}]"] = a
            out.append(a)
        h = out
    loss = (1 + -Value(float(y)) * h[0]).relu()
    loss.backward()
    return loss, acts


@pytest.fixture
def view():
    v = create_train_view(n_samples=40, config=TrainConfig(hidden=(4, 3), nonlin="tanh", seed=5))
    yield v
    v.close()


def shown(network, label):
    """(data, grad) the network view's model shows for the value labelled ``label``."""
    cg, m = network.model.compiled, network.model
    (vid,) = [v for v in cg.value_ids if cg.labels[v] == label]
    k = cg.tape.index[vid]
    return m.shown_data[k], m.shown_grad[k]


def drawn_box(network, label):
    """The drawn box row of ``label`` in the view's value source: (caption, grad colour value)."""
    d = network.graph.values.data
    i = list(d["label"]).index(label)
    return d["text"][i], d["grad"][i]


def test_the_network_shows_the_followed_samples_values_and_grads_of_plain_backward(view):
    view.step(7)
    view.model.sample = 11
    net, t = view.network, view.trainer
    assert net.sample == 11 and t.k == 7
    loss, acts = oracle(t.weights, t.X[11], t.y[11], (4, 3), "tanh")
    assert loss.data > 0                      # a sample whose grads are not all 0
    assert net.model.output == pytest.approx(loss.data, abs=1e-12)
    for label, a in acts.items():
        data, grad = shown(net, label)
        assert data == pytest.approx(a.data, abs=1e-12), label
        assert grad == pytest.approx(a.grad, abs=1e-12), label
        caption, colour = drawn_box(net, label)           # what is drawn, on its box
        assert caption.startswith(label) and colour == pytest.approx(a.grad, abs=1e-12)
    view.step(3)                               # a later step: the same, at the new weights
    loss, acts = oracle(t.weights, t.X[11], t.y[11], (4, 3), "tanh")
    for label, a in acts.items():
        assert shown(net, label)[1] == pytest.approx(a.grad, abs=1e-12), label


def test_a_tick_patches_drawn_boxes_and_changed_edges_only(view):
    view.step(1)
    net = view.network
    doc = Document()
    doc.add_root(net.graph.figure)
    events = []
    doc.on_change(lambda e: events.append(e))
    structure = net.model.compiled
    view.step(1)
    assert net.model.compiled is structure                 # no rebuild
    assert events and not any(isinstance(e, ColumnDataChangedEvent) for e in events)
    patches = [e for e in events if isinstance(e, ColumnsPatchedEvent)]
    values = net.graph.values
    drawn = {i for i, x in enumerate(values.data["x"]) if x == x}
    for e in patches:
        rows = {r for cells in e.patches.values() for r, _ in cells}
        if e.model is values:
            assert rows <= drawn                 # a collapsed neuron's members are not sent
        if e.model is net.graph.edges:
            assert set(e.patches) <= {"color", "width"}
            for col, cells in e.patches.items():
                assert all(values is not None for _, values in cells)
    assert any(e.model is values for e in patches)
    events.clear()
    net.refresh()                                # nothing new: nothing sent
    assert events == []


def test_following_another_sample_changes_values_not_the_structure(view):
    view.step(2)
    net = view.network
    structure = net.model.compiled
    for sample in (3, 17):
        view.model.sample = sample
        assert net.model.compiled is structure and net.sample == sample
        for i in range(2):
            assert shown(net, f"x[{i}]")[0] == view.trainer.X[sample][i]
        assert shown(net, "y")[0] == view.trainer.y[sample]
    view.model.pick(*view.trainer.X[25])         # a click on a data point follows it
    assert net.sample == 25


def test_weight_edges_are_drawn_by_sign_and_size_and_the_overlay_switches(view):
    view.step(4)
    view.model.sample = 2
    net = view.network
    style, edges = net.style, net.graph.edges.data
    m, cg = net.model, net.model.compiled
    n_weights = 2 * 4 + 4 * 3 + 3
    assert len(style.rows) == 2 * n_weights       # both edges into each weight's product ...
    visible = [r for r in style.rows if r in net.graph.patcher.visible_edges]
    assert len(visible) == n_weights              # ... of which one is drawn between neurons
    ids = cg.tape.ids
    update = m.backward_records[-1]
    assert update.kind == "update"                 # the pass ends with p.data -= lr * p.grad
    moved = {vid: after - before for vid, (before, after) in update.changes.items()}
    for quantity, amounts in (
            ("weight", [m.shown_data[k] for k in style.param_rows]),
            ("grad", [m.shown_grad[k] for k in style.param_rows]),
            ("update", [moved[ids[k]] for k in style.param_rows])):
        net.overlay.value = quantity
        assert style.quantity == quantity
        amounts = np.array(amounts)
        top = np.abs(amounts).max()
        assert top > 0
        for r, q in zip(style.rows, amounts):
            if r in visible:
                assert edges["color"][r] == (POSITIVE if q > 0 else NEGATIVE if q < 0 else
                                             edges["color"][r])
                expected = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * abs(q) / top
                assert abs(edges["width"][r] - expected) <= WIDTH_STEP / 2 + 1e-9, (quantity, r)


def test_pause_stops_the_player_at_the_end_and_resumes_it():
    v = create_train_view(n_samples=30, config=TrainConfig(hidden=(3,), seed=2))
    v.step(1)
    net = v.network
    assert not net.player_bar.player.disabled
    net.model.step = 5                           # the reader steps back while paused
    v.model.running = True                       # (as Run sets it)
    assert net.player_bar.player.disabled and net.model.step == net.model.n_steps
    v.model.running = False
    assert not net.player_bar.player.disabled
    v.close()


def test_another_architecture_rebuilds_and_with_l2_adds_the_term(view):
    view.step(1)
    net = view.network
    first = net.model.compiled
    view.model.with_l2 = True
    assert net.model.compiled is not first
    assert any(lab == "alpha" for lab in net.model.compiled.labels.values())
    view.model.hidden = "5"
    assert sum(1 for lab in net.model.compiled.labels.values() if lab.startswith("h[0][")) == 5


def test_an_opened_neuron_keeps_updating_as_the_network_learns(view):
    """A click opens a neuron into its scalar ops; the next steps patch those ops' values."""
    import engine

    view.step(2)
    view.model.sample = 6
    net = view.network
    m, cg = net.model, net.model.compiled
    neuron = next(p for p in engine.scope_paths(engine.scopes(cg.graph))
                  if len(p) == 2 and p not in m.expanded)        # a collapsed neuron
    m.expanded = frozenset(m.expanded | {neuron})              # as a click on its box does
    values = net.graph.values.data
    inner = [i for i, lab in enumerate(values["label"])
             if values["x"][i] == values["x"][i] and lab.startswith("w[")]
    assert inner, "the opened neuron's weights are drawn"
    before = [values["text"][i] for i in inner]
    view.step(1)
    values = net.graph.values.data
    assert [values["text"][i] for i in inner] != before         # patched, still live
    t, update = view.trainer, m.backward_records[-1]
    for i in inner:          # each shows this step's weight, then (at the pass's end) its update
        vid = values["id"][i]
        w_before, w_after = update.changes[vid]
        assert w_before == t.weights[t.labels.index(values["label"][i])]
        assert values["data_s"][i] == fmt(w_after)
