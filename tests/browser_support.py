"""Helpers for the browser tests: Chromium, a served app in a subprocess, and page probes.

Chromium is Debian's ``/usr/bin/chromium`` (Playwright's own browser download is not used).
The probes read the browser-side Bokeh models (what the page actually received), not the server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 720}
REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A free localhost TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_app(args=(), timeout: float = 90.0, panel_serve: bool = False):
    """Start ``python -m app --port P *args`` and wait until it answers HTTP 200.

    With ``panel_serve=True`` run ``panel serve app/main.py --port P *args`` instead (URL
    ``/main``). Returns ``(process, url)``. The caller must stop the process (:func:`stop`).
    """
    port = free_port()
    if panel_serve:
        cmd = [sys.executable, "-m", "panel", "serve", "app/main.py", "--port", str(port), *args]
        return serve_command(cmd, f"http://localhost:{port}/main", timeout)
    cmd = [sys.executable, "-m", "app", "--port", str(port), *args]
    return serve_command(cmd, f"http://localhost:{port}/", timeout)


def serve_command(cmd, url: str, timeout: float = 90.0):
    """Start the server ``cmd`` (from the repository root) and wait until ``url`` answers HTTP
    200; return ``(process, url)``."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # The server's output goes to a file, not a pipe: nobody reads a pipe while the tests run,
    # and a server that logs more than the pipe holds (~64 KB) would block on its next write.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log = log
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{server_output(proc)}")
        try:
            # a page is a whole new session: under load it takes seconds to build, so a short
            # per-request timeout would retry (and rebuild) forever
            with urllib.request.urlopen(url, timeout=max(2.0, deadline - time.monotonic())) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.25)   # not listening yet: poll the port again shortly
    stop(proc)
    raise RuntimeError(f"server did not answer at {url} within {timeout} s")


def server_output(proc) -> str:
    """What a server started by :func:`serve_command` has printed so far."""
    proc.log.flush()
    proc.log.seek(0)
    return proc.log.read().decode(errors="replace")


def stop(proc) -> None:
    """Terminate a server started by :func:`serve_app` (kill if it does not exit)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    log = getattr(proc, "log", None)
    if log is not None:
        log.close()


def launch_chromium(playwright):
    """Launch headless Debian Chromium with the project's flags."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)


# ----------------------------------------------------------------------------- page probes

_FIND_PLOT_VIEW = """
function __plotView() {
  let found = null;
  function walk(v) { if (found) return; if (v.model && v.model.name === 'graph-plot') { found = v; return; }
                     for (const c of (v.child_views || [])) walk(c); }
  Object.values(Bokeh.index).forEach(walk);
  return found;
}
"""


#: Is the minimap shown: it is hidden by its style (app.graph_page.graph_viewport), not visible.
_MINIMAP_SHOWN_JS = """const _shown = (m) => { const st = m.styles instanceof Map ? Object.fromEntries(m.styles) : m.styles;
  return m.visible && st.visibility !== 'hidden'; };"""

#: What is on screen (``page.evaluate(VIEW_JS)``): the caption size the page draws and the
#: scale (px per plot unit), which drawn boxes lie wholly in view, how much of each box an edge
#: of the view cuts (``cut``: label -> the smaller part's share, 0.5 for a box cut in half), the
#: colour bar's and the plot frame's widths, and whether the minimap shows.
VIEW_JS = """() => {""" + _FIND_PLOT_VIEW + _MINIMAP_SHOWN_JS + """
  const doc = Bokeh.documents[0], v = __plotView();
  const cap = doc.get_model_by_name('value-captions'), p = doc.get_model_by_name('graph-plot');
  const d = doc.get_model_by_name('value-boxes').data_source.data, xr = p.x_range, yr = p.y_range;
  const sx = v.frame.x_scale, sy = v.frame.y_scale;
  const scale = Math.min(p.inner_width / (xr.end - xr.start), p.inner_height / (yr.end - yr.start));
  const inside = [], outside = [], cut = {};
  // a box the view's edge cuts: the smaller part's share of it (0.5: cut in half)
  const share = (a, b, end) => Math.max(0, Math.min(-a, b) / (b - a), Math.min(end - a, b - end) / (b - a));
  for (let i = 0; i < d.x.length; i++) {
    if (!(d.x[i] === d.x[i])) continue;                 // a member of a collapsed scope
    const l = sx.compute(d.x[i] - d.w[i] / 2), r = sx.compute(d.x[i] + d.w[i] / 2);
    const t = sy.compute(d.y[i] + d.h[i] / 2), b = sy.compute(d.y[i] - d.h[i] / 2);
    const on = l >= -1 && r <= p.inner_width + 1 && t >= -1 && b <= p.inner_height + 1;
    (on ? inside : outside).push(d.label[i]);
    const seen = r > 0 && l < p.inner_width && b > 0 && t < p.inner_height;
    if (!on && seen) { cut[d.label[i]] = Math.max(share(l, r, p.inner_width), share(t, b, p.inner_height)); }
  }
  const bar = p.below.find((r) => r.color_mapper != null);
  return {px: parseFloat(cap.glyph.text_font_size.value ?? cap.glyph.text_font_size),
          visible: cap.visible, inside: inside, outside: outside, cut: cut, scale: scale,
          bar: bar.width, frame: v.frame.bbox.width,
          minimap: _shown(doc.get_model_by_name('graph-minimap'))}; }"""


def sized_page(chromium, contexts: list, width: int, height: int, touch: bool = False, url=None):
    """A page in a fresh ``width`` x ``height`` context (``touch``: a phone's, mobile with touch),
    its page errors collected in ``page.console_errors``; the context is appended to
    ``contexts`` (the caller closes them). With ``url``: opened there, the app ready."""
    ctx = chromium.new_context(viewport={"width": width, "height": height}, is_mobile=touch, has_touch=touch)
    contexts.append(ctx)
    page = ctx.new_page()
    page.console_errors = []
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    if url is not None:
        page.goto(url)
        wait_for_app(page)
    return page


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until the graph's value boxes have arrived in the browser and the panes are drawn."""
    page.wait_for_function(
        """() => window.Bokeh && Bokeh.documents.length > 0 &&
                 Bokeh.documents[0].get_model_by_name('value-boxes') &&
                 Bokeh.documents[0].get_model_by_name('value-boxes').data_source.data.text.length > 0""",
        timeout=timeout,
    )
    page.wait_for_function("() => {" + _FIND_PLOT_VIEW + "return __plotView() !== null; }", timeout=timeout)
    # the panes render after the plot: the output number is among the last (tests read it next)
    page.locator(".output-number").wait_for(timeout=timeout)


def node_texts(page) -> dict:
    """{label: caption} of every value box, as the browser has it."""
    return page.evaluate(
        """() => { const d = Bokeh.documents[0].get_model_by_name('value-boxes').data_source.data;
                   const out = {}; for (let i = 0; i < d.label.length; i++) out[d.label[i]] = d.text[i];
                   return out; }"""
    )


def wait_node_text(page, label: str, text: str, timeout: float = 10_000) -> None:
    """Wait until the value box ``label`` reads ``text``."""
    page.wait_for_function(
        """([label, text]) => { const d = Bokeh.documents[0].get_model_by_name('value-boxes').data_source.data;
                               return d.text[d.label.indexOf(label)] === text; }""",
        arg=[label, text], timeout=timeout,
    )


def glyph_screen_xy(page, renderer_name: str, row_key: str, row_value: str) -> tuple:
    """Page coordinates (px) of the centre of a glyph row (``row_key`` column == ``row_value``)."""
    return tuple(page.evaluate(
        """([name, key, value]) => {""" + _FIND_PLOT_VIEW + """
          const v = __plotView();
          const d = Bokeh.documents[0].get_model_by_name(name).data_source.data;
          const i = d[key].indexOf(value);
          const r = v.el.getBoundingClientRect();
          return [r.left + v.frame.x_scale.compute(d.x[i]), r.top + v.frame.y_scale.compute(d.y[i])];
        }""",
        [renderer_name, row_key, row_value],
    ))


_X_SPAN = """() => { const p = Bokeh.documents[0].get_model_by_name('graph-plot');
                     return p.x_range.end - p.x_range.start; }"""


def zoom_in(page, x: float, y: float, notches: int = 3, delta: float = -100) -> None:
    """Zoom the graph with the mouse wheel at page point (x, y), as a reader would; each notch
    waits until the view has narrowed (fails if the wheel does not zoom)."""
    page.mouse.move(x, y)
    for _ in range(notches):
        span = page.evaluate(_X_SPAN)
        page.mouse.wheel(0, delta)
        page.wait_for_function(f"() => ({_X_SPAN})() < {span}", timeout=5_000)


def output_text(page) -> str:
    """The big output number as displayed."""
    return page.locator(".output-number").inner_text().strip()


#: Captions of the lecture example at the end of its backward pass.
LECTURE_FINAL = {
    "a": "a | 2 | 6", "b": "b | -3 | -4", "c": "c | 10 | -2", "f": "f | -2 | 4",
    "e": "e | -6 | -2", "d": "d | 4 | -2", "L": "L | -8 | 1",
}


def open_app(new_page, url):
    """A fresh page (from the ``new_page`` fixture) on ``url``, once the graph has arrived."""
    page = new_page()
    page.goto(url)
    wait_for_app(page)
    return page


def train_one_step(page, url: str) -> None:
    """Open ``url``, switch to the Train tab and run one training step (the tab's model is
    built on first open)."""
    from playwright.sync_api import expect

    page.goto(url)
    wait_for_app(page)
    page.get_by_text("Train", exact=True).click()
    step = page.get_by_role("button", name="Step", exact=True)
    expect(step).to_be_visible(timeout=30_000)
    step.click()
    expect(page.get_by_text("steps done 1 \u00b7")).to_be_visible(timeout=15_000)


#: Is the graph plot laid out at its element's size: ``[layout width, element width, layout
#: height, element height]`` within 1.5 px (a stale layout cut off the colour bar, or left a band).
LAYOUT_FITS_JS = "() => {" + _FIND_PLOT_VIEW + """
  const v = __plotView(); if (!v || !v.layout) { return false; }
  const b = v.layout.bbox, el = v.el;
  return el.offsetHeight > 0 && Math.abs(b.width - el.offsetWidth) <= 1.5 && Math.abs(b.height - el.offsetHeight) <= 1.5; }"""
