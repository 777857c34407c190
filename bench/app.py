"""App benchmark: what one Player step and one slider move cost, on the server and on the wire,
and how long a slider move takes to repaint in headless Chromium.

    python -m bench.app            # both parts
    python -m bench.app --server   # server side only (no browser)
    python -m bench.app --open     # only opening big graphs (bench/app_open.py, bench/app_paint.py)

Server side: an app instance is attached to a Bokeh ``Document``; every Player step / slider move
is timed (model update + ColumnDataSource patches + serialising the resulting PATCH-DOC message,
which is what the server sends) and the message is measured in bytes. Graphs: MLP losses of
about 50 / 500 / 5,000 nodes (value + op nodes). Targets per step at 5,000 nodes: < 1 ms, < 4 KiB.

Browser: the served app (lecture example) vs a bare Panel slider -> HTML round trip on the same
server, both measured in the page from setting the slider's value to the frame painted after the
update arrived. Target: app <= 1.3x bare.

Opening graphs of ~1k and ~5k nodes (Apply, Inspect sample, a fresh page): see
:mod:`bench.app_open`; how often Chromium measures the captions meanwhile:
``python -m bench.app_captions``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time

from bokeh.document import Document
from bokeh.protocol import Protocol

SIZES = {  # ~nodes: (nin, nouts, samples) of an engine.nn MLP squared-error loss
    50: (2, [2, 1], 1),
    500: (3, [4, 4, 1], 3),
    5000: (4, [8, 8, 1], 10),
}


def mlp_loss(nin, nouts, samples, seed=1):
    """Squared-error loss of a seeded engine MLP summed over ``samples`` random samples."""
    from engine import Value
    from engine.nn import MLP

    rng = random.Random(seed)
    model = MLP(nin, list(nouts), rng=rng)
    xs = [[rng.uniform(-1, 1) for _ in range(nin)] for _ in range(samples)]
    ys = [rng.choice([-1.0, 1.0]) for _ in range(samples)]
    loss = sum(((model(x) - y) ** 2 for x, y in zip(xs, ys)), Value(0.0))
    loss.label = "loss"
    return loss


class WireRecorder:
    """Collects a document's change events and measures them as one PATCH-DOC message."""

    def __init__(self, doc):
        self.events = []
        self.protocol = Protocol()
        doc.on_change(self._record)

    def _record(self, event):
        self.events.append(event)

    def take(self):
        """(message bytes, serialise seconds) of the events since the last call; clears them."""
        events, self.events = self.events, []
        if not events:
            return 0, 0.0
        t0 = time.perf_counter()
        msg = self.protocol.create("PATCH-DOC", events)
        size = len(msg.header_json) + len(msg.metadata_json) + len(msg.content_json)
        size += sum(len(b.to_bytes()) for b in msg.buffers)
        return size, time.perf_counter() - t0


def _measure(model, doc, max_steps=300, slider_moves=15):
    """Median/p95 ms and bytes per Player step and per slider move of ``model`` shown in ``doc``."""
    rec = WireRecorder(doc)
    m = model
    step_ms, step_bytes = [], []
    m.step = 0
    rec.take()
    top = min(m.n_steps, max_steps)
    for k in list(range(1, top + 1)) + list(range(top - 1, -1, -1)):
        t = time.perf_counter()
        m.step = k
        dt = time.perf_counter() - t
        size, ser = rec.take()
        step_ms.append((dt + ser) * 1e3)
        step_bytes.append(size)
    m.step = m.n_steps
    rec.take()
    slider_ms, slider_bytes = [], []
    leaf = m.compiled.leaf_ids[0]
    base = getattr(m.leaves, leaf)
    for i in range(slider_moves):
        t = time.perf_counter()
        setattr(m.leaves, leaf, base + 0.01 * (i + 1))
        dt = time.perf_counter() - t
        size, ser = rec.take()
        slider_ms.append((dt + ser) * 1e3)
        slider_bytes.append(size)
    med = statistics.median
    return {
        "step_ms": med(step_ms), "step_p95_ms": sorted(step_ms)[int(0.95 * (len(step_ms) - 1))],
        "step_bytes": med(step_bytes), "step_max_bytes": max(step_bytes),
        "slider_ms": med(slider_ms), "slider_bytes": med(slider_bytes),
    }


def server_side(size_key):
    """Per-step and per-slider costs for one graph size, for the graph plot alone (model + Bokeh
    figure: the restyle path) and for the whole app (plus step panel, Player, output, sliders)."""
    from app import create_app
    from app.graph_page.graph_view import GraphView
    from app.graph_page.model import GraphModel

    root = mlp_loss(*SIZES[size_key])
    model = GraphModel(root)
    view = GraphView(model)
    doc = Document()
    doc.add_root(view.figure)
    graph = _measure(model, doc)

    t0 = time.perf_counter()
    app = create_app(root)
    build = time.perf_counter() - t0
    doc = Document()
    doc.add_root(app.__panel__().get_root(doc))
    whole = _measure(app.model, doc)
    return {"nodes": model.compiled.graph.number_of_nodes(), "steps": model.n_steps, "build_s": build,
            "graph": graph, "app": whole}


# ----------------------------------------------------------------------------- browser part

def _bare_app():
    import panel as pn

    slider = pn.widgets.FloatSlider(name="x", start=-10, end=10, step=0.01, value=0, css_classes=["bare-slider"])
    out = pn.pane.HTML("0", css_classes=["bare-out"])

    def update(event):
        out.object = f"{event.new:.4g}"

    slider.param.watch(update, "value")
    return pn.Column(slider, out)


_MEASURE_JS = """
async ([kind, n]) => {
  const doc = Bokeh.documents[0];
  const all = [...doc.all_models];
  const sliders = all.filter(m => m.type === 'Slider');
  const slider = sliders[0];
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  let target, signal;
  if (kind === 'app') {
    target = doc.get_model_by_name('value-boxes').data_source;
    signal = target.patching;
  } else {
    target = all.find(m => m.type && m.type.endsWith('HTML') && m.css_classes && m.css_classes.includes('bare-out'));
    signal = target.properties.text.change;
  }
  const times = [];
  const start = slider.value;
  for (let i = 0; i < n; i++) {
    await frame();
    const t0 = performance.now();
    const done = new Promise(resolve => {
      const cb = () => { signal.disconnect(cb); resolve(); };
      signal.connect(cb);
    });
    slider.value = start + 0.05 * (i % 2 ? -1 : 1) * (1 + (i % 7));
    await done;
    await frame();
    times.push(performance.now() - t0);
  }
  return times;
}
"""


def browser_latency(n=40):
    """Median ms from slider value set to painted frame: (app, bare)."""
    import panel as pn
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, "tests")
    from browser_support import VIEWPORT, free_port, launch_chromium
    from app import create_app

    port = free_port()
    server = pn.serve({"app": lambda: create_app(), "bare": _bare_app}, port=port, show=False, start=False,
                      threaded=False)
    thread = threading.Thread(target=server.io_loop.start, daemon=True)
    server.start()
    thread.start()
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            results = {}
            for kind in ("bare", "app", "bare", "app"):
                page = browser.new_page(viewport=VIEWPORT)
                page.goto(f"http://localhost:{port}/{kind}")
                page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0 && "
                                       "[...Bokeh.documents[0].all_models].some(m => m.type === 'Slider')")
                page.wait_for_timeout(800)
                results.setdefault(kind, []).extend(page.evaluate(_MEASURE_JS, [kind, n]))
                page.close()
            browser.close()
    finally:
        server.io_loop.add_callback(server.stop)
        server.io_loop.add_callback(server.io_loop.stop)
    return statistics.median(results["app"]), statistics.median(results["bare"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", action="store_true", help="server side only")
    ap.add_argument("--open", action="store_true", help="only opening big graphs")
    args = ap.parse_args(argv)
    from . import app_open, app_paint

    if args.open:
        app_open.print_server(app_open.server_rows())
        if not args.server:
            print()
            app_paint.print_browser(app_paint.browser_rows())
        return 0
    print("Server side (medians; time = model update + patches + serialising the PATCH-DOC message)")
    print(f"{'graph':>7} {'nodes':>6} {'steps':>6} {'build s':>8} {'part':>6} {'step ms':>8} {'p95 ms':>7} "
          f"{'step B':>7} {'max B':>6} {'slider ms':>9} {'slider B':>9}")
    for key in SIZES:
        r = server_side(key)
        for part in ("graph", "app"):
            x = r[part]
            print(f"{'~' + str(key):>7} {r['nodes']:>6} {r['steps']:>6} {r['build_s']:>8.2f} {part:>6} "
                  f"{x['step_ms']:>8.3f} {x['step_p95_ms']:>7.3f} {x['step_bytes']:>7.0f} {x['step_max_bytes']:>6} "
                  f"{x['slider_ms']:>9.2f} {x['slider_bytes']:>9.0f}")
    print("part: 'graph' = the Bokeh graph plot alone (restyle path); 'app' = whole page "
          "(adds step panel LaTeX, Player, output, ...)")
    if not args.server:
        app_ms, bare_ms = browser_latency()
        print()
        print("Headless Chromium, slider value set -> update received -> frame painted (median of 80)")
        print(f"  lecture app : {app_ms:7.2f} ms")
        print(f"  bare widget : {bare_ms:7.2f} ms   (Panel slider -> Python callback -> HTML pane)")
        print(f"  ratio       : {app_ms / bare_ms:7.2f}x   (target <= 1.3x)")
    print()
    app_open.print_server(app_open.server_rows())
    if not args.server:
        print()
        app_paint.print_browser(app_paint.browser_rows())
    return 0


if __name__ == "__main__":
    sys.exit(main())
