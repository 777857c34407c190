"""The Train tab of the served app: train a few steps, inspect a sample, and step its loss
graph in the Graph tab to the final gradient-descent update (headless Chromium)."""

from __future__ import annotations

import pytest

from conftest import playwright_expect

expect = playwright_expect()   # missing Playwright: fails under CI, skips elsewhere

from browser_support import node_texts, output_text, train_one_step

pytestmark = pytest.mark.browser


def test_train_then_inspect_a_sample_in_the_graph_tab(new_page, served_app, tmp_path):
    page = new_page()
    # an empty curve plot warned "could not set initial ranges" each time it was drawn
    range_warnings = []
    page.on("console", lambda m: "initial ranges" in m.text and range_warnings.append(m.text))
    train_one_step(page, served_app)
    page.screenshot(path=tmp_path / "train.png")

    page.get_by_role("button", name="Open in Graph tab").click()
    # back in the Graph tab with the sample's loss graph, at step 0 of its backward pass (a
    # whole MLP's loss graph is compiled and laid out: on a busy machine that took over 30 s)
    page.wait_for_function("""() => Bokeh.documents[0].get_model_by_name('value-boxes')
                              .data_source.data.label.includes('loss')""", timeout=90_000)
    expect(page.locator(".step-title span")).to_contain_text("step 0 /")
    assert float(output_text(page).replace("\u2212", "-")) > 0  # a max-margin loss
    texts = node_texts(page)
    assert any(label.startswith("w[0][0]") for label in texts)

    page.locator(".step-player button.last").click()
    expect(page.locator(".step-title span")).to_contain_text("gradient descent", timeout=15_000)
    expect(page.locator(".step-text pre")).to_contain_text(".data -= lr * ")
    page.screenshot(path=tmp_path / "update-step.png")
    assert page.console_errors == [] and range_warnings == []
