"""The step panel shows every step's chain rule whole (app.graph_page.step_panel).

Not presenting, at 1024x768 the chain rule had 414-434 px beside the 330 px plain arithmetic,
where 11 of the MLP preset's 27 backward steps need up to 620 px (step 9: 447, step 23: 620); at
1280x720 it had 640 px, where 5 need up to 687; the tanh neuron's step 4 needs 503 of 434 at
1024x600. Their right ends, the numbers, were cut, and no scrollbar showed. The arithmetic now
goes below a chain rule too wide to share the row; the panel keeps its height (scrolling inside
itself) and the page does not scroll.
"""

from __future__ import annotations

import re

import pytest

from conftest import playwright_expect

expect = playwright_expect()   # missing Playwright: fails under CI, skips elsewhere

from browser_support import wait_for_app

pytestmark = pytest.mark.browser

#: The shown chain rule's extent (its MathML contents, not the display block around them), the
#: boxes that could cut it (its pane, the panel, the window), whether the pane scrolls sideways,
#: and the page's and panel's heights.
_CHAIN_RULE = """
() => {
  function all(root, acc) { root.querySelectorAll('*').forEach(e => { acc.push(e); if (e.shadowRoot) all(e.shadowRoot, acc); }); return acc; }
  const els = all(document, []);
  const host = els.find(e => e.classList && e.classList.contains('step-math'));
  const panel = els.find(e => e.classList && e.classList.contains('step-panel'));
  const shown = [...host.shadowRoot.querySelectorAll('.katex')].filter(k => {
    const form = k.closest('.math-wide, .math-narrow');
    return k.getClientRects().length > 0 && (!form || getComputedStyle(form).display !== 'none'); });
  let left = Infinity, right = -Infinity, size = 0;
  for (const k of shown) {
    const range = document.createRange();
    range.selectNodeContents(k.querySelector('math') || k);
    const r = range.getBoundingClientRect();
    left = Math.min(left, r.left); right = Math.max(right, r.right);
    size = parseFloat(getComputedStyle(k).fontSize);
  }
  const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const d = document.documentElement;
  return {n: shown.length, left, right, size, pane: box(host), panel: box(panel),
          scroll_width: host.scrollWidth, client_width: host.clientWidth,
          overflow: getComputedStyle(host).overflowX, window: innerWidth,
          page: [d.scrollHeight, d.clientHeight, d.scrollWidth, d.clientWidth]};
}
"""

_TITLE = ".step-title span"


def _open(new_page, served_app, query, width, height):
    page = new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(served_app + query)
    wait_for_app(page)
    expect(page.locator(_TITLE)).to_contain_text("Backward step")
    return page


def _steps(page):
    """(step, of) from the title."""
    found = re.search(r"step (\d+) / (\d+)", page.locator(_TITLE).inner_text())
    return int(found.group(1)), int(found.group(2))


def _assert_whole(m, where):
    """The chain rule lies inside its pane, the panel and the window (nothing cut at either
    side), at a readable size."""
    assert m["n"] > 0, where
    visible_right = min(m["pane"]["right"], m["panel"]["right"], m["window"])
    visible_left = max(m["pane"]["left"], m["panel"]["left"], 0)
    assert m["right"] <= visible_right + 0.5 and m["left"] >= visible_left - 0.5, (
        f"chain rule cut at {where}: it runs {m['left']:.0f}-{m['right']:.0f} px, "
        f"shown {visible_left:.0f}-{visible_right:.0f} ({m['right'] - m['left']:.0f} px in "
        f"{visible_right - visible_left:.0f})")
    assert m["scroll_width"] <= m["client_width"] + 1, (where, m)
    assert m["size"] >= 9.5, (where, m)      # (an MLP neuron's 4+ lines are 11 px, 0.9 em at 1024)


def _every_backward_step(page, where):
    """From the last backward step to the first, with the Player's "previous" button: each step's
    chain rule whole, the panel its 165 px, the page not scrolling."""
    step, n = _steps(page)
    assert step == n and n > 1, where
    seen = 0
    for k in range(n, 0, -1):
        expect(page.locator(_TITLE)).to_contain_text(f"Backward step {k} / {n}")
        m = page.evaluate(_CHAIN_RULE)
        _assert_whole(m, f"{where}, step {k} / {n}")
        assert abs(m["panel"]["bottom"] - m["panel"]["top"] - 165) <= 1, (where, k, m["panel"])
        assert m["panel"]["bottom"] <= m["page"][1] + 0.5, (where, k, m)
        assert m["page"][0] <= m["page"][1] and m["page"][2] <= m["page"][3], f"{where}, step {k}: the page scrolls {m['page']}"
        seen += 1
        if k > 1:
            page.locator(".step-player button.previous").click()
    assert seen == n


@pytest.mark.parametrize("width, height", [(1024, 768), (1280, 720)])
def test_every_mlp_backward_step_shows_its_whole_chain_rule(new_page, served_app, width, height):
    """At 1024x768 step 9 needs 447 px and step 23 620 px, and the chain rule had 434 beside the
    arithmetic; at 1280x720 step 23 needs 687 of 640."""
    page = _open(new_page, served_app, "?preset=mlp", width, height)
    _every_backward_step(page, f"MLP at {width}x{height}")


def test_every_neuron_backward_step_shows_its_whole_chain_rule_at_1024x600(new_page, served_app):
    """The tanh neuron's step 4 (the weighted sum's two inputs) needs 503 px of the 434 beside
    the arithmetic on a 1024x600 screen."""
    page = _open(new_page, served_app, "?preset=neuron", 1024, 600)
    _every_backward_step(page, "neuron at 1024x600")


def test_the_arithmetic_goes_below_a_wide_chain_rule_and_stays_beside_a_narrow_one(new_page, served_app):
    """MLP at 1024x768: step 23's chain rule (620 px) has the row to itself, the arithmetic below
    it, inside the panel (reached by scrolling the panel); step 27's fits beside it."""
    page = _open(new_page, served_app, "?preset=mlp&step=23", 1024, 768)
    expect(page.locator(_TITLE)).to_contain_text("Backward step 23 / 27")
    math = page.locator(".step-math").bounding_box()
    plain = page.locator(".step-text").bounding_box()
    assert plain["y"] >= math["y"] + math["height"] - 0.5, (math, plain)
    assert math["width"] >= 700, math
    page.locator(".step-player button.last").click()
    expect(page.locator(_TITLE)).to_contain_text("Backward step 27 / 27")
    math = page.locator(".step-math").bounding_box()
    plain = page.locator(".step-text").bounding_box()
    assert plain["x"] >= math["x"] + math["width"] - 0.5 and abs(plain["y"] - math["y"]) < 20, (math, plain)


def test_a_chain_rule_wider_than_the_panel_scrolls_sideways(new_page, served_app):
    """Long names (abbreviated in the fractions, still ~916 px at 1024x768) make a chain rule wider
    than the whole panel: it scrolls sideways inside the panel (the page does not), its
    scrollbar's place (the pane's bottom) inside the panel."""
    expr = ("first_weight_value = 2\nsecond_weight_value = -3\ninput_signal_value = 0.5\n"
            "weighted_product = first_weight_value * input_signal_value\n"
            "weighted_sum_total = weighted_product + second_weight_value * input_signal_value\n"
            "neuron_activation_output = tanh(weighted_sum_total)")
    page = _open(new_page, served_app, "", 1024, 768)
    page.locator(".expr-editor textarea").fill(expr)
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".output-line")).to_have_attribute("title", "neuron_activation_output")
    page.locator(".step-player button.last").click()
    for k in (5, 4, 3):                  # to step 2, the tanh's: the widest
        expect(page.locator(_TITLE)).to_contain_text(f"Backward step {k} / 5")
        page.locator(".step-player button.previous").click()
    expect(page.locator(_TITLE)).to_contain_text("Backward step 2 / 5")
    m = page.evaluate(_CHAIN_RULE)
    assert m["right"] - m["left"] > m["panel"]["right"] - m["panel"]["left"], m   # wider than the panel
    if m["scroll_width"] > m["client_width"] + 1:
        assert m["overflow"] in ("auto", "scroll"), m
        assert m["pane"]["left"] >= m["panel"]["left"] - 0.5 and m["pane"]["right"] <= m["panel"]["right"] + 0.5, m
        assert m["pane"]["bottom"] <= min(m["panel"]["bottom"], m["page"][1]) + 0.5, m
    else:
        _assert_whole(m, "long names at 1024x768")
    assert m["page"][0] <= m["page"][1] and m["page"][2] <= m["page"][3], m
