"""A result that reaches a served page later (a worker's graph, a polished layout, a training
tick) is applied once the page is ready, never in the gap where Panel drops it.

Panel bug (panel 1.9.4; text for upstream)::

    Until the browser's ``document_ready`` event, ``state._unblocked(doc)`` is False, so a
    change made on a later tick goes through ``panel.io.document.hold``, which, while the
    session is not "connected", drops model changes: "the Document is serialized in full once
    the session connects". But the browser pulls the document (PULL-DOC) as soon as its
    websocket opens, before it renders and sends ``document_ready``. A change made between the
    two is in neither: the page never shows it. Reproduce: serve a Column, and from a thread
    that sleeps until the session's PULL-DOC is answered, ``doc.add_next_tick_callback`` a
    callback that replaces the Column's objects; the page keeps the old ones.

Seen here: the Train tab's network view, whose graph is built in a thread while the page
loads, stayed on "Building the graph..." for good in 9 of 40 page loads when the graph arrived
0.6-1.0 s after the session began (every load in that window, none outside it; CI's failing
``test_train_watch_pause_and_inspect``). Changes made while the page is built are in its pull,
and changes after ``document_ready`` are sent as patches: so a result waits for
``pn.state.onload`` if the page is not ready yet.

Waiting callbacks are kept on the session's own document and dropped when the session is
destroyed (its page closed before it was ready): what they hold (a built graph) goes with the
session even where the document itself outlives it a while (a context variable of the server's
thread can keep the last one). Panel's onload registry holds just a weak reference.
"""
from __future__ import annotations

import logging
import weakref
from functools import partial

log = logging.getLogger(__name__)

#: The document attribute holding callbacks that wait for the page (a list, oldest first).
_WAITING = "_autograd_ui_waiting_for_page"


def when_page_ready(doc, callback) -> None:
    """On ``doc``'s session thread: run ``callback()`` now if ``doc``'s page is ready (or
    ``doc`` is not a server session's), else once the page says it is, in the order asked."""
    import panel as pn
    from panel.io.state import set_curdoc

    with set_curdoc(doc):
        if pn.state.loaded:
            callback()
            return
        waiting = getattr(doc, _WAITING, None)
        if waiting is None:
            waiting = []
            setattr(doc, _WAITING, waiting)
            pn.state.onload(partial(_run_waiting, weakref.ref(doc)))
            doc.on_session_destroyed(partial(_drop_waiting, weakref.ref(doc)))
        waiting.append(callback)


def post_when_ready(doc, callback) -> None:
    """From any thread: run ``callback()`` on ``doc``'s session thread soon, and not before
    its page is ready (Bokeh's next-tick callback: the one thread-safe way into a document).
    Raises what ``add_next_tick_callback`` raises for a destroyed session."""
    doc.add_next_tick_callback(partial(when_page_ready, doc, callback))


def _drop_waiting(doc_ref, session_context) -> None:
    doc = doc_ref()
    if doc is not None:
        setattr(doc, _WAITING, None)


def _run_waiting(doc_ref) -> None:
    doc = doc_ref()
    if doc is None:
        return
    from panel.io.state import set_curdoc

    waiting = getattr(doc, _WAITING, None) or []
    setattr(doc, _WAITING, None)
    with set_curdoc(doc):
        for callback in waiting:
            try:
                callback()
            except Exception:       # noqa: BLE001 - one failed result must not drop the others
                log.exception("applying a result once the page was ready failed")
