"""The global cap on concurrent training (issue 12 item 2), in headless Chromium: with one
training slot, a second page that presses Run says "queued" and does not train until the first
pauses; then its notice goes and it trains."""
from __future__ import annotations

import re
import socket
import time

import pytest

from conftest import playwright_expect

expect = playwright_expect()   # missing Playwright: fails under CI, skips elsewhere

from bench.load_server import InProcessServer
from browser_support import wait_for_app

from app.train.pool import TrainingPool, use_pool

pytestmark = pytest.mark.browser

TRAINED = re.compile(r"steps done [1-9]\d* ·")   # the status line once a step has been applied


@pytest.fixture
def one_slot_server():
    """The app served from this process, whose training pool trains one session at a time."""
    use_pool(TrainingPool("process", max_training=1))
    try:
        with InProcessServer(lifetime_ms=2000) as server:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", server.port)) == 0:
                        break
                time.sleep(0.1)
            yield server
    finally:
        use_pool(None)


def _train_tab(new_page, url):
    page = new_page()
    page.goto(url)
    wait_for_app(page)
    page.get_by_text("Train", exact=True).click()
    expect(page.get_by_role("button", name="▶ Run")).to_be_enabled(timeout=30_000)
    return page


def test_a_page_over_the_training_cap_is_queued_until_a_slot_frees(one_slot_server, new_page):
    a = _train_tab(new_page, one_slot_server.url)
    b = _train_tab(new_page, one_slot_server.url)
    a.get_by_role("button", name="▶ Run").click()
    expect(a.get_by_text(TRAINED).first).to_be_visible(timeout=30_000)

    b.get_by_role("button", name="▶ Run").click()
    notice = b.locator(".train-queued")
    expect(notice).to_be_visible(timeout=15_000)
    expect(notice).to_contain_text("queued")
    expect(a.locator(".train-queued")).to_have_count(0)
    b.wait_for_timeout(1000)                          # a queued page trains nothing meanwhile
    expect(b.get_by_text("steps done 0 ·").first).to_be_visible()

    a.get_by_role("button", name="❚❚ Pause").click()  # frees the slot: b's turn
    expect(notice).to_have_count(0, timeout=15_000)
    expect(b.get_by_text(TRAINED).first).to_be_visible(timeout=30_000)
    b.get_by_role("button", name="❚❚ Pause").click()
    assert not a.console_errors and not b.console_errors, a.console_errors + b.console_errors
