"""The one factory: every app instance (browser session, notebook cell) comes from here.

A Bokeh model can live in one document only, so nothing here is cached or shared between calls.
"""

from __future__ import annotations

import logging
import sys
from functools import partial

import panel as pn
import param
from panel.viewable import Viewer

from . import responsive
from .graph_page.busy import DELAYED_SPINNER_CSS, Busy
from .graph_page.controls import ExpressionEditor, LeafSliders, OutputDisplay
from .graph_page.graph_view import GraphView
from .graph_page import structure
from .graph_page.model import GraphModel
from .graph_page.refine import Refiner
from .graph_page.scopes_view import ScopesView
from .graph_page.step_panel import PlayerBar, StepPanel
from .share.flow_io import FlowIO
from .share.keyboard import KeyboardShortcuts
from .share.notices import NoticeBar
from .share.share_tools import ShareTools
from .share.theme import THEMES, apply_theme, current_theme_name
from .share.trust_panel import TrustPanel
from .share.url_sync import UrlSync
from .presentation import Presentation

log = logging.getLogger(__name__)

TAB_BAR_PX = 34
#: the minimap floats over the plot's lower right corner, above the colour bar
MINIMAP_CSS = ":host { position: absolute !important; right: 44px; bottom: 56px; z-index: 5; }"
TABS_CSS = f"""
.bk-header {{ height: {TAB_BAR_PX}px; font-size: 14px; }}
"""


class AutogradApp(Viewer):
    """One live app: model + graph view + controls, laid out to fit a 1280x720 screen.

    Attributes
    ----------
    model : GraphModel
    graph : GraphView
        Owns the Bokeh figure (``graph.figure``) and its data sources.
    editor, sliders, output, player_bar, step_panel : the controls (see their modules).
    notices, trust, flow, url, keyboard, share : the notice bar, gradient-check card,
        import/export, URL sync, keyboard shortcuts and the share toolbar (see ``app.share``).
    """

    model = param.ClassSelector(class_=GraphModel)

    def __init__(self, expr_or_value=None, preset=None, height=None, **params):
        super().__init__(model=GraphModel(expr_or_value, preset=preset), **params)
        self._height = height
        self.train_view = None
        m = self.model
        self.graph = GraphView(m)
        self.scopes = ScopesView(m, self.graph)
        self.editor = ExpressionEditor(m)
        self.sliders = LeafSliders(m)
        self.graph.on_node_click(self.sliders.select)   # many leaves: a click picks the leaf
        self.output = OutputDisplay(m)
        self.player_bar = PlayerBar(m)
        self.step_panel = StepPanel(m)
        self.plot_pane = pn.pane.Bokeh(self.graph.figure, sizing_mode="stretch_both", margin=(0, 4),
                                       stylesheets=[DELAYED_SPINNER_CSS])
        # Apply, presets, imports, Open in Graph tab: with a loading state, a notice on failure
        self.busy = Busy(self.plot_pane, on_error=lambda text: self.notices.show(text, "error"))
        self.editor.run = self.busy.run
        # 150-2,000 nodes drawn whole: the polished layout swapped in once made (see graph_page.refine)
        self.refiner = Refiner(m)
        # the overview of a graph bigger than the view, over the plot's lower right corner
        self.minimap_pane = pn.pane.Bokeh(self.graph.minimap, margin=0)
        self.graph_area = pn.Column(self.plot_pane, pn.Column(self.minimap_pane, margin=0,
                                                               stylesheets=[MINIMAP_CSS]),
                                    sizing_mode="stretch_both", margin=0,
                                    styles={"position": "relative"})
        # The graph view edits its Bokeh models directly; in a notebook Panel cannot see that, so
        # after each frame (precedence: after the view's own watcher) the edits go over the comm.
        m.param.watch(self._push_to_notebook, "frame", precedence=10)
        theme_name = current_theme_name()
        self._share_parts(theme_name)
        self.presentation = Presentation(self)
        self._layout = self._compose()
        apply_theme(self._layout, self.graph, THEMES[theme_name])
        self.url.restore()
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            pn.state.onload(self.player_bar.resend)     # see PlayerBar.resend
        self.presentation.start()

    def _share_parts(self, theme_name: str) -> None:
        m = self.model
        self.notices = NoticeBar()
        m.param.watch(self.notices.graph_shown, "compiled")   # a notice is about the graph before
        self.trust = TrustPanel(m, dark=theme_name == "dark")
        self.flow = FlowIO(m, notify=self.notices.show)
        self.flow.run = self.busy.run
        self.url = UrlSync(m, theme=theme_name, notify=self.notices.show)
        self.url.unapplied = self.editor.has_unapplied_text
        self.keyboard = KeyboardShortcuts(m, self.player_bar.player, enabled=self._graph_tab_shown,
                                          escape=self._leave_presentation)
        # Served pages only: in a notebook, document-wide keys would fight Jupyter's own shortcuts
        # (and every app output in the notebook would step at once); there is no URL to write.
        page_only = [self.keyboard, self.url.navigator] if self.url.active else []
        self.share = ShareTools(self.flow, self.url, theme_name, page_only)

    def _graph_tab_shown(self) -> bool:
        tabs = getattr(self, "tabs", None)
        return tabs is None or tabs.active == 0

    def _compose(self):
        title = pn.pane.HTML(
            "<div style='font-family:Helvetica Neue,Helvetica,Arial,sans-serif;font-size:22px;font-weight:700;color:#222'>autograd-ui</div>"
            "<div style='font-family:Helvetica Neue,Helvetica,Arial,sans-serif;font-size:12px;color:#666'>scalar autograd, step by step</div>",
            margin=(6, 10, 2, 10),
        )
        leaves_title = pn.pane.HTML("<div style='font-family:Helvetica Neue,Helvetica,Arial,sans-serif;font-size:14px;font-weight:600;color:#333'>Leaf values</div>",
                                    margin=(6, 10, 0, 10))
        # one scrolling column: an opened gradient check pushes the leaves up, never covers them
        self.sliders.view.param.update(sizing_mode="stretch_width", scroll=False)
        sidebar = pn.Column(
            title, self.share.toolbar, self.editor.view, leaves_title, self.sliders.view, self.trust.view,
            width=290, sizing_mode="stretch_height", margin=0, css_classes=["page-sidebar"],
            styles={"border-right": "1px solid #ddd", "background": "#fbfbfb"},
            stylesheets=[responsive.SIDEBAR],
        )
        self.sidebar = sidebar
        # phones: the editor and leaves open from here (hidden by CSS on wider screens)
        self.edit_toggle = pn.widgets.Toggle(label="\u270e Edit", width=80, height=34, margin=(8, 6),
                                             css_classes=["phone-edit"], stylesheets=[responsive.PHONE_ONLY])
        self.edit_toggle.param.watch(self._toggle_sidebar, "value")
        self._fit_screens()
        topbar = pn.Row(self.output.view, self.edit_toggle, pn.layout.HSpacer(css_classes=["bar-spacer"]),
                        self.presentation.toggle,
                        self.player_bar.view,
                        sizing_mode="stretch_width", height=72, margin=(4, 4, 0, 4),
                        css_classes=["page-topbar"], stylesheets=[responsive.TOPBAR])
        self.graph_area.css_classes = ["graph-pane"]
        # the legend leaves the canvas title for an HTML line that wraps on narrow screens, and
        # the toolbar goes to the plot's right edge, where no title can push it off screen
        fig = self.graph.figure
        self._legend_text, fig.title.text = fig.title.text, ""
        fig.toolbar_location = "right"
        responsive.enable_tap_select(fig)
        self.legend = pn.pane.HTML(responsive.legend_html(self._legend_text), sizing_mode="stretch_width",
                                   margin=(2, 10), css_classes=["graph-legend"], stylesheets=[responsive.LEGEND])
        main = pn.Column(topbar, self.notices.view, self.scopes.view, self.legend, self.graph_area, self.step_panel.view,
                         sizing_mode="stretch_both", margin=0, css_classes=["page-main"],
                         stylesheets=[responsive.MAIN])
        if self._height:  # embedded (notebook): a fixed-height block
            self.presentation.toggle.visible = False
            return pn.Row(sidebar, main, sizing_mode="stretch_width", height=self._height, margin=0,
                          stylesheets=[responsive.PAGE], styles={"overflow": "hidden"})
        # served pages have keyboard shortcuts (app.keyboard); say so where people read the legend
        self.legend.object = responsive.legend_html(self._legend_text + "   \u00b7   keys: Space, \u2190 \u2192, Home, End")
        graph_page = pn.Row(sidebar, main, sizing_mode="stretch_both", margin=0,
                            stylesheets=[responsive.PAGE],
                            styles={"height": f"calc(100vh - {TAB_BAR_PX}px)", "overflow": "hidden"})
        # The Train view is built when its tab is first opened: most visits never train.
        self.tabs = pn.Tabs(("Graph", graph_page), ("Train", pn.Spacer()), dynamic=False,
                            sizing_mode="stretch_both", margin=0, stylesheets=[TABS_CSS, responsive.TABS])
        self.presentation.attach(graph_page, main, self.tabs)
        self.train_view = None
        self.tabs.param.watch(self._tab_opened, "active")
        responsive.fit_phone_screens()
        responsive.scroll_to_new_graph(fig, self.graph.info)   # a phone's editor hid a new graph
        return self.tabs

    def _fit_screens(self) -> None:
        """The parts' rules for narrow screens and phones (app.responsive)."""
        self.player_bar.view.param.update(css_classes=["player-bar"], stylesheets=[responsive.PLAYER_BAR])
        for part, sheet in ((self.share.toolbar, responsive.SHARE_TOOLBAR),
                            (self.step_panel.view, responsive.STEP_PANEL),
                            (self.step_panel.math, responsive.STEP_MATH),
                            (self.step_panel.plain, responsive.STEP_PLAIN),
                            (self.player_bar.player, responsive.PLAYER),
                            (self.player_bar.mode, responsive.MODE_TOGGLE),
                            (self.output.view, responsive.OUTPUT)):
            part.stylesheets = list(part.stylesheets) + [sheet]

    def _leave_presentation(self) -> None:
        self.presentation.toggle.value = False

    def _toggle_sidebar(self, event) -> None:
        classes = [c for c in self.sidebar.css_classes if c != "phone-open"]
        self.sidebar.css_classes = classes + (["phone-open"] if event.new else [])

    def _tab_opened(self, event) -> None:
        if event.new == 1 and self.train_view is None:
            from .train.view import create_train_view

            self.train_view = create_train_view(on_inspect=self.inspect)
            responsive.fit_train_view(self.train_view.__panel__())
            self.tabs[1] = ("Train", self.train_view)
        if self.train_view is not None:     # training on while the Graph tab is read: not drawn
            self.train_view.on_screen = event.new == 1

    def inspect(self, root, updates) -> None:
        """Open one training sample's loss graph in the Graph tab, at step 0 of its backward
        pass; the Player's last step is the gradient-descent update of ``updates``
        (``engine.train.ParamUpdate`` records)."""
        params = [u.node for u in updates if u.node is not None]
        lr = updates[0].lr if updates else 0.0
        reason = getattr(self.train_view, "inspect_reason", "")
        if getattr(self, "tabs", None) is not None:
            self.tabs.active = 0
        self.busy.run(partial(structure.from_value, root, update=(lr, params) if params else None, step=0),
                      partial(self._show_inspected, reason))

    def _show_inspected(self, reason: str, new) -> None:
        self.model.mode = "backward"
        self.model.show(new)
        if reason:          # the Train tab chose the sample: say which and why
            self.notices.show(f"Inspect sample: {reason}.")

    def close(self) -> None:
        """Stop all work and let go of everything this instance built (called when its browser
        session is destroyed; see :mod:`app.session`). Safe to call twice."""
        from .session import release_js_links

        steps = [self.refiner.close, partial(release_js_links, self._layout, self.train_view)]
        if self.train_view is not None:
            steps.insert(1, self.train_view.close)
        # each step whatever the others did: one failing (a part half built when the tab
        # closed) must not keep the rest running or the session in Panel's registry for good
        for step in steps:
            try:
                step()
            except Exception:  # noqa: BLE001 - logged, and the session is released anyway
                log.exception("a step of closing an ended session failed (%r)", step)

    def _push_to_notebook(self, event) -> None:
        pn.io.push_notebook(self.plot_pane)   # nothing to do when served or not displayed

    def __panel__(self):
        return self._layout


def create_app(expr_or_value=None, preset=None, height=None) -> AutogradApp:
    """Build a fresh, independent app instance.

    Parameters
    ----------
    expr_or_value : str or Value, optional
        Expression text (``engine.parse`` language) or any micrograd-style ``Value``
        (engine or karpathy's micrograd). Default: the preset.
    preset : str, optional
        A key of ``app.presets.PRESETS`` (default ``"lecture"``); ignored when
        ``expr_or_value`` is given.
    height : int, optional
        Fixed height in pixels (for notebooks); default: fill the browser window.

    Returns
    -------
    AutogradApp
        A ``panel.viewable.Viewer``: display it in a notebook, ``.servable()`` it, or ``pn.serve`` it.

    Raises
    ------
    engine.ExpressionError
        When ``expr_or_value`` is text that does not parse.
    """
    from .session import on_session_end

    load_extensions(train=not height)
    app = AutogradApp(expr_or_value, preset=preset, height=height)
    on_session_end(app)   # served: stop training and free everything when the tab goes away
    return app


def load_extensions(train: bool = False) -> None:
    """Load Panel's KaTeX extension (and, with ``train``, what the Train tab needs: Tabulator,
    HoloViews), so that the page has their JavaScript before the tab is first opened.

    A served session calls ``pn.extension`` every time, as a ``panel serve`` script does (it
    records the session's extensions; nothing is re-sent). In a notebook a second call would
    re-emit the whole JavaScript bundle into the cell's output, so it is made only while an
    extension's Bokeh models are not imported yet (Panel's own test, see ``pn.pane.LaTeX``).
    """
    needed = ["katex", "tabulator"]   # tabulator: also the leaf table of graphs with many leaves
    doc = pn.state.curdoc
    served = doc is not None and doc.session_context is not None
    if served or any(_EXTENSION_MODULES[e] not in sys.modules for e in needed):
        pn.extension(*needed)
    if train and not _holoviews_bokeh_loaded():
        import holoviews as hv

        hv.extension("bokeh", logo=False)


def _holoviews_bokeh_loaded() -> bool:
    """HoloViews' bokeh backend is loaded in this process (once is enough: every
    ``hv.extension`` call rebuilds ``hv.opts``' builders, ~10,000 objects, which outlived each
    session until the next one replaced them, scattered among the sessions' objects, and kept
    tens of MB of freed heap pages in memory after a class left; issue 12)."""
    hv = sys.modules.get("holoviews")
    return hv is not None and "bokeh" in hv.Store.renderers and hv.Store.current_backend == "bokeh"


#: Panel extension name -> the module of its Bokeh models (imported by ``pn.extension``).
_EXTENSION_MODULES = {"katex": "panel.models.katex", "tabulator": "panel.models.tabulator"}
