"""Presentation mode: the Graph page for a projector (``?present=1`` or the Present toggle).

The editor and leaves (the sidebar) are hidden so the graph takes the whole width; the output,
Player and step panel are drawn larger (CSS ``zoom``), and so are the node captions and op
symbols (the figure's text glyphs). The URL carries the mode (``present=1``), so a link opens a
projector-ready page.

Height is what a projector (1024x768, 1280x720) lacks, and the zoom takes it: the zoomed bar and
step panel were ~50 px taller, and hiding the sidebar gives only width, so the graph was drawn
~50 px shorter than without presenting. The page gives it back: the tab bar (34 px) is hidden
while presenting (the Present toggle and Escape stay, and leaving brings the tabs back), and the
bar above the graph loses its empty lower part (its content is ~52 px of its 72), so the graph is
at least as tall as without presenting at every window size.
"""

from __future__ import annotations

import panel as pn
from panel.io.document import unlocked

from .responsive import PHONE_MAX, TIGHT_MAX

PRESENTING = "presenting"
#: Caption / op-symbol font sizes while presenting (the graph view draws them at 12 px).
CAPTION_PX, SYMBOL_PX = "17px", "16px"
#: How much larger the output, Player and step panel are drawn.
ZOOM = 1.3

#: Presentation mode is for screens wider than a phone's. A phone hides the Present toggle, so a
#: shared ``present=1`` link there could not be left: the sidebar stayed hidden even after
#: "Edit", and the zoomed Player ran 40 px past both edges of a 390 px screen.
_NOT_PHONE = f"@media (min-width: {PHONE_MAX + 1}px)"
#: The bar above the graph while presenting, before the zoom (px; 72 otherwise): its output,
#: pass switch and Player end ~52 px down, the rest was empty. Not where the bar wraps (up to
#: ``TIGHT_MAX``: there it is as tall as its two lines).
TOPBAR_PX = 58
#: On the tab bar (served pages): hidden while presenting; the Graph page takes its height.
TABS_CSS = f"""
{_NOT_PHONE} {{ :host(.presenting) .bk-header {{ display: none !important; }} }}
"""
#: On the Graph page row.
PAGE_CSS = f"""
{_NOT_PHONE} {{
  :host(.presenting) {{ height: 100vh !important; }}
  :host(.presenting) .page-sidebar {{ display: none !important; }}
}}
"""
#: On the main column.
MAIN_CSS = f"""
{_NOT_PHONE} {{
  :host(.presenting) .page-topbar {{ zoom: {ZOOM}; }}
  :host(.presenting) .step-panel {{ zoom: {ZOOM}; }}
  :host(.presenting) .graph-legend {{ display: none !important; }}
}}
@media (min-width: {TIGHT_MAX + 1}px) {{
  :host(.presenting) .page-topbar {{ height: {TOPBAR_PX}px !important; min-height: {TOPBAR_PX}px !important;
                                     max-height: {TOPBAR_PX}px !important; }}
}}
"""


class Presentation:
    """The Present toggle and what it switches.

    Parameters
    ----------
    app : app.factory.AutogradApp
        Uses ``app.graph.figure``, ``app.url`` and, once composed, the page parts given
        to :meth:`attach`.
    """

    def __init__(self, app):
        self.app = app
        self.parts = []
        self._glyph_sizes = {}
        self._from_url = False
        self.toggle = pn.widgets.Toggle(label="Present", width=96, height=32, margin=(14, 6),
                                        css_classes=["present-toggle"])
        self.toggle.param.watch(self._switched, "value")

    @property
    def on(self) -> bool:
        return bool(self.toggle.value)

    def attach(self, page, main, tabs) -> None:
        """Give the page row, main column and tab bar the stylesheets (while composing the page)."""
        page.stylesheets = list(page.stylesheets) + [PAGE_CSS]
        main.stylesheets = list(main.stylesheets) + [MAIN_CSS]
        tabs.stylesheets = list(tabs.stylesheets) + [TABS_CSS]
        self.parts = [page, main, tabs]

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
        fig = self.app.graph.figure
        # our own Bokeh glyphs, edited directly: with the document unlocked the Panel way, as the
        # graph view does (Escape comes through Panel's event path, outside the document's lock,
        # where this raised and the URL kept present=1)
        with unlocked():
            for name, size in (("value-captions", CAPTION_PX), ("op-symbols", SYMBOL_PX)):
                renderer = fig.select_one({"name": name})
                if renderer is None:
                    continue
                glyph = renderer.glyph
                self._glyph_sizes.setdefault(name, glyph.text_font_size)
                glyph.text_font_size = size if on else self._glyph_sizes[name]
        url = self.app.url
        url.present = on
        if url.active and not self._from_url:
            url.flush()
        elif self._from_url and url.query is not None:    # (None: the link had notices)
            url.query = url.current_query()   # what the URL already says
