"""How often headless Chromium measures the graph's captions when a new graph opens.

    python -m bench.app_captions          # random ~1k on a page showing another ~1k graph,
                                          # the same from a fresh page, chain ~5k

BokehJS measures every text of a Text renderer (``after_visuals``: one ``measureText`` per
caption, in each of the renderer's 6 glyph views) on every change of its data, indices, mask or
font size. Counted here by wrapping ``after_visuals`` in the page: the captions it measured and
the ms it took, from the Apply click until the new graph is painted (plus 0.5 s). These counts
do not depend on the machine's load; the ms do (run main and a change one after the other).
"""

from __future__ import annotations

import statistics
import sys

from .app_open import chain_text, drawn_rows, random_text
from .app_paint import _ARM_JS, _PAINTED_JS, _RESULT_JS, Served, _wait_ready

#: In the page: wrap the Text glyph views' after_visuals to count the captions measured
_COUNT_JS = """() => {
  const seen = new Set(), found = [];
  const walk = (v) => { if (!v || seen.has(v)) return; seen.add(v);
    if (v.glyph && v.glyph.labels && v.glyph.labels.length) found.push(v);
    const kids = typeof v.children_views === 'function' ? v.children_views() : (v.child_views || []);
    for (const c of kids) walk(c);
    if (v.renderer_views) for (const c of v.renderer_views.values()) walk(c); };
  Object.values(Bokeh.index).forEach(walk);
  const text_view = Object.getPrototypeOf(found[0].glyph);
  if (!text_view.__agCounted) {
    const orig = text_view.after_visuals;
    text_view.after_visuals = function () {
      const t0 = performance.now(), r = orig.call(this);
      window.__agMeasured += (this.labels || []).filter(l => l).length;
      window.__agMs += performance.now() - t0;
      return r; };
    text_view.__agCounted = true; }
  window.__agMeasured = 0; window.__agMs = 0;
}"""

#: name -> (text shown before, None: the default preset on a fresh page; text applied)
CASES = {
    "random ~1k after another": (lambda: random_text(331, seed=4), lambda: random_text(330)),
    "random ~1k on a fresh page": (lambda: None, lambda: random_text(330)),
    "chain ~5k after another": (lambda: chain_text(561), lambda: chain_text(560)),
}


def measure(browser, url, before, text, rows) -> tuple:
    """(captions measured, ms in after_visuals, ms click -> painted) for one Apply of ``text``
    on a new page at ``url`` showing ``before`` (None: what the page opens with)."""
    sys.path.insert(0, "tests")
    from browser_support import VIEWPORT

    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.add_init_script(_PAINTED_JS)
        page.goto(url)
        _wait_ready(page)
        editor, button = page.locator(".expr-editor textarea"), page.locator(".apply-button button")
        if before is not None:
            editor.fill(before)
            page.evaluate(_ARM_JS, drawn_rows(before))
            button.click()
            page.evaluate(_RESULT_JS)
            page.wait_for_timeout(1000)
        page.evaluate(_COUNT_JS)
        editor.fill(text)
        page.evaluate(_ARM_JS, rows)
        button.click()
        _, painted = page.evaluate(_RESULT_JS)
        page.wait_for_timeout(500)
        measured, ms = page.evaluate("() => [window.__agMeasured, window.__agMs]")
        return measured, ms, painted
    finally:
        page.close()


def main(repeats: int = 2) -> None:
    from playwright.sync_api import sync_playwright

    from app import create_app

    sys.path.insert(0, "tests")
    from browser_support import launch_chromium

    served = Served({"app": create_app})
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            print(f"{'graph':<28} {'rows':>5} {'captions measured':>18} {'per row':>8} "
                  f"{'measuring ms':>13} {'painted ms':>11}")
            for name, (before, text) in CASES.items():
                before, text = before(), text()
                rows = drawn_rows(text)
                runs = [measure(browser, served.url("app"), before, text, rows) for _ in range(repeats)]
                measured = runs[0][0]
                print(f"{name:<28} {rows:>5} {measured:>18,} {measured / rows:>8.1f} "
                      f"{statistics.median(r[1] for r in runs):>13.0f} "
                      f"{statistics.median(r[2] for r in runs):>11.0f}")
            browser.close()
    finally:
        served.close()
    print(f"median of {repeats}; measuring = BokehJS's after_visuals of the Text renderers; "
          "painted = from the Apply click (bench.app_paint)")


if __name__ == "__main__":
    main()
