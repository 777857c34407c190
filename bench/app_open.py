"""Opening big graphs: server ms from a structure change to the message sent, and headless
Chromium ms from Apply / Inspect sample / a fresh page to the graph painted.

    python -m bench.app --open          # this part only (server and browser)

The browser part is :mod:`bench.app_paint`.

Graphs (realistic, not tuned): an MLP squared-error loss (``engine.nn``, opens collapsed to its
neurons), a chain of lines each using ``a`` and ``b`` (far-used leaves drawn again near their
uses; each line reads as a neuron by structure) and a random expression (no scopes: drawn
whole), at about 1,000 and 5,000 nodes.

Server: one app attached to a Bokeh ``Document`` (as a served session has it) opens each graph
the way Apply does: its pure part (``app.graph_page.structure``: parse, compile, layout, leaf
model) then ``GraphModel.show``; timed until the PATCH-DOC message is serialised, split into
the two (show = the model, the views and serialising). Baseline, same process: ``engine.to_graph``
+ ``layered_layout`` of the whole graph, what the layout benchmark measures (the app should add
little to it; a collapsed graph may cost less, since its whole layout is not needed to draw it).

Browser (:mod:`bench.app_paint`): painted = the value boxes' source holds the new graph, the plot's view is built, the
Bokeh document is idle and two animation frames have passed since (the frame after Bokeh's
repaint). Fresh page: from navigation start (it loads BokehJS too). Apply: from the click, on
a page showing another graph of the same size. Inspect sample: Train tab, one Step, then the
click on "Open in Graph tab".
"""

from __future__ import annotations

import random
import statistics
import time

from bokeh.document import Document


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
    "random ~500": lambda: random_text(190),
    "random ~1k": lambda: random_text(330),
    "MLP loss ~5k": lambda: mlp_value(4, [8, 8, 1], 10),
    "chain ~5k": lambda: chain_text(560),
}


def _open(app, graph):
    _finish(app, _prepare(graph))


def _prepare(graph):
    """The pure part of opening ``graph`` (``app.graph_page.structure``)."""
    from app.graph_page import structure

    if hasattr(graph, "updates"):          # as the Train tab's Open in Graph tab opens it
        params = [u.node for u in graph.updates if u.node is not None]
        return structure.from_value(graph.root, update=(graph.updates[0].lr, params), step=0)
    if isinstance(graph, str):
        return structure.from_text(graph)
    return structure.from_value(graph)


def _finish(app, prepared):
    """The rest: the model and the page."""
    app.model.mode = "backward"
    assert app.model.show(prepared), app.model.error


def layout_baseline(graph) -> float:
    """Seconds for ``to_graph`` + ``layered_layout`` of the whole graph (no app), with far-used
    leaves drawn again near their uses and the quick order (``fast``) as the app has them (else
    a chain's layout is quadratic, and a mid-size graph's polish takes seconds)."""
    from engine import parse, to_graph
    from layouts import layered_layout

    root = parse(graph) if isinstance(graph, str) else getattr(graph, "root", graph)
    t0 = time.perf_counter()
    layered_layout(to_graph(root), duplicate_leaves=True, fast=True)
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
        prepared = _prepare(graph)
        tp = time.perf_counter()
        _finish(app, prepared)
        t1 = time.perf_counter()
        size, ser = rec.take()
        runs.append({"total": t1 - t0 + ser, "prepare": tp - t0, "show": t1 - tp + ser,
                     "view": parts["view"], "serialise": ser, "bytes": size,
                     "nodes": app.model.compiled.graph.number_of_nodes(),
                     "rows": len(view.values.data["id"])})
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
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
    print(f"{'graph':<16} {'nodes':>6} {'rows':>6} {'total ms':>9} {'prepare':>9} {'show':>8} "
          f"{'view ms':>8} {'ser ms':>7} {'MB':>5} {'layout ms':>10} {'ratio':>6}")
    for r in rows:
        print(f"{r['name']:<16} {r['nodes']:>6.0f} {r['rows']:>6.0f} {r['total'] * 1e3:>9.0f} "
              f"{r['prepare'] * 1e3:>9.0f} {r['show'] * 1e3:>8.0f} "
              f"{r['view'] * 1e3:>8.0f} {r['serialise'] * 1e3:>7.0f} "
              f"{r['bytes'] / 1e6:>5.2f} {r['baseline'] * 1e3:>10.0f} {r['total'] / r['baseline']:>6.2f}")
    print("prepare = parse/compile, text, collapse state, layout and leaf model (pure); show = the model, "
          "the views and serialising; view = the graph view's part of show (its columns); "
          "layout = to_graph + layered_layout of the whole graph alone, the baseline; ratio = total / layout")


def drawn_rows(graph) -> int:
    """Value rows the graph view draws for ``graph`` (values + extra leaf drawings)."""
    from app import create_app

    app = create_app()
    _open(app, graph)
    return len(app.graph.values.data["id"])
