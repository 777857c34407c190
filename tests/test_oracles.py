"""The oracle guard of conftest: a missing oracle fails under CI and is skipped elsewhere."""
import sys

import pytest

from conftest import require_oracle


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_a_missing_oracle_fails_in_ci(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI must run every oracle"):
        require_oracle("torch", False, "pip install torch")


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_a_missing_oracle_is_skipped_with_its_reason_outside_ci(monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match=r"torch not installed \(pip install torch\)"):
        require_oracle("torch", False, "pip install torch")


def test_a_present_oracle_neither_fails_nor_skips(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert require_oracle("torch", True, "pip install torch") is None



@pytest.mark.parametrize("ci", ["true", ""])
def test_a_browser_module_without_playwright_fails_in_ci_and_is_skipped_elsewhere(monkeypatch, ci):
    """``expect = playwright_expect()`` at the top of a browser test module, Playwright
    missing: under CI a failure; elsewhere a skip allowed at module level (skips the module)."""
    from conftest import playwright_expect

    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)   # importing it: ImportError
    monkeypatch.setenv("CI", ci)
    if ci:
        with pytest.raises(pytest.fail.Exception, match="CI must run every oracle"):
            playwright_expect()
    else:
        with pytest.raises(pytest.skip.Exception, match="playwright.sync_api not installed") as skip:
            playwright_expect()
        assert skip.value.allow_module_level


def test_playwright_expect_is_playwrights_expect():
    from conftest import playwright_expect

    expect = playwright_expect()
    assert expect is sys.modules["playwright.sync_api"].expect
