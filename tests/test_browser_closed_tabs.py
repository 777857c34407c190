"""A class closing its tabs while the server pushes updates: the server's log shows no
traceback (``app.closed_tabs``). Its own file: the browser test's Playwright loop (module
scoped) would stop the in-process Bokeh client of ``test_server_sessions`` ("Cannot run the
event loop while another loop is running")."""

from __future__ import annotations

import gc
import time

import pytest

#: pages per round and rounds: measured before the fix (panel 1.9.4, tornado 6.6.1), a tab
#: closed while training streamed left a "Task exception was never retrieved ...
#: WebSocketClosedError" traceback about one close in three (9 closes: ~2% chance of none)
CLOSE_ROUNDS, PAGES_PER_ROUND = 3, 3


def _train_and_close(chromium, url: str, pages: int) -> None:
    """Open ``pages`` tabs, start training on each (updates stream to every page), then close
    them all at once, as a class leaving does, mid-stream."""
    from playwright.sync_api import expect

    from browser_support import VIEWPORT, wait_for_app

    contexts = [chromium.new_context(viewport=VIEWPORT) for _ in range(pages)]
    try:
        opened = [ctx.new_page() for ctx in contexts]
        for page in opened:
            page.goto(url)
        for page in opened:
            wait_for_app(page, timeout=60_000)
            page.get_by_text("Train", exact=True).click()
            run = page.get_by_role("button", name="\u25b6 Run")
            expect(run).to_be_visible(timeout=30_000)
            run.click()
        for page in opened:             # the loss curve grows: records stream to the page
            expect(page.get_by_role("button", name="\u25b6 Run")).to_be_disabled(timeout=30_000)
        time.sleep(1.0)
    finally:
        for ctx in contexts:
            ctx.close()                 # abrupt: the page goes without a websocket close


@pytest.mark.browser
def test_closing_tabs_while_updates_stream_logs_no_traceback(chromium):
    """A class closing its tabs while the server pushes updates: the server's log shows no
    traceback (it was a wall of "Task exception was never retrieved ... WebSocketClosedError",
    one per unlucky close: Panel's write to a socket the browser had just dropped)."""
    from browser_support import serve_app, server_output, stop

    proc, url = serve_app(["--unused-session-lifetime", "2000", "--check-unused-sessions", "500"])
    try:
        for _ in range(CLOSE_ROUNDS):
            _train_and_close(chromium, url, PAGES_PER_ROUND)
        # the failed writes are reported when their futures are collected, and the sessions
        # are destroyed 2 s after their tabs closed: wait for both, with a page still served
        time.sleep(8.0)
        assert proc.poll() is None, server_output(proc)
        log = server_output(proc)
    finally:
        stop(proc)
    assert "Traceback" not in log and "WebSocketClosedError" not in log, log
    assert "never retrieved" not in log, log


def test_a_closed_tabs_failed_write_is_dropped_from_the_log_but_real_errors_are_not(caplog):
    """``app.closed_tabs.ClosedTabLogFilter`` (what ``autograd-ui`` and ``app/serve_setup.py``
    install): an unretrieved ``WebSocketClosedError`` and Bokeh's "Failed sending message as
    connection was closed" become one DEBUG line each; any other unretrieved exception, and
    any other warning of those loggers, is still logged as before."""
    import asyncio
    import logging
    import threading

    from tornado.websocket import WebSocketClosedError

    from app.closed_tabs import _CLOSED_TAB_LOGGERS, ClosedTabLogFilter, quiet_closed_tabs

    async def fail(exc):
        raise exc

    async def unretrieved():
        tasks = [asyncio.ensure_future(fail(WebSocketClosedError())),
                 asyncio.ensure_future(fail(RuntimeError("a real error")))]
        await asyncio.sleep(0.01)        # both failed; nobody asks for their exceptions
        del tasks
        gc.collect()                     # asyncio reports them when they are collected

    quiet_closed_tabs()
    quiet_closed_tabs()                  # twice: still one filter per logger
    try:
        with caplog.at_level(logging.DEBUG):
            # a loop of its own, in a thread: this one may run Playwright's (the test above)
            worker = threading.Thread(target=asyncio.run, args=(unretrieved(),))
            worker.start()
            worker.join(30)
            ws = logging.getLogger("bokeh.server.views.ws")
            ws.warning("Failed sending message as connection was closed")
            ws.warning("some other bokeh warning")
    finally:
        for name in _CLOSED_TAB_LOGGERS:
            logger = logging.getLogger(name)
            filters = [f for f in logger.filters if isinstance(f, ClosedTabLogFilter)]
            assert len(filters) == 1, name
            logger.removeFilter(filters[0])
    shown = [(r.name, r.levelname, r.exc_info[1] if r.exc_info else None)
             for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(name, level, type(exc)) for name, level, exc in shown] == [
        ("asyncio", "ERROR", RuntimeError), ("bokeh.server.views.ws", "WARNING", type(None))]
    assert "some other bokeh warning" in caplog.text and "a real error" in caplog.text
    debug = [r.getMessage() for r in caplog.records if r.name == "app.closed_tabs"]
    assert len(debug) == 2 and all(r.startswith("a tab closed") for r in debug), debug
