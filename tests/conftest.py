"""Shared fixtures. Oracles (Chromium, Playwright, torch) go through ``require_oracle``: missing
in CI is a failure, elsewhere a skip with the reason. Browser fixtures serve ONE app for the
whole session (fast suite); each test gets a fresh browser context, i.e. a fresh server session
with its own app instance."""

from __future__ import annotations

import importlib
import os

import pytest

from browser_support import CHROMIUM, VIEWPORT, launch_chromium, serve_app, stop

PLAYWRIGHT_INSTALL = 'pip install -e ".[test]"'


def in_ci() -> bool:
    """True under the ``CI`` environment variable (``CI=true``, as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_oracle(name: str, present: bool, install: str) -> None:
    """Fail when the oracle ``name`` is missing under ``CI`` (a test that cannot run there is a
    test that does not run); skip with the reason and the install command elsewhere."""
    if present:
        return
    if in_ci():
        pytest.fail(f"{name} is missing but CI is set: CI must run every oracle ({install})")
    pytest.skip(f"{name} not installed ({install}); skipped outside CI", allow_module_level=True)


def import_oracle(module: str, install: str):
    """The oracle module ``module``, or a failure (CI) / skip (elsewhere) when it is missing.
    Also at a test module's import (a skip then skips the module)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        require_oracle(module, False, install)


def playwright_expect():
    """Playwright's ``expect``, for a browser test module to import at its top:
    ``expect = playwright_expect()`` (missing Playwright fails under CI, skips the module
    elsewhere)."""
    return import_oracle("playwright.sync_api", PLAYWRIGHT_INSTALL).expect


def _require_chromium():
    require_oracle(CHROMIUM, os.path.exists(CHROMIUM), "apt-get install -y chromium")
    import_oracle("playwright.sync_api", PLAYWRIGHT_INSTALL)


@pytest.fixture(scope="session")
def torch():
    """PyTorch, the float64 oracle for data and grads (``pip install -e ".[oracle]"``)."""
    return import_oracle("torch", 'pip install -e ".[oracle]"')


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


@pytest.fixture(autouse=True)
def no_server_document_in_the_test_thread(monkeypatch):
    """In the test's own thread, ``pn.state.curdoc`` is only a document the test set
    (``set_curdoc``), as outside a server.  Panel's falls back to Bokeh's current document,
    which is one for the whole process: while a server thread of this or an earlier test
    creates a session (Panel's ``run_app`` patches Bokeh's current document for it) or runs
    one of its callbacks, this thread would read that session's document, and an app built
    here would take itself for served (its Busy waits for a server to build the graph; its
    refiner runs in "process" mode): three flaky failures in whole-suite runs (sessions
    16-18).  Server threads keep Panel's own answer."""
    import sys
    import threading

    state_module = sys.modules.get("panel.io.state")
    if state_module is None:          # a test without panel
        return
    cls = type(state_module.state)
    panel_curdoc = cls.curdoc

    def curdoc(self):
        if threading.current_thread() is not threading.main_thread():
            return panel_curdoc.fget(self)
        return self._curdoc.get()

    monkeypatch.setattr(cls, "curdoc", property(curdoc, panel_curdoc.fset))
