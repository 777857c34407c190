"""The Train tab inside the app: inspecting a sample opens its loss graph in the Graph tab,
whose Player ends with the gradient-descent update (model level, no browser)."""

from __future__ import annotations

import numpy as np
import pytest

from app import create_app
from app.graph_page.no_relayout import is_shown
from engine import backprop_steps
from engine.datasets import make_moons
from engine.train import TrainConfig, Trainer


@pytest.fixture
def inspection():
    X, y = make_moons(40, noise=0.1, seed=3)
    trainer = Trainer(X, y, TrainConfig(hidden=(4,), nonlin="tanh", lr=0.5, n_steps=10, seed=0))
    trainer.step()
    return trainer.inspect(2)


def test_inspect_opens_the_sample_graph_with_a_final_update_step(inspection):
    app = create_app()
    app.inspect(inspection.root, inspection.updates)
    m = app.model
    engine_steps = backprop_steps(m.compiled.tape)
    assert m.n_steps == len(engine_steps) + 1 and m.step == 0 and m.mode == "backward"
    assert m.output == pytest.approx(inspection.loss)
    # walk to the end of the backward pass: grads as the engine computes them, data unchanged
    m.step = m.n_steps - 1
    np.testing.assert_allclose(m.shown_grad, m.compiled.tape.grad, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(m.shown_data, m.compiled.tape.data)
    # the last step moves each parameter by -lr * grad, as the trainer says it would
    m.step = m.n_steps
    rec = m.active_record
    assert rec.kind == "update"
    index = m.compiled.tape.index
    for u in inspection.updates:
        assert m.shown_data[index[u.node]] == pytest.approx(u.new_data, rel=1e-12, abs=1e-15)
    # and back: the data return, the grads stay
    m.step = m.n_steps - 1
    for u in inspection.updates:
        assert m.shown_data[index[u.node]] == pytest.approx(u.data, rel=1e-12, abs=1e-15)


def test_update_step_is_narrated(inspection):
    from app.graph_page.narration import step_latex, step_title

    app = create_app()
    app.inspect(inspection.root, inspection.updates)
    m = app.model
    m.step = m.n_steps
    assert "gradient descent" in step_title(m.active_record, m.step, m.n_steps, m.mode)
    latex = step_latex(m.active_record, m)
    assert r"\leftarrow" in latex and r"\eta" in latex
    assert "more parameters" in latex          # only the first few are written out


def test_loading_an_expression_drops_the_update_step(inspection):
    app = create_app()
    app.inspect(inspection.root, inspection.updates)
    assert app.model.apply("a = 2; b = a * 3")
    assert app.model.n_steps == len(backprop_steps(app.model.compiled.tape))
    assert all(r.kind != "update" for r in app.model.backward_records)


def test_inspect_sample_opens_the_largest_loss_by_default_and_says_why():
    """The Sample box empty (as the tab opens): the Graph tab gets the sample with the largest
    loss, whose gradients are not all 0, and a notice naming it; a sample typed in wins."""
    from app.train.view import create_train_view
    from engine.sample_choice import largest_loss_sample

    app = create_app()
    view = create_train_view(on_inspect=app.inspect, n_samples=40,
                             config=TrainConfig(hidden=(4,), seed=1))
    app.train_view = view
    view.step(30)
    assert view.controls.w_sample.value is None
    ins = view.inspect()
    sample, loss = largest_loss_sample(view.trainer)
    losses = [view.trainer.inspect(s).loss for s in range(len(view.X))]
    assert ins.sample == sample == int(np.argmax(losses)) and ins.loss == pytest.approx(max(losses))
    assert min(losses) == 0 < ins.loss          # max-margin: some samples show nothing at all
    m = app.model
    assert m.output == pytest.approx(ins.loss)
    assert np.any(m.compiled.tape.grad[[m.compiled.tape.index[u.node] for u in ins.updates]] != 0)
    assert f"sample {sample}: largest loss {loss:.3g}" in app.notices.message
    assert f"sample {sample}: largest loss" in view.inspect_info.object
    view.controls.w_sample.value = 3                       # chosen: that one, no reason given
    assert view.inspect().sample == 3 and view.inspect_reason == ""
    view.close()


def test_inspecting_while_training_describes_the_graph_opened():
    """QA (session 44): opened while training ran, the notice said 'largest loss 1.89 (at step
    0), so its gradients are not all 0' over a graph at the weights of step ~80 whose loss was
    0. The sample stays the one on screen, and the notice gives its loss at the weights opened."""
    from app.train.view import create_train_view

    app = create_app()
    view = create_train_view(on_inspect=app.inspect, n_samples=40, config=TrainConfig(hidden=(4,), seed=1))
    app.train_view = view
    view.model.running = True                          # as while training runs:
    try:
        view.network.refresh(force=True)               # the view follows a sample chosen at step 0
        followed = view.network.sample
        for _ in range(200):                           # the worker's steps, without the view
            view.trainer.step()
        view.network.refresh()
        ins = view.inspect()
    finally:
        view.model.running = False
    assert ins.sample == followed and app.model.output == pytest.approx(ins.loss)
    message = app.notices.message
    assert f"its loss at step {view.trainer.k} is {ins.loss:.3g}" in message and "(at step 0)" in message
    assert ("gradients are not all 0" in message) == (ins.loss > 0)
    view.close()


def test_a_notice_is_about_the_graph_it_came_with(inspection):
    """Inspect sample's notice (like a loaded file's) goes when the next graph is shown; an
    Apply refused keeps the inspected graph, and so the notice."""
    app = create_app()
    app.train_view = type("View", (), {"inspect_reason": "sample 2: largest loss 1 of 40 samples"})()
    app.inspect(inspection.root, inspection.updates)
    assert "Inspect sample: sample 2" in app.notices.message and is_shown(app.notices.view)
    app.editor.text.value = "a = 2; b = a *"          # refused: the inspected graph stays
    app.editor.apply_button.clicks += 1
    assert app.model.error is not None and "Inspect sample: sample 2" in app.notices.message
    app.editor.text.value = "a = 2; b = a * 3"
    app.editor.apply_button.clicks += 1
    assert app.model.error is None and app.model.n_steps == 2
    assert app.notices.message == "" and not is_shown(app.notices.view)
