"""What a new user meets first: the README's commands, the declared dependencies, and a
deprecation-free start (issue 13, faults 10-13)."""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()
#: import name -> distribution name, where they differ
DISTRIBUTION = {"yaml": "pyyaml", "PIL": "pillow", "sklearn": "scikit-learn"}


def _declared() -> set[str]:
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].strip().lower() for d in meta["dependencies"]}


def _third_party_imports(package: str) -> set[str]:
    found = set()
    for path in (REPO / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    local = {"engine", "layouts", "app", "bench", "tests"}
    return {n for n in found if n not in local and n not in sys.stdlib_module_names}


def test_every_runtime_import_is_a_declared_dependency():
    declared = _declared()
    imported = set().union(*(_third_party_imports(p) for p in ("app", "engine", "layouts")))
    # optional oracles imported lazily inside functions (and guarded) are not runtime deps
    optional = {"torch", "micrograd", "pygraphviz", "playwright", "IPython", "nbformat", "nbclient"}
    missing = {n for n in imported - optional if DISTRIBUTION.get(n, n).lower() not in declared}
    assert not missing, f"imported by app/engine/layouts but not in pyproject dependencies: {missing}"


def test_readme_options_example_is_accepted_by_the_cli():
    from app.cli import build_parser

    commands = re.findall(r"`(autograd-ui [^`]+)`", README)
    assert commands, "README shows no autograd-ui command line"
    for command in commands:
        argv = shlex.split(command)[1:]
        build_parser().parse_args(argv)  # argparse exits (SystemExit) on a bad combination


def test_readme_has_a_venv_step_the_main_path_and_the_bench_extra():
    assert re.search(r"python3? -m venv \S+", README)
    assert re.search(r"source \S+/bin/activate", README)
    assert "panel serve app/main.py" in README and "/main" in README.split("panel serve app/main.py", 1)[1][:300]
    bench = README.split("## Benchmarks", 1)[1][:800]
    assert '.[test]' in bench


_START_CLEAN = """
import warnings
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    import panel as pn
    from app import create_app
    app = create_app()
    app.tabs.active = 1          # builds the Train tab
    pn.panel(app).get_root()     # and renders every widget to Bokeh models
ours = [f"{w.filename}:{w.lineno}: {w.category.__name__}: {w.message}" for w in caught
        if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))
        and w.filename.startswith(REPO)]
print("\\n".join(ours))
"""


def test_building_both_tabs_raises_no_deprecation_warning_from_our_code():
    code = f"REPO = {str(REPO) + '/'!r}\n" + _START_CLEAN
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == ""


def test_the_issue_command_runs_clean():
    out = subprocess.run(
        [sys.executable, "-W", "error::PendingDeprecationWarning", "-W", "error::DeprecationWarning", "-c",
         "from app import create_app; create_app()"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]


def test_the_package_list_holds_every_package():
    """pyproject's package list covers every package of app/, engine/ and layouts/: a
    subpackage left out installs an app that cannot import it (``pip install .``, not -e)."""
    import setuptools

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    if isinstance(config.get("packages"), list):
        listed = set(config["packages"])
    else:
        find = config["packages"]["find"]
        listed = set(setuptools.find_packages(where=str(REPO), include=find["include"],
                                              exclude=find.get("exclude", ())))
    wanted = {".".join(init.parent.relative_to(REPO).parts)
              for top in ("app", "engine", "layouts") for init in (REPO / top).rglob("__init__.py")}
    assert {"app.graph_page", "app.share", "app.train"} <= wanted
    assert wanted <= listed, f"not installed: {sorted(wanted - listed)}"
    assert listed <= wanted, f"installed but not ours: {sorted(listed - wanted)}"
