"""A phone (390x844, touch) in headless Chromium: the first view of a network too wide for the
plot opens at the output end, readable, with a few whole boxes (an inspected sample's opened on
its first layer alone, in a mostly empty plot); a new graph from the editor, which stands
above the graph on a phone, scrolls into view (it was drawn out of sight); a failed Apply
does not scroll away from its error."""

from __future__ import annotations

import pytest

from conftest import playwright_expect

expect = playwright_expect()   # missing Playwright: fails under CI, skips elsewhere

from app.presets import PRESETS
from browser_support import VIEW_JS, sized_page, train_one_step

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
_HAS_LABEL = """(label) => Bokeh.documents[0].get_model_by_name('value-boxes')
  .data_source.data.label.includes(label)"""
#: the first view is fitted (the captions' size set from the scale, not the figure's 12px)
_FITTED = """() => { const p = Bokeh.documents[0].get_model_by_name('graph-plot');
  const c = Bokeh.documents[0].get_model_by_name('value-captions').glyph.text_font_size;
  return p._ag_fit !== undefined && String(c.value ?? c) !== '12px'; }"""
#: the wholly shown boxes include ``label`` (a refit after a polished layout may come later)
_SHOWS = "(label) => (" + VIEW_JS + ")().inside.includes(label)"


@pytest.fixture
def phone(chromium):
    """Factory: ``phone(url)`` -> a page on ``url`` in a fresh 390x844 touch context (no
    ``url``: a blank page)."""
    contexts = []

    def make(url=None):
        return sized_page(chromium, contexts, PHONE["width"], PHONE["height"], touch=True, url=url)

    yield make
    for ctx in contexts:
        ctx.close()


def _first_view(page, label, timeout=15_000):
    """The view once ``label`` is wholly on screen (fails, with what is, if it never is)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_function(_FITTED, timeout=timeout)
    try:
        page.wait_for_function(_SHOWS, arg=label, timeout=timeout)
    except PlaywrightTimeout:
        pass
    view = page.evaluate(VIEW_JS)
    assert label in view["inside"], view
    return view


def test_an_inspected_sample_opens_on_its_loss_on_a_phone(phone, served_app, tmp_path):
    """The sample's layers are far wider than a phone's plot: it opened on the first layer's
    box alone (1 box in 348x371 px); now on the loss, where the backward pass's step 0 is, with
    the boxes before it, readable."""
    page = phone()
    train_one_step(page, served_app)
    page.get_by_role("button", name="Open in Graph tab").click()
    page.wait_for_function(_HAS_LABEL, arg="loss", timeout=90_000)
    expect(page.locator(".step-title span")).to_contain_text("step 0 /")
    view = _first_view(page, "loss")
    page.screenshot(path=tmp_path / "phone-inspect.png")
    assert view["visible"] and view["px"] >= 11.0, view
    assert len(view["inside"]) >= 3, view                 # the loss and what it is made of
    assert view["minimap"], view                          # the rest is there, off screen
    assert page.console_errors == []


def test_the_mlp_preset_opens_on_its_current_step_on_a_phone(phone, served_app, tmp_path):
    """Readable (11 px captions) and on the node of the step it opens at, the last backward
    step (v7 = w[0][0][0] * x1, inside the neuron h[0][0], outlined): that neuron and x1, whose
    grads the step panel below computes, whole. It opened on the loss, the network's other
    end, with the step's neuron two screens to the left."""
    page = phone(served_app + "?preset=mlp")
    expect(page.locator(".step-title span")).to_contain_text("_backward() of v7")
    view = _first_view(page, "x1")
    page.screenshot(path=tmp_path / "phone-mlp.png")
    assert view["visible"] and view["px"] >= 11.0, view
    # the neuron whole, or but for a sliver (its stacked shadow at the plot's edge)
    assert "h[0][0]" in view["inside"] or view["cut"].get("h[0][0]", 1) <= 0.15, view
    assert "loss" in view["outside"], view
    assert all(part < 0.5 for part in view["cut"].values()), view["cut"]
    assert page.console_errors == []


def test_the_mlp_preset_at_its_first_step_opens_on_its_loss_on_a_phone(phone, served_app, tmp_path):
    """At step 1 (the seed, loss.grad = 1) the step's node is the loss: the output end, the
    loss and the squared difference's op and exponent whole, nothing cut in half."""
    page = phone(served_app + "?preset=mlp&step=1")
    expect(page.locator(".step-title span")).to_contain_text("step 1 /")
    view = _first_view(page, "loss")
    assert view["visible"] and view["px"] >= 11.0, view
    assert {"loss", "2"} <= set(view["inside"]), view
    assert all(part < 0.5 for part in view["cut"].values()), view["cut"]
    assert page.console_errors == []


def _open_editor(page):
    page.locator(".phone-edit button").click()
    editor = page.locator(".expr-editor textarea")
    expect(editor).to_be_visible()
    # the editor stands above the graph: the graph is out of sight below it
    expect(page.locator(".graph-pane").first).not_to_be_in_viewport(ratio=0.5)
    return editor


def test_apply_on_a_phone_scrolls_the_new_graph_into_view(phone, served_app, tmp_path):
    page = phone(served_app)
    editor = _open_editor(page)
    editor.fill("a = 3\nb = -2\nz = a*b + a")
    page.locator(".apply-button button").click()
    page.wait_for_function(_HAS_LABEL, arg="z", timeout=30_000)
    graph = page.locator(".graph-pane").first
    expect(graph).to_be_in_viewport(ratio=0.9)
    expect(page.locator(".output-value").first).to_be_in_viewport()    # the new output above it
    page.screenshot(path=tmp_path / "phone-applied.png")
    box = graph.bounding_box()
    assert 0 <= box["y"] <= PHONE["height"] - 300, box
    assert page.console_errors == []


def test_an_example_chosen_on_a_phone_scrolls_into_view(phone, served_app):
    page = phone(served_app)
    _open_editor(page)
    page.locator("select:has(option:text('Custom expression'))").select_option(label=PRESETS["neuron"].title)
    page.wait_for_function(_HAS_LABEL, arg="o", timeout=30_000)
    expect(page.locator(".graph-pane").first).to_be_in_viewport(ratio=0.9)


def test_a_failed_apply_on_a_phone_stays_at_its_error(phone, served_app, tmp_path):
    page = phone(served_app)
    editor = _open_editor(page)
    editor.fill("a = 3\nz = a*")
    page.locator(".apply-button button").click()
    error = page.locator(".expr-error div").first
    expect(error).to_contain_text("invalid syntax", timeout=30_000)
    page.wait_for_timeout(500)                      # a scroll, if any, would have come with it
    expect(error).to_be_in_viewport()
    expect(editor).to_be_in_viewport()
    expect(page.locator(".graph-pane").first).not_to_be_in_viewport(ratio=0.5)
    page.screenshot(path=tmp_path / "phone-error.png")
    assert page.console_errors == []
