"""Collapsed scopes in the served app (headless Chromium): the MLP preset and an inspected
training sample open collapsed, a click opens a box in place and a click on its frame closes
it, the Player plays to the end per op and per neuron (following the step), and a link
reopens the same collapse state."""

from __future__ import annotations

import re
import time

import pytest

from conftest import playwright_expect

expect = playwright_expect()   # missing Playwright: fails under CI, skips elsewhere

from browser_support import (_FIND_PLOT_VIEW, LAYOUT_FITS_JS, VIEW_JS, glyph_screen_xy, node_texts, open_app,
                             train_one_step, wait_for_app)

pytestmark = pytest.mark.browser


def source(page, name):
    """The data of the named renderer's source, as the browser has it."""
    return page.evaluate("(name) => Bokeh.documents[0].get_model_by_name(name).data_source.data",
                         name)


def n_boxes(page):
    return len(source(page, "scope-box-stacks")["x"])


def wait_boxes(page, n, timeout=15_000):
    page.wait_for_function(
        "(n) => Bokeh.documents[0].get_model_by_name('scope-box-stacks').data_source.data.x.length === n",
        arg=n, timeout=timeout)


def drawn_labels(page):
    d = source(page, "value-boxes")
    return {label for label, x in zip(d["label"], d["x"]) if x is not None and x == x}


def click_data_point(page, x, y):
    """Click the plot at data coordinates (x, y)."""
    sx, sy = page.evaluate("""([x, y]) => {""" + _FIND_PLOT_VIEW + """
        const v = __plotView(); const r = v.el.getBoundingClientRect();
        return [r.left + v.frame.x_scale.compute(x), r.top + v.frame.y_scale.compute(y)]; }""",
                           [x, y])
    page.mouse.click(sx, sy)


def test_mlp_preset_opens_collapsed_and_expands_on_click(new_page, served_app,
                                                                          tmp_path):
    page = open_app(new_page, served_app + "?preset=mlp")
    wait_boxes(page, 5)
    collapsed = drawn_labels(page)
    assert {"h[0][0]", "h[0][1]", "h[1][0]", "h[1][1]", "h[2][0]", "loss"} <= collapsed
    assert not any(label.startswith("w[") for label in collapsed)
    final = {k: v for k, v in node_texts(page).items() if k in collapsed}
    page.screenshot(path=tmp_path / "mlp-collapsed.png")

    page.mouse.click(*glyph_screen_xy(page, "value-boxes", "label", "h[1][0]"))
    wait_boxes(page, 4)
    opened = drawn_labels(page)
    assert {"w[1][0][0]", "w[1][0][1]", "b[1][0]"} <= opened and "w[0][0][0]" not in opened
    assert "\u25be neuron 0" in source(page, "scope-frame-labels")["label"]
    page.wait_for_timeout(500)     # the view moves to the opened neuron
    page.screenshot(path=tmp_path / "mlp-one-open.png")
    view = page.evaluate(VIEW_JS)
    # the neuron's inputs are on screen, readable, and the view's edges pass between boxes (the
    # layer below was cut in half)
    assert {"w[1][0][0]", "w[1][0][1]"} <= set(view["inside"]) and view["px"] >= 11.0, view
    assert all(part <= 0.15 for part in view["cut"].values()), view["cut"]

    assert page.console_errors == []


def test_per_neuron_steps_with_follow_play_to_the_end(new_page, served_app):
    page = open_app(new_page, served_app + "?preset=mlp")
    wait_boxes(page, 5)
    collapsed = drawn_labels(page)
    final = {k: v for k, v in node_texts(page).items() if k in collapsed}
    page.mouse.click(*glyph_screen_xy(page, "value-boxes", "label", "h[1][0]"))
    wait_boxes(page, 4)
    # per neuron, following the step: play from 0 to the end. Each switch is awaited as a reader
    # sees it (a click on the Player while the server is moving it may be dropped by Panel)
    title = page.locator(".step-title span")
    page.locator(".scopes-step-by button", has_text="step per neuron").click()
    expect(title).to_contain_text("step 8 / 8: layer 0 / neuron 0", timeout=15_000)
    page.locator(".scopes-follow input").check()
    wait_boxes(page, 3)                                 # follow opened layer 0 / neuron 0
    page.locator(".step-player button.first").click()
    expect(title).to_contain_text("step 0 / 8", timeout=15_000)
    for k in range(1, 9):        # step by step to the end, each step awaited
        page.locator(".step-player button.next").click()
        expect(title).to_contain_text(f"step {k} / 8", timeout=15_000)
    expect(page.locator(".step-text pre")).to_contain_text("tanh'(n)")
    page.wait_for_function(          # at the end: the same captions (grads) as per op
        "(t) => Object.keys(t).every(k => Bokeh.documents[0].get_model_by_name('value-boxes')"
        ".data_source.data.text[Bokeh.documents[0].get_model_by_name('value-boxes')"
        ".data_source.data.label.indexOf(k)] === t[k])", arg=final, timeout=15_000)
    for _ in range(3):                                  # back to layer 1 / neuron 1
        page.locator(".step-player button.previous").click()
    expect(page.locator(".step-title span")).to_contain_text("layer 1 / neuron 1")
    page.wait_for_function(                             # follow opened the step's neuron
        "() => { const d = Bokeh.documents[0].get_model_by_name('value-boxes').data_source.data;"
        " const i = d.label.indexOf('w[1][1][0]'); return i >= 0 && d.x[i] === d.x[i]; }",
        timeout=15_000)
    assert page.console_errors == []


def test_a_click_on_a_frame_closes_it_and_a_link_reopens_the_state(new_page, served_app):
    page = open_app(new_page, served_app + "?preset=mlp")
    wait_boxes(page, 5)
    page.mouse.click(*glyph_screen_xy(page, "value-boxes", "label", "h[0][1]"))
    wait_boxes(page, 4)
    page.wait_for_function("() => window.location.search.includes('scopes=')", timeout=10_000)
    url = page.url
    opened = drawn_labels(page)

    other = open_app(new_page, url)                     # someone the link was sent to
    wait_boxes(other, 4)
    assert drawn_labels(other) == opened
    expect(other.locator(".notice-bar")).to_be_hidden()
    page.reload()
    wait_for_app(page)
    wait_boxes(page, 4)
    assert drawn_labels(page) == opened

    frames = source(page, "scope-frames")
    labels = source(page, "scope-frame-labels")["label"]
    k = labels.index("\u25be neuron 1")
    top_left = (frames["x"][k] - frames["w"][k] / 2 + 3, frames["y"][k] + frames["h"][k] / 2 - 3)
    click_data_point(page, *top_left)
    wait_boxes(page, 5)
    page.wait_for_function("() => !window.location.search.includes('scopes=')", timeout=10_000)
    assert page.console_errors == [] and other.console_errors == []


def test_an_inspected_sample_opens_collapsed(new_page, served_app, tmp_path):
    page = new_page()
    train_one_step(page, served_app)
    page.get_by_role("button", name="Open in Graph tab").click()
    page.wait_for_function("""() => Bokeh.documents[0].get_model_by_name('value-boxes')
                              .data_source.data.label.includes('loss')""", timeout=90_000)
    wait_boxes(page, 4, timeout=60_000)                 # 3 layers and the sample's loss
    assert not any(label.startswith("w[") for label in drawn_labels(page))
    # the scope controls and the notice came in while the Graph tab was hidden: the plot is laid
    # out at its pane's new, smaller size (it kept the old one, its colour bar cut off below)
    page.wait_for_function(LAYOUT_FITS_JS, timeout=5_000)
    page.screenshot(path=tmp_path / "inspected-collapsed.png")
    page.locator(".scopes-neurons button").click()
    page.wait_for_function(
        "() => Bokeh.documents[0].get_model_by_name('scope-box-stacks').data_source.data.x.length > 10",
        timeout=60_000)
    # 33 neurons make a tall graph: its overview takes at most 0.3 of the plot's height, not 130
    # of ~300 px, where it covered the loss's end of the graph
    sizes = "() => {" + _FIND_PLOT_VIEW + """const v = __plotView(), m = Bokeh.documents[0].get_model_by_name('graph-minimap');
      return [m.width, m.height, v.frame.bbox.height, getComputedStyle(v.el).height]; }"""
    page.wait_for_timeout(1_000)
    mw, mh, frame_h, _ = page.evaluate(sizes)
    assert 36 <= mh <= 0.3 * frame_h and mw >= 36, (mw, mh, frame_h)
    page.locator(".step-player button.last").click()
    expect(page.locator(".step-title span")).to_contain_text("gradient descent", timeout=15_000)
    assert page.console_errors == []


class HeldSocket:
    """Routes the page's Bokeh websocket through Playwright; while ``hold`` is True the server's
    messages are kept back (in order) instead of reaching the page: a slow network, on demand."""

    def __init__(self, page):
        self.hold, self.held, self.route = False, [], None
        page.route_web_socket(re.compile(r"/ws(\?|$)"), self._connect)

    def _connect(self, ws):
        server = ws.connect_to_server()
        ws.on_message(server.send)                      # page -> server: straight through
        server.on_message(lambda m: self.held.append(m) if self.hold else ws.send(m))
        self.route = ws

    def wait_held(self, page, text, timeout=30.0):
        """Wait until a held server message contains ``text`` (the server has done that).
        The condition lives here, in the messages this route holds back from the page, so
        ``expect``/``wait_for_function`` cannot see it; Playwright's sync API runs the route's
        callbacks only while it waits, hence the short waits (a timeout, not a timing)."""
        deadline = time.monotonic() + timeout
        while not any(text in (m if isinstance(m, str) else m.decode(errors="replace"))
                      for m in self.held):
            assert time.monotonic() < deadline, f"the server never sent {text!r}"
            page.wait_for_timeout(50)                   # lets Playwright dispatch messages

    def release(self):
        self.hold = False
        held, self.held = self.held, []
        for m in held:
            self.route.send(m)


def test_a_click_crossing_a_server_move_of_the_player_still_steps(new_page, served_app):
    """The server moves the Player (a pass switch: back to step 0) while a click made on the
    old position is in flight. The server takes the click (forward step 1); the browser then
    receives the server's move (0). Without an echo the browser stays at 0 while the server is
    at 1, and the next click ("next": 0 -> 1) reaches no new step."""
    page = new_page()
    sock = HeldSocket(page)
    page.goto(served_app)
    wait_for_app(page)
    title = page.locator(".step-title span")
    page.locator(".step-player button.first").click()
    expect(title).to_contain_text("step 0 /")
    for k in (1, 2):
        page.locator(".step-player button.next").click()
        expect(title).to_contain_text(f"Backward step {k} /")
    sock.hold = True
    page.get_by_role("button", name="Forward pass").click()
    sock.wait_held(page, "Forward pass, step 0")        # the server moved the Player to 0
    page.locator(".step-player button.previous").click()   # the page still shows step 2
    sock.wait_held(page, "Forward step 1 /")
    sock.release()
    expect(title).to_contain_text("Forward step 1 /", timeout=15_000)
    page.locator(".step-player button.next").click()
    expect(title).to_contain_text("Forward step 2 /", timeout=15_000)
    assert page.console_errors == []
