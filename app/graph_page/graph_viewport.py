"""What part of the graph is on screen, at what size: the first view, semantic zoom, the minimap.

All of it runs in the browser (it depends on the plot's pixel size, which only the browser knows)
from one small per-structure source, ``info``: the drawing's bounds, a region of interest and
the caption font size in plot units.

- **First view** (a new graph or collapse state, or the plot resized before the reader zoomed):
  the whole graph if its captions are then at least :data:`WHOLE_FONT_PX` tall; otherwise the
  scale at which they are comfortable to read (filling the plot's height when that is
  readable) around a region of interest: the scope opened last or the network's scopes
  (neurons, layers), from their left edge when they do not fit (on a phone, a box or two
  across, the output end instead, unless the reader opened the scope: one end of a network
  left the plot mostly empty, an inspected sample's first layer alone); without scopes the
  output end, where the backward pass starts; a little smaller (down to :data:`MIN_FONT_PX`)
  when the region then fits across; its edges moved, within what keeps the region in view, to
  pass between boxes rather than through them; moved, past the graph's edge if need be, so
  that the minimap does not cover that region; and where that leaves the current step's node
  (orange, explained by the step panel) out of view, around that node instead. The reset tool
  returns to it.
- **Semantic zoom**: captions and op symbols get a font size in screen pixels from the scale;
  below :data:`HIDE_FONT_PX` they are hidden, not drawn as smudges (hover still tells all).
- **Minimap**: a small overview of the whole graph with the viewport as a draggable rectangle
  (Bokeh's ``RangeTool``), shown whenever the whole graph is not in view; smaller on a phone.
"""

from __future__ import annotations

from bokeh.models import CustomJS, DataRange1d, RangeTool
from bokeh.plotting import figure

from ..responsive import PHONE_QUERY

#: The first view never shows part of a graph with captions smaller than this (CSS px).
MIN_FONT_PX = 11.0
#: ... but shows a graph whole down to this: a view cut by a few per cent hides whole boxes
#: (the tanh neuron at 1280x720 fits at 10.3 px and lost its leaves, whose grads the lecture
#: is about), which costs a reader more than a pixel of caption does.
WHOLE_FONT_PX = 10.0
#: Zoomed out, captions smaller than this (CSS px) are hidden rather than drawn as smudges;
#: op symbols (one glyph each) below :data:`HIDE_SYMBOL_PX`.
HIDE_FONT_PX, HIDE_SYMBOL_PX = 8.0, 7.0
#: Largest caption size (CSS px) zooming in gives.
MAX_FONT_PX = 22.0
#: Caption size (CSS px) the first view of a graph too big to read whole is drawn at, at most.
COMFORT_FONT_PX = 12.0
#: Smallest drawing extent shown (plot units), so tiny graphs are not magnified beyond ~1.5x.
MIN_SPAN = (640.0, 250.0)
#: Margin around the whole graph, as a fraction of its extent.
PAD = 0.04
#: Minimap width and height range (px); its height follows the graph's shape.
MINIMAP_WIDTH, MINIMAP_HEIGHTS = 240, (40, 150)
#: On a plot narrower than twice :data:`MINIMAP_WIDTH` (a phone), the minimap takes this share
#: of the plot's width, at least :data:`MINIMAP_MIN_WIDTH` px (heights scaled alike).
MINIMAP_SHARE, MINIMAP_MIN_WIDTH = 0.3, 100
#: ... and at least this tall (px), so that its viewport rectangle can still be dragged.
MINIMAP_MIN_HEIGHT = 36
#: Room (px) the first view keeps clear beside and above the minimap for the region it shows:
#: the minimap's offset from the plot frame's corner (app.factory.MINIMAP_CSS, less the toolbar
#: and colour bar), plus a gap.
MINIMAP_RESERVE = (48, 28)
#: Its height is a multiple of this (px, scaled alike): graphs of about the same shape get the
#: same minimap, and no layout of the page (see ``_ZOOM_JS``).
MINIMAP_HEIGHT_STEP = 8
#: ... and at most this share of the plot's height (its width shrunk alike, the overview keeps
#: its shape): an inspected sample's neurons, a tall graph, had a 130 px overview over a 300 px
#: plot at 1280x720, covering the loss's end of the graph.
MINIMAP_MAX_HEIGHT_SHARE = 0.3
#: The grad colour bar's width (px), less on a plot narrower than it and a margin (a phone),
#: where it was cut at the left, title and all.
COLOUR_BAR_WIDTH, COLOUR_BAR_MARGIN = 360, 30
#: ... and its width until the browser knows the plot's: narrow, so that it only ever grows (a
#: bar made narrower left a stale sliver of its first drawing at the plot's left edge).
COLOUR_BAR_START = 200


def empty_info() -> dict:
    """``info`` before any graph: a unit square."""
    return {"size": [1.0], "op_size": [1.0], "x0": [0.0], "x1": [1.0], "y0": [0.0], "y1": [1.0],
            "rx0": [0.0], "rx1": [1.0], "ry0": [0.0], "ry1": [1.0], "right": [1.0],
            "ox0": [0.0], "ox1": [1.0], "oy0": [0.0], "oy1": [1.0], "phone_out": [0.0],
            "bx0": [[]], "bx1": [[]], "by0": [[]], "by1": [[]], "gen": [0], "dx": [0.0], "dy": [0.0]}


def _bounds(rects):
    """(x0, x1, y0, y1) around ``(x, y, w, h)`` rectangles (centres and sizes), NaN skipped."""
    rects = [r for r in rects if r[0] == r[0]]
    if not rects:
        return None
    return (min(x - w / 2 for x, y, w, h in rects), max(x + w / 2 for x, y, w, h in rects),
            min(y - h / 2 for x, y, w, h in rects), max(y + h / 2 for x, y, w, h in rects))


def info_columns(display, font_units: float, op_font_units: float, phone_output: bool = True) -> dict:
    """``info`` for a drawn graph (a ``CompiledGraph`` or a ``DisplayGraph``): the bounds of
    every drawn box and circle (members of a collapsed scope have NaN positions: not drawn),
    the region the first view centres when the whole is too big to read, and the font sizes in
    plot units. The region: the innermost open scopes when one is open inside another (the
    neuron a click, *follow* or a link opened), else the scopes' boxes and frames (the
    network); without scopes, the output node, where the backward pass starts. With
    ``phone_output`` a phone shows the output end instead of a network too wide for it (not a
    scope the reader opened; see ``_FIT_JS``)."""
    lay = display.layout
    whole = _bounds([(x, y, *lay.sizes[n]) for n, (x, y) in lay.positions.items()]) or (0.0, 1.0, 0.0, 1.0)
    frames = getattr(display, "frames", [])
    depth = max((len(f["path"]) for f in frames), default=0)
    if depth > 1:          # a scope opened inside another (a click, follow, a link): that one
        frames = [f for f in frames if len(f["path"]) == depth]
        scoped = []
    else:
        scoped = [(b["x"], b["y"], b["w"], b["h"]) for b in getattr(display, "boxes", [])]
    scoped += [((f["x0"] + f["x1"]) / 2, (f["y0"] + f["y1"]) / 2, f["x1"] - f["x0"], f["y1"] - f["y0"])
               for f in frames]
    out = lay.positions.get(display.output_id, (float("nan"),) * 2)
    region = _bounds(scoped)
    # wider than the view: scopes are shown from their left edge (their frame label, where
    # their inputs come in, as a click opens them), a graph without scopes from its output
    right = region is None
    output = _bounds([(*out, *lay.sizes.get(display.output_id, (0, 0)))]) or whole
    region = region or output
    cols = dict(zip(("x0", "x1", "y0", "y1"), whole))
    cols.update(zip(("rx0", "rx1", "ry0", "ry1"), region))
    cols.update(zip(("ox0", "ox1", "oy0", "oy1"), output))
    cols["right"] = 1.0 if right else 0.0
    cols["phone_out"] = 1.0 if phone_output and depth <= 1 else 0.0
    cols.update(size=font_units, op_size=op_font_units, dx=0.0, dy=0.0)
    info = {k: [float(v)] for k, v in cols.items()}
    info["gen"] = [0]       # how many times this graph was drawn again (see RELAYOUT_JS)
    # every drawn box's extent, so that the first view's edges can pass between boxes
    # rather than through them (rounded: a plot unit is about a pixel at reading size); across,
    # the open scopes' frames too: a frame's label is at its top
    drawn = [(x, y, *lay.sizes[n]) for n, (x, y) in lay.positions.items() if x == x and y == y]
    for key, k, half in (("bx0", 0, -1), ("bx1", 0, 1), ("by0", 1, -1), ("by1", 1, 1)):
        info[key] = [[round(r[k] + half * r[k + 2] / 2, 1) for r in drawn]]
    for key in ("y0", "y1"):
        info["b" + key][0] += [round(f[key], 1) for f in getattr(display, "frames", [])]
    return info


#: ``fewest_cuts(c, h, lo, hi, e0, e1, gap)``: where a view's edges cut the drawn boxes least
#: (the first view, and a scope a click opens: ``app.graph_page.scopes_view``).
FEWEST_CUTS_JS = """
// The first view's edges pass between boxes where they can: a view centred c (half-width h)
// may move within [lo, hi]; it goes where its edges cut the boxes [e0[i], e1[i]] least, then
// to the nearest such place to c. A box cut in half hides what it is (the MLP's inputs were);
// one cut near its end, a sliver shown or a sliver hidden, much less: a cut costs the square
// of the smaller part's share of the box (three slivers are better than one box cut across).
function fewest_cuts(c, h, lo, hi, e0, e1, gap) {
  if (!(lo <= c && c <= hi)) { return c; }
  const near = [];
  for (let i = 0; i < e0.length; i++) {
    if (e1[i] > lo - h - gap && e0[i] < hi + h + gap) { near.push(i); }
  }
  if (near.length > 800) { return c; }        // a big graph's many boxes: keep the view as it is
  const cut_off = (t) => {
    let k = 0;
    const a = t - h, b = t + h;
    for (const i of near) {
      const w = Math.max(e1[i] - e0[i], 1e-9);
      if (e0[i] < a && a < e1[i]) { k += (Math.min(a - e0[i], e1[i] - a) / w) ** 2; }
      if (e0[i] < b && b < e1[i]) { k += (Math.min(b - e0[i], e1[i] - b) / w) ** 2; }
    }
    return k;
  };
  let best = c, least = cut_off(c);
  const tries = [lo, hi];
  for (const i of near) {
    tries.push(e0[i] - gap + h, e1[i] + gap + h, e0[i] - gap - h, e1[i] + gap - h);
  }
  for (const t of tries) {
    if (!(t >= lo && t <= hi) || least < 1e-9) { continue; }
    const k = cut_off(t);
    if (k < least - 1e-9 || (k < least + 1e-9 && Math.abs(t - c) < Math.abs(best - c))) {
      best = t; least = k;
    }
  }
  return best;
}
"""

_MINIMAP_JS = """
function minimap_size(W, H, d) {   // [width, height] px of the overview on a plot W x H px
  const mw = W >= 2 * mm_width ? mm_width : Math.max(mm_min_width, Math.round(mm_share * W));
  const k = mw / mm_width, gw = Math.max(d.x1[0] - d.x0[0], 1e-9), gh = d.y1[0] - d.y0[0];
  const want = Math.max(mm_min_height, mm_heights[0] * k, mw * gh / gw * 1.1 + 8);
  // a few heights only (see MINIMAP_HEIGHT_STEP): a change of size lays the whole page out
  const mh = Math.round(Math.min(mm_heights[1] * k, Math.ceil(want / (mm_step * k)) * mm_step * k));
  const cap = Math.max(mm_min_height, Math.floor(mm_max_share * H / mm_step) * mm_step);
  return mh <= cap ? [mw, mh] : [Math.max(Math.round(mw * cap / mh), mm_min_height), cap];
}
// The minimap covers the plot's lower right corner whenever the whole graph is not in view: a
// first view centred (cx, cy) at scale s moves down (or else left), past the graph's edge if
// need be, so that the region of interest [rx0, rx1, ry0, ry1] is not under it, when the region
// then stays in view.
function clear_of_minimap(W, H, s, cx, cy, d, [rx0, rx1, ry0, ry1]) {
  const [mw, mh] = minimap_size(W, H, d);
  if (!(W >= 2 * mw && H >= 2 * mh)) { return [cx, cy]; }     // no minimap on this plot
  const vw = W / s, vh = H / s;
  const left = cx + vw / 2 - (mw + mm_reserve[0]) / s, top = cy - vh / 2 + (mh + mm_reserve[1]) / s;
  if (!(rx1 > left && ry0 < top)) { return [cx, cy]; }      // already clear
  if (ry1 <= cy + vh / 2 - (top - ry0)) { return [cx, cy - (top - ry0)]; }
  if (rx0 >= cx - vw / 2 + (rx1 - left)) { return [cx + (rx1 - left), cy]; }
  return [cx, cy];
}
"""

_MOVED_JS = """
function moved(p) {   // ranges differ from the last first-view fit
  const f = p._ag_fit, xr = p.x_range, yr = p.y_range;
  if (!f) { return false; }
  const tol = 1e-6 * (f[1] - f[0] + f[3] - f[2]);
  return Math.abs(xr.start - f[0]) > tol || Math.abs(xr.end - f[1]) > tol ||
         Math.abs(yr.start - f[2]) > tol || Math.abs(yr.end - f[3]) > tol;
}
"""

#: ``find_view(test)``: the first Bokeh view, depth first over the page's roots, whose model
#: passes ``test`` (null if none): the callbacks that need a plot's view, not its model.
FIND_VIEW_JS = """
function find_view(test) {
  const find = (v) => { if (v.model && test(v.model)) { return v; }
                        for (const c of (v.child_views || [])) { const f = find(c); if (f) { return f; } }
                        return null; };
  for (const root of Object.values(Bokeh.index || {})) { const f = find(root); if (f) { return f; } }
  return null;
}
"""

#: Keeps the plot's layout the size of its element. BokehJS misses some changes of it: the
#: plot shrunk by the scope controls and a notice while its tab was hidden (Train -> "Open in
#: Graph tab") kept its old height, its colour bar cut off below the pane; grown back (the MLP
#: preset -> the lecture) it left a blank band. Installed once, by the first fit.
_SIZE_WATCH_JS = FIND_VIEW_JS + """
if (!p._ag_size_watch && typeof ResizeObserver !== 'undefined' && typeof Bokeh !== 'undefined') {
  const view = find_view((m) => m === p);
  if (view != null) {
    p._ag_size_watch = true;
    const check = () => {
      const el = view.el, lb = view.layout != null ? view.layout.bbox : null;
      const w = el.offsetWidth, h = el.offsetHeight;     // 0 while hidden: nothing to fit
      if (lb != null && w > 0 && h > 0 && (Math.abs(lb.width - w) > 1.5 || Math.abs(lb.height - h) > 1.5)) {
        view.invalidate_layout();
      }
    };
    // after BokehJS's own observer has run on the same change
    new ResizeObserver(() => setTimeout(check, 0)).observe(view.el);
    setTimeout(check, 0);
  }
}
"""

_FIT_JS = _SIZE_WATCH_JS + _MOVED_JS + _MINIMAP_JS + FEWEST_CUTS_JS + """
// first view: whole graph if readable, else a readable viewport at the region of interest
// (the network or the output end) and the current step's node
const W = p.inner_width, H = p.inner_height;
if (p.properties.inner_width.is_unset || !(W > 0 && H > 0)) { return; }
const d = info.data, xr = p.x_range, yr = p.y_range;
p._ag_gen = d.gen[0];
const bar_w = Math.max(100, Math.min(bar_width, W - bar_margin));
for (const r of p.below) {
  if (r.color_mapper != null && r.width !== bar_w) { r.width = bar_w; }
}
// CustomJS callbacks may run later than the change, so "did the reader move the view" is
// answered by comparing the ranges with the last fitted ones, not by a flag around setv
const refit = cb_obj === info || !moved(p) || !(p._ag_s > 0);
let s, cx, cy;
if (refit) {
  const x0 = d.x0[0], x1 = d.x1[0], y0 = d.y0[0], y1 = d.y1[0];
  const gw = Math.max(x1 - x0, min_span[0]) * (1 + 2 * pad);
  const gh = Math.max(y1 - y0, min_span[1]) * (1 + 2 * pad);
  const unit = d.size[0];
  const whole = Math.min(W / gw, H / gh);
  cx = (x0 + x1) / 2; cy = (y0 + y1) / 2;
  if (whole * unit >= whole_px) {
    s = Math.min(whole, max_px / unit);
  } else {
    // too big to read whole: fill the height if that is readable, at most comfortable size,
    // around the region of interest (the network, or the output), inside the graph's bounds
    s = Math.max(min_px / unit, Math.min((H / ((y1 - y0) * (1 + 2 * pad))), comfort_px / unit));
    let rx0 = d.rx0[0], rx1 = d.rx1[0], ry0 = d.ry0[0], ry1 = d.ry1[0], right = d.right[0];
    // smaller, down to the least readable size, if the region then fits across
    s = Math.max(min_px / unit, Math.min(s, W * (1 - 2 * pad) / Math.max(rx1 - rx0, 1e-9)));
    const vw = W / s, vh = H / s, m = pad * vw, gap = 6 / s;
    let fits = rx1 - rx0 + 2 * m <= vw;
    // a phone shows a box or two across: one end of a network too wide for it was mostly
    // empty plot (an inspected sample's first layer alone). Unless the reader opened a scope,
    // it opens at the output end instead, where the backward pass starts (its step 0), as a
    // graph without scopes does everywhere
    if (!fits && d.phone_out[0] && typeof window !== 'undefined' && window.matchMedia != null &&
        window.matchMedia(phone_query).matches) {
      [rx0, rx1, ry0, ry1, right] = [d.ox0[0], d.ox1[0], d.oy0[0], d.oy1[0], 1];
      fits = rx1 - rx0 + 2 * m <= vw;
    }
    [cx, cy] = place(rx0, rx1, ry0, ry1, right, fits);
    // the node of the current step (orange; the step panel below explains it) in view too: the
    // MLP preset opens at its last backward step, an op by the inputs, which the output end or
    // a phone's view left off screen. Centred within a quarter of the view, as the Player
    // centres it when it leaves the view (a link to step 1 shows the output, as before)
    const fx = focus.data.x[0], fy = focus.data.y[0];
    if (isFinite(fx) && isFinite(fy) && (Math.abs(fx - cx) > vw / 2 - m || Math.abs(fy - cy) > vh / 2 - m)) {
      [cx, cy] = place(fx - vw / 4, fx + vw / 4, fy - vh / 4, fy + vh / 4, 0, true);
    }
  }
} else {                                                      // resized after the reader zoomed:
  s = p._ag_s; cx = (xr.start + xr.end) / 2; cy = (yr.start + yr.end) / 2;   // keep scale + centre
}
// (cx, cy) of a view of scale s showing the region [rx0, rx1] x [ry0, ry1] (whole if it fits,
// else its end on the right or left side), edges between boxes, clear of the minimap
function place(rx0, rx1, ry0, ry1, right, fits) {
    const x0 = d.x0[0], x1 = d.x1[0], y0 = d.y0[0], y1 = d.y1[0];
    const vw = W / s, vh = H / s, m = pad * vw, gap = 6 / s;
    let cx, cy = (y0 + y1) / 2;
    // the whole region if it fits, else one end of it (see info_columns)
    cx = fits ? (rx0 + rx1) / 2 : right ? rx1 + m - vw / 2 : rx0 - m + vw / 2;
    const xlo = x0 - m + vw / 2, xhi = x1 + m - vw / 2;
    cx = Math.min(Math.max(cx, xlo), xhi);
    // edges between boxes: the region stays in view (its shown end, if it does not fit)
    const [lo, hi] = fits ? [rx1 + gap - vw / 2, rx0 - gap + vw / 2]
      : right ? [cx - m + gap, cx + vw / 8] : [cx - vw / 8, cx + m - gap];
    cx = fewest_cuts(cx, vw / 2, Math.max(lo, xlo), Math.min(hi, xhi), d.bx0[0], d.bx1[0], gap);
    if (vh < (y1 - y0) * (1 + 2 * pad)) {                      // taller than the view
      const ylo = y0 + vh / 2, yhi = y1 - vh / 2;
      cy = Math.min(Math.max((ry0 + ry1) / 2, ylo), yhi);
      if (ry1 - ry0 + 2 * m <= vh) {
        cy = fewest_cuts(cy, vh / 2, Math.max(ry1 + gap - vh / 2, ylo), Math.min(ry0 - gap + vh / 2, yhi),
                         d.by0[0], d.by1[0], gap);
      }
    }
    const [mx, my] = clear_of_minimap(W, H, s, cx, cy, d, [rx0, rx1, ry0, ry1]);
    // moved clear of the minimap: further the same way, as long as the region stays in view,
    // if that passes the edges between boxes (a neuron opened in the MLP cut the layer below)
    if (my !== cy) {
      cy = my > cy ? fewest_cuts(my, vh / 2, my, ry0 - gap + vh / 2, d.by0[0], d.by1[0], gap)
                   : fewest_cuts(my, vh / 2, ry1 + gap - vh / 2, my, d.by0[0], d.by1[0], gap);
    }
    if (mx !== cx) {
      cx = mx > cx ? fewest_cuts(mx, vw / 2, mx, rx0 - gap + vw / 2, d.bx0[0], d.bx1[0], gap)
                   : fewest_cuts(mx, vw / 2, rx1 + gap - vw / 2, mx, d.bx0[0], d.bx1[0], gap);
    }
    return [cx, cy];
}
const hw = W / s / 2, hh = H / s / 2;
p._ag_fit = [cx - hw, cx + hw, cy - hh, cy + hh];
p._ag_s = s;
xr.setv({start: cx - hw, end: cx + hw, reset_start: cx - hw, reset_end: cx + hw});
yr.setv({start: cy - hh, end: cy + hh, reset_start: cy - hh, reset_end: cy + hh});
"""

_ZOOM_JS = _MOVED_JS + _MINIMAP_JS + """
// semantic zoom: font sizes in screen px from the scale; hidden below hide_px; minimap toggle
if (p.properties.inner_width.is_unset || p.properties.inner_height.is_unset) { return; }
const xr = p.x_range, yr = p.y_range, d = info.data;
const sx = p.inner_width / Math.max(1e-9, xr.end - xr.start);
const sy = p.inner_height / Math.max(1e-9, yr.end - yr.start);
const s = Math.min(sx, sy);
if (!isFinite(s) || s <= 0) { return; }
if (moved(p)) { p._ag_s = s; }     // the reader's scale, kept when the plot is resized
const fs = Math.min(max_px, s * d.size[0]);
const ofs = Math.min(max_px, s * d.op_size[0]);
// BokehJS measures every text of a renderer again on each change of its font. It keeps a size
// as {value: '11.0px'}: assigning the same size as a string is a change, so it is compared
// first (assigned each time, a pan measured every caption, and a new graph's first view
// measured them 4 times: once per range end the fit set)
function set_text(r, on, px) {
  const size = px.toFixed(1) + 'px', now = r.glyph.text_font_size;
  if (r.visible !== on) { r.visible = on; }
  if ((now != null && now.value !== undefined ? now.value : now) !== size) { r.glyph.text_font_size = size; }
}
for (const r of captions) { set_text(r, fs >= hide_px, fs); }
for (const r of symbols) { set_text(r, ofs >= hide_op_px, ofs); }
for (const h of heads) { h.size = Math.max(3, Math.min(11, 9 * s)); }
const tol = 1e-6 * (d.x1[0] - d.x0[0] + d.y1[0] - d.y0[0]);
const whole = xr.start <= d.x0[0] + tol && xr.end >= d.x1[0] - tol &&
              yr.start <= d.y0[0] + tol && yr.end >= d.y1[0] - tol;
// a narrow plot (a phone) gets a smaller overview, so that it covers little of the graph;
// its height follows the graph's shape
const [mw, mh] = minimap_size(p.inner_width, p.inner_height, d);
if (minimap.width !== mw) { minimap.width = mw; }
if (minimap.height !== mh) { minimap.height = mh; }
const show = !whole && p.inner_width >= 2 * mw && p.inner_height >= 2 * mh;
const st = minimap.styles instanceof Map ? Object.fromEntries(minimap.styles) : {...minimap.styles};
const vis = show ? 'visible' : 'hidden';
if (st.visibility !== vis) { st.visibility = vis; minimap.styles = st; }
"""


#: The same graph drawn again (its polished layout swapped in: ``info`` patched with a new
#: ``gen``): a reader who has not moved the view gets the new drawing's first view; one who
#: zoomed or panned keeps the scale, the view moved with the node they were looking at (``dx``,
#: ``dy``: ``graph_view.anchor_shift``). A patch of the same ``gen`` (a slider's font size) is not this.
_RELAYOUT_JS = """
const g = info.data;
if (g.gen[0] === p._ag_gen) { return; }
if (moved(p) && p._ag_s > 0) {
  p._ag_gen = g.gen[0];
  const dx = g.dx[0], dy = g.dy[0];
  if (!(isFinite(dx) && isFinite(dy)) || (dx === 0 && dy === 0)) { return; }
  p.x_range.setv({start: p.x_range.start + dx, end: p.x_range.end + dx});
  p.y_range.setv({start: p.y_range.start + dy, end: p.y_range.end + dy});
  return;
}
""" + _FIT_JS


def build_minimap(values, edges):
    """A small overview figure of the value boxes (sharing the main plot's sources)."""
    m = figure(
        width=MINIMAP_WIDTH, height=MINIMAP_HEIGHTS[1], x_range=DataRange1d(range_padding=0.04),
        y_range=DataRange1d(range_padding=0.04), match_aspect=True, tools="", toolbar_location=None,
        min_border=2, background_fill_color="#ffffff", border_fill_color="#ffffff",
        outline_line_color="#999999", name="graph-minimap",
        styles={"visibility": "hidden"},     # shown by the browser when useful (_ZOOM_JS)
    )
    m.axis.visible = False
    m.grid.visible = False
    m.multi_line("xs", "ys", source=edges, line_color="#c8c8c8", line_width=0.6)
    m.rect("x", "y", width="w", height="h", source=values, fill_color="#9db4cf", line_color=None)
    return m


def attach(p, minimap, info, focus, captions, symbols, heads) -> None:
    """Wire the first view, semantic zoom and minimap callbacks of main plot ``p`` (``focus``:
    the one-row source of the Player's node, which the first view keeps in view)."""
    tool = RangeTool(x_range=p.x_range, y_range=p.y_range)
    tool.overlay.update(fill_color="#ff9800", fill_alpha=0.12, line_color="#e65100", line_width=1.5)
    minimap.add_tools(tool)
    minimap.toolbar.active_multi = "auto"
    minimap_args = dict(mm_width=MINIMAP_WIDTH, mm_heights=list(MINIMAP_HEIGHTS), mm_share=MINIMAP_SHARE,
                        mm_min_width=MINIMAP_MIN_WIDTH, mm_min_height=MINIMAP_MIN_HEIGHT,
                        mm_reserve=list(MINIMAP_RESERVE), mm_step=MINIMAP_HEIGHT_STEP,
                        mm_max_share=MINIMAP_MAX_HEIGHT_SHARE)
    fit_args = dict(p=p, info=info, focus=focus, min_px=MIN_FONT_PX, whole_px=WHOLE_FONT_PX, max_px=MAX_FONT_PX,
                    comfort_px=COMFORT_FONT_PX, min_span=list(MIN_SPAN), pad=PAD,
                    bar_width=COLOUR_BAR_WIDTH, bar_margin=COLOUR_BAR_MARGIN, phone_query=PHONE_QUERY,
                    **minimap_args)
    fit = CustomJS(args=fit_args, code=_FIT_JS)
    p.js_on_change("inner_width", fit)
    p.js_on_change("inner_height", fit)
    # a new structure: its info arrives with the new data; fit the view to it even if the
    # reader had zoomed into the last graph (steps and sliders only patch the sources)
    info.js_on_change("data", fit)
    info.js_on_change("patching", CustomJS(args=fit_args, code=_RELAYOUT_JS))   # a new drawing
    zoom = CustomJS(args=dict(p=p, info=info, captions=captions, symbols=symbols, heads=heads,
                              minimap=minimap, hide_px=HIDE_FONT_PX, hide_op_px=HIDE_SYMBOL_PX,
                              max_px=MAX_FONT_PX, **minimap_args), code=_ZOOM_JS)
    for rng in (p.x_range, p.y_range):
        rng.js_on_change("start", zoom)
        rng.js_on_change("end", zoom)
    info.js_on_change("patching", zoom)   # a slider made captions longer: smaller font units
