"""The end of a browser session: nothing it built outlives it.

- :func:`release_js_links` works around a Panel bug (below) that kept every session's app alive.
- :func:`on_session_end` registers ``close()`` of one app instance with
  ``pn.state.on_session_destroyed``: training stops at once and tapes, trainers, figures and
  callbacks are dropped.
  Then its reference cycles are cut (``app.session_release``), so its objects die then, not in
  a full collection that would hold the event loop, and the heap is trimmed
  (``app.memory.trim_soon``), so the memory it freed leaves the process too.
- :func:`page_closed` tells a running loop (training) that nobody has been watching for a
  while, so a closed tab stops its work within about a second instead of when Bokeh discards
  the session (``unused_session_lifetime``, 15 s by default, checked every 17 s).

Panel bug (panel 1.9.4, reported upstream with this text)::

    ``panel.links.Callback.registry`` is a WeakKeyDictionary {source: [Callback, ...]}. A
    Callback's ``args`` hold strong references, so a callback whose args reach back to its own
    source (directly, or through a composite widget's watchers) keeps its key alive forever:
    the widget, everything it watches, and so the whole app of every session that made one.
    ``EditableFloatSlider`` does this itself (``self._value_edit.jscallback(args={'slider':
    self._slider})``; the slider's watchers hold the composite, which holds ``_value_edit``),
    and so does ``button.js_on_click(args={"button": button})``.

        import gc, weakref, panel as pn
        w = pn.widgets.EditableFloatSlider()
        r = weakref.ref(w); del w; gc.collect()
        assert r() is None          # fails: Callback.registry keeps it
        b = pn.widgets.Button(); b.js_on_click(args={"button": b}, code="")
        r = weakref.ref(b); del b; gc.collect()
        assert r() is None          # fails too

    Suggested fix: hold ``args`` values weakly where they are Panel objects (as ``Link``
    already does for ``source``/``target``), or drop a source's entry in ``Reactive._cleanup``
    once it has no models left.

Our side: the Link button reads its own model as ``source`` (no ``args``); the leaf sliders are
now our own ``LeafControl`` (app/graph_page/leaf_control.py, no JS callbacks); and whatever
entries a session's widgets still made are dropped when the session ends (``close()``), so a
future widget with the same pattern cannot bring the leak back.
"""

from __future__ import annotations

import logging

import panel as pn

from .memory import session_ended, session_started, trim_soon
from .session_release import keep_models_for_release, release_soon

#: A page whose websocket has been gone this long is treated as closed by running loops.
CLOSED_AFTER_MS = 1000

log = logging.getLogger(__name__)


def release_js_links(*viewables) -> int:
    """Drop ``Callback.registry`` entries of ``viewables`` and every object inside them (see the
    module docstring). Returns how many entries were dropped. Safe to call twice."""
    from panel.links import Callback

    dropped = 0
    for top in viewables:
        if top is None or not hasattr(top, "select"):
            continue
        for obj in top.select():
            if Callback.registry.pop(obj, None) is not None:
                dropped += 1
    return dropped


def on_session_end(closeable) -> bool:
    """Call ``closeable.close()`` when this served session is destroyed. Returns False (and
    registers nothing) outside a server session (notebook, tests)."""
    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        return False

    kept = {}
    keep_models_for_release(doc, kept)

    def destroyed(session_context) -> None:
        try:
            closeable.close()
        except Exception:  # noqa: BLE001 - logged; the session is still released and trimmed
            log.exception("closing an ended session's app failed; releasing it anyway")
        session_ended()
        # Panel's hooks for this session run after this one: cut its cycles on a later turn
        # of the loop (app.session_release says why), and drop Panel's full collection that
        # the document's destroy scheduled (on the loop, it walks every live session's objects)
        release_soon(closeable, kept.pop("models", ()))
        try:
            pn.state.cancel_task("gc.collect")
        except KeyError:          # not scheduled (a Panel without it, or cancelled already)
            pass
        trim_soon()       # what it freed goes back to the system (app.memory says why)

    pn.state.on_session_destroyed(destroyed)
    session_started()
    return True


def page_closed(doc=None) -> bool:
    """True when ``doc`` (default: the current document) belongs to a server session with no
    open websocket for at least :data:`CLOSED_AFTER_MS`, or to a destroyed one."""
    doc = doc if doc is not None else pn.state.curdoc
    context = getattr(doc, "session_context", None)
    if context is None:
        return False
    if context.destroyed:
        return True
    session = getattr(context, "session", None)
    if session is None:  # still being created
        return False
    return (session.connection_count == 0
            and session.milliseconds_since_last_unsubscribe >= CLOSED_AFTER_MS)
