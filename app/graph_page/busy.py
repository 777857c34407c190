"""The busy indicator: Panel's loading state on the graph while a new structure is built.

A structure change (Apply, a preset, an import, Inspect sample) runs in one server callback;
changes made inside it reach the browser only when it returns, so the loading state is set first
and the work runs in a later callback. Not the next tick: Bokeh writes a callback's changes to the
websocket in coroutines that run after the next tick's callbacks, so the loading state went out
with the new graph, after all the work (a 1k-node Apply: loading shown at 706 ms, graph at 897 ms;
with the work 15 ms later, loading at 160-200 ms). The spinner's CSS waits 0.3 s before it shows,
so quick changes (the small presets) do not flash it.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

import panel as pn
from panel.io.document import unlocked
from panel.io.state import set_curdoc

#: Panel's loading overlay and spinner, visible only after 0.3 s of loading.
DELAYED_SPINNER_CSS = """
:host(.pn-loading):before, :host(.pn-loading):after {
  animation: ag-busy-appear 0s linear 0.3s both;
}
@keyframes ag-busy-appear { from { visibility: hidden; } to { visibility: visible; } }
"""


@contextmanager
def gc_paused():
    """Python's cyclic garbage collector off for the block (restored as it was after).

    A structure change allocates many objects (graph, Tape, layout, columns) on a large heap
    (the server's sessions), which sets off full collections in the middle of it: an inspected
    sample opened in 0.65 s with them and 0.37 s without. Cycles left behind are collected at
    the next collection after the block."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class Busy:
    """Runs structure changes with ``pane.loading`` on (served sessions; elsewhere at once).

    Parameters
    ----------
    pane : panel.viewable.Viewable
        What shows the loading state (the graph pane); give it :data:`DELAYED_SPINNER_CSS`.
    """

    def __init__(self, pane):
        self.pane = pane
        self.pending = 0

    def run(self, fn, *args, **kwargs) -> None:
        """Call ``fn(*args, **kwargs)``; in a served session, once the loading state is sent,
        with the pane loading meanwhile (in a notebook or a test, now)."""
        doc = pn.state.curdoc
        if doc is None or doc.session_context is None:
            with gc_paused():
                fn(*args, **kwargs)
            return
        self.pending += 1
        with unlocked():   # the pane holds our own Bokeh figure: edit it the Panel way
            self.pane.loading = True

        def work():
            with set_curdoc(doc):
                try:
                    with gc_paused():
                        fn(*args, **kwargs)
                finally:
                    self.pending -= 1
                    if not self.pending:
                        with unlocked():
                            self.pane.loading = False

        # a Bokeh callback holds the document lock, as model changes need; 15 ms lets the
        # loading state's write go out first (see the module's docstring)
        doc.add_timeout_callback(work, 15)
