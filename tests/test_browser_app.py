"""The served app in headless Chromium (Playwright): load, sliders, Player + step panel, hover,
bad input, and independent sessions. One server for the module (see conftest.served_app)."""

from __future__ import annotations

import pytest

from conftest import playwright_expect

expect = playwright_expect()   # missing Playwright: fails under CI, skips elsewhere

from browser_support import (LECTURE_FINAL, glyph_screen_xy, node_texts, open_app, output_text,
                             wait_node_text, zoom_in)

pytestmark = pytest.mark.browser



def test_page_loads_without_console_errors_and_fits_720p(new_page, served_app, tmp_path):
    page = open_app(new_page, served_app)
    expect(page.locator(".step-title span")).to_contain_text("step 4 / 4")   # the panes are drawn
    page.screenshot(path=tmp_path / "loaded.png")
    assert page.console_errors == []
    assert node_texts(page) == LECTURE_FINAL
    assert output_text(page) == "-8"
    # the page fits a 1280x720 projector: nothing to scroll
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= 1280 and size[1] <= 720, size
    # the plot is visible and sizeable
    box = page.locator(".bk-Canvas, canvas").first.bounding_box()
    assert box["width"] > 600 and box["height"] > 300


def test_moving_a_slider_recomputes_output_and_node_text(new_page, served_app, tmp_path):
    from engine import parse

    page = open_app(new_page, served_app)
    handle = page.locator(".leaf-v0 .noUi-handle")
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y, steps=6)
    page.mouse.up()
    # where the drag left the slider, in the browser (fails if the drag missed the handle);
    # aria-valuetext has the slider's step precision (0.05 here), aria-valuenow only one decimal
    a = float(handle.get_attribute("aria-valuetext"))
    assert a > 2
    # the number box ends on that value, not on one the drag passed (under load the server
    # sees the drag's values late; it must never push the slider or box back to one of them)
    expect(page.locator(".leaf-v0 input")).to_have_value(f"{a:g}", timeout=10_000)
    expected = parse(f"a = {a}\nb = -3\nc = 10\nf = -2\ne = a*b\nd = e + c\nL = d*f")
    expected.backward()
    # ... and the server recomputed everything for that a: the output, then every caption
    expect(page.locator(".output-number")).to_have_text(f"{expected.data:.4g}", timeout=10_000)
    texts = node_texts(page)
    assert texts["a"].startswith(f"a | {a:.4g} |"), texts["a"]
    assert texts["L"] == f"L | {expected.data:.4g} | 1"
    assert texts["b"] == f"b | -3 | {-2 * a:.4g}"  # db = a * dL/de = a * f
    page.screenshot(path=tmp_path / "slider.png")
    assert page.console_errors == []


def test_player_steps_and_step_panel_shows_the_chain_rule(new_page, served_app, tmp_path):
    page = open_app(new_page, served_app)
    page.locator(".step-player button.first").click()
    wait_node_text(page, "a", "a | 2 | 0")
    assert set(node_texts(page).values()) == {t.rsplit("|", 1)[0] + "| 0" for t in LECTURE_FINAL.values()}
    expect(page.locator(".step-title span")).to_contain_text("step 0 / 4")
    nxt = page.locator(".step-player button.next")
    nxt.click()  # 1: seed
    wait_node_text(page, "L", "L | -8 | 1")
    expect(page.locator(".step-text pre")).to_contain_text("L.grad = 1")
    nxt.click()  # 2: L = d*f
    wait_node_text(page, "d", "d | 4 | -2")
    nxt.click()  # 3: d = e + c
    wait_node_text(page, "e", "e | -6 | -2")
    assert node_texts(page)["a"] == "a | 2 | 0"  # not reached yet
    nxt.click()  # 4: e = a*b  -> a.grad += b.data * e.grad = -3 * -2 = 6
    wait_node_text(page, "a", "a | 2 | 6")
    expect(page.locator(".step-text pre")).to_contain_text("a.grad += b.data * e.grad = -3 * -2 = 6")
    expect(page.locator(".step-title span")).to_contain_text("step 4 / 4")
    assert page.locator(".step-math .katex").count() > 0  # rendered math, not raw TeX
    page.screenshot(path=tmp_path / "step4.png")
    assert node_texts(page) == LECTURE_FINAL
    page.locator(".step-player button.previous").click()
    wait_node_text(page, "a", "a | 2 | 0")
    assert page.console_errors == []


def test_hover_shows_tooltips_for_value_and_op_nodes(new_page, served_app, tmp_path):
    page = open_app(new_page, served_app)
    x, y = glyph_screen_xy(page, "value-boxes", "label", "a")
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y)
    tip = page.locator(".bk-tooltip-content").filter(has_text="leaf")
    tip.first.wait_for(state="visible", timeout=5_000)
    text = tip.first.inner_text()
    assert "a" in text and "6" in text and "leaf" in text
    page.screenshot(path=tmp_path / "hover_value.png")
    ox, oy = glyph_screen_xy(page, "op-circles", "output", "e")
    page.mouse.move(ox, oy + 1)
    page.mouse.move(ox, oy)
    tip = page.locator(".bk-tooltip-content").filter(has_text="local derivatives")
    tip.first.wait_for(state="visible", timeout=5_000)
    text = tip.first.inner_text()
    assert "b.data = -3" in text and "a, b" in text
    page.screenshot(path=tmp_path / "hover_op.png")


def test_bad_expression_shows_error_and_keeps_graph(new_page, served_app, tmp_path):
    page = open_app(new_page, served_app)
    editor = page.locator(".expr-editor textarea")
    editor.fill("a = 2\nb = q*a\n")
    page.locator(".apply-button button").click()
    err = page.locator(".expr-error div").first
    err.wait_for(state="visible", timeout=30_000)
    msg = err.inner_text()
    assert "'q' is not defined" in msg and "line 2" in msg
    assert "^" in msg  # caret under the culprit
    assert node_texts(page) == LECTURE_FINAL
    page.screenshot(path=tmp_path / "bad_expression.png")
    # on a line longer than the sidebar, the culprit and its caret are inside the box
    editor.fill("a = 2\nout = " + " + ".join(["a"] * 30) + " + qq * a\n")
    page.locator(".apply-button button").click()
    expect(err).to_contain_text("'qq' is not defined", timeout=30_000)
    shown = page.locator(".expr-error pre").first
    line, caret = shown.inner_text().split("\n")[:2]
    assert line[len(caret) - 1:].startswith("qq") and caret.endswith("^")
    assert shown.evaluate("e => e.scrollWidth <= e.clientWidth")
    page.screenshot(path=tmp_path / "bad_long_line.png")
    # a good expression replaces the graph and clears the error
    editor.fill("x = 3\ny = x*x + 1\n")
    page.locator(".apply-button button").click()
    wait_node_text(page, "y", "y | 10 | 1")
    assert node_texts(page)["x"] == "x | 3 | 6"
    expect(page.locator(".expr-error")).to_be_hidden()


def test_two_browser_contexts_keep_separate_state(new_page, served_app):
    first, second = open_app(new_page, served_app), open_app(new_page, served_app)
    box = first.locator(".leaf-v0 input")
    box.fill("3")
    box.press("Enter")
    wait_node_text(first, "a", "a | 3 | 6")
    assert output_text(first) == "-2"
    second.locator(".step-player button.first").click()
    wait_node_text(second, "a", "a | 2 | 0")
    assert output_text(second) == "-8"
    # a round trip of first's own after second's change: anything leaking from second's session
    # would have reached first before this answer (one ordered websocket per page)
    box.fill("4")
    box.press("Enter")
    wait_node_text(first, "a", "a | 4 | 6")         # first still at the end of backward
    assert node_texts(first)["b"] == "b | -3 | -8"


def test_play_runs_the_backward_pass_to_the_end(new_page, served_app):
    page = open_app(new_page, served_app)
    page.locator(".step-player button.first").click()
    wait_node_text(page, "L", "L | -8 | 0")
    page.locator(".step-player button.play").click()
    wait_node_text(page, "L", "L | -8 | 1", timeout=5_000)  # seeded first
    wait_node_text(page, "a", "a | 2 | 6", timeout=10_000)  # ... and a reached last
    expect(page.locator(".step-title span")).to_contain_text("step 4 / 4")
    assert node_texts(page) == LECTURE_FINAL


def test_zoomed_in_view_follows_the_player(new_page, served_app, tmp_path):
    page = open_app(new_page, served_app)
    page.locator(".step-player button.first").click()
    wait_node_text(page, "a", "a | 2 | 0")
    # zoom into the output end with the mouse wheel, as a reader of a large graph would
    zoom_in(page, *glyph_screen_xy(page, "value-boxes", "label", "L"))
    in_view = """(label) => { const doc = Bokeh.documents[0];
        const p = doc.get_model_by_name('graph-plot');
        const d = doc.get_model_by_name('value-boxes').data_source.data;
        const x = d.x[d.label.indexOf(label)];
        return [x >= p.x_range.start && x <= p.x_range.end, p.x_range.end - p.x_range.start]; }"""
    visible, span = page.evaluate(in_view, "e")
    assert not visible
    nxt = page.locator(".step-player button.next")
    for _ in range(4):          # seed, L, d, e: the camera pans along, keeping the zoom
        nxt.click()
    wait_node_text(page, "a", "a | 2 | 6")
    page.wait_for_function(f"() => ({in_view})('e')[0]", timeout=5_000)
    assert page.evaluate(in_view, "e")[1] == pytest.approx(span)
    page.screenshot(path=tmp_path / "followed.png")
    assert page.console_errors == []


def test_the_camera_keeps_the_whole_box_of_the_step_in_view(new_page, served_app):
    """The view pans when the step's box would be cut at the plot's edge, not only when its
    centre leaves the view (a wide box was cut: the centre 3 % inside, half the box outside)."""
    page = open_app(new_page, served_app)
    page.locator(".step-player button.first").click()
    wait_node_text(page, "a", "a | 2 | 0")
    zoom_in(page, *glyph_screen_xy(page, "value-boxes", "label", "L"))
    nxt = page.locator(".step-player button.next")
    for _ in range(3):          # seed, L, d: e comes next
        nxt.click()
    wait_node_text(page, "d", "d | 4 | -2")
    # e's centre 6 % inside the left edge, its left half outside
    box = """(label) => { const doc = Bokeh.documents[0];
        const p = doc.get_model_by_name('graph-plot'), r = p.x_range;
        const d = doc.get_model_by_name('value-boxes').data_source.data, i = d.label.indexOf(label);
        return [d.x[i] - d.w[i] / 2, d.x[i] + d.w[i] / 2, r.start, r.end]; }"""
    x0, x1, start, end = page.evaluate(box, "e")
    span = end - start
    assert x1 - x0 < 0.8 * span, "zoomed too far for the test: the box is as wide as the view"
    shift = (x0 + x1) / 2 - 0.06 * span - start
    page.evaluate(f"""() => {{ const r = Bokeh.documents[0].get_model_by_name('graph-plot').x_range;
        r.setv({{start: r.start + {shift}, end: r.end + {shift}}}); }}""")
    x0, x1, start, end = page.evaluate(box, "e")
    assert x0 < start < (x0 + x1) / 2
    nxt.click()
    wait_node_text(page, "e", "e | -6 | -2")
    page.wait_for_function(f"() => {{ const [x0, x1, s, e] = ({box})('e'); return s <= x0 && x1 <= e; }}",
                           timeout=5_000)
    x0, x1, start, end = page.evaluate(box, "e")
    assert end - start == pytest.approx(span)          # panned, the zoom kept
    assert page.console_errors == []


def test_a_new_graph_is_fitted_even_after_zooming(new_page, served_app):
    page = open_app(new_page, served_app)
    zoom_in(page, *glyph_screen_xy(page, "value-boxes", "label", "a"), delta=-150)
    # small enough to be read whole at 720p: its first view is all of it
    page.locator(".expr-editor textarea").fill("p = 1\nq = 2\ns = tanh(p*q + q)")
    page.locator(".apply-button button").click()
    wait_node_text(page, "s", "s | 0.9993 | 1")
    all_in_view = """() => { const doc = Bokeh.documents[0];
        const p = doc.get_model_by_name('graph-plot');
        const d = doc.get_model_by_name('value-boxes').data_source.data;
        return d.x.every((x, i) => x >= p.x_range.start && x <= p.x_range.end &&
                                   d.y[i] >= p.y_range.start && d.y[i] <= p.y_range.end); }"""
    page.wait_for_function(all_in_view, timeout=5_000)
    assert page.console_errors == []


def test_many_leaves_swap_the_sliders_for_the_table_and_back(new_page, served_app):
    """Past MAX_SLIDERS leaves the sliders hide and the leaf table shows its labels and values
    (it was drawn hidden with the page); a row click gives that leaf the control; back to a
    small graph, the sliders return, bound to its leaves."""
    n = 30
    text = "\n".join(f"z{i} = {i}" for i in reversed(range(n)))
    text += "\nout = " + " + ".join(f"z{i}*z{(i + 1) % n}" for i in range(n))
    page = open_app(new_page, served_app)
    editor, apply = page.locator(".expr-editor textarea"), page.locator(".apply-button button")
    editor.fill(text)
    apply.click()
    table = page.locator(".leaf-table")
    expect(table).to_be_visible(timeout=30_000)
    expect(table.locator(".tabulator-row").first).to_contain_text("z29", timeout=30_000)
    expect(table.locator(".tabulator-row").nth(1)).to_contain_text("z28")
    assert "NaN" not in table.locator(".tabulator-row").first.inner_text()
    expect(page.locator(".leaf-slider:visible")).to_have_count(1)     # the table's one control
    table.locator(".tabulator-row").nth(2).click()                        # z27
    box = page.locator(".selected-leaf .leaf-number input")
    expect(box).to_have_value("27")
    box.fill("2")
    box.press("Enter")
    expect(table.locator(".tabulator-row").nth(2)).to_contain_text("2")
    editor.fill("p = 0.5\nq = -4\nout = p*q")
    apply.click()
    expect(table).to_be_hidden(timeout=30_000)
    expect(page.locator(".leaf-slider:visible")).to_have_count(2)
    wait_node_text(page, "out", "out | -2 | 1")
    box = page.locator(".leaf-slider:visible .leaf-number input").nth(1)
    expect(box).to_have_value("-4")
    box.fill("3")
    box.press("Enter")
    wait_node_text(page, "out", "out | 1.5 | 1")
    assert page.console_errors == []


def test_a_leafs_box_shows_its_whole_number(new_page, served_app):
    """The longest text a leaf's box shows (12 significant digits, a sign and an exponent) and
    an MLP weight's fit inside the box: at 130 px the weights' last digits were cut off."""
    import urllib.parse

    expr = "a = -1.23456789012e-300\nb = -0.0468060916957\nc = 2\nout = a*b + c"
    page = open_app(new_page, served_app + "?expr=" + urllib.parse.quote(expr))
    boxes = page.locator(".leaf-slider:visible .leaf-number input")
    expect(boxes).to_have_count(3, timeout=30_000)
    shown = boxes.evaluate_all("els => els.map(e => [e.value, e.scrollWidth, e.clientWidth])")
    assert sorted(value for value, _, _ in shown) == ["-0.0468060916957", "-1.23456789012e-300", "2"]
    assert all(scroll <= client for _, scroll, client in shown), shown
