"""The graph plot: ONE Bokeh figure and its ColumnDataSources per app instance.

:class:`GraphView` wires the model to the plot. The figure and its sources are built once per app
instance (:mod:`app.graph_page.graph_figure`); a structure change replaces the sources' data; a
slider move or Player step only *patches* the cells that changed (:mod:`app.graph_page.graph_patch`),
so a step at 5,000 nodes sends a few hundred bytes, not the whole graph.
"""

from __future__ import annotations

import numpy as np
from bokeh.models import LinearColorMapper
from panel.io.document import unlocked

from . import graph_viewport, palette, sizing
from .graph_figure import FOCUS_COLUMNS, build_figure, empty_sources, structure_columns
from .graph_patch import GraphPatcher
from .sizing import caption_font_units  # noqa: F401  (re-exported: tests and notebooks use it)


class GraphView:
    """Owns the Bokeh figure and its sources for one app instance.

    Parameters
    ----------
    model : app.graph_page.model.GraphModel
        Watched: ``frame`` (what changed) drives every update.

    Attributes
    ----------
    figure : bokeh.plotting.figure
    minimap : bokeh.plotting.figure
        Overview of the whole graph with the viewport rectangle (shown when not all is in view).
    values, ops, edges, arrows, marks, multiplicity, flags, info, focus : ColumnDataSource
        Value boxes, op circles, edge polylines, arrow heads, the output marker, "x k" edge
        labels, hatches of non-finite values, the drawing's bounds and caption font size (read
        by the viewport callbacks, :mod:`app.graph_page.graph_viewport`), the node the Player
        is at.
    mapper : LinearColorMapper
        grad -> colour, symmetric around 0.
    patcher : GraphPatcher
        Turns the model's frames into patches.
    """

    def __init__(self, model, edge_style=None, phone_output_end=None):
        self.model = model
        # optional: draws some edges by what they carry (the Train tab's network view: weights
        # by sign and size); ``.rows`` the edge rows it styles, ``.columns(rows)`` ->
        # (colours, widths), None entries meaning the default look
        self.edge_style = edge_style
        # a phone's first view of a network too wide for it: the output end, where the backward
        # pass starts (graph_viewport); not for a view about the network's weights (the default
        # for a view with an edge style: the Train tab's network)
        self.phone_output_end = edge_style is None if phone_output_end is None else phone_output_end
        self.mapper = LinearColorMapper(
            palette=list(palette.GRAD_PALETTE), low=-1, high=1, nan_color=palette.NAN_COLOR
        )
        for name, source in empty_sources().items():
            setattr(self, name, source)
        self.figure, self.minimap = build_figure(self, self.mapper)
        self.patcher = GraphPatcher(self)
        self._click_handlers = []
        self.values.selected.on_change("indices", self._on_selected)
        model.param.watch(self._on_frame, "frame")
        if model.frame is not None:
            self._on_frame(None)

    def _on_frame(self, event):
        frame = self.model.frame
        # Bokeh models we own are edited directly. In a server session this must happen with the
        # document unlocked the Panel way (a Button click, unlike a widget value change, does not
        # do that for us). In a notebook the factory pushes them over the cell's comm.
        with unlocked():
            if frame.kind in ("structure", "view"):    # "view": scopes collapsed/expanded
                self._load_structure()
            elif frame.kind == "layout":               # the same drawing, nodes moved
                self._move_nodes()
            else:
                self.patcher.patch(frame)

    def on_node_click(self, handler) -> None:
        """Call ``handler(value node id)`` when the reader clicks (taps) a value box."""
        self._click_handlers.append(handler)

    def _on_selected(self, attr, old, new):
        ids = self.values.data["id"]
        if new and 0 <= new[0] < len(ids):
            for handler in list(self._click_handlers):
                handler(ids[new[0]])

    def _load_structure(self):
        """New graph: replace every source's data (the slow path, once per structure)."""
        display = self.model.display                     # collapsed scopes drawn as boxes
        static = structure_columns(display)
        shown_values, shown_ops, shown_edges = self.patcher.load(static.values, static.ops["x"])
        self.patcher.update_mapper()
        info = graph_viewport.info_columns(
            display, sizing.caption_font_units(static.values["w"], shown_values["text"]),
            static.op_font_units, self.phone_output_end)
        if self.figure.document is None:   # not shown yet: start at the whole graph (the browser
            for rng, lo, hi in ((self.figure.x_range, "x0", "x1"), (self.figure.y_range, "y0", "y1")):
                rng.update(start=info[lo][0], end=info[hi][0])   # then fits it to the plot's shape)
        # the Player's node before the info that fits the first view around it (a new source
        # value, not a patch: the camera's pan is for steps)
        self.focus.data = {c: [z] for c, z in zip(FOCUS_COLUMNS, self.patcher.focus_point(self.patcher.active[0]))}
        self.info.data = info     # the minimap's size follows in the browser (graph_viewport)
        self.values.data = {**static.values, **shown_values}
        self.ops.data = {**static.ops, **shown_ops}
        self.edges.data = {**static.edges, **shown_edges}
        self.arrows.data = {**static.arrows, "color": list(shown_edges["color"])}
        self.marks.data = static.marks
        self.multiplicity.data = static.multiplicity

    def _move_nodes(self):
        """The same graph drawn with other positions (its polished layout): only the geometry
        columns of each source are replaced, in place (one message; captions, colours, the
        Player's highlight, the selection stay). The view follows the node the reader was
        looking at, or shows the new first view if they had not moved it (graph_viewport)."""
        display = self.model.display
        static = structure_columns(display)
        if list(static.values["id"]) != list(self.values.data["id"]):    # other rows: redraw
            self._load_structure()
            return
        old_xy = (self.values.data["x"], self.values.data["y"])
        self.values.data.update({c: static.values[c] for c in ("x", "y", "w", "h")})
        self.ops.data.update({c: static.ops[c] for c in ("x", "y", "r")})
        self.edges.data.update(xs=static.edges["xs"], ys=static.edges["ys"])
        self.arrows.data.update({c: static.arrows[c] for c in ("x0", "y0", "x1", "y1", "shown")})
        self.marks.data = static.marks
        self.multiplicity.data = static.multiplicity
        patcher = self.patcher
        patcher.geometry = static.values
        patcher.update_flags(range(len(static.values["x"])), self.values.data["hatch"], force=True)
        active = patcher.active[0]
        if active is not None:   # replaced, not patched: a patch pans the camera to it
            self.focus.data.update({c: [z] for c, z in zip(FOCUS_COLUMNS, patcher.focus_point(active))})
        info = graph_viewport.info_columns(display, self.info.data["size"][0], static.op_font_units,
                                           self.phone_output_end)
        dx, dy = anchor_shift(self.figure, old_xy, (static.values["x"], static.values["y"]), active)
        info.update(gen=[self.info.data["gen"][0] + 1], dx=[dx], dy=[dy])
        self.info.patch({k: [(0, v[0])] for k, v in info.items()})      # last: the view follows


def anchor_shift(figure, old_xy, new_xy, prefer=None) -> tuple:
    """How far the view moves with a new drawing of the same graph: by the move of the node
    the reader looks at: ``prefer`` (the Player's node) if in view, else the box in view
    nearest the view's centre (or nearest it at all, when none is in view); by the move of the
    drawing's centre when all of it was in view (a reader who zoomed out to see it whole).
    ``old_xy``/``new_xy``: the value boxes' (x, y) columns before and after; the ranges are
    the browser's (synced back to the figure)."""
    (ox, oy), (nx_, ny) = (np.asarray(c, dtype=float) for c in old_xy), (np.asarray(c, dtype=float) for c in new_xy)
    xr, yr = figure.x_range, figure.y_range
    shown = np.isfinite(ox) & np.isfinite(oy) & np.isfinite(nx_) & np.isfinite(ny)
    if not shown.any():
        return 0.0, 0.0
    inside = (xr.start <= ox) & (ox <= xr.end) & (yr.start <= oy) & (oy <= yr.end)
    if inside[shown].all():     # the whole drawing was in view: it stays centred in the view
        return (float(np.mean(_span(nx_[shown])) - np.mean(_span(ox[shown]))),
                float(np.mean(_span(ny[shown])) - np.mean(_span(oy[shown]))))
    if prefer is not None and prefer < len(ox) and shown[prefer] and inside[prefer]:
        k = prefer
    else:        # in view if any is: the reader may have zoomed into empty space near the output
        cx, cy = (xr.start + xr.end) / 2, (yr.start + yr.end) / 2
        among = shown & inside if (shown & inside).any() else shown
        k = int(np.argmin(np.where(among, (ox - cx) ** 2 + (oy - cy) ** 2, np.inf)))
    return float(nx_[k] - ox[k]), float(ny[k] - oy[k])


def _span(values) -> tuple:
    return float(values.min()), float(values.max())
