"""The Train tab's live network view in headless Chromium: while training, the followed
sample's neuron boxes change from frame to frame; paused, its backward pass steps back; a click
on a data point follows that sample; a click on a neuron opens it into its scalar ops."""
from __future__ import annotations

import json

import pytest

from conftest import playwright_expect

expect = playwright_expect()   # missing Playwright: fails under CI, skips elsewhere

from browser_support import train_one_step

pytestmark = pytest.mark.browser

# The network's value boxes: captions of the neuron boxes (labels h[..] and score), the
# number of boxes drawn (a collapsed neuron's members are not), and the followed sample's
# inputs (x[0], x[1] rows; the model's copy of them is patched in with the weights).
NETWORK = """() => {
  // the plot on the page: another architecture's plot replaces it, and the page's document may
  // keep the old one's models too (two then answer to the name)
  let plot = null;
  function walk(v) { if (plot) return; if (v.model && v.model.name === 'network-graph-plot') { plot = v.model; return; }
    for (const c of (v.child_views || [])) walk(c); }
  Object.values(Bokeh.index).forEach(walk);
  const r = plot && plot.renderers.find(x => x.name === 'network-value-boxes');
  if (!r) return null;
  const d = r.data_source.data, out = {neurons: [], drawn: 0, inputs: []};
  for (let i = 0; i < d.label.length; i++) {
    if (Number.isFinite(d.x[i])) out.drawn += 1;
    if (/^h\\[/.test(d.label[i]) || d.label[i] === 'score') out.neurons.push(d.text[i]);
    if (/^x\\[\\d\\]$/.test(d.label[i])) out.inputs.push(d.data_s[i]);
  }
  return out;
}"""

# Page coordinates of data point ``k`` on the decision-boundary plot.
POINT_XY = """(k) => {
  let found = null;
  function walk(v) { if (found) return;
    if (v.model && v.model.renderers && v.model.renderers.some(r => r.name === 'data-points')) { found = v; return; }
    for (const c of (v.child_views || [])) walk(c); }
  Object.values(Bokeh.index).forEach(walk);
  const d = Bokeh.documents[0].get_model_by_name('data-points').data_source.data;
  const i = Array.from(d.sample).indexOf(k), r = found.el.getBoundingClientRect();
  return [r.left + found.frame.x_scale.compute(d.x[i]), r.top + found.frame.y_scale.compute(d.y[i])];
}"""

# Page coordinates of the network box captioned ``label``.
BOX_XY = """(label) => {
  let found = null;
  function walk(v) { if (found) return; if (v.model && v.model.name === 'network-graph-plot') { found = v; return; }
    for (const c of (v.child_views || [])) walk(c); }
  Object.values(Bokeh.index).forEach(walk);
  const d = Bokeh.documents[0].get_model_by_name('network-value-boxes').data_source.data;
  const i = d.label.indexOf(label), r = found.el.getBoundingClientRect();
  return [r.left + found.frame.x_scale.compute(d.x[i]), r.top + found.frame.y_scale.compute(d.y[i])];
}"""


def differs(values) -> str:
    """JS condition: the network's ``neurons`` (or ``inputs``) are no longer ``values``."""
    text = json.dumps(values, separators=(",", ":"), ensure_ascii=False)   # as JSON.stringify
    return f"JSON.stringify(n.{{}}) !== {json.dumps(text, ensure_ascii=False)}"


def network(page) -> dict:
    return page.evaluate(NETWORK)


def wait_network(page, condition: str, timeout: float = 30_000) -> dict:
    """Wait until ``condition`` (JS, of the network state ``n``) holds; return that state."""
    page.wait_for_function(f"() => {{ const n = ({NETWORK})(); return n && ({condition}); }}",
                           timeout=timeout)
    return network(page)


def test_live_network_learns_steps_back_follows_and_opens(new_page, served_app, tmp_path):
    page = new_page()
    train_one_step(page, served_app)
    first = wait_network(page, "n.neurons.length >= 33", timeout=90_000)   # MLP(2, [16, 16, 1])

    # Run: the neuron boxes' activations and grads change from frame to frame
    page.get_by_role("button", name="\u25b6 Run").click()
    expect(page.get_by_role("button", name="\u275a\u275a Pause")).to_be_enabled(timeout=15_000)
    a = wait_network(page, differs(first["neurons"]).format("neurons"))
    b = wait_network(page, differs(a["neurons"]).format("neurons"))
    assert a["neurons"] != b["neurons"] and a["drawn"] == b["drawn"]   # patched, not rebuilt
    page.screenshot(path=tmp_path / "network-running.png")

    # Pause: the Player is on again, at the end of the sample's pass (the update step)
    page.get_by_role("button", name="\u275a\u275a Pause").click()
    run = page.get_by_role("button", name="\u25b6 Run")
    expect(run).to_be_enabled(timeout=15_000)
    title = page.locator(".network-step-title span")
    expect(title).to_contain_text("gradient descent", timeout=15_000)
    # the update step's math is taller than the panel: it scrolls inside it (the panel, or the
    # row under its title, step_panel.BODY_CSS), and the page ends at the window's edge (it ran
    # 75 px below it at 1280x720)
    panel = page.locator(".network-step-panel").first
    expect(panel).to_contain_text("more parameters", timeout=15_000)
    fits = panel.evaluate("""p => {
      const body = p.shadowRoot ? p.shadowRoot.querySelector('.step-body') : null;
      const scrolls = e => e.scrollHeight > e.clientHeight && getComputedStyle(e).overflowY === 'auto';
      return [[p, body].some(e => e != null && scrolls(e)), body != null && body.getBoundingClientRect().bottom
              <= p.getBoundingClientRect().bottom + 0.5, document.documentElement.scrollHeight <= window.innerHeight]; }""")
    assert fits == [True, True, True], fits
    n = int(title.inner_text().split("/")[1].split(":")[0])
    player = page.locator(".network-player")
    for back in (1, 2):                      # step back through the backward pass
        player.locator("button.previous").click()
        expect(title).to_contain_text(f"step {n - back} / {n}", timeout=10_000)
    page.screenshot(path=tmp_path / "network-paused.png")

    # Click a data point: the network follows that sample (its inputs x[0], x[1] change)
    header = page.locator(".network-header")
    before = network(page)["inputs"]
    shown = header.inner_text()
    target = 3 if "Sample 3:" not in shown else 4
    x, y = page.evaluate(POINT_XY, target)
    page.mouse.click(x, y)
    expect(header).to_contain_text(f"Sample {target}:", timeout=10_000)
    wait_network(page, differs(before).format("inputs"))

    # Click a neuron: it opens into its scalar ops, drawn inside a frame
    drawn = network(page)["drawn"]
    x, y = page.evaluate(BOX_XY, "h[1][0]")
    page.mouse.click(x, y)
    opened = wait_network(page, f"n.drawn > {drawn}", timeout=15_000)
    assert opened["drawn"] >= drawn + 4       # the neuron's products, sum and activation
    page.screenshot(path=tmp_path / "network-opened.png")
    assert page.console_errors == [], page.console_errors


def test_the_network_view_reads_well_in_the_dark_theme(new_page, served_app, tmp_path):
    """The network's plot, Player and chain rule come with the first step, after the Train tab
    was themed: in the dark theme the step's math was dark grey on the dark page, the plot and
    the Player's buttons white. Now all three take the theme's colours."""
    page = new_page()
    train_one_step(page, served_app + "?theme=dark")
    wait_network(page, "n.drawn > 0")
    math = page.locator(".network-step-math").first
    expect(math).to_be_visible(timeout=30_000)
    assert math.evaluate("e => getComputedStyle(e).color") == "rgb(232, 230, 227)"        # DARK.text
    button = page.locator(".network-player button").first
    colours = button.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    assert colours == ["rgb(32, 35, 36)", "rgb(232, 230, 227)"], colours              # surface, text
    bg = page.evaluate("() => Bokeh.documents[0].get_model_by_name('network-graph-plot').background_fill_color")
    assert bg == "#181a1b"                                                              # DARK.page
    # the Train tab's own plots were white, the loss line dark grey; the network's neuron
    # frames mid-grey (their light fill over the dark page)
    seen = page.evaluate("""() => { const d = Bokeh.documents[0], m = n => d.get_model_by_name(n);
      return [m('train-loss-plot').background_fill_color, m('train-accuracy-plot').background_fill_color,
              m('train-boundary-plot').background_fill_color,
              m('train-loss-plot').renderers[0].glyph.line_color.value || m('train-loss-plot').renderers[0].glyph.line_color,
              m('network-scope-frames').glyph.fill_color.value || m('network-scope-frames').glyph.fill_color]; }""")
    assert seen == ["#181a1b"] * 3 + ["#e8e6e3", "#27303b"], seen                        # page, text, scope_frame
    page.screenshot(path=tmp_path / "network-dark.png")
    assert page.console_errors == []


LOSS_POINTS_JS = "() => Bokeh.documents[0].get_model_by_name('train-loss-plot').renderers[0].data_source.data.step.length"


def test_new_hidden_layers_entered_with_enter_rebuild_the_plots(new_page, served_app, tmp_path):
    """Enter in the Hidden layers box came through Panel's event path, outside the document's
    lock: the first plot change of the new model raised on the server ('_pending_writes should
    be non-None ...'), and the curves, boundary and network stayed those of the old model (a
    Tab out of the box worked). Now both rebuild them."""
    page = new_page()
    train_one_step(page, served_app)
    page.wait_for_function(f"() => ({LOSS_POINTS_JS})() === 1", timeout=15_000)
    hidden = page.locator(".train-hidden input").first
    hidden.fill("4")
    hidden.press("Enter")
    expect(page.get_by_text("17 parameters", exact=False)).to_be_visible(timeout=15_000)   # 2*4+4 + 4+1
    page.wait_for_function(f"() => ({LOSS_POINTS_JS})() === 0", timeout=15_000)           # the old run's curve is gone
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.get_by_text("steps done 1 \u00b7")).to_be_visible(timeout=15_000)
    wait_network(page, "n.neurons.length > 0 && n.neurons.length <= 6", timeout=60_000)   # 4 + 1, not 33
    page.screenshot(path=tmp_path / "hidden-4.png")
    assert page.console_errors == []


@pytest.mark.parametrize("width,height", [(1920, 1080), (1366, 768)])
def test_the_network_step_panel_and_header_read_whole(chromium, served_app, width, height):
    """After a step the network shows the update step (five lines of math). A tall window shows
    all five in the panel (70 of its 145 px showed at every size); a short one shows what fits
    and scrolls the rest, its subscripts still legible (at 11 px they were 7.8 px). The header's
    hint (click a point, a neuron) wraps instead of ending in an ellipsis at <= 1366 px."""
    ctx = chromium.new_context(viewport={"width": width, "height": height})
    try:
        page = ctx.new_page()
        train_one_step(page, served_app)
        panel = page.locator(".network-step-panel").first
        expect(panel).to_contain_text("more parameters", timeout=30_000)
        page.wait_for_timeout(500)      # KaTeX typesets
        got = panel.evaluate("""p => {
          const body = p.shadowRoot.querySelector('.step-body');
          const pb = p.getBoundingClientRect();
          return {whole: body.scrollHeight <= body.clientHeight + 1,
                  bottom: pb.bottom, shown: body.clientHeight, need: body.scrollHeight}; }""")
        font = page.locator(".network-step-math").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert font >= 13
        assert got["bottom"] <= height + 0.5, got              # the page ends at the window's edge
        if height >= 880:
            assert got["whole"], got
        else:
            assert got["shown"] >= 96, got                     # three lines of a neuron's step
        header = page.locator(".network-header div").first
        expect(header).to_contain_text("a neuron to open it")
        cut = header.evaluate("e => e.scrollWidth > e.clientWidth + 1 || getComputedStyle(e).textOverflow === 'ellipsis'")
        assert not cut
        box = header.bounding_box()
        assert box["x"] + box["width"] <= width + 0.5
    finally:
        ctx.close()
