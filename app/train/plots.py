"""Bokeh plots of a training run, updated in place so a refresh sends only what changed.

- ``CurvePlots``: loss and accuracy against the step, two figures over one
  ``ColumnDataSource``; new steps are appended with ``source.stream`` (only the new rows go
  over the wire).
- ``BoundaryPlot``: the decision boundary as an image of the MLP's scores with the zero-level
  contour, the data points coloured by class, and a ring on the inspected sample.

Plain Bokeh models rather than HoloViews streams: a HoloViews ``Buffer``/``Pipe`` update
re-runs its DynamicMap and re-renders the plot, measured at ~90 ms per curve update and ~70 ms
per boundary image on this machine, all on the server's event loop (every other session waits
meanwhile); the same updates as data-source changes take ~1-3 ms.

Nothing here computes maths: the trainer (``engine.train``) supplies every number; the contour
line is Bokeh's own ``contour_data``.
"""
from __future__ import annotations

import numpy as np
import param
from bokeh.events import Tap
from bokeh.models import (ColorBar, ColumnDataSource, HoverTool, LinearColorMapper, Range1d,
                          TapTool)
from bokeh.palettes import PuOr9, interp_palette
from bokeh.plotting import figure
from bokeh.plotting.contour import contour_data

# Colour-blind safe pair (ColorBrewer PuOr ends): class -1 orange, class +1 purple.
NEG_COLOR, POS_COLOR = "#e66101", "#5e3c99"
# The accuracy curve: PuOr's middle purple, readable on the light page and the dark one alike
# (POS_COLOR's dark purple was 2.2:1 against the dark theme's page).
ACCURACY_COLOR = "#8073ac"
# Background ramp for scores: orange (score < 0) -> white (0) -> purple (score > 0), the
# ColorBrewer PuOr anchors interpolated to 256 steps so the image shades smoothly.
SCORE_CMAP = list(interp_palette(PuOr9[::-1], 256))
SCORE_LIMIT = 2.5     # |score| at which the background colour saturates (max-margin's margin is 1)
TOOLS = "pan,wheel_zoom,reset,save"


def _empty_curves() -> dict:
    return {"step": np.array([], dtype=int), "loss": np.array([], dtype=float),
            "accuracy": np.array([], dtype=float)}


#: While no step is drawn, the curves' plots span this box (an invisible rectangle over it):
#: BokehJS's data ranges over no data are NaN, and the browser warned "could not set initial
#: ranges" each time it drew an empty curve plot (26 times as the first step came).
EMPTY_SPAN = {"x": [0.5], "y": [0.5], "w": [1.0], "h": [1.0]}


def _curve_figure(source, empty, column: str, title: str, color: str, height: int, y_range=None):
    extra = {} if y_range is None else {"y_range": Range1d(*y_range)}
    fig = figure(height=height, sizing_mode="stretch_width", title=title, tools=TOOLS, name=f"train-{column}-plot",
                 x_axis_label="step", y_axis_label=column, **extra)
    line = fig.line("step", column, source=source, color=color, line_width=2, name=f"{column}-curve")
    # a dot per step: after the first step a line of one point drew nothing (empty axes)
    fig.scatter("step", column, source=source, color=color, size=4, name=f"{column}-curve-points")
    fig.add_tools(HoverTool(renderers=[line], tooltips=[("step", "@step"), (column, f"@{column}")],
                            mode="vline"))
    fig.xaxis.ticker.min_interval = 1     # steps are whole numbers: no 0.5 ticks early on
    # ``empty``: the unit box (EMPTY_SPAN); last, the curve is the first renderer (pages and
    # tests read it)
    fig.rect("x", "y", width="w", height="h", source=empty, fill_alpha=0, line_alpha=0,
             name=f"{column}-empty-span")
    fig.toolbar.logo = None
    return fig


class CurvePlots:
    """Loss and accuracy curves over one data source (columns step, loss, accuracy).

    ``send(records)`` appends ``engine.train.StepRecord``s; ``clear()`` empties the curves.
    ``loss`` and ``accuracy`` are the Bokeh figures to display.
    """

    def __init__(self, height: int = 200):
        self.source = ColumnDataSource(_empty_curves())
        self.empty = ColumnDataSource(dict(EMPTY_SPAN))     # emptied with the first step
        self.loss = _curve_figure(self.source, self.empty, "loss", "loss (batch, before update)",
                                  "#333333", height)
        self.accuracy = _curve_figure(self.source, self.empty, "accuracy", "training accuracy (all points)",
                                      ACCURACY_COLOR, height, y_range=(0, 1.02))

    def send(self, records) -> None:
        """Append one row per record (``step``, ``loss``, ``train_accuracy``)."""
        if records:
            self.source.stream({
                "step": np.array([r.step for r in records], dtype=int),
                "loss": np.array([r.loss for r in records], dtype=float),
                "accuracy": np.array([r.train_accuracy for r in records], dtype=float)})
            if len(self.empty.data["x"]):      # the curves span their own data from now
                self.empty.data = {k: [] for k in EMPTY_SPAN}

    def clear(self) -> None:
        self.source.data = _empty_curves()
        self.empty.data = dict(EMPTY_SPAN)

    @property
    def n_points(self) -> int:
        return len(self.source.data["step"])


class TapPosition(param.Parameterized):
    """Where the boundary plot was last clicked (data coordinates)."""
    x = param.Number(default=None, allow_None=True)
    y = param.Number(default=None, allow_None=True)


class BoundaryPlot:
    """Decision boundary over the data: ``show_grid(xs, ys, Z)``, ``show_points(X, y)``,
    ``mark(x, y)`` (ring on the inspected sample, ``None`` hides it). ``figure`` is the plot to
    display; ``tap`` a ``TapPosition`` updated by clicks on the plot."""

    def __init__(self, size: int = 420):
        self.tap = TapPosition()
        self.figure = figure(width=size + 70, height=size, title="decision boundary (score = 0)", name="train-boundary-plot",
                             x_axis_label="x[0]", y_axis_label="x[1]", tools=TOOLS)
        self.figure.toolbar.logo = None
        mapper = LinearColorMapper(palette=SCORE_CMAP, low=-SCORE_LIMIT, high=SCORE_LIMIT)
        self.grid_source = ColumnDataSource({"image": [np.zeros((2, 2))], "x": [-1.0],
                                             "y": [-1.0], "dw": [2.0], "dh": [2.0]})
        self.figure.image(image="image", x="x", y="y", dw="dw", dh="dh", source=self.grid_source,
                          color_mapper=mapper, alpha=0.85)
        self.figure.add_layout(ColorBar(color_mapper=mapper, title="score", width=12), "right")
        self.contour = self.figure.contour(x=[0.0, 1.0], y=[0.0, 1.0], z=np.ones((2, 2)),
                                           levels=[0.0], line_color="#222222", line_width=2)
        self.points_source = ColumnDataSource({"x": [], "y": [], "label": [], "sample": [],
                                               "color": []})
        points = self.figure.scatter("x", "y", source=self.points_source, color="color", size=7,
                                     line_color="white", line_width=1, name="data-points")
        points.nonselection_glyph = points.selection_glyph = None   # a click selects nothing
        self.figure.add_tools(
            HoverTool(renderers=[points], tooltips=[("sample", "@sample"), ("label", "@label")]),
            TapTool(renderers=[points]))
        self.mark_source = ColumnDataSource({"x": [], "y": []})
        self.figure.scatter("x", "y", source=self.mark_source, marker="circle", size=20,
                            fill_alpha=0, line_color="#111111", line_width=3)
        self.figure.on_event(Tap, self._on_tap)

    def _on_tap(self, event) -> None:
        self.tap.param.update(x=event.x, y=event.y)

    def show_grid(self, xs, ys, Z) -> None:
        """``Z[i, j]`` the score at ``(xs[j], ys[i])``, rows bottom to top (as Bokeh draws)."""
        xs, ys, Z = np.asarray(xs), np.asarray(ys), np.clip(np.asarray(Z), -1e6, 1e6)
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        self.grid_source.data = {"image": [Z], "x": [xs[0] - dx / 2], "y": [ys[0] - dy / 2],
                                 "dw": [xs[-1] - xs[0] + dx], "dh": [ys[-1] - ys[0] + dy]}
        self.contour.set_data(contour_data(xs, ys, Z, levels=[0.0], want_fill=False))

    def show_points(self, X, y) -> None:
        y = np.asarray(y).astype(int)
        self.points_source.data = {"x": X[:, 0], "y": X[:, 1], "label": y,
                                   "sample": np.arange(len(X)),
                                   "color": np.where(y > 0, POS_COLOR, NEG_COLOR)}

    def mark(self, x=None, y=None) -> None:
        data = {"x": [], "y": []} if x is None else {"x": [float(x)], "y": [float(y)]}
        if data != self.mark_source.data:       # unchanged: no message (it is asked often)
            self.mark_source.data = data
