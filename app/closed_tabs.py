"""A tab closed while the server writes to it leaves no traceback in the server log.

:func:`quiet_closed_tabs` installs :class:`ClosedTabLogFilter` (``autograd-ui`` and ``--setup
app/serve_setup.py`` do, before serving): a class closing its tabs showed a teacher a wall of
tracebacks, as if the server were broken.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

#: What a tab closed while the server pushes to it leaves in the log, by logger (see
#: :class:`ClosedTabLogFilter`); each is logged at DEBUG on this module's logger instead.
_CLOSED_SOCKET_WARNING = "Failed sending message as connection was closed"
_CLOSED_TAB_LOGGERS = ("asyncio", "bokeh.server.views.ws", "panel.io.document")


class ClosedTabLogFilter(logging.Filter):
    """Drops, from the loggers in ``_CLOSED_TAB_LOGGERS``, exactly the records a tab closed
    mid-update makes, and logs one DEBUG line for each instead; every other record passes.

    Why (panel 1.9.4, bokeh 3.9.2, tornado 6.6.1): the browser drops the socket while the
    server writes an update to it (training records, a Player step, a slider's result), before
    tornado has noticed the close. Panel's ``dispatch_tornado`` writes a message as three or
    more websocket frames, each a future of tornado's; when the stream closes between two of
    them, the later write raises ``WebSocketClosedError`` at once, so ``write_events`` never
    stores the earlier futures (``_WRITE_FUTURES``) and nobody awaits them: the one whose frame
    was cut off fails with ``WebSocketClosedError`` too and asyncio logs it at ERROR, with two
    tracebacks, when it is collected ("Task exception was never retrieved ... future: <Task
    ... WebSocketProtocol13.write_message.<locals>.wrapper() ...>"). About one close in three
    while training streamed did so (12 closes: several). Nothing is lost: Panel resends the
    events (to no connection) and Bokeh discards the session later. Our own code cannot avoid
    the race (the socket looked open when it wrote; after tornado's ``on_close`` nothing of
    ours writes: Panel skips closing sockets, and training stops, ``page_closed``), so only
    the report is dropped. Bokeh's and Panel's own WARNING "Failed sending message as
    connection was closed" (the same race, caught by them) is demoted to DEBUG as well.

    Kept: any other exception (also one never retrieved), ``StreamClosedError`` or
    ``WebSocketClosedError`` anywhere else, every record of every other logger.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not _from_closed_tab(record):
            return True
        log.debug("a tab closed while the server wrote to it (%s: %s)", record.name,
                  record.getMessage().split("\n", 1)[0])
        return False


def _from_closed_tab(record: logging.LogRecord) -> bool:
    if record.name == "asyncio":
        from tornado.websocket import WebSocketClosedError

        exc = record.exc_info[1] if record.exc_info else None
        return (type(exc) is WebSocketClosedError
                and record.getMessage().startswith(("Task exception was never retrieved",
                                                    "Future exception was never retrieved")))
    return record.msg == _CLOSED_SOCKET_WARNING and not record.exc_info


def quiet_closed_tabs() -> None:
    """Install :class:`ClosedTabLogFilter` on its loggers (``autograd-ui`` and ``--setup
    app/serve_setup.py`` do, before serving). Safe to call twice."""
    for name in _CLOSED_TAB_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ClosedTabLogFilter) for f in logger.filters):
            logger.addFilter(ClosedTabLogFilter())
