"""Entry points: the console script's declaration, CLI options, ``python -m app`` and
``panel serve app/main.py`` (the last two served and opened in headless Chromium)."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from app.cli import build_parser, main
from browser_support import REPO, node_texts, output_text, serve_app, stop, wait_for_app


def test_console_script_points_at_cli_main():
    eps = [ep for ep in entry_points(group="console_scripts") if ep.name == "autograd-ui"]
    assert eps and eps[0].value == "app.cli:main"


def test_cli_options_and_defaults():
    args = build_parser().parse_args([])
    assert (args.port, args.show, args.expr, args.preset) == (5006, False, None, None)
    args = build_parser().parse_args(["--port", "7000", "--show", "--preset", "neuron"])
    assert (args.port, args.show, args.preset) == (7000, True, "neuron")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--preset", "nope"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--expr", "a = 1", "--preset", "neuron"])


def test_bad_expr_option_exits_with_message(capsys):
    assert main(["--expr", "a = 2\nb = q"]) == 2
    assert "'q' is not defined" in capsys.readouterr().err


def test_python_m_app_help():
    out = subprocess.run([sys.executable, "-m", "app", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "--preset" in out.stdout and "--expr" in out.stdout


@pytest.mark.browser
@pytest.mark.parametrize(
    "panel_serve,args,query,expected",
    [
        (False, ["--expr", "x = 3; y = x*x + 1"], "", {"x": "x | 3 | 6", "y": "y | 10 | 1"}),
        (True, [], "?preset=accumulation", {"a": "a | 3 | 2", "b": "b | 6 | 1"}),
    ],
    ids=["python-m-app-expr", "panel-serve-main-preset"],
)
def test_served_entry_points(chromium, panel_serve, args, query, expected, tmp_path):
    proc, url = serve_app(args, panel_serve=panel_serve)
    try:
        page = chromium.new_page(viewport={"width": 1280, "height": 720})
        errors = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(url + query)
        wait_for_app(page)
        texts = node_texts(page)
        assert {k: texts[k] for k in expected} == expected
        assert output_text(page) == expected[list(expected)[-1]].split(" | ")[1]
        page.screenshot(path=tmp_path / "served.png")
        assert errors == []
        page.close()
    finally:
        stop(proc)


def test_port_in_use_exits_with_message(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--port", str(port), "--address", "127.0.0.1"]) == 1
    err = capsys.readouterr().err
    assert f"cannot serve on 127.0.0.1:{port}" in err and "Traceback" not in err
