"""Opening a graph does each piece of work once (issue 9, "big graphs open fast"): a graph that
opens collapsed never lays out its whole graph, rows not drawn are sent without text, an
inspected sample opens at step 0 in one frame, and numbers go out as arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app import create_app
from bench.app_open import inspected, mlp_value


def _laid_out(compiled) -> bool:
    return not callable(compiled.__dict__["_layout"])


@pytest.fixture(scope="module")
def collapsed_app():
    app = create_app()
    app.model.load_value(mlp_value(2, [4, 4, 1], 2))
    assert app.model.expanded is not None          # opens collapsed (a network with scopes)
    return app


def test_a_graph_opening_collapsed_lays_out_only_what_it_draws(collapsed_app):
    m = collapsed_app.model
    assert not _laid_out(m.compiled)
    m.expanded = None                              # every scope open: now the whole graph is drawn
    assert _laid_out(m.compiled)
    xs = collapsed_app.graph.values.data["x"]
    assert not any(math.isnan(x) for x in xs[:len(m.compiled.value_ids)])


def test_rows_not_drawn_are_sent_without_text_and_drawn_rows_with_it(collapsed_app):
    app = collapsed_app
    app.model.expanded = frozenset()                # collapsed to layers
    v, o = app.graph.values.data, app.graph.ops.data
    hidden = [r for r, x in enumerate(v["x"]) if math.isnan(x)]
    drawn = [r for r, x in enumerate(v["x"]) if not math.isnan(x)]
    assert hidden and drawn
    assert all(v["text"][r] == "" and v["role"][r] == "" for r in hidden)
    assert all(v["text"][r] for r in drawn) and all(v["label"][r] and v["id"][r] for r in hidden)
    hidden_ops = [k for k, x in enumerate(o["x"]) if math.isnan(x)]
    assert hidden_ops and all(o["locals"][k] == o["symbol"][k] == o["inputs"][k] == "" for k in hidden_ops)
    drawn_ops = [k for k, x in enumerate(o["x"]) if not math.isnan(x)]
    assert all(o["symbol"][k] and o["output"][k] for k in drawn_ops)
    # an edge into a collapsed box's inside is no polyline at all; drawn edges keep their points
    edges = app.graph.edges.data
    assert any(xs == [] for xs in edges["xs"]) and any(len(xs) >= 2 for xs in edges["xs"])
    for col in ("x", "y", "w", "h"):
        assert isinstance(v[col], np.ndarray)
    # opening a scope draws its members with their captions again
    box = app.model.display.boxes[0]
    app.model.expanded = frozenset({box["path"]})
    v = app.graph.values.data
    assert all(v["text"][r] for r, x in enumerate(v["x"]) if not math.isnan(x))


def test_an_inspected_sample_opens_at_step_0_in_one_frame():
    app = create_app()
    frames = []
    app.model.param.watch(lambda e: frames.append(e.new.kind), "frame")
    ins = inspected()
    app.inspect(ins.root, ins.updates)
    assert app.model.step == 0 and app.model.n_steps > 0
    assert frames == ["structure"]                 # no Player move (a patch of every row) after it
    grads = app.model.shown_grad
    assert not np.any(grads[:-1])                  # step 0 of the backward pass: no grads yet


def test_a_structure_change_runs_with_the_cyclic_collector_paused_and_restored():
    import gc

    app = create_app()
    seen = []
    assert gc.isenabled()
    app.editor.run(lambda: (gc.isenabled(), "a = 2\nb = a * a"),
                   lambda made: seen.append((made[0], gc.isenabled(), app.model.apply(made[1]))))
    assert seen == [(False, False, True)] and gc.isenabled()
    assert app.model.output == 4.0
    with pytest.raises(ZeroDivisionError):            # restored after an error too
        app.busy.run(lambda: 1 / 0, print)
    assert gc.isenabled()


class _ServedDoc:
    """Stands in for a served session's Document whose page is ready: keeps the callbacks Busy
    schedules, so the test runs them as the event loop would (awaiting the async ones)."""

    def __init__(self):
        from panel.io.state import state

        self.session_context = object()
        self.callbacks = []
        state._loaded[self] = True      # its page said document_ready (app.page_ready waits)

    def add_next_tick_callback(self, callback):
        self.callbacks.append(callback)

    def run_loop(self):
        """Run the callbacks, and those they add, on an event loop in this thread."""
        import asyncio
        import inspect

        async def drain():
            while self.callbacks:
                done = self.callbacks.pop(0)()
                if inspect.isawaitable(done):
                    await done
        asyncio.run(drain())


def _served_busy(on_error=None):
    import panel as pn
    from panel.io.state import set_curdoc

    from app.graph_page.busy import Busy

    from bokeh.models import Div

    busy, doc = Busy(pn.pane.Bokeh(Div()), on_error=on_error), _ServedDoc()
    return busy, doc, set_curdoc


def test_a_served_structure_is_built_off_the_event_loop_and_shown_on_it():
    """Served, ``prepare`` runs in a worker thread from a callback that does not hold the
    document lock; ``finish`` on the loop's thread, after the loading state was set."""
    import threading

    busy, doc, set_curdoc = _served_busy()
    threads = []
    with set_curdoc(doc):
        busy.run(lambda: threads.append(threading.get_ident()) or "graph",
                 lambda made: threads.append((threading.get_ident(), made)))
    assert busy.loading and threads == []        # loading state first; nothing built yet
    assert getattr(doc.callbacks[0], "nolock", False)   # the build holds no document lock
    doc.run_loop()
    me = threading.get_ident()
    assert threads[0] != me and threads[1] == (me, "graph")
    assert not busy.loading


def test_a_later_change_supersedes_one_not_yet_built():
    busy, doc, set_curdoc = _served_busy()
    shown, built = [], []
    with set_curdoc(doc):
        busy.run(lambda: built.append("first") or "first", shown.append)
        busy.run(lambda: built.append("second") or "second", shown.append)
    assert busy.loading
    doc.run_loop()
    assert shown == built == ["second"] and not busy.loading


def test_a_change_built_meanwhile_is_not_shown_over_a_later_one():
    """The first change is built before the second is asked for, but shown after: the second
    wins, and the loading state ends with the last one."""
    busy, doc, set_curdoc = _served_busy()
    shown = []
    with set_curdoc(doc):
        busy.run(lambda: "first", shown.append)
        first_build = doc.callbacks.pop(0)
    import asyncio

    asyncio.run(first_build())                      # built; its show is queued, not run
    with set_curdoc(doc):
        busy.run(lambda: "second", shown.append)
    doc.run_loop()
    assert shown == ["second"] and not busy.loading and busy.pending == 0


def test_a_failed_build_is_said_and_the_page_stays_usable():
    said = []
    busy, doc, set_curdoc = _served_busy(on_error=said.append)
    shown = []
    with set_curdoc(doc):
        busy.run(lambda: 1 / 0, shown.append)
    doc.run_loop()
    assert shown == [] and not busy.loading
    assert len(said) == 1 and "could not be built" in said[0] and "division by zero" in said[0]
    with set_curdoc(doc):                            # and the next change is shown
        busy.run(lambda: "graph", shown.append)
    doc.run_loop()
    assert shown == ["graph"] and not busy.loading


def test_a_notice_shows_and_goes_by_its_style_not_visible():
    """The notice bar is shown and hidden by CSS (app.graph_page.no_relayout): a change of a
    layout's ``visible`` makes BokehJS lay the whole page out again."""
    from app.graph_page.no_relayout import is_shown

    app = create_app()
    bar = app.notices
    assert not is_shown(bar.view) and bar.view.visible
    bar.show("Loaded file.json", "info")
    assert is_shown(bar.view) and bar.view.visible and "Loaded file.json" in bar.text.object
    app.model.apply("a = 2\nb = a*3")                 # a new graph: the notice was about before
    assert not is_shown(bar.view) and bar.view.visible and bar.message == ""


def test_a_mid_size_graph_drawn_whole_gets_the_fast_order(monkeypatch):
    """An Apply of a 500-1,000-node expression is painted within its second: the app asks the
    layout for the fast order (``layered_layout(fast=True)``), not the mid-size polish, which
    takes seconds there (layouts.mid_order)."""
    from bench.app_open import random_text
    from engine.expression import parse
    from layouts import order_stage

    def refuse(*args):
        raise AssertionError("the app's layout ran the mid-size polish")
    monkeypatch.setattr(order_stage, "order_mid", refuse)
    app = create_app()
    app.model.load_value(parse(random_text(200, 20, seed=4)))
    compiled = app.model.compiled
    assert compiled.graph.number_of_nodes() > order_stage.SMALL_GRAPH_NODES
    assert app.model.expanded is None                # drawn whole
    assert _laid_out(compiled) and len(compiled.layout.positions) >= compiled.graph.number_of_nodes()


def test_an_app_built_while_a_server_thread_creates_a_session_is_not_served():
    """While a server thread creates a session, Panel patches Bokeh's current document,
    one for the whole process, and ``pn.state.curdoc`` falls back to it in any thread
    without a document of its own.  In the tests' thread that fallback is off (conftest's
    ``no_server_document_in_the_test_thread``): an app built here is not served, its graph
    is built at once and its refiner is off."""
    from bokeh.io.doc import patch_curdoc

    doc = _ServedDoc()
    with patch_curdoc(doc):           # as Panel's run_app does in the server's thread
        app = create_app()
    assert doc.callbacks == [] and not app.busy.loading
    assert app.refiner.mode == "off" and app.model.output == -8.0
