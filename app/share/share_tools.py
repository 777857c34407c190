"""The share/import/export/trust/theme/keyboard features of one app instance, composed.

:class:`ShareTools` builds, for one :class:`app.factory.AutogradApp`:

- ``toolbar``: Import (original app's JSON), JSON and PNG downloads, Link (copies the shareable
  URL), and the light/dark switch (served sessions only);
- ``trust.view``: the gradient-check card (:mod:`app.share.trust_panel`);
- ``notices.view``: the notice bar above the plot;
- ``keyboard``: the invisible keyboard-shortcut component;

and after the layout exists, :meth:`start` restores the URL state and applies the theme.
"""

from __future__ import annotations

import panel as pn

from .flow_io import FlowIO
from .keyboard import KeyboardShortcuts
from .notices import NoticeBar
from .theme import THEMES, current_theme_name, style_figure, style_layout
from .trust_panel import TrustPanel
from .url_state import is_expression
from .url_sync import UrlSync

# ``source`` is the button's own model (Panel passes it to every JS callback). Passing it again as
# ``args={"button": ...}`` would keep every session's app alive: see app/session.py.
COPY_LINK_JS = """
const done = (ok) => { source.label = ok ? "Copied" : "See URL"; setTimeout(() => { source.label = "Link"; }, 1500); };
if (navigator.clipboard && window.isSecureContext) {
  navigator.clipboard.writeText(window.location.href).then(() => done(true), () => done(false));
} else { done(false); }
"""

_BUTTON_CSS = [":host { font-size: 13px; } .bk-btn { padding: 2px 4px; }"]


class ShareTools:
    """See the module docstring.

    Parameters
    ----------
    app : app.factory.AutogradApp
        Uses ``app.model``, ``app.graph``, ``app.editor`` and ``app.player_bar.player``.
    """

    def __init__(self, app):
        self.app = app
        model = app.model
        self.theme_name = current_theme_name()
        self.theme = THEMES[self.theme_name]
        self.notices = NoticeBar()
        self.trust = TrustPanel(model, dark=self.theme_name == "dark")
        self.flow = FlowIO(model, notify=self.notices.show, on_loaded=self._set_editor_text)
        self.keyboard = KeyboardShortcuts(model, app.player_bar.player, enabled=self._graph_tab_shown)
        self.url = UrlSync(model, theme=self.theme_name, notify=self.notices.show,
                           on_restored=self._editor_follows_model)
        self.link_button = pn.widgets.Button(label="Link", width=44, height=30, margin=(2, 2),
                                             css_classes=["copy-link"], stylesheets=_BUTTON_CSS,
                                             description=None)
        self.link_button.js_on_click(code=COPY_LINK_JS)
        other = "default" if self.theme_name == "dark" else "dark"
        self.theme_button = pn.widgets.Button(
            label="\u2600 Light" if other == "default" else "\u263e Dark", width=60, height=30,
            margin=(2, 2), css_classes=["theme-toggle"], stylesheets=_BUTTON_CSS,
        )
        self.theme_button.on_click(lambda event: self.url.switch_theme(other))
        self.link_button.visible = self.theme_button.visible = self.url.active
        for w in (self.flow.json_download, self.flow.png_button):
            w.margin = (2, 2)
            w.stylesheets = list(w.stylesheets) + _BUTTON_CSS
        self.flow.upload.margin = (2, 2)
        self.flow.upload.width = 58
        self.flow.json_download.width = 50
        self.flow.png_button.width = 46
        # Served pages only: in a notebook, document-wide keys would fight Jupyter's own shortcuts
        # (and every app output in the notebook would step at once); there is no URL to write.
        page_only = [self.keyboard, self.url.navigator] if self.url.active else []
        self.toolbar = pn.Row(
            self.flow.upload, self.flow.json_download, self.flow.png_button, self.link_button,
            self.theme_button, *page_only, margin=(0, 4), css_classes=["share-toolbar"],
        )

    def start(self, layout) -> None:
        """Restore the URL state (served only) and apply the theme to ``layout`` and the figure."""
        if self.theme_name != "default":
            style_figure(self.app.graph, self.theme)
            style_layout(layout, self.theme)
            if isinstance(layout, pn.Tabs):  # tabs built later (Train) get the theme when they arrive
                layout.param.watch(self._style_new_tabs, "objects")
        self.url.restore()

    def _style_new_tabs(self, event) -> None:
        old = {id(o) for o in event.old}
        new = [obj for obj in event.new if id(obj) not in old]
        doc = pn.state.curdoc
        # Restyled on the next tick, once Panel has rendered the new tab.
        if doc is not None and doc.session_context is not None:
            doc.add_next_tick_callback(lambda: [style_layout(obj, self.theme, rendered=True) for obj in new])
        else:
            for obj in new:
                style_layout(obj, self.theme, rendered=True)

    def _graph_tab_shown(self) -> bool:
        tabs = getattr(self.app, "tabs", None)
        return tabs is None or tabs.active == 0

    def _set_editor_text(self, text: str) -> None:
        self.app.editor.text.value = text

    def _editor_follows_model(self) -> None:
        """After a link loaded a custom expression, show it in the editor (presets already are)."""
        m = self.app.model
        if not m.preset and is_expression(m.source):
            self.app.editor.text.value = m.source.lstrip("\n")
