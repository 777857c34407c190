"""The busy indicator: Panel's loading state on the graph while a new structure is built.

A structure change (Apply, a preset, an import, Open in Graph tab) is made in two parts: the
slow pure part (compile, lay out: :mod:`app.graph_page.structure`), then the model and the page.
The loading state is set first. Changes made in a server callback reach the browser only after
it returns, and Bokeh writes them in coroutines that run after the next tick's callbacks: work
started on the next tick sent the loading state with the new graph, after all the work (a
1k-node Apply: loading shown at 706 ms, graph at 897 ms). The work starts 15 ms later, and
loading shows at 160-200 ms. The spinner's CSS waits 0.3 s before it shows, so quick changes
(the small presets) do not flash it.

The loading state is Panel's (its ``pn-loading`` class, overlay and spinner), but set through
the figure's ``html_attributes``, not the pane's ``loading``: that sets ``css_classes``, and
BokehJS answers every change of a layout's ``css_classes`` by laying the whole page out again
and repainting the graph, 70-200 ms each for a 1k-node graph, twice per structure change.
"""

from __future__ import annotations

import gc
import logging
from contextlib import contextmanager

import panel as pn
from panel.io.document import unlocked
from panel.io.loading import LOADING_INDICATOR_CSS_CLASS
from panel.io.state import set_curdoc

log = logging.getLogger(__name__)

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


#: Panel's loading state as CSS classes (``panel.io.loading``)
LOADING_CLASSES = f"{LOADING_INDICATOR_CSS_CLASS} pn-{pn.config.loading_spinner}"


class Busy:
    """Runs structure changes with a loading state on (served sessions; elsewhere at once).

    Parameters
    ----------
    pane : panel.pane.Bokeh
        What shows the loading state: the pane of the graph's figure (its ``object``); give it
        :data:`DELAYED_SPINNER_CSS`.
    on_error : callable, optional
        ``on_error(message)`` when the preparation fails unexpectedly (a notice; the graph on
        screen stays).
    """

    def __init__(self, pane, on_error=None):
        self.pane = pane
        self.on_error = on_error
        self.pending = 0
        self._latest = 0      # only the last change asked for is shown

    @property
    def loading(self) -> bool:
        """Whether the loading state is on."""
        return LOADING_INDICATOR_CSS_CLASS in self.pane.object.html_attributes.get("class", "").split()

    def _set_loading(self, on: bool) -> None:
        attrs = {k: v for k, v in self.pane.object.html_attributes.items() if k != "class"}
        with unlocked():   # the pane holds our own Bokeh figure: sent now, in a served session
            self.pane.object.html_attributes = {**attrs, "class": LOADING_CLASSES} if on else attrs

    def _finished(self) -> None:
        self.pending -= 1
        if not self.pending:
            self._set_loading(False)

    def run(self, prepare, finish) -> None:
        """``finish(prepare())``: ``prepare`` is the pure part (compile, lay out; see
        :mod:`app.graph_page.structure`), ``finish`` shows it. In a served session both run
        once the loading state is sent, with the pane loading meanwhile; a change asked for
        before an earlier one ran supersedes it. In a notebook or a test, both now.

        (``prepare`` is pure so that it could run in a worker thread, off the event loop. Tried
        and not kept: a Document callback added from the worker lost the page's messages of
        1 structure change in 5 to 20 under CPU load; see the issue notes.)"""
        doc = pn.state.curdoc
        if doc is None or doc.session_context is None:
            with gc_paused():
                finish(prepare())
            return
        self.pending += 1
        self._latest += 1
        ticket = self._latest
        self._set_loading(True)

        def work():                   # on the session's thread, holding the document lock
            # all of it in one message, the loading state's end too: the browser lays the page
            # out once, not once per message (Bokeh sends one per batch of changes otherwise;
            # the loading state's end alone cost Chromium 70-200 ms more after the new graph)
            with set_curdoc(doc), gc_paused(), unlocked():
                try:
                    if ticket == self._latest:     # else a later change supersedes this one
                        finish(prepare())
                except Exception as exc:  # noqa: BLE001 - said on the page, the session lives on
                    log.exception("building a graph failed")
                    if self.on_error is not None:
                        self.on_error(f"The graph could not be built: {exc}")
                finally:
                    self._finished()

        # 15 ms later, not now: the loading state's write must go out first (the module's
        # docstring)
        doc.add_timeout_callback(work, 15)
