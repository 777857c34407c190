"""Leaf controls for graphs with many leaves: a searchable table plus ONE leaf control.

Dozens of slider widgets cost seconds to build and a page that scrolls forever (an inspected
training sample has 60+ leaves, an MLP hundreds). Beyond :data:`MAX_SLIDERS` leaves the app shows
:class:`LeafTable` instead: every leaf (label, value) in a Tabulator with a search box, and one
number box + slider (:class:`~app.graph_page.leaf_control.LeafControl`) for the selected leaf. A row click or a click on the leaf's box in the graph selects it.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import pandas as pd
import panel as pn

from .formatting import fmt
from .leaf_control import LeafControl
from .leaves import source_order


@contextmanager
def _quiet_bokeh_from_df():
    """Bokeh's ``ColumnDataSource.from_df`` (inside Panel's Tabulator) calls
    ``reset_index(inplace=True)``, which pandas 3.1 deprecates: not our code to change, and the
    table is built with every page, so a page must not warn for it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame.reset_index")
        yield


#: Up to this many leaves, one slider each; beyond, the table.
MAX_SLIDERS = 24


class LeafTable:
    """Searchable leaf table + one slider for the selected leaf, for one ``GraphModel``.

    Parameters
    ----------
    model : app.graph_page.model.GraphModel

    Attributes
    ----------
    table : panel.widgets.Tabulator
        One row per leaf (source order): ``leaf`` label and current ``value``.
    control : LeafControl
        Number box + slider of the selected leaf (the first one until another is selected).
    selected : str or None
        Id of the leaf the slider moves.
    view : panel.layout.Column
    """

    def __init__(self, model):
        self.model = model
        self.order: list = []
        self.selected = None
        self._watcher = None
        with _quiet_bokeh_from_df():
            self.table = pn.widgets.Tabulator(
                # text columns from the start: the table is drawn (hidden) with the page, and
                # Tabulator keeps the column types it was first drawn with (empty floats show NaN)
                pd.DataFrame({"leaf": pd.Series([], dtype=object), "value": pd.Series([], dtype=object)}),
                show_index=False, disabled=True, selectable=1,
                header_filters={"leaf": {"type": "input", "func": "like", "placeholder": "find leaf"}},
                # a fixed height: Tabulator then draws only the rows in view (hundreds of leaves)
                layout="fit_columns", sizing_mode="stretch_width", height=300, pagination=None,
                margin=(2, 8),
                css_classes=["leaf-table"], stylesheets=[":host { font-size: 13px; }"],
            )
        # one control, rebound to each selected leaf: a new one would change the page's
        # structure, which costs Panel a walk of the whole document (~1 s with a big graph)
        self.control = LeafControl()
        self.holder = pn.Column(self.control.view, sizing_mode="stretch_width", margin=0,
                                css_classes=["selected-leaf"])
        self.hint = pn.pane.HTML("", margin=(0, 10), css_classes=["leaf-table-hint"])
        self.table.param.watch(self._on_table_selection, "selection")
        self.view = pn.Column(self.hint, self.holder, self.table, sizing_mode="stretch_width", margin=0)

    def load(self):
        """Show the model's current leaves (after a structure change)."""
        m = self.model
        leaves = m.leaves
        self.order = source_order(m.compiled.leaf_ids, m.compiled.labels, m.source)
        self._rows = {lid: i for i, lid in enumerate(self.order)}
        if self._watcher is not None:
            self._watcher[0].param.unwatch(self._watcher[1])
        self._watcher = (leaves, leaves.param.watch(self._on_leaf, self.order))
        with _quiet_bokeh_from_df():
            self.table.value = pd.DataFrame({
                "leaf": [m.compiled.labels[lid] for lid in self.order],
                "value": [fmt(getattr(leaves, lid)) for lid in self.order],
            })
        self.hint.object = (f"<span style='color:#555;font-size:12px'>{len(self.order)} leaves: pick "
                            "one in the table or click its box in the graph</span>")
        self.select(self.order[0] if self.order else None)

    def release(self) -> None:
        """Stop following the leaves (the graph now has few: the table is hidden)."""
        if self._watcher is not None:
            self._watcher[0].param.unwatch(self._watcher[1])
            self._watcher = None
        self.control.close()

    def select(self, leaf_id) -> None:
        """Give ``leaf_id`` the number box and slider (ignored when it is not a leaf here)."""
        if leaf_id is not None and leaf_id not in self._rows:
            return
        self.selected = leaf_id
        if leaf_id is None:
            self.control.close()     # (the table is shown only with leaves: one is selected)
            return
        self.control.bind(self.model.leaves, leaf_id)
        row = self._rows[leaf_id]
        if self.table.selection != [row]:
            self.table.selection = [row]

    def _on_table_selection(self, event):
        if event.new and 0 <= event.new[0] < len(self.order):
            lid = self.order[event.new[0]]
            if lid != self.selected:
                self.select(lid)

    def _on_leaf(self, *events):
        """A leaf changed (slider, URL, code): its table cell."""
        patch = []
        for e in events:
            row = self._rows.get(e.name)
            if row is not None:
                patch.append((row, fmt(e.new)))
        if patch:
            self.table.patch({"value": patch})
