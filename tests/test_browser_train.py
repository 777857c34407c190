"""The Train view served by Panel, driven in headless Chromium (Playwright, Debian's chromium).

Serves ``create_train_view`` in a subprocess on a free port, next to a pane that shows what
``on_inspect`` received (its graph's size and backward steps, and the last update record), as
the main app's graph view will. Server, browser and pages come from ``browser_support`` and the
conftest fixtures; every wait is on a condition the page can show. Screenshots go to the test's
tmp dir.
"""
import os
import re
import shutil
import sys

import pytest

from conftest import playwright_expect

expect = playwright_expect()   # missing Playwright: fails under CI, skips elsewhere

from browser_support import free_port, serve_command, stop

pytestmark = pytest.mark.browser

SERVE = """
import sys
import panel as pn
from engine import backprop_steps, to_graph
from app.train.view import create_train_view

def page():
    shown = pn.pane.HTML("<div id='inspected'>nothing inspected</div>")
    def on_inspect(root, updates):
        graph = to_graph(root)
        shown.object = (f"<div id='inspected'>graph {graph.number_of_nodes()} nodes, "
                        f"{len(backprop_steps(root))} backward steps, {len(updates)} updates; "
                        f"{updates[-1].text}</div>")
    return pn.Column(create_train_view(on_inspect=on_inspect), shown)

pn.serve(page, port=int(sys.argv[1]), show=False, title="train")
"""

# Rows of the loss curve's data source, the spread of the boundary image's values, and the
# step number the status line shows (-1 before it is drawn).
PLOT_STATE = """() => {
  const out = {loss: -1, image: 0, spread: 0, step: -1};
  for (const doc of Bokeh.documents) {
    for (const m of doc.all_models) {
      const d = m.data;
      if (typeof m.text === 'string') {   // the status pane: "steps done <b>12</b> · next lr ..."
        const status = m.text.match(/steps done (?:<b>|&lt;b&gt;)(\\d+)(?:<\\/b>|&lt;\\/b&gt;) ·/);
        if (status) out.step = Number(status[1]);
      }
      if (!d || typeof d !== 'object') continue;
      if ('loss' in d) out.loss = Math.max(out.loss, d.loss.length);
      if ('image' in d && d.image.length) {
        const img = d.image[0]; let lo = Infinity, hi = -Infinity;
        for (let i = 0; i < img.length; i++) { lo = Math.min(lo, img[i]); hi = Math.max(hi, img[i]); }
        out.image = img.length; out.spread = hi - lo;
      }
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def train_server(chromium):
    """URL of the Train view served alone (``chromium`` first: it skips or fails without one)."""
    port = free_port()
    proc, url = serve_command([sys.executable, "-c", SERVE, str(port)], f"http://localhost:{port}/")
    try:
        yield url
    finally:
        stop(proc)


def wait_plot(page, condition: str, timeout: float = 20_000) -> dict:
    """Wait until ``condition`` (JS, of the plot state ``s``) holds; return that state."""
    page.wait_for_function(f"() => {{ const s = ({PLOT_STATE})(); return {condition}; }}",
                           timeout=timeout)
    return page.evaluate(PLOT_STATE)


# The network's graph arrives after the page pulled the document but before it says it is
# ready (app.page_ready: Panel drops changes made then): its build waits for the session's
# PULL-DOC, and Panel hears of the page's document_ready 2 s late, so the graph lands in between.
SERVE_LATE = """
import sys, threading
import panel as pn
from bokeh.server.session import ServerSession
from panel.io.state import state
import app.train.network_view as network_view
from app.train.view import create_train_view

pulled = threading.Event()
handle_pull = ServerSession._handle_pull

async def pull_then_say(self, *args):
    reply = await handle_pull(self, *args)
    pulled.set()
    return reply

ServerSession._handle_pull = pull_then_say
build = network_view._graph_model

def build_once_pulled(ins):
    pulled.wait(60)
    return build(ins)

network_view._graph_model = build_once_pulled
on_load = state._schedule_on_load
state._schedule_on_load = lambda doc, event: doc.add_timeout_callback(lambda: on_load(doc, event), 2000)
pn.serve(lambda: create_train_view(), port=int(sys.argv[1]), show=False, title="train-late")
"""


def test_a_network_built_while_the_page_loads_is_shown(new_page, chromium):
    port = free_port()
    proc, url = serve_command([sys.executable, "-c", SERVE_LATE, str(port)],
                              f"http://localhost:{port}/")
    try:
        page = new_page()
        page.goto(url)
        expect(page.get_by_text("Building the graph of one sample", exact=False)).to_be_visible(
            timeout=30_000)
        # shown once the page is ready (it was lost for good: "Building..." stayed): the
        # network's step panel, its update step typeset by KaTeX
        expect(page.locator(".katex").first).to_be_visible(timeout=30_000)
        expect(page.get_by_text(re.compile(r"Backward step \d+ / \d+"))).to_be_visible()
        expect(page.get_by_text("Building the graph of one sample", exact=False)).to_have_count(0)
        assert page.console_errors == [], page.console_errors
    finally:
        stop(proc)


def test_train_watch_pause_and_inspect(new_page, train_server, tmp_path):
    page = new_page()
    page.goto(train_server)
    run = page.get_by_role("button", name="\u25b6 Run")
    expect(run).to_be_visible(timeout=30_000)
    initial = wait_plot(page, "s.image > 0 && s.step === 0")
    assert initial["loss"] == 0                        # no step yet: an empty curve
    page.screenshot(path=str(tmp_path / "train-0-initial.png"))

    run.click()
    running = wait_plot(page, "s.loss >= 10")
    later = wait_plot(page, f"s.loss > {running['loss']}")  # the curve keeps growing
    assert later["spread"] > 0.5                      # the boundary image shows real scores
    page.screenshot(path=str(tmp_path / "train-1-running.png"))

    # Pause: Run is enabled again (the server stopped its ticks; their messages came before this
    # one), and once the last refresh has arrived the curve and the status agree on the step
    expect(run).to_be_disabled()
    page.get_by_role("button", name="\u275a\u275a Pause").click()
    expect(run).to_be_enabled(timeout=10_000)
    paused = wait_plot(page, "s.loss === s.step && s.step >= 10")["loss"]

    # paused, the network's step panel writes the update step in LaTeX, typeset by KaTeX
    expect(page.locator(".katex").first).to_be_visible(timeout=15_000)

    # Step adds exactly one point: had training gone on after Pause, its ticks would show too
    page.get_by_role("button", name="Step", exact=True).click()
    wait_plot(page, f"s.step === {paused + 1} && s.loss === {paused + 1}", timeout=10_000)

    # inspect one sample: its graph reaches on_inspect, its summary shows, the ring marks it
    page.get_by_role("button", name="Open in Graph tab").click()
    expect(page.locator("#inspected")).to_contain_text("backward steps", timeout=10_000)
    text = page.locator("#inspected").inner_text()
    assert "graph" in text and ".data -= lr * " in text
    # no sample picked: the one with the largest loss, and the text says so
    expect(page.get_by_text(re.compile(r"sample \d+: largest loss"))).to_be_visible(timeout=10_000)
    page.screenshot(path=str(tmp_path / "train-2-inspected.png"))
    assert page.evaluate(PLOT_STATE)["loss"] == paused + 1   # inspecting does not train

    # a new data set resets the run: empty curve, step 0, a new boundary image
    before = page.evaluate(PLOT_STATE)
    page.locator("select").first.select_option("circles")
    wait_plot(page, f"s.loss === 0 && s.step === 0 && s.spread !== {before['spread']}", timeout=15_000)
    page.screenshot(path=str(tmp_path / "train-3-circles.png"))

    assert page.console_errors == [], page.console_errors
    keep = os.environ.get("TRAIN_SCREENSHOTS")
    if keep:
        for png in tmp_path.glob("train-*.png"):
            shutil.copy(png, keep)
