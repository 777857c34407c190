"""HoloViews plots of a training run, fed by streams so an update sends only what changed.

- ``CurvePlots``: loss and accuracy against the step, each a ``DynamicMap`` over an
  ``hv.streams.Buffer``; a step appends one row (Bokeh ``ColumnDataSource.stream``).
- ``BoundaryPlot``: the decision boundary as an ``hv.Image`` of the MLP's scores with the
  zero-level contour, the data points coloured by class, and a ring on the inspected sample;
  image, points and ring each come through their own ``hv.streams.Pipe``.

Nothing here computes maths: the trainer (``engine.train``) supplies every number.
"""
from __future__ import annotations

import holoviews as hv
import numpy as np
import pandas as pd
from bokeh.palettes import PuOr9, interp_palette
from holoviews.operation import contours

# Colour-blind safe pair (ColorBrewer PuOr ends): class -1 orange, class +1 purple.
NEG_COLOR, POS_COLOR = "#e66101", "#5e3c99"
# Background ramp for scores: orange (score < 0) -> white (0) -> purple (score > 0), the
# ColorBrewer PuOr anchors interpolated to 256 steps so the image shades smoothly.
SCORE_CMAP = list(interp_palette(PuOr9[::-1], 256))
SCORE_LIMIT = 2.5     # |score| at which the background colour saturates (max-margin's margin is 1)

CURVE_COLUMNS = ["step", "loss", "accuracy"]


def _empty_curve_frame() -> pd.DataFrame:
    return pd.DataFrame({"step": np.array([], dtype=int), "loss": np.array([], dtype=float),
                         "accuracy": np.array([], dtype=float)})


def _whole_steps(plot, element) -> None:
    """Steps are whole numbers: no 0.5 ticks while a run is young."""
    plot.state.xaxis.ticker.min_interval = 1


class CurvePlots:
    """Loss and accuracy curves streaming from one ``Buffer`` (columns step, loss, accuracy).

    ``send(records)`` appends ``engine.train.StepRecord``s; ``clear()`` empties the curves.
    ``loss`` and ``accuracy`` are the DynamicMaps to display.
    """

    def __init__(self, height: int = 200, length: int = 200_000):
        self.buffer = hv.streams.Buffer(_empty_curve_frame(), length=length, index=False)
        self.loss = hv.DynamicMap(self._loss_curve, streams=[self.buffer]).opts(
            hv.opts.Curve(color="#333333", line_width=2, responsive=True, height=height,
                          framewise=True, tools=["hover"], title="loss (batch, before update)",
                          show_grid=True, default_tools=["pan", "wheel_zoom", "reset", "save"],
                          hooks=[_whole_steps]))
        self.accuracy = hv.DynamicMap(self._accuracy_curve, streams=[self.buffer]).opts(
            hv.opts.Curve(color=POS_COLOR, line_width=2, responsive=True, height=height,
                          ylim=(0, 1.02), framewise=True, tools=["hover"],
                          title="training accuracy (all points)", show_grid=True,
                          default_tools=["pan", "wheel_zoom", "reset", "save"],
                          hooks=[_whole_steps]))

    @staticmethod
    def _loss_curve(data):
        return hv.Curve(data, "step", "loss")

    @staticmethod
    def _accuracy_curve(data):
        return hv.Curve(data, "step", "accuracy")

    def send(self, records) -> None:
        """Append one row per record (``step``, ``loss``, ``train_accuracy``)."""
        if not records:
            return
        self.buffer.send(pd.DataFrame({
            "step": np.array([r.step for r in records], dtype=int),
            "loss": np.array([r.loss for r in records], dtype=float),
            "accuracy": np.array([r.train_accuracy for r in records], dtype=float)}))

    def clear(self) -> None:
        self.buffer.clear()

    @property
    def n_points(self) -> int:
        return len(self.buffer.data)


class BoundaryPlot:
    """Decision boundary over the data: ``show_grid(xs, ys, Z)``, ``show_points(X, y)``,
    ``mark(x, y)`` (ring on the inspected sample, ``None`` hides it). ``overlay`` is the
    element to display; ``tap`` an ``hv.streams.Tap`` on the points (x, y of a click)."""

    def __init__(self, size: int = 420):
        empty = (np.linspace(-1, 1, 2), np.linspace(-1, 1, 2), np.zeros((2, 2)))
        self.grid_pipe = hv.streams.Pipe(data=empty)
        self.points_pipe = hv.streams.Pipe(data=pd.DataFrame(
            {"x": [], "y": [], "label": [], "sample": [], "color": []}))
        self.mark_pipe = hv.streams.Pipe(data=pd.DataFrame({"x": [], "y": []}))
        image = hv.DynamicMap(self._image, streams=[self.grid_pipe])
        boundary = contours(image, levels=[0.0], filled=False)
        points = hv.DynamicMap(self._points, streams=[self.points_pipe])
        ring = hv.DynamicMap(self._ring, streams=[self.mark_pipe])
        self.tap = hv.streams.Tap(source=points, x=None, y=None)
        self.overlay = (image * boundary * points * ring).opts(
            hv.opts.Image(cmap=SCORE_CMAP, clim=(-SCORE_LIMIT, SCORE_LIMIT), alpha=0.85,
                          colorbar=True, clabel="score", framewise=True, tools=[],
                          default_tools=["pan", "wheel_zoom", "reset", "save"]),
            hv.opts.Contours(color="#222222", line_width=2, show_legend=False, tools=[]),
            hv.opts.Points("Ring", marker="circle", size=20, fill_alpha=0, line_color="#111111",
                           line_width=3, tools=[]),
            hv.opts.Points("Data", color="color", size=7,
                           line_color="white", line_width=1, tools=["hover", "tap"],
                           nonselection_alpha=1.0, selection_alpha=1.0, show_legend=False),
            hv.opts.Overlay(width=size + 70, height=size, title="decision boundary (score = 0)",
                            xlabel="x[0]", ylabel="x[1]", framewise=True),
        )

    @staticmethod
    def _image(data):
        xs, ys, Z = data
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        bounds = (xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] + dx / 2, ys[-1] + dy / 2)
        # hv.Image rows run top to bottom; the trainer's grid runs bottom to top
        return hv.Image(np.flipud(np.clip(Z, -1e6, 1e6)), bounds=bounds, kdims=["x[0]", "x[1]"],
                        vdims=["score"])

    @staticmethod
    def _points(data):
        return hv.Points(data, kdims=["x", "y"], vdims=["label", "sample", "color"],
                         group="Data")

    @staticmethod
    def _ring(data):
        return hv.Points(data, kdims=["x", "y"], group="Ring")

    def show_grid(self, xs, ys, Z) -> None:
        self.grid_pipe.send((np.asarray(xs), np.asarray(ys), np.asarray(Z)))

    def show_points(self, X, y) -> None:
        y = np.asarray(y).astype(int)
        self.points_pipe.send(pd.DataFrame({"x": X[:, 0], "y": X[:, 1], "label": y,
                                            "sample": np.arange(len(X)),
                                            "color": np.where(y > 0, POS_COLOR, NEG_COLOR)}))

    def mark(self, x=None, y=None) -> None:
        data = {"x": [], "y": []} if x is None else {"x": [float(x)], "y": [float(y)]}
        self.mark_pipe.send(pd.DataFrame(data))
