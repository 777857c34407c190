"""A destroyed session's objects freed by reference counting, a session at a time.

Why (issue 12): nearly every object a session builds sits in a reference cycle (a Bokeh model
and the property containers that name it as their owner; a Panel widget and the watchers,
bound methods and per-instance parameters that point back at it), so none of a session's
objects died when it was destroyed (~20,000 for a Graph-tab session on the server). They
waited for a full collection: when a class of 50 left, one collection freed about a million
objects and held the GIL, so the event loop stalled for ~5 s. Here each session's cycles are
cut when it ends (on the loop, a turn after Panel's own hooks), so most of its objects go by
reference counting then, spread over the sessions. Measured (/tmp probe, one session closed
with the collector off): a Graph-tab session left 20,351 objects to the collector before, 497
now; one that trained on the Train tab ~19,000 before, ~5,000-6,000 now (engine values kept by
a few remaining cycles; the collector still gets those).

Only objects that certainly belong to the ended session are touched: the Bokeh models of its
document, Panel viewables and ``app.*`` Parameterized objects reachable from its app through
its own objects' attributes, containers, watchers, bound methods, partials and closures, and the
networkx graphs, tapes, steps and layouts its own objects hold (``engine`` and ``layouts`` keep
no object at module level; a graph caches views that point back at it). Never a class,
a module, a function's globals, or a Parameterized object of another kind (Panel's shared
designs and themes, ``pn.state``, ``pn.config``): those may be shared by every session.
"""
from __future__ import annotations

import asyncio
import logging
import sys
from collections import deque
from functools import partial
from types import FunctionType, MethodType

log = logging.getLogger(__name__)
_CONTAINERS = (list, tuple, set, frozenset, dict)
#: packages that keep no object at module level: what of theirs a session reaches is its own
_PER_SESSION = ("engine.", "layouts.")


#: seconds between two sessions' releases: a class leaving ends 50 sessions in one sweep, and
#: each release frees tens of thousands of objects (tens of ms); other sessions' messages are
#: read in between
RELEASE_GAP_S = 0.02
# this process's ended sessions waiting for their release: (app, models); whether it drains
_waiting = {"queue": deque(), "draining": False}


def release_soon(app, models) -> None:
    """:func:`release` on this thread's event loop, after the sessions ended before it, one
    per :data:`RELEASE_GAP_S`, from the next turn of the loop on (after Panel's own hooks)."""
    from tornado.ioloop import IOLoop

    _waiting["queue"].append((app, models))
    if not _waiting["draining"]:
        _waiting["draining"] = True
        IOLoop.current().add_callback(_drain)


async def _drain() -> None:
    queue = _waiting["queue"]
    try:
        while queue:
            app, models = queue.popleft()
            try:
                release(app, models)
            except Exception:   # noqa: BLE001 - that session is left to the collector; the
                log.exception("releasing an ended session failed")   # others still go
            del app, models
            await asyncio.sleep(RELEASE_GAP_S)
    finally:
        _waiting["draining"] = False


def releases_pending() -> bool:
    """True while an ended session waits for its release (tests and benchmarks wait)."""
    return bool(_waiting["queue"]) or _waiting["draining"]


def keep_models_for_release(doc, kept: dict) -> None:
    """From the next tick on (Panel installs its ``doc.destroy`` while the session is built),
    the document's Bokeh models are put in ``kept["models"]`` just before the document is
    destroyed: Bokeh drops its own list of them then, while their cycles are still there."""
    def wrap() -> None:
        destroy = doc.destroy

        def destroy_keeping_models(session) -> None:
            kept["models"] = list(doc.models)
            destroy(session)

        doc.destroy = destroy_keeping_models

    doc.add_next_tick_callback(wrap)


def session_objects(app) -> list:
    """Panel viewables and ``app.*`` Parameterized objects reachable from ``app`` (see the
    module docstring for what is walked through and what never is)."""
    import networkx as nx
    import param
    from panel.config import config
    from panel.io.state import state
    from panel.viewable import Viewable

    found, seen, stack = [], {id(state), id(config)}, [app]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        if isinstance(obj, _CONTAINERS):       # a Watcher is a tuple too
            stack.extend(obj.values() if isinstance(obj, dict) else obj)
        elif type(obj) is MethodType:
            stack.append(obj.__self__)
        elif type(obj) is partial:
            stack.extend((obj.func, *obj.args, *obj.keywords.values()))
        elif type(obj) is FunctionType:         # a closure's cells, never its globals
            stack.extend(_cell_contents(obj.__closure__ or ()))
        elif _owned(obj, param.Parameterized, Viewable):
            found.append(obj)
            stack.extend(_references(obj))
        elif isinstance(obj, nx.Graph) or _module(obj).startswith(_PER_SESSION):
            found.append(obj)                   # e.g. a graph's cached views point back at it
            stack.extend(getattr(obj, "__dict__", {}).values())
        elif _module(obj).startswith("app."):   # walked through, never cleared: app
            stack.extend(getattr(obj, "__dict__", {}).values())   # has module-level constants
    return found


def _module(obj) -> str:
    return getattr(type(obj), "__module__", None) or ""


def _cell_contents(cells) -> list:
    out = []
    for cell in cells:
        try:
            out.append(cell.cell_contents)
        except ValueError:                       # a cell not yet filled
            pass
    return out


def _owned(obj, parameterized, viewable) -> bool:
    if isinstance(obj, viewable):
        return True
    if not isinstance(obj, parameterized):
        return False
    cls = type(obj)
    # our own classes, or one made at run time (the leaves' class is made per graph)
    return _module(obj).startswith("app.") or \
        getattr(sys.modules.get(cls.__module__), cls.__name__, None) is not cls


def _references(obj) -> list:
    out = list(getattr(obj, "__dict__", {}).values())
    private = getattr(obj, "_param__private", None)
    for slot in ("values", "watchers", "dynamic_watchers"):
        held = getattr(private, slot, None)
        if isinstance(held, dict):
            out.extend(held.values())
    return out


def release(app, models=()) -> int:
    """Cut the reference cycles of an ended session: ``models`` (its document's Bokeh models)
    and :func:`session_objects` of ``app``. Returns how many objects were cleared. Nothing of
    the session may be used afterwards (its methods would fail)."""
    from bokeh.core.property.wrappers import PropertyValueContainer

    for model in models:
        for name in ("_property_values", "_unstable_default_values", "_unstable_themed_values"):
            values = model.__dict__.get(name)
            for value in (values or {}).values():
                if isinstance(value, PropertyValueContainer):
                    value._owners.clear()        # (model, descriptor) pairs: the cycle
            if values:
                values.clear()
        model.__dict__.update(_callbacks={}, _event_callbacks={}, _document=None,
                              _temp_document=None)
    objects = session_objects(app)
    for obj in objects:
        private = getattr(obj, "_param__private", None)
        if private is not None:
            for slot in ("values", "watchers", "params", "refs", "dynamic_watchers",
                         "ref_watchers"):
                held = getattr(private, slot, None)
                if hasattr(held, "clear"):
                    held.clear()
        if hasattr(obj, "__dict__"):
            obj.__dict__.clear()
    return len(models) + len(objects)
