"""Entry point for ``panel serve app/main.py --address 127.0.0.1 --setup app/serve_setup.py``
(the setup script puts :mod:`app.serve_guard` in front: Panel parses the link before this runs).

Each browser session runs this file afresh, so each gets its own instance from the factory.
Optional URL arguments: ``?preset=neuron`` or ``?expr=a%20%3D%202%3B%20b%20%3D%20a*a``, read
(once, with the same caps and notices as under ``autograd-ui``) by ``app.share.url_sync``:
this file reads nothing from the URL itself.
"""

from app import create_app


def _serve_session() -> None:
    create_app().servable(title="autograd-ui")


# `panel serve` runs this file as a module named bokeh_app_<hash>; an import by name (Panel's
# /components/app.main/... route, or `import app.main`) must build nothing.
if __name__.startswith("bokeh_app_") or __name__ == "__main__":
    _serve_session()
