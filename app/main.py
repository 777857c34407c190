"""Entry point for ``panel serve app/main.py``.

Each browser session runs this file afresh, so each gets its own instance from the factory.
Optional URL arguments: ``?preset=neuron`` or ``?expr=a%20%3D%202%3B%20b%20%3D%20a*a``.
"""

import panel as pn

from app import create_app
from app.presets import PRESETS

pn.extension("katex")

_args = pn.state.session_args or {}
_preset = (_args.get("preset") or [b""])[0].decode() or None
_expr = (_args.get("expr") or [b""])[0].decode() or None
if _preset not in PRESETS:
    _preset = None
try:
    _app = create_app(_expr, preset=_preset)
except ValueError:
    _app = create_app(preset=_preset)
_app.servable(title="autograd-ui")
