"""Presentation mode: the Graph page for a projector (``?present=1`` or the Present toggle).

The editor and leaves (the sidebar) are hidden so the graph takes the whole width; the output,
Player and step panel are drawn larger (CSS ``zoom``). The node captions grow with the graph's
scale, as they do everywhere (``graph_viewport``'s semantic zoom: the width the sidebar leaves
draws the lecture's at 20.7 px at 1280x720); a fixed 17 px set here ran past their boxes where
the whole graph is drawn smaller (the MLP preset at 1366x768, boxes drawn for 11 px). The URL
carries the mode (``present=1``), so a link opens a projector-ready page.

Height is what a projector (1024x768, 1280x720) lacks, and the zoom takes it: the zoomed bar and
step panel were ~50 px taller, and hiding the sidebar gives only width, so the graph was drawn
~50 px shorter than without presenting. The page gives it back: the tab bar (34 px) is hidden
while presenting (the Present toggle and Escape stay, and leaving brings the tabs back), and the
bar above the graph loses its empty lower part (its content is ~57 px of its 72), so the graph is
at least as tall as without presenting at every window size. The Player's box is cut to what it
holds (Panel draws it 80 px tall around ~55 px of slider and buttons): in the 58 px bar it ran
33 px (zoomed) over the graph's top edge (Player box bottom 114 px, bar and graph at 81 px; now
80 px at 1024x768, 1280x720, 1366x768 and 1920x1080).

**The zoom needs a window at least 650 px tall and wider than 900 px** (``ZOOM_MIN_HEIGHT``,
``responsive.TIGHT_MAX``); elsewhere presenting keeps the parts' size and still hides the
sidebar, tab bar and legend. An 800x600 projector's pixels are
large on the wall already, and zoomed there the two-line bar (171 px) and step panel (214 px)
left the graph 209 px of 600 on the lecture example and 167 on the MLP (~120 of them boxes,
the rest its colour bar); unzoomed it gets 327 and 285 px (54 % and 48 % of the window; 224 and
143 without presenting). Under 650 px of height the zoomed bar and step panel (295 px
together) leave the graph under half the window. Up to 900 px wide the bar wraps in two lines
and the chain rule has the panel's whole width, which the zoom cut to ~600 px, less than the
MLP's widest step (620 px).

**Zoomed, the chain rule takes the plain arithmetic's column up to 1400 px wide**
(``PLAIN_MIN_WIDTH``; it says the same in larger type). Beside the 330 px arithmetic the zoomed
chain rule had 438 px at 1024x768, where 10 of the MLP's 27 backward steps needed up to 620
(step 9: 448, its right end cut), and 635-681 px at 1280-1366 px, where step 23 needs 691. It
now has 768 px at 1024x768 and 965 at 1280x720; from 1400 px (738 px beside the arithmetic)
every step of the presets fits.
"""

from __future__ import annotations

import panel as pn

from .responsive import NOT_PHONE, TIGHT_MAX

PRESENTING = "presenting"
#: How much larger the output, Player and step panel are drawn.
ZOOM = 1.3

#: Presentation mode is for screens wider than a phone's. A phone hides the Present toggle, so a
#: shared ``present=1`` link there could not be left: the sidebar stayed hidden even after
#: "Edit", and the zoomed Player ran 40 px past both edges of a 390 px screen: its rules are
#: in ``NOT_PHONE`` blocks.
#: The zoom needs room: a window at least this tall (px) and wider than ``TIGHT_MAX``. Below
#: either the parts keep their size (see the module docstring: at 800x600 the zoomed bar and
#: step panel left the graph 167-209 px of 600).
ZOOM_MIN_HEIGHT = 650
#: Zoomed, the plain arithmetic beside the chain rule leaves it too little width up to this
#: window width (px): the chain rule takes the whole panel there.
PLAIN_MIN_WIDTH = 1400
_ZOOMED = f"@media (min-width: {TIGHT_MAX + 1}px) and (min-height: {ZOOM_MIN_HEIGHT}px)"
#: The bar above the graph while presenting, before the zoom (px; 72 otherwise): its output,
#: pass switch and Player end ~57 px down, the rest was empty. Not where the bar wraps (up to
#: ``TIGHT_MAX``: there it is as tall as its two lines).
TOPBAR_PX = 58
#: On the tab bar (served pages): hidden while presenting; the Graph page takes its height.
TABS_CSS = f"""
{NOT_PHONE} {{ :host(.presenting) .bk-header {{ display: none !important; }} }}
"""
#: On the Graph page row.
PAGE_CSS = f"""
{NOT_PHONE} {{
  :host(.presenting) {{ height: 100vh !important; }}
  :host(.presenting) .page-sidebar {{ display: none !important; }}
}}
"""
#: On the main column.
MAIN_CSS = f"""
{NOT_PHONE} {{
  :host(.presenting) .graph-legend {{ display: none !important; }}
}}
{_ZOOMED} {{
  :host(.presenting) .page-topbar {{ zoom: {ZOOM}; }}
  :host(.presenting) .step-panel {{ zoom: {ZOOM}; }}
}}
{NOT_PHONE} and (min-width: {TIGHT_MAX + 1}px) {{
  :host(.presenting) .page-topbar {{ height: {TOPBAR_PX}px !important; min-height: {TOPBAR_PX}px !important;
                                     max-height: {TOPBAR_PX}px !important; }}
}}
"""
#: On the Player: Panel draws its box 80 px tall (its default ``height``) around ~55 px of slider
#: and buttons; in the 58 px bar the box ran 26 px (33 zoomed) past the bar, over the graph's
#: top. Presenting, the box is as tall as what it holds, 2 px below the bar's top.
PLAYER_CSS = f"""
{NOT_PHONE} {{
  :host(.presenting) {{ height: auto !important; min-height: 0 !important; margin-top: 2px !important;
                       margin-bottom: 0 !important; }}
}}
"""
#: On the step panel's plain arithmetic: zoomed, up to ``PLAIN_MIN_WIDTH``, it gives its column
#: to the chain rule, which says the same in larger type.
PLAIN_CSS = f"""
@media (min-width: {TIGHT_MAX + 1}px) and (max-width: {PLAIN_MIN_WIDTH}px) and (min-height: {ZOOM_MIN_HEIGHT}px) {{
  :host(.presenting) {{ display: none !important; }}
}}
"""


class Presentation:
    """The Present toggle and what it switches.

    Parameters
    ----------
    app : app.factory.AutogradApp
        Uses ``app.graph.figure``, ``app.url`` and, once composed, the page parts given
        to :meth:`attach` and the Player and step panel (``app.player_bar``, ``app.step_panel``).
    """

    def __init__(self, app):
        self.app = app
        self.parts = []
        self._from_url = False
        self.toggle = pn.widgets.Toggle(label="Present", width=96, height=32, margin=(14, 6),
                                        css_classes=["present-toggle"])
        self.toggle.param.watch(self._switched, "value")

    @property
    def on(self) -> bool:
        return bool(self.toggle.value)

    def attach(self, page, main, tabs) -> None:
        """Give the page row, main column, tab bar, Player and plain arithmetic the stylesheets
        (while composing the page)."""
        player, plain = self.app.player_bar.player, self.app.step_panel.plain
        for part, sheet in ((page, PAGE_CSS), (main, MAIN_CSS), (tabs, TABS_CSS),
                            (player, PLAYER_CSS), (plain, PLAIN_CSS)):
            part.stylesheets = list(part.stylesheets) + [sheet]
        self.parts = [page, main, tabs, player, plain]

    def start(self) -> None:
        """After the URL was restored: open in presentation mode when it says ``present=1``."""
        from .share.url_state import first_values

        url = self.app.url
        if url.active and first_values(pn.state.session_args)[0].get("present") == "1":
            self._from_url = True
            self.toggle.value = True
            self._from_url = False

    def _switched(self, event) -> None:
        on = bool(event.new)
        for part in self.parts:
            classes = [c for c in part.css_classes if c != PRESENTING]
            part.css_classes = classes + ([PRESENTING] if on else [])
        url = self.app.url
        url.present = on
        if url.active and not self._from_url:
            url.flush()
        elif self._from_url and url.query is not None:    # (None: the link had notices)
            url.query = url.current_query()   # what the URL already says
