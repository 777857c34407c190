"""The sharing toolbar of one app instance: Import (the original app's JSON), JSON and PNG
downloads (all three :class:`app.share.flow_io.FlowIO`'s), Link (copies the shareable URL) and
the light/dark switch (served sessions only), plus the page-only invisible helpers.

Only the toolbar: the factory (:mod:`app.factory`) builds and wires the parts (theme, keys,
import/export, gradient check, notices, URL).
"""

from __future__ import annotations

import panel as pn

from .flow_io import TOOLBAR_BUTTON_CSS

# ``source`` is the button's own model (Panel passes it to every JS callback). Passing it again as
# ``args={"button": ...}`` would keep every session's app alive: see app/session.py.
COPY_LINK_JS = """
const done = (ok) => { source.label = ok ? "Copied" : "See URL"; setTimeout(() => { source.label = "Link"; }, 1500); };
if (navigator.clipboard && window.isSecureContext) {
  navigator.clipboard.writeText(window.location.href).then(() => done(true), () => done(false));
} else { done(false); }
"""

_BUTTON_CSS = TOOLBAR_BUTTON_CSS


class ShareTools:
    """See the module docstring.

    Parameters
    ----------
    flow : app.share.flow_io.FlowIO
        Its upload and download buttons open the toolbar.
    url : app.share.url_sync.UrlSync
        The theme switch reloads the page through it; Link and the switch show when it is active.
    theme_name : str
        This session's theme (``"default"`` or ``"dark"``): the switch offers the other one.
    page_only : list
        Invisible components placed in served pages only (keys, the URL navigator).
    """

    def __init__(self, flow, url, theme_name: str, page_only=()):
        self.theme_name = theme_name
        self.link_button = pn.widgets.Button(label="Link", width=44, height=30, margin=(2, 2),
                                             css_classes=["copy-link"], stylesheets=_BUTTON_CSS,
                                             description=None)
        self.link_button.js_on_click(code=COPY_LINK_JS)
        other = "default" if self.theme_name == "dark" else "dark"
        self.theme_button = pn.widgets.Button(
            label="\u2600 Light" if other == "default" else "\u263e Dark", width=60, height=30,
            margin=(2, 2), css_classes=["theme-toggle"], stylesheets=_BUTTON_CSS,
        )
        self.theme_button.on_click(lambda event: url.switch_theme(other))
        self.link_button.visible = self.theme_button.visible = url.active
        self.toolbar = pn.Row(
            flow.upload, flow.json_download, flow.png_format, flow.png_button, self.link_button,
            self.theme_button, *page_only, margin=(0, 4), css_classes=["share-toolbar"],
        )
