"""The Train view served by Panel, driven in headless Chromium (Playwright, Debian's chromium).

Serves ``create_train_view`` in a subprocess on a free port, next to a pane that shows what
``on_inspect`` received (its graph's size and backward steps, and the last update record), as
the main app's graph view will. Screenshots go to the test's tmp dir.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]

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

# Counts rows of the loss curve's data source and the spread of the boundary image's values.
PLOT_STATE = """() => {
  const out = {loss: -1, image: 0, spread: 0};
  for (const doc of Bokeh.documents) {
    for (const m of doc.all_models) {
      const d = m.data;
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


def _require_browser():
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append(CHROMIUM)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright")
    if missing:
        reason = f"browser test needs {', '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must install it)")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    _require_browser()
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}/"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=30)  # a GET builds the view: slow on a busy machine
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                out = proc.stdout.read().decode(errors="replace")
                pytest.fail(f"train view server did not start:\n{out}")
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def page(server, tmp_path):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 720})
        pg.errors = []
        pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        pg.goto(server, wait_until="networkidle")
        pg.get_by_role("button", name="▶ Run").wait_for(timeout=30_000)
        yield pg
        browser.close()


def _wait_for(page, predicate, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = page.evaluate(PLOT_STATE)
        if predicate(state):
            return state
        time.sleep(0.2)
    raise AssertionError(f"timed out; last plot state {page.evaluate(PLOT_STATE)}")


def test_train_watch_pause_and_inspect(page, tmp_path):
    initial = _wait_for(page, lambda s: s["image"] > 0)
    assert initial["loss"] == 0                        # no step yet: an empty curve
    page.screenshot(path=str(tmp_path / "train-0-initial.png"))

    page.get_by_role("button", name="▶ Run").click()
    running = _wait_for(page, lambda s: s["loss"] >= 10)
    later = _wait_for(page, lambda s: s["loss"] > running["loss"])  # the curve keeps growing
    assert later["spread"] > 0.5                      # the boundary image shows real scores
    page.screenshot(path=str(tmp_path / "train-1-running.png"))

    # the page answers while training runs: Pause takes effect promptly
    t0 = time.time()
    page.get_by_role("button", name="❚❚ Pause").click()
    page.get_by_role("button", name="▶ Run").wait_for(state="visible")
    # a tick already under way when Pause arrived may still land: wait for the curve to settle
    paused = page.evaluate(PLOT_STATE)["loss"]
    while True:
        time.sleep(0.6)
        now = page.evaluate(PLOT_STATE)["loss"]
        if now == paused or time.time() - t0 > 5:
            break
        paused = now
    time.sleep(1.0)
    assert page.evaluate(PLOT_STATE)["loss"] == paused, "training went on after Pause"
    assert time.time() - t0 < 6.6
    assert page.get_by_text(f"step {paused}").count() >= 1

    # Step adds exactly one point
    page.get_by_role("button", name="Step", exact=True).click()
    _wait_for(page, lambda s: s["loss"] == paused + 1, timeout=10)

    # inspect one sample: its graph reaches on_inspect, its summary shows, the ring marks it
    page.get_by_role("button", name="Inspect sample").click()
    page.locator("#inspected", has_text="backward steps").wait_for(timeout=10_000)
    text = page.locator("#inspected").inner_text()
    assert "graph" in text and ".data -= lr * " in text
    page.get_by_text("sample 0:").wait_for(timeout=10_000)
    page.screenshot(path=str(tmp_path / "train-2-inspected.png"))

    # a new data set resets the run: empty curve, step 0, a new boundary image
    before = page.evaluate(PLOT_STATE)
    page.locator("select").first.select_option("circles")
    _wait_for(page, lambda s: s["loss"] == 0 and s["spread"] != before["spread"], timeout=15)
    page.get_by_text("step 0 ·").wait_for(timeout=10_000)
    page.screenshot(path=str(tmp_path / "train-3-circles.png"))

    assert page.errors == [], page.errors
    print(f"screenshots in {tmp_path}")
    keep = os.environ.get("TRAIN_SCREENSHOTS")
    if keep:
        for png in tmp_path.glob("train-*.png"):
            shutil.copy(png, keep)
