"""Collapsible scopes in the graph view: boxes, frames, clicks, the scope controls, follow.

What is drawn for a collapse state comes from :mod:`app.graph_page.scopes_display` (the graph
view draws ``model.display``). This module adds, on the same figure:

- under each collapsed scope, a second box offset behind it (a stack: "there is more inside");
  the box's caption is its output's (``h[0][1] | data | grad``), or for a box with several
  outputs the scope's name and their count (``layer 1 · 16 outputs``, the numbers on hover);
- around each open scope, a labelled frame (``▾ neuron 1``);
- an orange outline on the box the Player's step is inside, when that step's node is hidden;
- a click on a box opens it in place; a click on a frame (not on a node) closes it;
- controls: collapse to layers / to neurons, expand all, *follow* (open the scope the step is
  in, close it again when the pass leaves it) and per-op / per-neuron Player steps.

Expanding and collapsing only sets ``model.expanded``; the Tape, values and records stay.
"""

from __future__ import annotations

import panel as pn
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, CustomJS
from panel.io.document import unlocked

from . import graph_viewport, palette
from .no_relayout import set_shown
from .scopes_display import all_open, level_state

FRAME_FILL = "#eef3fb"
FRAME_LINE = "#8aa2c8"
NAME_COLOR = "#3b5b8c"
STACK_OFFSET = 6.0
FRAME_LABEL_UNITS = 13.0
NAN = float("nan")

_ZOOM_JS = graph_viewport.FEWEST_CUTS_JS + """
const d = frames.data, k = d.focus.indexOf(true), g = info.data;
if (k < 0 || p.properties.inner_width.is_unset) { return; }
const iw = p.inner_width, ih = p.inner_height;
const fw = d.w[k] * 1.15, fh = d.h[k] * 1.3;
// px per unit: the frame fits, not blown up, and never so small that captions drop under the
// first view's least readable size: a wide frame is then shown from its left end
const s = Math.max(min_px / g.size[0], Math.min(1.2, iw / fw, ih / fh));
const xr = p.x_range, yr = p.y_range;
xr.have_updated_interactively = true;
yr.have_updated_interactively = true;
const vw = iw / s, vh = ih / s, gap = 6 / s;
const fx0 = d.x[k] - d.w[k] / 2, fx1 = d.x[k] + d.w[k] / 2;
const fy0 = d.y[k] - d.h[k] / 2, fy1 = d.y[k] + d.h[k] / 2;
// too wide to fit: start at its left edge (its label, where its inputs come in); the view's
// edges then pass between boxes, the frame (or its left end) staying in view
const wide = d.w[k] * 1.05 > vw;
let cx = wide ? fx0 - 0.04 * vw + vw / 2 : d.x[k];
cx = wide ? fewest_cuts(cx, vw / 2, cx - vw / 4, cx + 0.04 * vw - gap, g.bx0[0], g.bx1[0], gap)
          : fewest_cuts(cx, vw / 2, fx1 + gap - vw / 2, fx0 - gap + vw / 2, g.bx0[0], g.bx1[0], gap);
let cy = d.y[k];
if (fy1 - fy0 + 2 * gap <= vh) {
  cy = fewest_cuts(cy, vh / 2, fy1 + gap - vh / 2, fy0 - gap + vh / 2, g.by0[0], g.by1[0], gap);
}
xr.setv({start: cx - vw / 2, end: cx + vw / 2});
yr.setv({start: cy - vh / 2, end: cy + vh / 2});
"""

_LABEL_JS = """
if (p.properties.inner_width.is_unset || p.properties.inner_height.is_unset) { return; }
const sx = p.inner_width / Math.max(1e-9, p.x_range.end - p.x_range.start);
const sy = p.inner_height / Math.max(1e-9, p.y_range.end - p.y_range.start);
const px = Math.min(14, units * Math.min(sx, sy));
if (!isFinite(px)) { return; }
r.visible = px >= 7;
r.glyph.text_font_size = px.toFixed(1) + 'px';
"""


class ScopesView:
    """Scope decorations and controls for one :class:`~app.graph_page.graph_view.GraphView`.

    Attributes: ``frames``, ``boxes``, ``active`` (ColumnDataSource), ``view`` (the control
    row, hidden when the graph has no scopes), ``follow`` and ``step_by`` widgets.
    """

    def __init__(self, model, graph_view):
        self.model = model
        self.graph_view = graph_view
        self._followed = frozenset()        # paths opened by "follow", closed when it leaves
        self.frames = ColumnDataSource(dict(x=[], y=[], w=[], h=[], label=[], lx=[], ly=[],
                                            focus=[]))
        self._focus = None                  # the scope a click just opened: zoom to it
        self.boxes = ColumnDataSource(dict(x=[], y=[], w=[], h=[], name=[]))
        self.active = ColumnDataSource(dict(x=[NAN], y=[NAN], w=[0.0], h=[0.0]))
        self._add_renderers(graph_view.figure)
        self._build_controls()
        model.param.watch(self._on_frame, "frame")
        if model.frame is not None:
            self._on_frame(None)

    # ------------------------------------------------------------------ figure
    def _add_renderers(self, p) -> None:
        p.rect("x", "y", "w", "h", source=self.frames, fill_color=FRAME_FILL, fill_alpha=0.55,
               line_color=FRAME_LINE, line_dash="dashed", line_width=1.5, border_radius=12,
               level="underlay", name="scope-frames")
        labels = p.text("lx", "ly", text="label", source=self.frames, text_align="left",
                        text_baseline="top", text_font_size="12px", text_color=NAME_COLOR,
                        text_font_style="bold", name="scope-frame-labels")
        # frame labels scale with the zoom like the captions (FRAME_LABEL_UNITS plot units
        # high), hidden when too small to read
        scale = CustomJS(args=dict(p=p, r=labels, units=FRAME_LABEL_UNITS), code=_LABEL_JS)
        for rng in (p.x_range, p.y_range):
            rng.js_on_change("start", scale)
            rng.js_on_change("end", scale)
        # a scope opened by a click: after the new drawing is fitted, zoom to its frame
        self.frames.js_on_change("data", CustomJS(
            args=dict(p=p, frames=self.frames, info=self.graph_view.info,
                      min_px=graph_viewport.MIN_FONT_PX), code=_ZOOM_JS))
        p.rect("x", "y", "w", "h", source=self.boxes, fill_color="#dfe3ea", line_color="#9aa3b2",
               line_width=1.2, border_radius=8, level="underlay", name="scope-box-stacks")
        p.rect("x", "y", "w", "h", source=self.active, fill_alpha=0.0,
               line_color=palette.ACTIVE_COLOR, line_width=5.0, border_radius=8,
               name="scope-active")
        p.on_event(Tap, self._on_tap)

    def _draw(self) -> None:
        """Boxes and frames of the current collapse state."""
        d = self.model.display
        boxes = getattr(d, "boxes", [])
        frames = getattr(d, "frames", [])
        self.boxes.data = dict(
            x=[b["x"] + STACK_OFFSET for b in boxes], y=[b["y"] - STACK_OFFSET for b in boxes],
            w=[b["w"] for b in boxes], h=[b["h"] for b in boxes],
            name=[_box_name(b) for b in boxes])
        self.frames.data = dict(
            x=[(f["x0"] + f["x1"]) / 2 for f in frames], y=[(f["y0"] + f["y1"]) / 2 for f in frames],
            w=[f["x1"] - f["x0"] for f in frames], h=[f["y1"] - f["y0"] for f in frames],
            label=["\u25be " + f["path"][-1] for f in frames],
            lx=[f["x0"] + 8 for f in frames], ly=[f["y1"] - 4 for f in frames],
            focus=[f["path"] == self._focus for f in frames])
        self._focus = None

    def _mark_active(self) -> None:
        """Outline the box the current step happens inside (its node is hidden in it)."""
        m, d = self.model, self.model.display
        rec = m.active_record
        box = None
        owner = getattr(d, "owner", {})
        if rec is not None and rec.node in owner:
            box = next((b for b in d.boxes if b["id"] == owner[rec.node]), None)
        row = (dict(x=[box["x"]], y=[box["y"]], w=[box["w"] + 8], h=[box["h"] + 8]) if box
               else dict(x=[NAN], y=[NAN], w=[0.0], h=[0.0]))
        if row != dict(self.active.data):
            self.active.data = row

    # ------------------------------------------------------------------ events
    def _on_frame(self, event) -> None:
        frame = self.model.frame
        if frame.kind == "structure":
            self._followed = frozenset()
            self._sync_controls()
        if frame.kind in ("step", "mode") and self.follow.value:
            if self._follow():
                return                      # the "view" frame it caused drew everything
        with unlocked():
            if frame.kind in ("structure", "view"):
                self._draw()
            self._mark_active()
        # in a notebook the factory pushes the figure's edits after each frame

    def _on_tap(self, event) -> None:
        d = self.model.display
        x, y = event.x, event.y
        for b in getattr(d, "boxes", []):
            if abs(x - b["x"]) <= b["w"] / 2 and abs(y - b["y"]) <= b["h"] / 2:
                self.open(b["path"])
                return
        for f in sorted(getattr(d, "frames", []), key=lambda f: -len(f["path"])):
            if f["x0"] <= x <= f["x1"] and f["y0"] <= y <= f["y1"]:
                if not _on_a_node(d, x, y):
                    self.close(f["path"])
                return

    # ------------------------------------------------------------------ state changes
    def _state(self) -> frozenset:
        m = self.model
        return all_open(m.compiled) if m.expanded is None else frozenset(m.expanded)

    def open(self, path) -> None:
        """Draw scope ``path`` open (and the scopes around it)."""
        path = tuple(path)
        self._focus = path
        self.model.expanded = self._state() | {path[:k] for k in range(1, len(path) + 1)}

    def close(self, path) -> None:
        """Draw scope ``path`` as one box (closing the scopes inside it)."""
        path = tuple(path)
        self._followed = frozenset()
        self.model.expanded = frozenset(p for p in self._state() if p[:len(path)] != path)

    def collapse_to(self, level: str) -> None:
        """``"layers"``, ``"neurons"`` or ``"all"`` (expand all)."""
        self._followed = frozenset()
        state = level_state(self.model.compiled, level)
        if state is not None:
            self.model.expanded = state

    def _follow(self) -> bool:
        """Open the scope of the current step, close what follow opened and the step left.
        Returns True when the collapse state changed."""
        m = self.model
        rec = m.active_record
        path = ()
        if rec is not None and rec.kind in ("backward", "forward", "scope"):
            path = getattr(rec, "scope", None) or m.node_scopes.get(rec.node, ())
        wanted = {path[:k] for k in range(1, len(path) + 1)}
        state = self._state()
        opened = frozenset(wanted - state)
        left = self._followed - wanted
        self._followed = (self._followed - left) | opened
        new = (state - left) | opened
        if new == state:
            return False
        m.expanded = frozenset(new)
        return True

    # ------------------------------------------------------------------ controls
    def _build_controls(self) -> None:
        def button(label, level):
            b = pn.widgets.Button(label=label, margin=(4, 4), css_classes=[f"scopes-{level}"],
                                  stylesheets=[":host { font-size: 13px; }"])
            b.on_click(lambda event: self.collapse_to(level))
            return b

        self.follow = pn.widgets.Checkbox(label="follow the step", value=False, margin=(12, 8),
                                          css_classes=["scopes-follow"])
        self.step_by = pn.widgets.RadioButtonGroup(
            options={"step per op": "op", "step per neuron": "neuron"}, value=self.model.step_by,
            margin=(4, 8), css_classes=["scopes-step-by"])
        self.step_by.param.watch(lambda e: setattr(self.model, "step_by", e.new), "value")
        self.model.param.watch(lambda e: setattr(self.step_by, "value", e.new), "step_by")
        self.follow.param.watch(self._on_follow_toggled, "value")
        title = pn.pane.HTML("<span style='font-size:13px;color:#555'>Scopes:</span>",
                             margin=(10, 4, 4, 8))
        # wraps on a narrow (phone) screen instead of running off it
        self.view = pn.FlexBox(title, button("collapse to layers", "layers"),
                               button("collapse to neurons", "neurons"),
                               button("expand all", "all"), self.follow, self.step_by,
                               flex_wrap="wrap", align_items="center", margin=0,
                               sizing_mode="stretch_width", css_classes=["scope-controls"])
        self._sync_controls()

    def _sync_controls(self) -> None:
        set_shown(self.view, any(self.model.node_scopes.values()))    # not visible: see set_shown

    def _on_follow_toggled(self, event) -> None:
        if event.new:
            self._follow()
        elif self._followed:
            state, self._followed = self._state() - self._followed, frozenset()
            self.model.expanded = state


def _box_name(box) -> str:
    name = " / ".join(box["path"])
    if box["n_inner"]:
        name += f" ({box['n_inner']} inside)"
    return name + "  \u25b8"


def _on_a_node(d, x, y) -> bool:
    """True when (x, y) is on a drawn value box or op circle (a click meant for it)."""
    lay = d.layout
    for n, (cx, cy) in lay.positions.items():
        if cx != cx:
            continue
        w, h = lay.sizes[n]
        if abs(x - cx) <= w / 2 and abs(y - cy) <= h / 2:
            return True
    return False
