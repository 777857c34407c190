"""The graph plot: ONE Bokeh figure and its ColumnDataSources per app instance.

:class:`GraphView` wires the model to the plot. The figure and its sources are built once per app
instance (:mod:`app.graph_page.graph_figure`); a structure change replaces the sources' data; a
slider move or Player step only *patches* the cells that changed (:mod:`app.graph_page.graph_patch`),
so a step at 5,000 nodes sends a few hundred bytes, not the whole graph.
"""

from __future__ import annotations

from bokeh.models import LinearColorMapper
from panel.io.document import unlocked

from . import palette, sizing
from .graph_figure import build_figure, empty_sources, structure_columns
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
    values, ops, edges, arrows, marks, multiplicity, font_unit, focus : ColumnDataSource
        Value boxes, op circles, edge polylines, arrow heads, the output marker, "x k" edge
        labels, the caption font size in data units (read by the zoom callback), the node the
        Player is at.
    mapper : LinearColorMapper
        grad -> colour, symmetric around 0.
    patcher : GraphPatcher
        Turns the model's frames into patches.
    """

    def __init__(self, model):
        self.model = model
        self.mapper = LinearColorMapper(
            palette=list(palette.GRAD_PALETTE), low=-1, high=1, nan_color=palette.NAN_COLOR
        )
        for name, source in empty_sources().items():
            setattr(self, name, source)
        self.figure = build_figure(self, self.mapper)
        self.patcher = GraphPatcher(self)
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
            else:
                self.patcher.patch(frame)

    def _load_structure(self):
        """New graph: replace every source's data (the slow path, once per structure)."""
        static = structure_columns(self.model.display)   # collapsed scopes drawn as boxes
        shown_values, shown_ops, shown_edges = self.patcher.load(static.values)
        self.figure.x_range.range_padding = static.padding
        self.figure.y_range.range_padding = static.padding
        self.patcher.update_mapper()
        self.font_unit.data = {
            "size": [sizing.caption_font_units(static.values["w"], shown_values["text"])],
            "op_size": [static.op_font_units],
        }
        self.values.data = {**static.values, **shown_values}
        self.ops.data = {**static.ops, **shown_ops}
        self.edges.data = {**static.edges, **shown_edges}
        self.arrows.data = {**static.arrows, "color": list(shown_edges["color"])}
        self.marks.data = static.marks
        self.multiplicity.data = static.multiplicity
