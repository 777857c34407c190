"""Shared fixtures. Browser fixtures serve ONE app for the whole session (fast suite); each test
gets a fresh browser context, i.e. a fresh server session with its own app instance."""

from __future__ import annotations

import os

import pytest

from browser_support import CHROMIUM, VIEWPORT, launch_chromium, serve_app, stop


def _require_chromium():
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing but CI is set: browser tests must run in CI "
                    "(install Debian's chromium: apt-get install -y chromium)")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium); browser tests skipped outside CI")


@pytest.fixture(scope="session")
def served_app():
    """URL of the app served by ``python -m app`` on a free port (killed at session end)."""
    _require_chromium()
    proc, url = serve_app()
    try:
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def chromium():
    """Headless Debian Chromium, one per test module: a sync Playwright instance must be closed
    before another module starts its own (two cannot run in one thread)."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(chromium):
    """Factory: ``new_page()`` -> a page in a fresh 1280x720 context, with ``page.console_errors``."""
    contexts = []

    def make():
        ctx = chromium.new_context(viewport=VIEWPORT)
        contexts.append(ctx)
        page = ctx.new_page()
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        return page

    yield make
    for ctx in contexts:
        ctx.close()
