"""The graph plot: ONE Bokeh figure and its ColumnDataSources per app instance.

Built once per app instance (:class:`GraphView`). A structure change replaces the sources' data;
a slider move or Player step only *patches* the cells that changed (``ColumnDataSource.patch``),
so a step at 5,000 nodes sends a few hundred bytes, not the whole graph.
"""

from __future__ import annotations

import numpy as np
from bokeh.models import (
    Arrow,
    ColorBar,
    ColumnDataSource,
    CustomJS,
    DataRange1d,
    HoverTool,
    LinearColorMapper,
    NormalHead,
)
from bokeh.core.properties import value
from panel.io.document import unlocked
from panel.io.notebook import push as push_notebook_events
from panel.io.state import state
from bokeh.plotting import figure

from . import palette, sizing
from .formatting import fmt, node_caption, op_symbol

#: Smallest drawing extent shown (plot units), so tiny graphs are not magnified beyond ~1.5x.
MIN_SPAN = (640.0, 250.0)
#: Below this many pixels, captions are hidden (hover still tells everything).
MIN_FONT_PX = 5.0

_FONT_JS = """
if (p.properties.inner_width.is_unset || p.properties.inner_height.is_unset) { return; }
const xr = p.x_range, yr = p.y_range;
const sx = p.inner_width / Math.max(1e-9, xr.end - xr.start);
const sy = p.inner_height / Math.max(1e-9, yr.end - yr.start);
const s = Math.min(sx, sy);
if (!isFinite(s) || s <= 0) { return; }
const fs = Math.min(max_px, s * unit.data.size[0]);
const ofs = Math.min(max_px, s * unit.data.op_size[0]);
for (const r of captions) { r.visible = fs >= min_px; r.glyph.text_font_size = fs.toFixed(1) + 'px'; }
for (const r of symbols) { r.visible = ofs >= min_px; r.glyph.text_font_size = ofs.toFixed(1) + 'px'; }
for (const h of heads) { h.size = Math.max(3, Math.min(11, 9 * s)); }
"""


_FOLLOW_JS = """
const x = focus.data.x[0], y = focus.data.y[0];
const xr = p.x_range, yr = p.y_range;
const w = xr.end - xr.start, h = yr.end - yr.start;
if (!(w > 0 && h > 0) || !isFinite(x) || !isFinite(y)) { return; }
const out = (v, lo, hi, span) => v < lo + 0.03 * span || v > hi - 0.03 * span;
// as the pan tool does: marked interactive, so auto-ranging does not undo it
if (out(x, xr.start, xr.end, w)) {
  const sx = x - (xr.start + xr.end) / 2;
  xr.have_updated_interactively = true;
  xr.setv({start: xr.start + sx, end: xr.end + sx});
}
if (out(y, yr.start, yr.end, h)) {
  const sy = y - (yr.start + yr.end) / 2;
  yr.have_updated_interactively = true;
  yr.setv({start: yr.start + sy, end: yr.end + sy});
}
"""


class GraphView:
    """Owns the Bokeh figure and its sources for one app instance.

    Parameters
    ----------
    model : app.model.GraphModel
        Watched: ``frame`` (what changed) drives every update.

    Attributes
    ----------
    figure : bokeh.plotting.figure
    values, ops, edges, arrows, marks, font_unit : ColumnDataSource
        Value boxes, op circles, edge polylines, arrow heads, the output marker, the caption
        font size in data units (read by the zoom callback).
    mapper : LinearColorMapper
        grad -> colour, symmetric around 0.
    """

    def __init__(self, model):
        self.model = model
        self.mapper = LinearColorMapper(
            palette=list(palette.GRAD_PALETTE), low=-1, high=1, nan_color=palette.NAN_COLOR
        )
        self.values = ColumnDataSource(_empty_value_columns())
        self.ops = ColumnDataSource(_empty_op_columns())
        self.edges = ColumnDataSource({"xs": [], "ys": [], "color": [], "width": []})
        self.arrows = ColumnDataSource({"x0": [], "y0": [], "x1": [], "y1": [], "color": []})
        self.marks = ColumnDataSource({"x": [], "y": [], "text": []})
        self.multiplicity = ColumnDataSource({"x": [], "y": [], "text": []})
        self.font_unit = ColumnDataSource({"size": [1.0], "op_size": [1.0]})
        # the node the Player is at, one row, patched per step (the camera follows it)
        self.focus = ColumnDataSource({"x": [float("nan")], "y": [float("nan")]})
        self.figure = self._build_figure()
        self._shown = {}  # column name -> list currently in the value source (for diffs)
        self._op_shown = {}
        self._edge_shown = {}
        self._active = (None, (), None)  # (value row, edge rows, op row) highlighted now
        self._ids = None
        model.param.watch(self._on_frame, "frame")
        if model.frame is not None:
            self._on_frame(None)

    # ------------------------------------------------------------------ figure (once)
    def _build_figure(self):
        p = figure(
            x_range=DataRange1d(range_padding=0.06),
            y_range=DataRange1d(range_padding=0.06),
            match_aspect=True,
            sizing_mode="stretch_both",
            tools="pan,wheel_zoom,reset,save",
            active_scroll="wheel_zoom",
            toolbar_location="above",
            min_border=4,
            background_fill_color="#ffffff",
            border_fill_color="#ffffff",
            outline_line_color=None,
            name="graph-plot",
        )
        p.title.text = ("box: label | data | grad   \u00b7   fill: grad   \u00b7   orange: this step   "
                        "\u00b7   hover for details, scroll to zoom")
        p.title.text_font_size = "13px"
        p.title.text_font_style = "normal"
        p.title.text_color = "#555555"
        p.axis.visible = False
        p.grid.visible = False
        p.toolbar.logo = None
        p.multi_line("xs", "ys", source=self.edges, line_color="color", line_width="width", line_alpha=0.9)
        head = NormalHead(size=9, fill_color="color", line_color="color", line_width=1)
        p.add_layout(
            Arrow(
                end=head, x_start="x0", y_start="y0", x_end="x1", y_end="y1",
                source=self.arrows, line_alpha=0, line_width=0,
            )
        )
        value_boxes = p.rect(
            "x", "y", width="w", height="h", source=self.values,
            fill_color={"field": "grad", "transform": self.mapper}, fill_alpha="alpha",
            line_color="line_color", line_width="line_width",
            hatch_pattern="hatch", hatch_color=palette.FLAG_COLOR, hatch_alpha=0.6, hatch_scale=8,
            border_radius=8, name="value-boxes",
        )
        captions = p.text(
            "x", "y", text="text", source=self.values, text_align="center", text_baseline="middle",
            text_font_size="12px", text_color="#111111", text_alpha="text_alpha",
            text_font=value("Helvetica, Arial, sans-serif"), name="value-captions",
        )
        op_circles = p.circle(
            "x", "y", radius="r", source=self.ops, fill_color=palette.OP_FILL,
            line_color="line_color", line_width="line_width", name="op-circles",
        )
        symbols = p.text(
            "x", "y", text="symbol", source=self.ops, text_align="center", text_baseline="middle",
            text_font_size="12px", text_color="#222222", text_font_style="bold", name="op-symbols",
        )
        p.text(
            "x", "y", text="text", source=self.marks, text_align="center", text_baseline="bottom",
            text_font_size="13px", text_color=palette.OUTPUT_COLOR, text_font_style="bold",
        )
        p.text(
            "x", "y", text="text", source=self.multiplicity, text_align="center", text_baseline="bottom",
            text_font_size="13px", text_color="#333333", text_font_style="bold", y_offset=-3,
        )
        captions.glyph.text_font_style = "normal"
        p.add_tools(
            HoverTool(
                renderers=[value_boxes],
                tooltips=[("value", "@label"), ("data", "@data_s"), ("grad", "@grad_s"), ("role", "@role")],
                point_policy="follow_mouse",
            ),
            HoverTool(
                renderers=[op_circles],
                tooltips=[
                    ("op", "@op"), ("inputs", "@inputs"), ("output", "@output"),
                    ("local derivatives", "@locals"),
                ],
                point_policy="follow_mouse",
            ),
        )
        bar = ColorBar(
            color_mapper=self.mapper, title="grad (colour scale, symmetric around 0)", orientation="horizontal",
            height=10, width=360, location="center", major_label_text_font_size="12px",
            title_text_font_size="12px", title_text_font_style="normal", padding=2, margin=2,
            title_standoff=2,
        )
        p.add_layout(bar, "below")
        font_cb = CustomJS(
            args=dict(p=p, unit=self.font_unit, captions=[captions], symbols=[symbols], heads=[head],
                      max_px=22.0, min_px=MIN_FONT_PX),
            code=_FONT_JS,
        )
        for rng in (p.x_range, p.y_range):
            rng.js_on_change("start", font_cb)
            rng.js_on_change("end", font_cb)
        # Zoomed into a large graph, the camera follows the Player: when the node of the step
        # leaves the view, the view pans to centre it (never zooms, so the reader's scale stays).
        self.focus.js_on_change("patching", CustomJS(args=dict(p=p, focus=self.focus),
                                                     code=_FOLLOW_JS))
        p.scatter("x", "y", source=self.focus, visible=False)   # puts the source in the document
        # A new graph replaces the value source's data (steps and sliders only patch it): fit
        # the view to it, as the reset tool does, even if the reader had zoomed into the last one.
        self.values.js_on_change("data", CustomJS(args=dict(p=p), code="p.reset.emit();"))
        return p

    # ------------------------------------------------------------------ updates
    def _on_frame(self, event):
        frame = self.model.frame
        # Bokeh models we own are edited directly. In a server session this must happen with the
        # document unlocked the Panel way (a Button click, unlike a widget value change, does not
        # do that for us). In a notebook the edits are held and pushed over the cell's comm, so
        # changes made from code (``app.model.step = 3``) reach the output too.
        with unlocked():
            if frame.kind == "structure":
                self._load_structure()
            else:
                self._patch(frame)
        doc = self.figure.document
        comm = _notebook_comm(doc) if doc is not None else None
        if comm is not None:  # as Panel does for its own components (Reactive._apply_update)
            push_notebook_events(doc, comm)

    def _load_structure(self):
        """New graph: replace every source's data (the slow path, once per expression)."""
        m = self.model
        cg = m.compiled
        lay = cg.layout
        G = cg.graph
        self._ids = list(cg.value_ids)
        rows = {v: i for i, v in enumerate(cg.value_ids)}
        self._rows = rows
        self._op_rows = {o: i for i, o in enumerate(cg.op_ids)}
        self._edge_rows = {e: i for i, e in enumerate(cg.edge_keys)}
        self._active = self._active_targets()

        xs, ys = _xy(lay.positions, cg.value_ids)
        ws = [float(lay.sizes[v][0]) for v in cg.value_ids]
        hs = [float(lay.sizes[v][1]) for v in cg.value_ids]
        roles = [G.nodes[v].get("role", "") for v in cg.value_ids]
        labels = [cg.labels[v] for v in cg.value_ids]
        self._labels = labels
        self._const = [bool(G.nodes[v].get("const")) for v in cg.value_ids]
        cols = self._value_columns(np.arange(len(labels)))
        data = dict(x=xs, y=ys, w=ws, h=hs, role=roles, label=labels, id=list(cg.value_ids), **cols)
        self._shown = {k: list(v) for k, v in cols.items()}

        oxs, oys = _xy(lay.positions, cg.op_ids)
        radii = [0.5 * min(lay.sizes[o]) for o in cg.op_ids]
        ops = [str(G.nodes[o].get("op", "")) for o in cg.op_ids]
        op_cols = self._op_columns()
        self._op_shown = {k: list(v) for k, v in op_cols.items()}
        op_data = dict(
            x=oxs, y=oys, r=radii, op=ops, symbol=[op_symbol(o) for o in ops], id=list(cg.op_ids),
            inputs=[", ".join(labels[rows[i]] for i in cg.op_inputs[o]) for o in cg.op_ids],
            output=[labels[rows[cg.op_output[o]]] for o in cg.op_ids],
            **op_cols,
        )

        exs, eys, heads = [], [], {"x0": [], "y0": [], "x1": [], "y1": []}
        for e in cg.edge_keys:
            pts = lay.edges[e]
            exs.append([float(p[0]) for p in pts])
            eys.append([float(p[1]) for p in pts])
            (x0, y0), (x1, y1) = pts[-2], pts[-1]
            heads["x0"].append(float(x0)); heads["y0"].append(float(y0))
            heads["x1"].append(float(x1)); heads["y1"].append(float(y1))
        edge_cols = self._edge_columns()
        self._edge_shown = {k: list(v) for k, v in edge_cols.items()}

        out_row = rows[cg.output_id]
        marks = dict(x=[xs[out_row]], y=[ys[out_row] + hs[out_row] * 0.62], text=["output"])
        # an input used k times by one op (b = a + a) is one edge: label it "x k" at its middle
        mult = {"x": [], "y": [], "text": []}
        for (u, v), attrs in G.edges.items():
            k = len(attrs.get("operands", ()) or ())
            if k > 1:
                pts = lay.edges[(u, v)]
                (x0, y0), (x1, y1) = pts[len(pts) // 2 - 1], pts[len(pts) // 2]
                mult["x"].append((float(x0) + float(x1)) / 2)
                mult["y"].append((float(y0) + float(y1)) / 2)
                mult["text"].append(f"\u00d7{k}")
        # small graphs: pad the ranges so boxes do not blow up to the whole plot (the same
        # fraction on both axes, or match_aspect would be undone)
        pad = max(0.06, min(MIN_SPAN[0] / max(lay.width, 1.0), MIN_SPAN[1] / max(lay.height, 1.0)) - 1.0)
        self.figure.x_range.range_padding = pad
        self.figure.y_range.range_padding = pad

        self._update_mapper()
        self.font_unit.data = {
            "size": [caption_font_units(ws, self._shown["text"])],
            "op_size": [0.9 * (float(np.median(radii)) if radii else 1.0)],
        }
        self.values.data = data
        self.ops.data = op_data
        self.edges.data = dict(xs=exs, ys=eys, **edge_cols)
        self.arrows.data = dict(heads, color=list(edge_cols["color"]))
        self.marks.data = marks
        self.multiplicity.data = mult

    def _patch(self, frame):
        """Slider/step/mode: patch only the cells that differ from what the browser shows.

        Per Player step this touches the rows named by the step record's ``changes`` plus the
        previously and newly highlighted node, op and edges: O(changes), not O(graph).
        """
        rows = np.arange(len(self._ids)) if frame.rows is None else np.asarray(frame.rows, dtype=int)
        old_active, active = self._active, self._active_targets()
        self._active = active
        if active[0] is not None and active[0] != old_active[0]:
            r = active[0]
            self.focus.patch({"x": [(0, self.values.data["x"][r])],
                              "y": [(0, self.values.data["y"][r])]})
        extra = [r for r in (old_active[0], active[0]) if r is not None]
        if extra:
            rows = np.union1d(rows, extra).astype(int)
        patches = _diff(self._shown, rows, self._value_columns(rows))
        if patches:
            self.values.patch(patches)

        op_rows = sorted({r for r in (old_active[2], active[2]) if r is not None})
        op_patch = _diff(self._op_shown, op_rows, self._op_border_columns(op_rows))
        if frame.kind == "values":
            self._update_mapper()
            font = caption_font_units(self.values.data["w"], self._shown["text"])
            if font != self.font_unit.data["size"][0]:
                self.font_unit.patch({"size": [(0, font)]})
            locals_patch = _diff_all({"locals": self._op_shown["locals"]}, {"locals": self._op_locals()})
            op_patch.update(locals_patch)
        if op_patch:
            self.ops.patch(op_patch)

        edge_rows = sorted(set(old_active[1]) | set(active[1]))
        edge_patch = _diff(self._edge_shown, edge_rows, self._edge_columns(edge_rows))
        if edge_patch:
            self.edges.patch(edge_patch)
            if "color" in edge_patch:
                self.arrows.patch({"color": edge_patch["color"]})

    def _update_mapper(self):
        lim = palette.symmetric_limit(self.model.compiled.tape.grad)
        if (self.mapper.low, self.mapper.high) != (-lim, lim):
            self.mapper.update(low=-lim, high=lim)

    # ------------------------------------------------------------------ columns
    def _active_targets(self):
        """(value row, edge rows, op row) of the node, edges and op of the current step record."""
        rec = self.model.active_record
        if rec is None or rec.node not in self._rows:
            return (None, (), None)
        edges = []
        op = getattr(rec, "op_node", None)
        if op is not None:
            edges.append(self._edge_rows.get((op, rec.node)))
            for child in self.model.compiled.op_inputs.get(op, ()):
                edges.append(self._edge_rows.get((child, op)))
        edge_rows = tuple(sorted({e for e in edges if e is not None}))
        return (self._rows[rec.node], edge_rows, self._op_rows.get(op))

    def _value_columns(self, rows):
        """Shown columns for value ``rows``: caption, grad (colour), alpha, border, hatch."""
        m = self.model
        data, grad, pending = m.shown_data, m.shown_grad, m.pending
        out_row = self._rows[m.compiled.output_id]
        active_row = self._active[0]
        cols = {k: [] for k in ("text", "grad", "data_s", "grad_s", "alpha", "text_alpha",
                                "line_color", "line_width", "hatch")}
        for r in rows:
            r = int(r)
            d, g, pend = float(data[r]), float(grad[r]), bool(pending[r])
            flagged = not pend and not (np.isfinite(d) and np.isfinite(g))
            cols["text"].append(node_caption(self._labels[r], d, g, pend, self._const[r]))
            cols["grad"].append(g)
            cols["data_s"].append("?" if pend else fmt(d))
            cols["grad_s"].append(fmt(g))
            cols["alpha"].append(0.18 if pend else 1.0)
            cols["text_alpha"].append(0.45 if pend else 1.0)
            if r == active_row:
                color, width = palette.ACTIVE_COLOR, 5.0
            elif flagged:
                color, width = palette.FLAG_COLOR, 3.0
            elif r == out_row:
                color, width = palette.OUTPUT_COLOR, 3.0
            else:
                color, width = palette.BORDER_COLOR, 1.2
            cols["line_color"].append(color)
            cols["line_width"].append(width)
            cols["hatch"].append("x" if flagged else " ")
        return cols

    def _op_locals(self):
        """Tooltip text of every op's local derivatives, from the backward step records."""
        m = self.model
        labels, rows, outputs = self._labels, self._rows, m.compiled.op_output
        local = m.backward_records.local_derivatives()   # no Step objects: cheap per slider move
        texts = []
        for o in m.compiled.op_ids:
            out = labels[rows[outputs[o]]]
            texts.append("; ".join(f"\u2202{out}/\u2202{name} = {formula} = {fmt(value)}"
                                   for name, formula, value in local.get(o, ())))
        return texts

    def _op_border_columns(self, rows):
        active = self._active[2]
        return {
            "line_color": [palette.ACTIVE_COLOR if r == active else palette.BORDER_COLOR for r in rows],
            "line_width": [4.0 if r == active else 1.2 for r in rows],
        }

    def _op_columns(self):
        rows = range(len(self.model.compiled.op_ids))
        return {"locals": self._op_locals(), **self._op_border_columns(rows)}

    def _edge_columns(self, rows=None):
        if rows is None:
            rows = range(len(self.model.compiled.edge_keys))
        active = set(self._active[1])
        return {
            "color": [palette.ACTIVE_COLOR if r in active else palette.EDGE_COLOR for r in rows],
            "width": [4.0 if r in active else 1.6 for r in rows],
        }


def _notebook_comm(doc):
    """The Jupyter comm a document is displayed through, or None (served, or not displayed)."""
    for view in list(getattr(state, "_views", {}).values()):
        try:
            _viewable, _root, view_doc, comm = view
        except (TypeError, ValueError):
            continue
        if view_doc is doc and comm is not None:
            return comm
    return None


def caption_font_units(widths, captions) -> float:
    """Caption font size in plot units (the zoom callback turns it into px).

    ``sizing.FONT_UNITS`` (what the boxes were sized for), smaller only when some caption has
    grown longer than its box since (a slider made a number longer).
    """
    fit = sizing.FONT_UNITS
    for w, t in zip(widths, captions):
        need = sizing.caption_width(len(t))
        if need > w - sizing.BOX_PADDING * 0.5:
            fit = min(fit, sizing.FONT_UNITS * (w - sizing.BOX_PADDING * 0.5) / need)
    return fit


def _xy(positions, ids):
    """x and y lists for ``ids`` (layouts' y grows upwards, like Bokeh's)."""
    return [float(positions[i][0]) for i in ids], [float(positions[i][1]) for i in ids]


def _empty_value_columns():
    cols = ["x", "y", "w", "h", "role", "label", "id", "text", "grad", "data_s", "grad_s",
            "alpha", "text_alpha", "line_color", "line_width", "hatch"]
    return {c: [] for c in cols}


def _empty_op_columns():
    cols = ["x", "y", "r", "op", "symbol", "id", "inputs", "output", "locals", "line_color", "line_width"]
    return {c: [] for c in cols}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (a != a and b != b)
    return a == b


def _diff(shown: dict, rows, new: dict) -> dict:
    """Patch dict for value ``rows`` whose new cells differ from ``shown``; updates ``shown``."""
    patches = {}
    for col, vals in new.items():
        cur = shown[col]
        cells = []
        for r, v in zip(rows, vals):
            r = int(r)
            if not _same(cur[r], v):
                cur[r] = v
                cells.append((r, v))
        if cells:
            patches[col] = cells
    return patches


def _diff_all(shown: dict, new: dict) -> dict:
    """Patch dict for whole columns ``new`` against ``shown`` (updates ``shown``)."""
    patches = {}
    for col, vals in new.items():
        cur = shown[col]
        cells = [(i, v) for i, (a, v) in enumerate(zip(cur, vals)) if not _same(a, v)]
        for i, v in cells:
            cur[i] = v
        if cells:
            patches[col] = cells
    return patches
