"""Results posted to a served page wait until the page is ready (``app.page_ready``): a Bokeh
server in this process, a session opened with Bokeh's websocket client. The client pulls the
document as a browser does when its websocket opens; its ``document_ready`` (which Bokeh's
Python client never sends) is triggered on the server, as ``bench.served.open_session`` does.
That the change then reaches a real page (Panel drops one made between the pull and the
ready) is checked in Chromium: ``test_browser_train::test_a_network_built_while_the_page_loads_is_shown``."""

from __future__ import annotations

import gc
import weakref

import panel as pn
from bokeh.client import pull_session
from bokeh.events import DocumentReady

from app.page_ready import post_when_ready, when_page_ready
from bench.served import run_on, wait_for
from test_server_sessions import server_factory  # noqa: F401 - fixture


def _probe_server(server_factory):
    server = server_factory(lambda: pn.pane.HTML("before"))
    client = pull_session(url=server.url)       # the page has the document from here on
    assert server.wait(lambda: len(server.made) == 1)
    pane = server.made[0]
    return server, client, pane, server.doc(pane)


def test_a_result_posted_before_the_page_is_ready_waits_for_it(server_factory):
    server, client, pane, doc = _probe_server(server_factory)
    try:
        ran = []

        def show(text):
            def apply():
                ran.append(text)
                pane.object = text
            return apply

        post_when_ready(doc, show("first"))        # from this thread, as a worker does
        post_when_ready(doc, show("second"))
        run_on(doc, lambda: None)                  # their ticks have come and gone
        run_on(doc, lambda: None)
        assert ran == [] and pane.object == "before"

        run_on(doc, lambda: doc.callbacks.trigger_event(DocumentReady()))
        assert server.wait(lambda: ran == ["first", "second"]), ran     # in the order posted

        post_when_ready(doc, show("third"))        # ready now: at the next tick
        assert server.wait(lambda: ran == ["first", "second", "third"]), ran

        run_on(doc, lambda: when_page_ready(doc, show("fourth")))   # on the session's thread
        assert ran[-1] == "fourth"                 # ready: at once
    finally:
        client.close()


def test_outside_a_server_a_result_is_applied_at_once():
    ran = []
    when_page_ready(None, lambda: ran.append(1))
    assert ran == [1]


def test_results_waiting_for_a_page_that_closed_first_are_freed(server_factory):
    server, client, pane, doc = _probe_server(server_factory)

    class Result:                   # stands for a built graph: big, and owned by the session
        pass

    result = Result()
    freed = weakref.ref(result)
    post_when_ready(doc, lambda result=result: setattr(pane, "object", str(result)))
    run_on(doc, lambda: None)
    del result
    assert freed() is not None      # waiting
    client.close()                  # never ready
    assert server.wait(lambda: len(server.destroyed) == 1)
    # the document is still held here (a server thread's context variable can hold the last
    # one): what waited on it goes with the session all the same
    assert wait_for(lambda: (gc.collect(), freed() is None)[1], timeout=10), \
        "a closed session's waiting result is still alive"
    assert doc is not None
