"""The busy indicator: Panel's loading state on the graph while a new structure is built, and
where that build runs: off the event loop, so one student's big graph does not stall everyone
else's page.

A structure change (Apply, a preset, an import, Open in Graph tab) is made in two parts: the
slow pure part (compile, lay out, leaf model: :mod:`app.graph_page.structure`, 0.3-0.5 s at 1k
nodes, seconds at 5k), then ``finish``, which puts it on the page. In a served session the
loading state is set at once; the pure part runs in a small thread pool, awaited by a Bokeh
callback that does not hold the document lock (Bokeh's documented pattern:
``without_document_lock`` + ``run_in_executor``); ``finish`` then runs on the session's thread
in a next-tick callback added from the event loop's own thread. Neither thread adds a Document
callback from outside the loop (an earlier attempt whose worker thread did so lost the page's
messages of 1 structure change in 5-20 under CPU load).

The loading state is Panel's (its ``pn-loading`` class, overlay and spinner), but set through
the figure's ``html_attributes``, not the pane's ``loading``: that sets ``css_classes``, and
BokehJS answers every change of a layout's ``css_classes`` by laying the whole page out again
and repainting the graph, 70-200 ms each for a 1k-node graph, twice per structure change. The
spinner's CSS waits 0.3 s before it shows, so quick changes (the small presets) do not flash
it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import panel as pn
from bokeh.document import without_document_lock
from panel.io.document import unlocked
from panel.io.loading import LOADING_INDICATOR_CSS_CLASS
from panel.io.state import set_curdoc

from ..page_ready import post_when_ready

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
        :mod:`app.graph_page.structure`; it must not touch anything already on a page),
        ``finish`` shows it. In a served session the loading state goes on now, ``prepare``
        runs in a worker thread and ``finish`` later on the session's thread; a change asked
        for before an earlier one was shown supersedes it (the earlier one is not shown, and
        not built if it had not started). In a notebook or a test, both now."""
        doc = pn.state.curdoc
        if doc is None or doc.session_context is None:
            with gc_paused():
                finish(prepare())
            return
        self.pending += 1
        self._latest += 1
        ticket = self._latest
        self._set_loading(True)

        def build_if_current():       # in the worker thread
            if ticket != self._latest:
                return _SUPERSEDED
            with gc_paused():
                return prepare()

        @without_document_lock
        async def build():            # on the event loop, without the document lock
            try:
                loop = asyncio.get_running_loop()
                made, failure = await loop.run_in_executor(structure_pool(), build_if_current), None
            except Exception as exc:  # noqa: BLE001 - said on the page, the session lives on
                made, failure = None, exc
            try:              # from the loop's thread: the one safe way back to the document
                # (and not before its page is ready: app.page_ready)
                post_when_ready(doc, lambda: show(made, failure))
            except Exception:         # noqa: BLE001 - the session is gone: nothing to show
                log.debug("session closed while its graph was built")

        def show(made, failure):      # on the session's thread, holding the document lock
            # all of it in one message, the loading state's end too: the browser lays the page
            # out once, not once per message (Bokeh sends one per batch of changes otherwise;
            # the loading state's end alone cost Chromium 70-200 ms more after the new graph)
            with set_curdoc(doc), gc_paused(), unlocked():
                try:
                    if ticket == self._latest:    # else a later change supersedes this one
                        if failure is not None:
                            raise failure
                        finish(made)
                except Exception as exc:  # noqa: BLE001 - said on the page, the session lives on
                    log.exception("building a graph failed")
                    if self.on_error is not None:
                        self.on_error(f"The graph could not be built: {exc}")
                finally:
                    self._finished()

        doc.add_next_tick_callback(build)


#: what the worker returns for a change superseded before it started
_SUPERSEDED = object()

#: the structure builds' threads, made on first use (never at import); shared by the sessions
#: of this process but holding none of their state. Two threads: a small graph need not wait
#: behind another session's big one, and more would only share the same GIL.
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def structure_pool() -> ThreadPoolExecutor:
    """The thread pool that runs structure builds (see :meth:`Busy.run`)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="graph-structure")
        return _pool
