"""Page changes that BokehJS does not answer with a layout of the whole page.

BokehJS lays the whole page out again, at once and with a repaint of every plot, for every
change of a layout's ``visible``, ``css_classes`` or size: with a 1k-node graph that is
70-250 ms each in Chromium (more with the Train tab built), and a structure change made up to
a dozen of them (leaf controls rebound and hidden, the leaf table shown, the scope controls).
``styles`` and ``html_attributes`` changes only edit the element; the browser's own layout
places the rest.
"""

from __future__ import annotations

import panel as pn
import param


def set_shown(component, shown: bool) -> None:
    """Show or hide ``component`` by its CSS (``display: none``), not by ``visible``.

    BokehJS lays the whole page out again, at once, for every change of a layout's ``visible``
    (with the Train tab built, 250 ms each in Chromium): "Open in Graph tab" hid the preset's
    leaf controls and showed the leaf table, 6 such changes, 2 s. A style change is left to
    the browser's own layout, as with ``display: none`` set by ``visible``. (Shown is
    ``display: ""``, not a style removed: BokehJS leaves a removed style on the element.)"""
    want = "" if shown else "none"
    if component.styles.get("display", "") != want:
        component.styles = {**component.styles, "display": want}


def is_shown(component) -> bool:
    """Whether :func:`set_shown` left ``component`` shown."""
    return component.visible and component.styles.get("display") != "none"


class TaggedColumn(pn.Column):
    """A Column with one more CSS class, ``tag``, that can change cheaply.

    BokehJS lays the whole page out again, at once, on every change of a layout's
    ``css_classes`` (and repaints the graph): rebinding 12 leaf controls to a new graph's
    leaves took 1.3 s in Chromium. ``tag`` goes through Bokeh's ``html_attributes`` instead,
    whose change only edits the element's class list."""

    tag = param.String(default="", doc="an extra CSS class (one word, or '')")

    _rename = {"tag": None}     # no such Bokeh property: _process_param_change maps it

    def _process_param_change(self, params):
        params = dict(params)
        tag = params.pop("tag", None)
        props = super()._process_param_change(params)
        if tag is not None:
            props["html_attributes"] = {"class": tag} if tag else {}
        return props
