"""``show(v)``: the live app for a Value or an expression, in Jupyter."""

from __future__ import annotations


def show(expr_or_value=None, preset=None, height: int = 720):
    """Display a fresh app for ``expr_or_value`` in the current notebook cell.

    Parameters
    ----------
    expr_or_value : str or Value, optional
        An expression in the ``engine.parse`` language, or any micrograd-style ``Value``
        (this engine's or karpathy's ``micrograd.engine.Value``; the original is not modified).
    preset : str, optional
        A preset name, used when ``expr_or_value`` is None.
    height : int
        Height of the embedded app in pixels (it is laid out for 720).

    Returns
    -------
    AutogradApp
        The instance shown (its ``.model`` can be driven from code: ``app.model.step = 3``).
        Outside a notebook it is served in a browser tab instead.
    """
    import panel as pn

    from .factory import create_app

    app = create_app(expr_or_value, preset=preset, height=height)
    if _in_notebook():
        from IPython.display import display

        display(app)
    else:  # pragma: no cover - interactive convenience
        pn.serve(lambda: create_app(expr_or_value, preset=preset), show=True, title="autograd-ui")
    return _Handle(app)


class _Handle:
    """What ``show`` returns: the app, without displaying it a second time as the cell result."""

    def __init__(self, app):
        self.app = app
        self.model = app.model

    def _ipython_display_(self):
        """Already displayed by ``show``; as a cell's result it adds nothing."""

    def __repr__(self):
        return f"<autograd-ui app: {self.model.compiled.labels[self.model.compiled.output_id]} = {self.model.output:.4g}>"


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None
