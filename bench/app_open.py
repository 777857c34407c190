"""Opening big graphs: server ms from a structure change to the message sent, and headless
Chromium ms from Apply / Inspect sample / a fresh page to the graph painted.

    python -m bench.app --open          # this part only (server and browser)

Graphs (realistic, not tuned): an MLP squared-error loss (``engine.nn``, opens collapsed to its
neurons), a chain of lines each using ``a`` and ``b`` (far-used leaves drawn again near their
uses; each line reads as a neuron by structure) and a random expression (no scopes: drawn
whole), at about 1,000 and 5,000 nodes.

Server: one app attached to a Bokeh ``Document`` (as a served session has it) opens each graph
the way Apply does (``model.apply`` / ``load_value``); timed until the PATCH-DOC message is
serialised, split into compile (parse, Tape, layout), the graph view's sources and the rest
(the other views' watchers). Baseline, same process: ``engine.to_graph`` + ``layered_layout``
of the whole graph, what the layout benchmark measures (the app should add little to it; a
collapsed graph may cost less since its whole layout is not needed to draw it).

Browser: painted = the value boxes' source holds the new graph and two animation frames have
passed since (the frame after Bokeh's repaint). Fresh page: from navigation start. Apply: from
the click. Inspect sample: Train tab, one Step, then the click.
"""

from __future__ import annotations

import random
import statistics
import sys
import threading
import time

from bokeh.document import Document

#: print when the data arrived besides when it was painted (stderr)
VERBOSE = False


def chain_text(lines: int) -> str:
    """Lines ``x_i = tanh(x_{i-1}*0.9 + a) * b``: ``a`` and ``b`` used on every line (as in
    ``tests/test_app_leaf_copies.py``)."""
    out = ["a = 0.5", "b = -1.25", "x0 = a*b"]
    out += [f"x{i} = tanh(x{i - 1}*0.9 + a) * b" for i in range(1, lines)]
    return "\n".join(out + [f"L = x{lines - 1} + a"])


def random_text(n_ops: int, n_leaves: int = 12, seed: int = 3) -> str:
    """A random expression as text: ``n_ops`` lines of + - * tanh over leaves and earlier
    results (recent ones likelier), unused results summed into the output (like
    ``bench.graphs.random_expression_graph``)."""
    rng = random.Random(seed)
    lines = [f"x{i} = {rng.uniform(-2, 2):.3g}" for i in range(n_leaves)]
    names = [f"x{i}" for i in range(n_leaves)]
    unused = set(range(n_leaves))

    def pick():
        k = len(names) - 1 - min(len(names) - 1, int(abs(rng.gauss(0, len(names) / 3))))
        unused.discard(k)
        return names[k]

    for i in range(n_ops):
        a, op = pick(), rng.choice("+-**t")
        expr = f"tanh({a})" if op == "t" else f"{a} {op} {pick()}"
        unused.add(len(names))
        names.append(f"v{i}")
        lines.append(f"v{i} = {expr}")
    rest = [names[i] for i in sorted(unused - {len(names) - 1})]
    lines.append("out = " + " + ".join([names[-1], *rest]))
    return "\n".join(lines)


def mlp_value(nin, nouts, samples):
    from .app import mlp_loss

    return mlp_loss(nin, nouts, samples)


def inspected(with_l2: bool = False):
    """The Train tab's "Inspect sample" of the default settings (moons, MLP(2,[16,16,1])) after
    three steps, sample 0: an ``engine.train.Inspection`` (loss graph + descent step)."""
    from engine.datasets import labels_pm1, make_moons
    from engine.train import TrainConfig, Trainer

    X, y = make_moons(100, 0.1, seed=1337)
    trainer = Trainer(X, labels_pm1(y), TrainConfig(hidden=(16, 16)))
    trainer.run(3)
    return trainer.inspect(0, with_l2=with_l2)


#: name -> builder of text, a Value or an Inspection (~nodes in the name)
GRAPHS = {
    "inspected sample": inspected,
    "MLP loss ~1k": lambda: mlp_value(3, [4, 4, 1], 6),
    "chain ~1k": lambda: chain_text(110),
    "random ~1k": lambda: random_text(330),
    "MLP loss ~5k": lambda: mlp_value(4, [8, 8, 1], 10),
    "chain ~5k": lambda: chain_text(560),
}


def _open(app, graph):
    if hasattr(graph, "updates"):          # as the Train tab's Inspect sample opens it
        app.inspect(graph.root, graph.updates)
    elif isinstance(graph, str):
        assert app.model.apply(graph), app.model.error
    else:
        app.model.load_value(graph)


def layout_baseline(graph) -> float:
    """Seconds for ``to_graph`` + ``layered_layout`` of the whole graph (no app), with far-used
    leaves drawn again near their uses as the app has it (else a chain's layout is quadratic)."""
    from engine import parse, to_graph
    from layouts import layered_layout

    root = parse(graph) if isinstance(graph, str) else getattr(graph, "root", graph)
    t0 = time.perf_counter()
    layered_layout(to_graph(root), duplicate_leaves=True)
    return time.perf_counter() - t0


def server_open(graph, repeats: int = 3) -> dict:
    """Median seconds of opening ``graph`` in an app shown in a Document, and its parts."""
    from app import create_app

    from .app import WireRecorder

    runs = []
    for _ in range(repeats):
        app = create_app()
        doc = Document()
        doc.add_root(app.__panel__().get_root(doc))
        rec = WireRecorder(doc)
        rec.take()
        view, parts = app.graph, {"view": 0.0}
        load = view._load_structure

        def timed_load():
            t = time.perf_counter()
            load()
            parts["view"] += time.perf_counter() - t

        view._load_structure = timed_load
        t0 = time.perf_counter()
        _open(app, graph)
        t1 = time.perf_counter()
        size, ser = rec.take()
        runs.append({"total": t1 - t0 + ser, "view": parts["view"], "serialise": ser, "bytes": size,
                     "nodes": app.model.compiled.graph.number_of_nodes(),
                     "rows": len(view.values.data["id"])})
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    med["rest"] = med["total"] - med["view"] - med["serialise"]
    return med


def server_rows() -> list:
    rows = []
    for name, build in GRAPHS.items():
        graph = build()
        r = server_open(graph)
        r["baseline"] = layout_baseline(graph)
        r["name"] = name
        rows.append(r)
    return rows


def print_server(rows) -> None:
    print("Opening a graph, server side (median of 3; from Apply/load to the PATCH-DOC serialised)")
    print(f"{'graph':<16} {'nodes':>6} {'rows':>6} {'total ms':>9} {'view ms':>8} {'ser ms':>7} "
          f"{'other ms':>9} {'MB':>5} {'layout ms':>10} {'ratio':>6}")
    for r in rows:
        print(f"{r['name']:<16} {r['nodes']:>6.0f} {r['rows']:>6.0f} {r['total'] * 1e3:>9.0f} "
              f"{r['view'] * 1e3:>8.0f} {r['serialise'] * 1e3:>7.0f} {r['rest'] * 1e3:>9.0f} "
              f"{r['bytes'] / 1e6:>5.2f} {r['baseline'] * 1e3:>10.0f} {r['total'] / r['baseline']:>6.2f}")
    print("view = the graph view's sources (incl. the collapsed view's layout); other = compile "
          "(parse, Tape, layout) + the other views; layout = to_graph + layered_layout of the whole "
          "graph alone (baseline); ratio = total / layout")


# ----------------------------------------------------------------------------- browser part

#: In the page: resolves with performance.now() two frames after the value boxes' source holds
#: ``n`` rows (fresh page: polled per frame; after a click: from the click on).
_PAINTED_JS = """
window.__agPainted = (n) => new Promise(resolve => {
  const frame = () => new Promise(r => requestAnimationFrame(r));
  const rows = () => { const d = window.Bokeh && Bokeh.documents.length &&
                                 Bokeh.documents[0].get_model_by_name('value-boxes');
                       return d ? d.data_source.data.id.length : -1; };
  // the plot's view is built and the document idle (all views rendered): on a fresh page
  // the data is there before the views are
  const drawn = () => { let found = false;
    const walk = (v) => { if (found) return; if (v.model && v.model.name === 'graph-plot') { found = true; return; }
                          for (const c of (v.child_views || [])) walk(c); };
    Object.values(Bokeh.index).forEach(walk);
    return found && Bokeh.documents[0].is_idle !== false; };
  const poll = async () => {
    // n < 0: any count but -n (the graph shown before, when the new count is not known)
    while (!(n >= 0 ? rows() === n : (rows() !== -n && rows() >= 0)) || !drawn()) { await frame(); }
    const t1 = performance.now();
    await frame(); await frame();
    resolve([t1, performance.now()]);
  };
  poll();
});
"""

#: Arms the watch before a click: the click's time (capture phase, so before Panel sees it)
#: and the paint of ``n`` rows after it.
_ARM_JS = """(n) => {
  window.__agClick = null;
  window.addEventListener('click', () => { if (window.__agClick === null) window.__agClick = performance.now(); },
                          {capture: true, once: true});
  window.__agDone = window.__agPainted(n);
}"""
_RESULT_JS = "() => window.__agDone.then(([t1, t2]) => [t1 - window.__agClick, t2 - window.__agClick])"


class Served:
    """An in-process Panel server with routes ``name -> app factory`` (stopped by ``close``)."""

    def __init__(self, routes):
        import panel as pn

        sys.path.insert(0, "tests")
        from browser_support import free_port

        self.port = free_port()
        self.server = pn.serve(routes, port=self.port, show=False, start=False, threaded=False)
        self.thread = threading.Thread(target=self.server.io_loop.start, daemon=True)
        self.server.start()
        self.thread.start()

    def url(self, route: str) -> str:
        return f"http://localhost:{self.port}/{route}"

    def close(self) -> None:
        self.server.io_loop.add_callback(self.server.stop)
        self.server.io_loop.add_callback(self.server.io_loop.stop)
        self.thread.join(timeout=10)


def _new_page(browser):
    from browser_support import VIEWPORT

    return browser.new_page(viewport=VIEWPORT)


def fresh_ms(page, url: str, n: int) -> float:
    """ms from navigation start to ``n`` value rows painted on ``page`` (new, not navigated
    yet) opening ``url``."""
    page.add_init_script(_PAINTED_JS)
    page.add_init_script(f"window.__agFresh = null; window.addEventListener('DOMContentLoaded', () => "
                         f"{{ window.__agFresh = window.__agPainted({n}); }});")
    page.goto(url)
    page.wait_for_function("() => window.__agFresh !== null", timeout=120_000)
    t1, t2 = page.evaluate("() => window.__agFresh")
    if VERBOSE:
        print(f"  (fresh: data in at {t1:.0f} ms, painted at {t2:.0f} ms)", file=sys.stderr)
    return t2


def _wait_ready(page) -> None:
    from browser_support import wait_for_app

    wait_for_app(page, timeout=120_000)
    page.wait_for_timeout(500)


def apply_ms(page, url: str, first, text: str, n: int) -> float:
    """ms from the Apply click to ``n`` value rows painted, on ``page`` (new) opening ``url``
    and showing ``first`` (``(text, rows)`` applied, painted and settled before; None: what
    ``url`` shows)."""
    page.add_init_script(_PAINTED_JS)
    page.goto(url)
    _wait_ready(page)
    editor, button = page.locator(".expr-editor textarea"), page.locator(".apply-button button")
    if first is not None:       # (text, rows)
        editor.fill(first[0])
        page.evaluate(_ARM_JS, first[1])
        button.click()
        page.evaluate(_RESULT_JS)
        page.wait_for_timeout(1000)
    editor.fill(text)
    page.evaluate(_ARM_JS, n)
    button.click()
    t1, t2 = page.evaluate(_RESULT_JS)
    if VERBOSE:
        print(f"  (data in at {t1:.0f} ms, painted at {t2:.0f} ms)", file=sys.stderr)
    return t2


def drawn_rows(graph) -> int:
    """Value rows the graph view draws for ``graph`` (values + extra leaf drawings)."""
    from app import create_app

    app = create_app()
    _open(app, graph)
    return len(app.graph.values.data["id"])


def inspect_ms(page, url: str) -> float:
    """ms from the "Inspect sample" click (Train tab, after one Step) to the sample painted."""
    from browser_support import train_one_step

    page.add_init_script(_PAINTED_JS)
    train_one_step(page, url)
    page.wait_for_timeout(1000)
    before = page.evaluate("() => Bokeh.documents[0].get_model_by_name('value-boxes').data_source.data.id.length")
    page.evaluate(_ARM_JS, -before)
    page.get_by_role("button", name="Inspect sample").click()
    t1, t2 = page.evaluate(_RESULT_JS)
    if VERBOSE:
        print(f"  (data in at {t1:.0f} ms, painted at {t2:.0f} ms)", file=sys.stderr)
    return t2


#: Browser rows: (name, text) applied / opened fresh, and the graph shown before the Apply
#: (another graph of about the same size, so the old one must be replaced too).
BROWSER_GRAPHS = [
    ("chain ~1k", lambda: chain_text(110), lambda: chain_text(111)),
    ("random ~1k", lambda: random_text(330), lambda: random_text(331, seed=4)),
    ("chain ~5k", lambda: chain_text(560), lambda: chain_text(561)),
]


def _on_new_page(browser, measure, *args):
    page = _new_page(browser)
    try:
        return measure(page, *args)
    finally:
        page.close()


def browser_rows(repeats: int = 2) -> list:
    """Median ms per graph: fresh page, Apply on a page showing a graph of the same size, and
    Inspect sample; the fresh page is the baseline of the Apply."""
    from playwright.sync_api import sync_playwright

    from app import create_app

    sys.path.insert(0, "tests")
    from browser_support import launch_chromium

    graphs = [(name, make(), before()) for name, make, before in BROWSER_GRAPHS]
    rows = {text: drawn_rows(text) for _, a, b in graphs for text in (a, b)}
    routes = {"app": create_app}
    routes.update({f"fresh{k}": (lambda t=text: create_app(t)) for k, (_, text, _) in enumerate(graphs)})
    served = Served(routes)
    out = []
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            ins = [_on_new_page(browser, inspect_ms, served.url("app")) for _ in range(repeats)]
            out.append({"name": "Inspect sample", "apply": statistics.median(ins), "fresh": None})
            for k, (name, text, before) in enumerate(graphs):
                fresh, applied = [], []
                for _ in range(repeats):
                    fresh.append(_on_new_page(browser, fresh_ms, served.url(f"fresh{k}"), rows[text]))
                    applied.append(_on_new_page(browser, apply_ms, served.url("app"), (before, rows[before]),
                                                text, rows[text]))
                out.append({"name": name, "apply": statistics.median(applied),
                            "fresh": statistics.median(fresh)})
            browser.close()
    finally:
        served.close()
    return out


def print_browser(rows) -> None:
    print("Opening a graph in headless Chromium (median of 2): ms to the graph painted")
    print(f"{'graph':<16} {'Apply/click ms':>15} {'fresh page ms':>14} {'Apply/fresh':>12}")
    for r in rows:
        fresh = f"{r['fresh']:>14.0f} {r['apply'] / r['fresh']:>12.2f}" if r["fresh"] else f"{'-':>14} {'-':>12}"
        print(f"{r['name']:<16} {r['apply']:>15.0f} {fresh}")
    print("Apply: on a page showing another graph of about the same size, from the click; fresh: "
          "a new page of the graph, from navigation start (loads BokehJS too); Inspect sample: "
          "Train tab, one Step, then the click. Targets: < 1,000 ms at 1k nodes, < 3,000 at 5k.")
