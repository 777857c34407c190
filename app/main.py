"""Entry point for ``panel serve app/main.py``.

Each browser session runs this file afresh, so each gets its own instance from the factory.
Optional URL arguments: ``?preset=neuron`` or ``?expr=a%20%3D%202%3B%20b%20%3D%20a*a``.
"""

import panel as pn

from app import create_app
from app.presets import PRESETS


def _serve_session() -> None:
    args = pn.state.session_args or {}
    preset = (args.get("preset") or [b""])[0].decode() or None
    expr = (args.get("expr") or [b""])[0].decode() or None
    if preset not in PRESETS:
        preset = None
    try:
        app = create_app(expr, preset=preset)
    except ValueError:
        app = create_app(preset=preset)
    app.servable(title="autograd-ui")


# `panel serve` runs this file as a module named bokeh_app_<hash>; an import by name (Panel's
# /components/app.main/... route, or `import app.main`) must build nothing.
if __name__.startswith("bokeh_app_") or __name__ == "__main__":
    _serve_session()
