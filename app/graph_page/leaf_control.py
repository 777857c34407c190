"""One leaf's control: its label, a number box that reads like the editor, and a slider.

Panel's ``EditableFloatSlider`` formats its box with a numbro pattern (``1e308`` printed as 309
digits, ``1e-320`` as ``0``) and silently drops text it cannot read (``abc``, ``nan``, ``inf``).
Here the box shows the shortest text that reads back as the value (``1e+308``, ``1e-320``,
``2.5``) and anything it cannot take gets a message under it until the next good entry.
"""

from __future__ import annotations

import html
import math
import re

import panel as pn

from .leaves import joined_range, slider_range
from .no_relayout import TaggedColumn

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")

# The longest text ``number_text`` gives is 19 characters (-1.23456789012e-308); an MLP's
# weights take 16-17 (-0.0468060916957).  At 11px a monospace character is ~6.6 px wide: 19 of
# them and the padding fit BOX_WIDTH, and the leaf's name keeps ~90 px beside it in the
# 1024-px page's sidebar (at 13px in 130 px the weights' last digits were cut off; at 12px in
# 154 px "w[2][0][0]" was cut to "w[2…").  ``input.bk-input``: Panel's own ``.bk-input``
# padding of 12 px a side won over ``input``.
BOX_CSS = """
input.bk-input { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 11px;
                 text-align: right; padding: 2px 5px; }
"""
BOX_WIDTH = 140


def number_text(x: float) -> str:
    """The value as the box shows it: the shortest text that reads back as ``x`` once float
    noise from slider steps is dropped (12 significant digits): ``2``, ``-0.35``, ``1e+308``,
    ``1e-320``."""
    x = float(x)
    if not math.isfinite(x):
        return repr(x)
    text = repr(float(f"{x:.12g}"))
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def read_number(text: str) -> tuple[float | None, str]:
    """Parse what was typed into a box: ``(value, "")`` or ``(None, message)``.

    Only plain decimal numbers are taken (``2``, ``-0.5``, ``1e-3``); ``nan``, ``inf`` and
    numbers beyond the float range get a message saying why.
    """
    s = text.strip().replace("\u2212", "-")
    if not _PLAIN_NUMBER.fullmatch(s):
        word = s.lower().lstrip("+-")
        if word in ("nan", "inf", "infinity"):
            return None, f"\u201c{text.strip()}\u201d is not a finite number; a leaf needs one like 2.5 or -1e-3"
        return None, f"\u201c{text.strip()}\u201d is not a number; type one like 2.5, -3 or 1e-3"
    value = float(s)
    if not math.isfinite(value):
        return None, f"\u201c{s}\u201d is beyond the largest number a float holds (about 1.8e+308)"
    return value, ""


class LeafControl:
    """Label + number box + slider for the leaf ``lid`` of a generated leaf model (two-way);
    made unbound (no arguments), it controls nothing until :meth:`bind`."""

    def __init__(self, leaves=None, lid: str | None = None):
        self.slider = pn.widgets.FloatSlider(show_value=False, sizing_mode="stretch_width", margin=(0, 10),
                                             css_classes=["leaf-range"])
        self.box = pn.widgets.TextInput(width=BOX_WIDTH, height=30, margin=(2, 8, 2, 2),
                                        stylesheets=[BOX_CSS], css_classes=["leaf-number"])
        self.message = pn.pane.HTML("", visible=False, sizing_mode="stretch_width", margin=(0, 10),
                                    css_classes=["leaf-message"])
        self.name = pn.pane.HTML("", sizing_mode="stretch_width", margin=(2, 2, 2, 10), min_width=30)
        self.view = TaggedColumn(pn.Row(self.name, self.box, sizing_mode="stretch_width", margin=0),
                                 self.slider, self.message, sizing_mode="stretch_width", margin=(2, 0),
                                 css_classes=["leaf-slider"])
        self.leaves = self._watcher = None
        self._binding, self._typing, self.lid, self.label = False, False, None, ""
        if leaves is not None:        # else unbound until ``bind``
            self.bind(leaves, lid)
        # The box follows a drag through the server, not a client-side jslink: a linked box sends
        # its own value events, which Panel may apply after a later slider value (events of
        # two models are queued apart under load), dragging the leaf back or leaving the box
        # showing a value the graph does not (tests/test_browser_app.py drags under load).
        self.slider.param.watch(self._slid, "value")
        self.box.param.watch(self._typed, "value")

    def bind(self, leaves, lid: str) -> None:
        """Control the leaf ``lid`` of ``leaves`` from now on (label, range, value).

        A new graph reuses the controls already on the page: changing a few properties of
        existing widgets costs a small patch, where new widgets cost Panel a walk of the whole
        document (~0.2 s with a big graph shown) and the browser a relayout of the column."""
        self.close()
        self.leaves, self.lid = leaves, lid
        p = leaves.param[lid]
        self.label = p.label
        value = float(getattr(leaves, lid))
        lo, hi = p.softbounds
        with pn.io.hold():
            self._binding = True     # our own settings are not the user's moves
            try:
                self.slider.param.update(start=lo, end=hi, step=p.step, value=min(max(value, lo), hi))
                self.box.value = number_text(value)
            finally:
                self._binding = False
            self.message.visible = False
            self.name.object = (f"<div style='font-family:Helvetica Neue,Helvetica,Arial,sans-serif;font-size:14px;"
                                f"font-weight:600;line-height:30px;white-space:nowrap;overflow:hidden;"
                                f"text-overflow:ellipsis'>{html.escape(self.label)}</div>")
            self.view.tag = f"leaf-{lid}"      # not css_classes: see TaggedColumn
        self._watcher = leaves.param.watch(self._leaf_changed, lid)

    def close(self) -> None:
        """Stop following the leaf (the control is being replaced or rebound)."""
        if self._watcher is not None:
            self.leaves.param.unwatch(self._watcher)
            self._watcher = None

    def _slid(self, event) -> None:
        if self.lid is None:         # unbound (hidden, spare): a move from a page controls nothing
            return
        if self._binding:
            return
        current = getattr(self.leaves, self.lid)
        if not math.isfinite(float(event.new)):
            # a browser slider whose range it cannot compute sends NaN: the leaf keeps its value
            # (as the box refuses nan) and the slider goes back to it
            self.slider.value = current if self.slider.start <= current <= self.slider.end else self.slider.start
        elif event.new != current:
            setattr(self.leaves, self.lid, float(event.new))

    def _typed(self, event) -> None:
        if self._binding or self.lid is None:
            return
        value, problem = read_number(event.new)
        if problem:
            self.message.object = (f"<div style='font-family:Helvetica Neue,Helvetica,Arial,sans-serif;"
                                   f"color:#b00020;font-size:12px'>\u26a0 {html.escape(problem)}</div>")
            self.message.visible = True
            return
        self.message.visible = False
        current = getattr(self.leaves, self.lid)
        if number_text(value) == number_text(current):
            # the box shows the leaf (12 digits): a slider's float noise (3.1500000000000004)
            # must not come back as a new value, or the server pushes the slider back to it
            # while the user drags on
            if event.new != number_text(current):
                self.box.value = number_text(current)
        elif value != current:
            self._typing = True
            try:
                setattr(self.leaves, self.lid, value)
            finally:
                self._typing = False

    def _leaf_changed(self, event) -> None:
        value = float(event.new)
        with pn.io.hold():
            if math.isfinite(value) and self._typing:
                # a typed value: the leaf's own range joined with one around the value, so after
                # typing 1e6 and then 2 the slider steps by 0.04 again, not by 20,000
                p = self.leaves.param[self.lid]
                lo, hi, step = joined_range((*p.softbounds, p.step), slider_range(value))
                self.slider.param.update(start=lo, end=hi, step=step, value=value)
            elif math.isfinite(value) and not (self.slider.start <= value <= self.slider.end):
                # any other change beyond the range (a link, a new graph's value) widens it
                lo, hi, step = joined_range((self.slider.start, self.slider.end, self.slider.step),
                                            slider_range(value))
                self.slider.param.update(start=lo, end=hi, step=step)
            if math.isfinite(value) and self.slider.value != value:
                self.slider.value = value
            if read_number(self.box.value)[0] != value:
                self.box.value = number_text(value)
            self.message.visible = False
