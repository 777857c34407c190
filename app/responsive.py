"""Stylesheets that fit the Graph page to the screen: projector, laptop and phone.

One component tree serves every size; CSS media queries rearrange it (the server never learns
the window size):

- **wide (over 1100 px):** sidebar 290 px, output and Player in one bar above the graph;
- **narrow desktop (701-1100 px, a 1024x768 projector):** sidebar 240 px, the pass toggle
  stacked, a shorter Player, a smaller output number, so nothing passes the right edge;
- **compact bar (701-1300 px):** the bar above the graph already takes the narrow layout's
  stacked toggle, shorter Player and smaller number, so the Player's last buttons stay on a
  1101-1300 px screen (the MLP preset's "loss = 0.8948" pushed them past the edge at 1280 px);
  at any width a long output label is cut, never the Player;
- **phone (700 px wide or less, or 500 px tall or less: a phone held sideways):** one column
  in the order output, graph (full width, at least 300 px tall), Player, step panel; the editor
  and leaves open from the "Edit" toggle. Bokeh's own touch tools give pinch zoom and tap;
- **short desktop windows (above those):** the graph keeps at least ``GRAPH_MIN_PX`` and the
  main column scrolls.

Each stylesheet is attached to the component it styles (Panel renders every component in its
own shadow root, where a page-level stylesheet cannot reach), and selects children by their
``css_classes``.
"""

from __future__ import annotations

PHONE_MAX = 700       # px: at or below, the phone layout
NARROW_MAX = 1100     # px: at or below (and above PHONE_MAX), the narrow desktop layout
BAR_NARROW_MAX = 1300  # px: at or below (and above PHONE_MAX), the bar's compact layout: the
                       # wide bar (34 px number, toggle side by side, 420 px Player) needs ~750 px
                       # besides the output, and the sidebar takes 290: "loss = 0.8948" (~250 px)
                       # fits from ~1,300 px

SHORT_MAX = 500      # px: a window at most this tall gets the phone layout too, whatever its width:
                     # a phone held sideways (844x390) got the desktop layout, whose bar, legend
                     # and step panel left the graph no height at all; one column gives it 300 px
                     # and the page scrolls (a short desktop window alike: 1280x480 left it ~150)
#: The phone layout's media query, and the rest's (CSS, and ``window.matchMedia`` in the browser).
PHONE_QUERY = f"(max-width: {PHONE_MAX}px), (max-height: {SHORT_MAX}px)"
NOT_PHONE_QUERY = f"(min-width: {PHONE_MAX + 1}px) and (min-height: {SHORT_MAX + 1}px)"

TIGHT_MAX = 900       # px: at or below (and above PHONE_MAX), the bar wraps: the Player on a line
                      # of its own (at 800 px its ~450 px beside Present squeezed the output's
                      # number out of sight and ran the Player past the right edge)

_PHONE = f"@media {PHONE_QUERY}"
#: ... as the start of a stylesheet's block (the other modules' stylesheets use it too)
NOT_PHONE = f"@media {NOT_PHONE_QUERY}"
_TIGHT = f"@media {NOT_PHONE_QUERY} and (max-width: {TIGHT_MAX}px)"
# The Train tab stacks as on a phone up to TIGHT_MAX: its controls (310 px), plots (300 px) and
# network (~330 px at the least) side by side need ~940 px (at 800 px the page scrolled sideways)
# (and on a short window: side by side, its network plot gets the window's height less the rest)
_TRAIN_STACK = f"@media (max-width: {TIGHT_MAX}px), (max-height: {SHORT_MAX}px)"
_NARROW = f"@media {NOT_PHONE_QUERY} and (max-width: {NARROW_MAX}px)"
_BAR_NARROW = f"@media {NOT_PHONE_QUERY} and (max-width: {BAR_NARROW_MAX}px)"

#: The Graph page row (sidebar + main column).
PAGE = f"""
:host {{ font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; }}
{_PHONE} {{
  :host {{ flex-direction: column !important; flex-wrap: nowrap !important; overflow-x: hidden !important;
           overflow-y: auto !important; min-width: 0 !important; width: 100% !important; }}
  .page-sidebar:not(.phone-open) {{ display: none !important; }}
}}
"""

#: The sidebar column: one scroll for editor, leaves and the gradient check (none covers
#: another); narrower on a projector, the full width on a phone. (Bokeh sizes a component in
#: its own shadow root, so the overrides live here, as ``:host`` rules.)
SIDEBAR = f"""
:host {{ overflow-y: auto !important; overflow-x: hidden !important; }}
/* the leaves as tall as they are: Panel capped them at the sidebar's height (max-height 100 %)
   and an MLP's 18 sliders ran 350 px past it, over the gradient check below */
.leaf-sliders {{ max-height: none !important; }}
{_NARROW} {{
  :host {{ width: 240px !important; min-width: 240px !important; max-width: 240px !important;
           flex: 0 0 240px !important; }}
}}
{_PHONE} {{
  :host {{ width: 100% !important; min-width: 0 !important; max-width: none !important; height: auto !important;
           flex: 0 0 auto !important; border-right: none !important; border-bottom: 1px solid #ddd; order: 0; }}
}}
"""

#: The main column (bar, notices, graph, step panel). Above the phone layout the graph keeps at
#: least GRAPH_MIN_PX and the column scrolls when the window is too short for that: at 800x600
#: the wrapped bar, the scope buttons' two rows, the legend's two lines and the step panel left
#: the MLP preset's graph ~80 px (its frames' labels cut, the minimap over its boxes).
GRAPH_MIN_PX = 240
MAIN = f"""
{NOT_PHONE} {{
  :host {{ overflow-y: auto !important; overflow-x: hidden !important; }}
  .graph-pane {{ min-height: {GRAPH_MIN_PX}px !important; }}
}}
{_TIGHT} {{
  .page-topbar {{ height: auto !important; min-height: 72px; flex: 0 0 auto !important; }}
}}
{_PHONE} {{
  :host {{ width: 100% !important; min-width: 0 !important; height: auto !important; flex: 0 0 auto !important;
           order: 1; position: relative; }}
  .page-topbar {{ display: contents !important; }}
  .notice-row {{ order: 1; }}
  .graph-pane {{ order: 2; width: calc(100% - 8px) !important; min-width: 0 !important;
                 height: max(300px, 50vh) !important; min-height: 300px !important; flex: 0 0 auto !important; }}
  .step-panel {{ order: 4; }}
}}
"""

#: The bar above the graph (output, toggle, pass switch + Player).
TOPBAR = f"""
{NOT_PHONE} {{
  .output-value {{ min-width: 0 !important; flex: 0 1 auto !important; overflow: hidden; }}
}}
{_BAR_NARROW} {{
  .output-value {{ max-width: 240px; }}
}}
{_TIGHT} {{
  :host {{ flex-wrap: wrap !important; height: auto !important; }}
  .output-value {{ flex: 1 1 100% !important; max-width: none; height: auto !important; }}
  .bar-spacer {{ display: none !important; }}
  .player-bar {{ height: auto !important; flex: 1 1 auto !important; justify-content: flex-end; }}
}}
{_PHONE} {{
  .output-value {{ order: 0; }}
  .present-toggle {{ display: none !important; }}
  .phone-edit {{ position: absolute !important; top: 4px; right: 6px; z-index: 2; height: 34px !important; }}
  .player-bar {{ order: 3; }}
}}
"""

#: The pass switch + Player row: wraps on a phone (switch above, Player below).
PLAYER_BAR = f"""
{_PHONE} {{
  :host {{ width: 100% !important; min-width: 0 !important; flex-wrap: wrap !important; justify-content: center;
           height: auto !important; }}
}}
"""

#: The output number (big; smaller on narrow screens, where the Player needs the room).
OUTPUT = f"""
{_BAR_NARROW} {{ .output-line {{ font-size: 26px !important; }} }}
{_PHONE} {{ .output-line {{ font-size: 26px !important; }} }}
"""

#: The pass switch: stacked on narrow desktops (saves ~110 px of width).
MODE_TOGGLE = f"""
{_BAR_NARROW} {{
  :host {{ margin-top: 4px !important; margin-bottom: 4px !important; }}
  .bk-btn-group {{ flex-direction: column !important; }}
  .bk-btn {{ padding: 2px 8px !important; font-size: 12px !important; border-radius: 4px !important; }}
}}
{_PHONE} {{ :host {{ margin: 4px 8px !important; }} }}
"""

#: The Player: shorter on narrow desktops, the screen's width on a phone.
PLAYER = f"""
{_BAR_NARROW} {{ :host {{ width: 330px !important; min-width: 330px !important; flex: 0 0 330px !important; }} }}
{_TIGHT} {{ :host {{ width: 300px !important; min-width: 300px !important; flex: 0 0 300px !important; }} }}
{_PHONE} {{ :host {{ width: calc(100vw - 24px) !important; min-width: 0 !important; max-width: 420px;
                    flex: 0 0 auto !important; }} }}
"""

#: The phone-only "Edit" toggle.
PHONE_ONLY = f"""
:host {{ display: none !important; }}
{_PHONE} {{ :host {{ display: block !important; align-self: center; }} }}
"""

#: The step panel on a phone: as tall as its text; the chain rule above the plain arithmetic.
#: (Bokeh sizes the panel by its flex basis, ``flex: 0 0 165px``, not by its height alone: with
#: only ``height: auto`` it kept 165 px on a phone, where the lecture's first step needs ~260,
#: and its chain rule's second relation and the arithmetic were cut or ran past its background;
#: and its ``max-height: 100%`` held the row of the two texts to the panel's height.)
STEP_PANEL = f"""
{_PHONE} {{
  :host {{ height: auto !important; max-height: none !important; flex: 0 0 auto !important; min-height: 120px;
           order: 4; width: 100% !important; min-width: 0 !important; }}
  .bk-Row {{ flex-wrap: wrap !important; min-width: 0 !important; height: auto !important;
             max-height: none !important; flex: 0 0 auto !important; }}
}}
"""

#: The step panel's two texts (the chain rule, the arithmetic): a line each on a phone.
STEP_TEXT = f"""
{_PHONE} {{
  :host {{ width: calc(100vw - 20px) !important; min-width: 0 !important; flex: 0 0 auto !important;
           overflow-x: auto !important; }}
}}
"""


#: The plain arithmetic: left out on a tight screen (701-900 px), where the chain rule, which
#: says the same, needs the width (at 800 px it had 210 px and was cut mid-expression).
STEP_PLAIN = STEP_TEXT + f"""
{_TIGHT} {{ :host {{ display: none !important; }} }}
"""

#: The step panel's chain rule on a narrow desktop (a 1024x768 projector): a little smaller, so
#: an MLP step's two products fit beside the arithmetic (cut at the right edge before; a longer
#: chain scrolls sideways, see ``graph_page.step_panel``).
STEP_MATH = STEP_TEXT + f"""
{_NARROW} {{ .math-wide {{ font-size: 0.9em; }} }}
"""


_VIEWPORT_META = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def fit_phone_screens() -> None:
    """Served pages: add ``<meta name="viewport">`` so a phone lays the page out at its own
    width (without it a phone renders a 980 px page shrunk to a sliver and no media query above
    matches). Panel's page template has no place for it, so the session's document gets the
    template extended by one line. Does nothing outside a server session (notebooks)."""
    import panel as pn

    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        return
    from panel.io.resources import BASE_TEMPLATE, _env

    doc.template = _env.from_string(
        "{% extends base %}\n{% block postamble %}" + _VIEWPORT_META + "{{ super() }}{% endblock %}"
    )
    doc.template_variables["base"] = BASE_TEMPLATE


#: The sidebar's Import/JSON/PNG/Link/theme row: wraps where the sidebar is narrow.
SHARE_TOOLBAR = """
:host { flex-wrap: wrap !important; min-width: 0 !important; }
"""

#: The tab bar and its pages: on a phone no minimum width from the desktop layout.
TABS = f"""
{_PHONE} {{ :host {{ min-width: 0 !important; width: 100% !important; }} }}
"""


#: The legend line above the graph (HTML, so it wraps; a canvas title cannot, and a long one
#: pushes the plot's toolbar off a narrow screen). Items after the second hide on a phone.
LEGEND = f"""
:host {{ font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; font-size: 13px; color: #555; }}
.sep {{ padding: 0 0.5em; }}
{_PHONE} {{ .extra {{ display: none; }} }}
"""


def legend_html(title_text: str) -> str:
    """The figure's legend text (items joined by middle dots) as HTML spans."""
    import html

    items = [t.strip() for t in title_text.split("\u00b7") if t.strip()]
    sep = "<span class='sep'>\u00b7</span>"
    return "".join(f"<span class='{'item' if i < 2 else 'item extra'}'>{sep if i else ''}{html.escape(t)}</span>"
                   for i, t in enumerate(items))


#: The Train tab (its layout is app.train.view's; these only rearrange it): on a phone the
#: controls stack above the plots, and rows of plots and tables wrap.
TRAIN_PAGE = f"""
{_TRAIN_STACK} {{
  :host {{ flex-direction: column !important; min-width: 0 !important; width: 100% !important; }}
}}
"""
TRAIN_PART = f"""
{_TRAIN_STACK} {{
  :host {{ width: auto !important; min-width: 0 !important; max-width: calc(100vw - 8px) !important;
           flex: 0 0 auto !important; align-self: stretch !important; flex-wrap: wrap !important;
           border-right: none !important; }}
}}
"""


#: The Train tab's plots and network (app.train.view): the page fills the window beside the
#: controls (the network takes what the plots leave); narrower, the plots' column narrows; on a
#: phone (and up to TIGHT_MAX) everything stacks and the page scrolls, the network in a block of its own height.
TRAIN_SIDE = f"""{_NARROW} {{ :host {{ width: 300px !important; min-width: 300px !important;
                             flex: 0 0 300px !important; }} }}
{_TRAIN_STACK} {{ :host {{ width: 100% !important; min-width: 0 !important;
                     flex: 0 0 auto !important; }} }}"""
TRAIN_BODY = f"""{_TRAIN_STACK} {{ :host {{ height: auto !important; flex-direction: column !important;
                            flex-wrap: nowrap !important; flex: 0 0 auto !important; }} }}"""
TRAIN_ROOT = f"""{_TRAIN_STACK} {{ :host {{ overflow-y: auto !important; flex-wrap: nowrap !important; }} }}"""
TRAIN_TABS = f"""{_TRAIN_STACK} {{ :host {{ height: 640px !important; min-height: 640px !important;
                            width: 100% !important; flex: 0 0 640px !important; }} }}"""


#: The Train tab's step panel under the network: room for a neuron step's chain rule (three
#: lines at 13 px; at 96 px it showed two and cut the rest), and where the window is tall and
#: the network beside the plots, for the update step's five as well (cut at 70 of 171 px before).
TRAIN_STEP_PANEL = f"""
:host {{ height: 124px !important; flex: 0 0 124px !important; }}
@media (min-height: 880px) and (min-width: {TIGHT_MAX + 1}px) {{
  :host {{ height: 204px !important; flex: 0 0 204px !important; }}
}}
"""


#: The Train tab's fixed-size decision-boundary plot (the pane and its figure both carry the class,
#: so the zoom applies twice: 0.92 -> 0.85, 0.85 -> 0.72): drawn smaller where the window is narrow,
#: so the loss and accuracy curves beside it keep room for their titles (and on a phone it fits).
TRAIN_FIXED_PLOT = f"""
{_NARROW} {{ .train-fixed-plot {{ zoom: 0.92; }} }}
@media (max-width: 520px) {{ .train-fixed-plot {{ zoom: 0.85; }} }}
"""


def fit_train_view(layout) -> None:
    """Attach the rules above to the Train tab's root row, its rows and columns, and its
    fixed-width plots."""
    import panel as pn

    layout.stylesheets = list(layout.stylesheets) + [TRAIN_PAGE]
    # the controls' rows wrap; the plots and the network lay themselves out (app.train.view)
    controls = layout[0]
    for part in controls.select(lambda obj: isinstance(obj, (pn.Row, pn.Column))):
        part.stylesheets = list(part.stylesheets) + [TRAIN_PART]
    for part in layout.select(lambda obj: isinstance(obj, pn.Column)
                              and "train-side" in obj.css_classes):
        part.stylesheets = list(part.stylesheets) + [TRAIN_FIXED_PLOT]
    for plot in layout.select(pn.pane.HoloViews):
        if plot.sizing_mode in (None, "fixed"):
            plot.css_classes = list(plot.css_classes) + ["train-fixed-plot"]


def enable_tap_select(figure) -> None:
    """Tap (or click) a value box to select it: a TapTool on the boxes; the other boxes are left
    as they are (Bokeh would fade them)."""
    from bokeh.models import TapTool

    boxes = figure.select_one({"name": "value-boxes"})
    if boxes is None:
        return
    for renderer in figure.renderers:
        if getattr(renderer, "data_source", None) is boxes.data_source:
            renderer.nonselection_glyph = None
    figure.add_tools(TapTool(renderers=[boxes], description="Tap to select a node"))


#: A new graph on a phone (Apply, an example, an import, a sample opened from the Train tab):
#: the editor above it filled the screen, so the new graph was drawn out of sight, below, and
#: the reader saw no change. The page scrolls to the main column's top (the output, the graph
#: below it) when the graph's top is out of sight. A failed Apply draws no new graph: the page
#: stays at the editor, where its error is. ``p``: the graph plot; runs on its ``info``'s data.
_SCROLL_TO_GRAPH_JS = """
if (!(window.matchMedia != null && window.matchMedia(phone_query).matches)) { return; }
const view = find_view((m) => m === p);
if (view == null || !(view.el.offsetHeight > 0)) { return; }          // its tab is hidden
const top = view.el.getBoundingClientRect().top;
if (top >= 0 && top <= window.innerHeight - seen_px) { return; }      // in sight already
// up from the plot, through the shadow roots, to the main column (output, graph, Player)
let main = view.el;
while (main != null && !(main.classList != null && main.classList.contains('page-main'))) {
  main = main.parentElement || (main.getRootNode != null ? main.getRootNode().host : null) || null;
}
(main || view.el).scrollIntoView({block: 'start'});
"""

#: The graph's top is in sight when at least this much (px) of it is above the window's bottom.
GRAPH_SEEN_PX = 200


def scroll_to_new_graph(plot, info) -> None:
    """On a phone, bring a new graph into view (see ``_SCROLL_TO_GRAPH_JS``): ``plot`` the graph's
    figure, ``info`` its ``graph_viewport`` source (its data is replaced with each new graph)."""
    from bokeh.models import CustomJS

    from .graph_page.graph_viewport import FIND_VIEW_JS

    info.js_on_change("data", CustomJS(args=dict(p=plot, phone_query=PHONE_QUERY, seen_px=GRAPH_SEEN_PX),
                                       code=FIND_VIEW_JS + _SCROLL_TO_GRAPH_JS))
