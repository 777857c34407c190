"""autograd-ui's Panel app.

    from app import create_app, show
    create_app()                      # a fresh live app (Viewer): .servable(), pn.serve, or display
    show("a = 2; b = a*a")            # in Jupyter: display the app for an expression ...
    show(micrograd_value)             # ... or for any micrograd-style Value
"""

from .factory import AutogradApp, create_app
from .notebook import show

__all__ = ["create_app", "show", "AutogradApp"]
