"""Getting back to a session's thread from a worker: where training results are applied.

Bokeh documents are not thread-safe: a result computed elsewhere is applied through
``doc.add_next_tick_callback`` (the one thread-safe entry into a server session's document),
and not before the page is ready (:mod:`app.page_ready`: Panel drops changes made earlier).
Outside a server (a notebook, tests) the asyncio loop that pressed Run applies it.
Callbacks hold their owner weakly, so a closed session is not kept alive by a job in flight.
"""
from __future__ import annotations

import asyncio
import weakref

from ..page_ready import post_when_ready


class DocumentThread:
    """``post(callback)`` from any thread runs ``callback`` on the session's thread soon;
    ``later(seconds, callback)`` from that thread runs it after a delay. ``ok`` is False when
    there is neither a server document nor a running loop (nothing could apply results)."""

    def __init__(self, doc=None):
        self.doc = doc if getattr(doc, "session_context", None) is not None else None
        self.loop = None
        if self.doc is None:
            try:
                self.loop = asyncio.get_running_loop()
            except RuntimeError:
                self.loop = None

    @property
    def ok(self) -> bool:
        return self.doc is not None or self.loop is not None

    def post(self, callback) -> None:
        try:
            if self.doc is not None:
                post_when_ready(self.doc, callback)
            elif self.loop is not None and not self.loop.is_closed():
                self.loop.call_soon_threadsafe(callback)
        except Exception:   # noqa: BLE001 - the session is gone: nothing to show it on
            pass

    def later(self, seconds: float, callback) -> None:
        if self.doc is not None:
            self.doc.add_timeout_callback(callback, int(seconds * 1000))
        elif self.loop is not None:
            self.loop.call_later(seconds, callback)


def weak_call(obj, method: str, *args):
    """A callable ``call(*more)`` running ``obj.method(*args, *more)`` if ``obj`` still exists
    then (make it outside any closure over ``obj``, or the closure keeps ``obj`` alive)."""
    ref = weakref.ref(obj)

    def call(*more):
        target = ref()
        if target is not None:
            getattr(target, method)(*args, *more)
    return call
