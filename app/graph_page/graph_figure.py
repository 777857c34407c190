"""Building the graph plot: the Bokeh figure, its glyphs and the static columns of a structure.

:func:`build_figure` runs once per app instance; :func:`structure_columns` once per graph
structure (positions, sizes, labels: what never changes while sliders move or the Player steps).
What changes per step lives in :mod:`app.graph_page.graph_patch`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from bokeh.core.properties import value
from bokeh.models import (
    Arrow,
    ColorBar,
    ColumnDataSource,
    CustomJS,
    HoverTool,
    NormalHead,
    Range1d,
)
from bokeh.plotting import figure

from . import graph_viewport, palette
from .formatting import op_symbol

VALUE_COLUMNS = ("x", "y", "w", "h", "role", "label", "id", "text", "grad", "data_s", "grad_s",
                 "alpha", "text_alpha", "line_color", "line_width", "hatch")
OP_COLUMNS = ("x", "y", "r", "op", "symbol", "id", "inputs", "output", "locals", "line_color",
              "line_width")

#: The camera's point: the current step's box, centre and half sizes (``GraphPatcher.focus_point``).
FOCUS_COLUMNS = ("x", "y", "hw", "hh")

_FOLLOW_JS = """
const x = focus.data.x[0], y = focus.data.y[0], hw = focus.data.hw[0], hh = focus.data.hh[0];
const xr = p.x_range, yr = p.y_range;
const w = xr.end - xr.start, h = yr.end - yr.start;
if (!(w > 0 && h > 0) || !isFinite(x) || !isFinite(y)) { return; }
// the whole box 2 % inside the view (a box wider than the view: its centre 3 % inside)
const out = (v, r, lo, hi, span) => 2 * r < 0.96 * span ? v - r < lo + 0.02 * span || v + r > hi - 0.02 * span
                                                         : v < lo + 0.03 * span || v > hi - 0.03 * span;
// as the pan tool does: marked interactive, so auto-ranging does not undo it
if (out(x, hw, xr.start, xr.end, w)) {
  const sx = x - (xr.start + xr.end) / 2;
  xr.have_updated_interactively = true;
  xr.setv({start: xr.start + sx, end: xr.end + sx});
}
if (out(y, hh, yr.start, yr.end, h)) {
  const sy = y - (yr.start + yr.end) / 2;
  yr.have_updated_interactively = true;
  yr.setv({start: yr.start + sy, end: yr.end + sy});
}
"""

LEGEND = ("box: label | data | grad   \u00b7   fill: grad   \u00b7   orange: this step   "
          "\u00b7   hover for details, scroll to zoom")


def empty_sources() -> dict:
    """The plot's ColumnDataSources, empty (name -> source)."""
    return {
        "values": ColumnDataSource({c: [] for c in VALUE_COLUMNS}),
        "ops": ColumnDataSource({c: [] for c in OP_COLUMNS}),
        "edges": ColumnDataSource({"xs": [], "ys": [], "color": [], "width": []}),
        "arrows": ColumnDataSource({"x0": [], "y0": [], "x1": [], "y1": [], "shown": [], "color": []}),
        "marks": ColumnDataSource({"x": [], "y": [], "text": []}),
        # boxes of non-finite values (few): hatched by their own glyph, because a per-row hatch
        # pattern on the value boxes makes BokehJS build one canvas per row on every update
        "flags": ColumnDataSource({"x": [], "y": [], "w": [], "h": []}),
        "multiplicity": ColumnDataSource({"x": [], "y": [], "text": []}),
        # per structure: bounds, output centre, caption font size in plot units (read by the
        # first-view and zoom callbacks, see graph_viewport)
        "info": ColumnDataSource(graph_viewport.empty_info(), name="graph-info"),
        # the node the Player is at, one row, patched per step (the camera follows it)
        "focus": ColumnDataSource({c: [z] for c, z in zip(FOCUS_COLUMNS, (float("nan"),) * 2 + (0.0,) * 2)}),
    }


def build_figure(src, mapper):
    """The graph figure drawing the sources of ``src`` (an object with the source attributes of
    :func:`empty_sources`), boxes coloured by grad through ``mapper``, and its minimap.

    Returns ``(figure, minimap)``. The ranges are set in the browser (the first view depends
    on the plot's pixel size): :mod:`app.graph_page.graph_viewport`."""
    p = figure(
        x_range=Range1d(0, 1), y_range=Range1d(0, 1), sizing_mode="stretch_both", tools="pan,wheel_zoom,reset,save",
        active_scroll="wheel_zoom", toolbar_location="above", min_border=4,
        background_fill_color="#ffffff", border_fill_color="#ffffff", outline_line_color=None,
        name="graph-plot",
    )
    p.title.text = LEGEND
    p.title.update(text_font_size="13px", text_font_style="normal", text_color="#555555")
    p.axis.visible = False
    p.grid.visible = False
    p.toolbar.logo = None
    p.multi_line("xs", "ys", source=src.edges, line_color="color", line_width="width", line_alpha=0.9)
    # "shown" 0 hides the head of an edge not drawn (inside a collapsed scope): BokehJS draws a
    # head with NaN ends as a dot at the frame's top-left corner
    head = NormalHead(size=9, fill_color="color", line_color="color", line_width=1,
                      fill_alpha="shown", line_alpha="shown")
    p.add_layout(Arrow(end=head, x_start="x0", y_start="y0", x_end="x1", y_end="y1",
                       source=src.arrows, line_alpha=0, line_width=0))
    value_boxes = p.rect(
        "x", "y", width="w", height="h", source=src.values,
        fill_color={"field": "grad", "transform": mapper}, fill_alpha="alpha",
        line_color="line_color", line_width="line_width", border_radius=8, name="value-boxes",
    )
    p.rect("x", "y", width="w", height="h", source=src.flags, fill_alpha=0, line_alpha=0,
           hatch_pattern="x", hatch_color=palette.FLAG_COLOR, hatch_alpha=0.6, hatch_scale=8,
           border_radius=8, name="flag-hatches")
    captions = p.text(
        "x", "y", text="text", source=src.values, text_align="center", text_baseline="middle",
        text_font_size="12px", text_color="#111111", text_alpha="text_alpha",
        text_font=value("Helvetica, Arial, sans-serif"), text_font_style="normal",
        name="value-captions",
    )
    op_circles = p.circle(
        "x", "y", radius="r", source=src.ops, fill_color=palette.OP_FILL,
        line_color="line_color", line_width="line_width", name="op-circles",
    )
    symbols = p.text(
        "x", "y", text="symbol", source=src.ops, text_align="center", text_baseline="middle",
        text_font_size="12px", text_color="#222222", text_font_style="bold", name="op-symbols",
    )
    p.text("x", "y", text="text", source=src.marks, text_align="center", text_baseline="bottom",
           text_font_size="13px", text_color=palette.OUTPUT_COLOR, text_font_style="bold")
    p.text("x", "y", text="text", source=src.multiplicity, text_align="center",
           text_baseline="bottom", text_font_size="13px", text_color="#333333",
           text_font_style="bold", y_offset=-3)
    _add_hover_and_colour_bar(p, value_boxes, op_circles, mapper)
    minimap = graph_viewport.build_minimap(src.values, src.edges)
    graph_viewport.attach(p, minimap, src.info, src.focus, [captions], [symbols], [head])
    # Zoomed into a large graph, the camera follows the Player: when the node of the step
    # leaves the view, the view pans to centre it (never zooms, so the reader's scale stays).
    src.focus.js_on_change("patching", CustomJS(args=dict(p=p, focus=src.focus), code=_FOLLOW_JS))
    p.scatter("x", "y", source=src.focus, visible=False)   # puts the source in the document
    return p, minimap


def _add_hover_and_colour_bar(p, value_boxes, op_circles, mapper) -> None:
    """Tooltips of the value boxes and op circles, and the grad colour scale under the plot."""
    p.add_tools(
        HoverTool(renderers=[value_boxes], point_policy="follow_mouse",
                  # data, grad, role as HTML: a layer's box lists its outputs one a line
                  # (graph_patch.output_list), a long role wraps (role_html); both escape
                  # labels, the other cells hold a number
                  tooltips=[("value", "@label"), ("data", "@data_s{safe}"),
                            ("grad", "@grad_s{safe}"), ("role", "@role{safe}")]),
        HoverTool(renderers=[op_circles], point_policy="follow_mouse",
                  tooltips=[("op", "@op"), ("inputs", "@inputs"), ("output", "@output"),
                            ("local derivatives", "@locals")]),
    )
    p.add_layout(ColorBar(
        color_mapper=mapper, title="grad (colour scale, symmetric around 0)",
        orientation="horizontal", height=10, width=graph_viewport.COLOUR_BAR_START, location="center",
        major_label_text_font_size="12px", title_text_font_size="12px",
        title_text_font_style="normal", padding=2, margin=2, title_standoff=2,
    ), "below")


@dataclass
class StructureColumns:
    """The static columns of one structure, per source, plus the op symbols' font size."""

    values: dict
    ops: dict
    edges: dict
    arrows: dict
    marks: dict
    multiplicity: dict
    op_font_units: float


def structure_columns(cg) -> StructureColumns:
    """Positions, sizes and names of a :class:`~app.graph_page.compiled.CompiledGraph`.

    What the browser is sent is kept small, since a structure change sends all of it: numbers
    as arrays (binary, where a list of floats is JSON with every NaN spelled out as an object),
    edge points rounded to 0.01 plot units, and nothing but the id and label for what is not
    drawn (the members of a collapsed scope: NaN positions), so no hover text, no empty
    polylines of NaN points. A collapsed 5,000-node MLP loss: 3.0 MB of columns -> see
    ``python -m bench.app --open``."""
    lay, G = cg.layout, cg.graph
    rows = {v: i for i, v in enumerate(cg.value_ids)}
    labels = [cg.labels[v] for v in cg.value_ids]
    xs, ys = _xy(lay.positions, cg.value_ids)
    hs = [float(lay.sizes[v][1]) for v in cg.value_ids]
    values = dict(x=xs, y=ys, w=[float(lay.sizes[v][0]) for v in cg.value_ids], h=hs,
                  role=[role_html(G.nodes[v].get("role", ""))
                        if lay.positions[v][0] == lay.positions[v][0] else "" for v in cg.value_ids],
                  label=labels, id=list(cg.value_ids))
    _append_copies(values, cg)
    oxs, oys = _xy(lay.positions, cg.op_ids)
    radii = [0.5 * min(lay.sizes[o]) for o in cg.op_ids]
    ops = [str(G.nodes[o].get("op", "")) for o in cg.op_ids]
    shown = [x == x for x in oxs]
    # an op reading the output that draws a layer's box reads that output, not the layer
    own = {rep: dict(outs)[rep] for rep, outs in getattr(cg, "summaries", {}).items()}
    op_cols = dict(
        x=oxs, y=oys, r=radii, op=ops,
        symbol=[op_symbol(o) if on else "" for o, on in zip(ops, shown)], id=list(cg.op_ids),
        inputs=[", ".join(own[i] if i in own else labels[rows[i]] for i in cg.op_inputs[o])
                if on else "" for o, on in zip(cg.op_ids, shown)],
        output=[labels[rows[cg.op_output[o]]] if on else "" for o, on in zip(cg.op_ids, shown)],
    )
    exs, eys = [], []
    heads = {"x0": [], "y0": [], "x1": [], "y1": [], "shown": []}
    for e in cg.edge_keys:
        pts = lay.edges[e]
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        drawn = all(q[0] == q[0] for q in pts)
        exs.append([round(float(q[0]), 2) for q in pts] if drawn else [])
        eys.append([round(float(q[1]), 2) for q in pts] if drawn else [])
        for k, v in zip(("x0", "y0", "x1", "y1"), (x0, y0, x1, y1)):
            heads[k].append(float(v))
        heads["shown"].append(1.0 if drawn else 0.0)
    out = rows[cg.output_id]
    marks = dict(x=[xs[out]], y=[ys[out] + hs[out] * 0.62], text=["output"])
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
    radius = float(np.median(radii)) if radii else 1.0
    return StructureColumns(values=_arrays(values, "x", "y", "w", "h"),
                            ops=_arrays(op_cols, "x", "y", "r"), edges=dict(xs=exs, ys=eys),
                            arrows=_arrays(heads, *heads), marks=marks, multiplicity=mult,
                            op_font_units=0.9 * radius)


#: A role longer than this wraps in the hover (a box's "what it holds" ran the tooltip ~700 px
#: wide, off the screen's edge, the layer's outputs listed above it cut off too).
WRAP_ROLE_CHARS = 48


def role_html(text: str) -> str:
    """A value's hover ``role`` cell as HTML (the tooltip shows it ``{safe}``): ``text``
    escaped (it names labels, which are the reader's text), wrapped when long."""
    escaped = html.escape(text)
    if len(text) <= WRAP_ROLE_CHARS:
        return escaped
    return f'<div style="white-space:normal;max-width:24em">{escaped}</div>'


def _arrays(columns: dict, *names) -> dict:
    """``columns`` with the numeric columns ``names`` as float arrays (sent in binary)."""
    return {**columns, **{n: np.asarray(columns[n], dtype=float) for n in names}}


def copy_rows(cg) -> list:
    """``[(copy id, leaf id)]``: the extra drawings of far-used leaves (``Layout.copies``) that
    are drawn, in a fixed order; their rows follow the value rows (see :func:`structure_columns`)."""
    copies = getattr(cg.layout, "copies", None) or {}
    drawn = [(c, leaf) for c, leaf in copies.items()
             if leaf in cg.layout.positions and cg.layout.positions[c][0] == cg.layout.positions[c][0]]
    return sorted(drawn, key=lambda item: (str(item[1]), item[0][2]))


def _append_copies(values: dict, cg) -> None:
    """One more value row per drawn copy: the leaf's label, id (a click selects the leaf) and
    role, saying that it is the same value drawn again."""
    lay, G = cg.layout, cg.graph
    copies = copy_rows(cg)
    drawings = {}
    for _, leaf in copies:
        drawings[leaf] = drawings.get(leaf, 1) + 1
    for c, leaf in copies:
        x, y = lay.positions[c]
        w, h = lay.sizes[c]
        role = G.nodes[leaf].get("role", "")
        same = (f"the same value as {cg.labels[leaf]} (drawn {drawings[leaf]} times, "
                "each near its uses)")
        for col, val in (("x", float(x)), ("y", float(y)), ("w", float(w)), ("h", float(h)),
                         ("role", role_html(f"{role}; {same}" if role else same)),
                         ("label", cg.labels[leaf]),
                         ("id", leaf)):
            values[col].append(val)


def _xy(positions, ids):
    """x and y lists for ``ids`` (layouts' y grows upwards, like Bokeh's)."""
    return [float(positions[i][0]) for i in ids], [float(positions[i][1]) for i in ids]
