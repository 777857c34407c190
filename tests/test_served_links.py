"""Hostile links under ``panel serve app/main.py``: the URL is read once (app.share.url_sync),
with the same caps as under ``autograd-ui``; a bad link is a notice on a working page."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from browser_support import node_texts, serve_app, stop, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def panel_serve_url():
    # the README's line: the guard (app/serve_setup.py) lets these through to the app
    proc, url = serve_app(("--address", "127.0.0.1", "--setup", "app/serve_setup.py"), panel_serve=True)
    yield url
    stop(proc)


def _open(chromium, url):
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    page.goto(url)
    wait_for_app(page)
    return page


@pytest.mark.parametrize("query, notice", [
    ("?expr=%FF", "not UTF-8 text"),
    ("?expr=" + quote("".join(f"x{i} = {i}; " for i in range(2000)) + "y = x1 * x2"),
     "too long for a link"),
], ids=["undecodable", "26k-characters"])
def test_a_hostile_link_is_a_notice_on_a_working_page(chromium, panel_serve_url, query, notice):
    # refused before it is parsed (test_url_state: decode drops it), not built then replaced
    page = _open(chromium, panel_serve_url + query)
    page.get_by_text(notice, exact=False).first.wait_for(timeout=15_000)
    texts = node_texts(page)
    assert "L" in texts and not any(k.startswith("x1999") for k in texts)  # the default graph
    page.close()
