"""No GET can stop the server: Panel's ``/components/<module>/...`` route imports the module
named in the URL, so importing any project module must do nothing (no ``sys.exit``, no app
built, no server started)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from browser_support import REPO, serve_app, stop

PACKAGES = ("app", "engine", "layouts")


def project_modules() -> list[str]:
    names = []
    for pkg in PACKAGES:
        names.append(pkg)
        names += [f"{pkg}.{m.name}" for m in pkgutil.iter_modules([str(REPO / pkg)])]
    return names


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_every_module_is_listed():
    mods = project_modules()
    assert {"app.__main__", "app.main", "app.cli", "engine.tape", "layouts.layered"} <= set(mods)


def test_importing_a_module_does_nothing():
    """In a fresh interpreter: importing every project module neither exits nor serves."""
    code = ("import importlib, sys\n"
            f"for m in {project_modules()!r}:\n"
            "    importlib.import_module(m)\n"
            "import panel as pn\n"
            "assert not pn.state._servers, 'a module started a server'\n"
            "print('imported', len(sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "imported" in r.stdout


@pytest.mark.parametrize("panel_serve", [False, True], ids=["autograd-ui", "panel-serve"])
def test_components_get_leaves_server_alive(panel_serve):
    proc, url = serve_app(panel_serve=panel_serve)
    base = url.rsplit("/", 1)[0] if panel_serve else url.rstrip("/")
    try:
        for mod in project_modules():
            _get(f"{base}/components/{mod}/x/y/z")   # any status will do; the server must stay up
            assert proc.poll() is None, f"GET /components/{mod}/x/y/z stopped the server"
        assert _get(url) == 200, "the app no longer answers after the /components/ GETs"
    finally:
        stop(proc)
