"""A lost connection is visible: when the server goes away the page says "disconnected: reload"
over everything (it no longer takes input that reaches nobody), and a reload after the server is
back restores what was shown from the URL (headless Chromium, a server of its own)."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

import pytest

from conftest import playwright_expect

expect = playwright_expect()   # missing Playwright: fails under CI, skips elsewhere

from browser_support import node_texts, serve_app, serve_command, stop, wait_for_app, wait_node_text

pytestmark = pytest.mark.browser


def test_lost_connection_shows_a_notice_and_reload_restores_the_url_state(chromium):
    proc, url = serve_app()
    port = urlsplit(url).port
    try:
        page = chromium.new_page(viewport={"width": 1280, "height": 720})
        page.goto(url)
        wait_for_app(page)
        expect(page.locator(".connection-lost")).to_have_count(0)    # not while connected
        box = page.locator(".leaf-v0 input")                         # leaf a (2 in the lecture)
        box.fill("3")
        box.press("Enter")
        wait_node_text(page, "L", "L | -2 | 1")
        page.wait_for_function("() => window.location.search.includes('a=3')")

        proc.kill()                                                  # the server dies
        proc.wait(timeout=30)
        notice = page.locator(".connection-lost")
        expect(notice).to_be_visible(timeout=30_000)
        expect(notice).to_contain_text("Disconnected from the server: reload")

        proc, _ = serve_command([sys.executable, "-m", "app", "--port", str(port)], url)
        page.locator(".connection-lost-reload").click()              # reload: a new session
        wait_for_app(page)
        texts = node_texts(page)
        assert texts["a"] == "a | 3 | 6" and texts["L"] == "L | -2 | 1"   # from the URL
        expect(page.locator(".connection-lost")).to_have_count(0)
        page.close()
    finally:
        stop(proc)
