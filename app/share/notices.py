"""A one-line notice bar above the plot: what a link or a file could not do, or what it loaded.

Readable in both themes (it brings its own background and text colours). Hidden while empty
(by its CSS, ``app.graph_page.no_relayout``: a change of ``visible`` made BokehJS lay the whole
page out again, and repaint the graph, when a notice came or went); the x button hides it, and
so does the next graph shown (``graph_shown``): every notice is about
the last thing the reader did (a link, a file, Inspect sample, an Apply refused), and a new
graph is a newer one. Notices that come with a graph are shown after it.
"""

from __future__ import annotations

import html

import panel as pn

from ..graph_page.no_relayout import set_shown

_COLORS = {  # kind -> (text, background, border)
    "error": ("#7a1020", "#fdecee", "#f3b7bf"),
    "warning": ("#5c4000", "#fff4d6", "#f0d58c"),
    "info": ("#0b3d5c", "#e6f2fa", "#a9cfe8"),
}


class NoticeBar:
    """``show(message, kind)`` / ``clear()``; ``view`` is the Panel component.

    Attributes
    ----------
    message : str
        The text shown now (``""`` when hidden).
    kind : str
        ``"error"``, ``"warning"`` or ``"info"``.
    """

    def __init__(self):
        self.message, self.kind = "", "info"
        self.text = pn.pane.HTML("", sizing_mode="stretch_width", margin=(2, 4), css_classes=["notice-bar"])
        self.close = pn.widgets.Button(label="\u00d7", width=30, height=28, margin=(2, 4),
                                       css_classes=["notice-close"], color="light")
        self.close.on_click(lambda event: self.clear())
        self.view = pn.Row(self.text, self.close, sizing_mode="stretch_width",
                           margin=(0, 4), css_classes=["notice-row"])
        set_shown(self.view, False)

    def show(self, message: str, kind: str = "info") -> None:
        """Show ``message`` (plain text; escaped here)."""
        fg, bg, border = _COLORS.get(kind, _COLORS["info"])
        icon = {"error": "\u26a0", "warning": "\u26a0", "info": "\u2139"}.get(kind, "")
        self.message, self.kind = message, kind
        self.text.object = (
            f"<div class='notice notice-{kind}' style='font-family:Helvetica Neue,Helvetica,Arial,sans-serif;"
            f"font-size:13px;color:{fg};background:{bg};border:1px solid {border};border-radius:6px;"
            f"padding:4px 8px;line-height:1.3;max-height:3.9em;overflow:auto'>{icon} {html.escape(message)}</div>"
        )
        set_shown(self.view, True)

    def graph_shown(self, event=None) -> None:
        """A new graph is on screen: what the notice said is about an earlier one."""
        if self.message:
            self.clear()

    def clear(self) -> None:
        self.message = ""
        self.text.object = ""
        set_shown(self.view, False)
