"""Keeps the browser's URL equal to the app's shareable state (served sessions only).

On session start :meth:`UrlSync.restore` reads the URL (``pn.state.session_args``), validates it
(:mod:`app.share.url_state`) and applies it to the model; whatever it could not apply becomes one
notice. Afterwards every change of what is shown schedules one URL update: changes within
``delay_ms`` are coalesced into a single ``pn.state.location.search`` write (a slider drag or a
playing Player costs one small message per ``delay_ms``, not one per event; the query itself
is a few hundred bytes to build). In a notebook (no server session) it does nothing.
"""

from __future__ import annotations

import panel as pn
from panel.custom import JSComponent

from ..page_ready import when_page_ready
from ..presets import DEFAULT_PRESET, PRESETS
from .url_model import apply_state, state_from_model
from .url_state import decode, encode, first_values


class PageNavigator(JSComponent):
    """Invisible: ``go(search)`` loads the page at ``?search`` (a full load, so Panel themes the
    new session from the URL). One message, handled in order after any pending URL write.

    It also answers a lost connection (Bokeh's ``connection_lost`` document event: server
    stopped, network gone): a notice over the whole page says so and offers a reload, which
    opens a new session from the URL (kept equal to what was shown). Without it the page went
    on taking input that reached no server (a slider read a=5 over a graph drawn for a=3)."""

    _esm = """
    const NOTICE = "Disconnected from the server: reload the page to continue. " +
                   "The link keeps what you were looking at.";
    function showDisconnected() {
      if (document.querySelector(".connection-lost")) return;
      const veil = document.createElement("div");
      veil.className = "connection-lost";
      veil.setAttribute("role", "alertdialog");
      veil.style.cssText = "position:fixed;inset:0;z-index:100000;background:rgba(0,0,0,0.35);" +
        "display:flex;align-items:flex-start;justify-content:center;padding-top:15vh";
      const box = document.createElement("div");
      box.style.cssText = "background:#fff;color:#222;border-left:6px solid #c0392b;padding:16px 20px;" +
        "max-width:30em;font:15px/1.4 sans-serif;box-shadow:0 4px 16px rgba(0,0,0,0.3)";
      const text = document.createElement("p");
      text.className = "connection-lost-text";
      text.style.margin = "0 0 12px 0";
      text.textContent = NOTICE;
      const reload = document.createElement("button");
      reload.className = "connection-lost-reload";
      reload.textContent = "Reload";
      reload.style.cssText = "font:inherit;padding:4px 16px;cursor:pointer";
      reload.addEventListener("click", () => window.location.reload());
      box.append(text, reload);
      veil.append(box);
      document.body.append(veil);
      reload.focus();
    }
    export function render({ model, view }) {
      model.on("msg:custom", (msg) => {
        if (msg && typeof msg.search === "string") { window.location.search = msg.search; }
      });
      const doc = view && view.model ? view.model.document : null;
      if (doc && !view._connectionWatched) {
        view._connectionWatched = true;
        doc.on_event("connection_lost", showDisconnected);
      }
      return document.createElement("span");
    }
    """

    def __init__(self, **params):
        params.setdefault("width", 0)
        params.setdefault("height", 0)
        params.setdefault("margin", 0)
        super().__init__(**params)

    def go(self, search: str) -> None:
        self._send_msg({"search": search})


class UrlSync:
    """URL <-> model for one served session.

    Parameters
    ----------
    model : app.model.GraphModel
    theme : str
        ``"default"`` or ``"dark"`` (this session's theme, written into the URL).
    notify : callable
        ``notify(message, kind)``: shows a notice.
    on_restored : callable, optional
        Called after a URL was applied (the factory refreshes the editor text).
    delay_ms : int
        Debounce interval of URL writes.

    Attributes
    ----------
    active : bool
        True in a served session (a URL exists).
    query : str or None
        The query last written (without ``?``); None: the URL is not the state's (a link
        restored with notices), written at the next ``flush``.
    writes : int
        URL writes so far (tests check the debounce with it).
    """

    def __init__(self, model, theme: str = "default", notify=None, on_restored=None, delay_ms: int = 300):
        self.model = model
        self.theme = theme
        self.present = False   # presentation mode (app.presentation), written as present=1
        self.notify = notify or (lambda message, kind="info": None)
        self.on_restored = on_restored
        self.delay_ms = delay_ms
        doc = pn.state.curdoc
        self.active = bool(doc is not None and doc.session_context is not None)
        self._doc = doc
        self._location = pn.state.location if self.active else None
        self._scheduled = False
        self.query = ""
        self.writes = 0
        self.navigator = PageNavigator()  # must be placed in the page (see ShareTools.toolbar)
        if self.active:
            model.param.watch(self._schedule, "frame")

    def restore(self) -> list:
        """Apply this session's URL to the model; return the notices (also shown)."""
        if not self.active:
            return []
        query, notices = first_values(pn.state.session_args)
        state, more = decode(query, PRESETS)
        notices += more
        try:
            notices += apply_state(self.model, state)
        except Exception as exc:  # noqa: BLE001 - a link must never end in a traceback
            notices.append(f"the link could not be applied ({type(exc).__name__}); showing the default")
            self.model.load_preset(DEFAULT_PRESET)
        if self.on_restored:
            self.on_restored()
        notices.sort(key=lambda n: "showing the default" not in n)  # what replaced the link first
        if notices:
            self.notify("This link could not be opened exactly: " + "; ".join(notices) + ".", "warning")
            # the address bar shows what is shown, not the link that failed: a reload or a
            # copied link would bring the notice (and the rejected text) back. Written once the
            # page is there: the browser's Location sets the URL it opened with as it renders
            self.query = None
            when_page_ready(self._doc, self._schedule)
        else:
            self.query = encode(state_from_model(self.model, self.theme, self.present))
        return notices

    def current_query(self, theme: str | None = None) -> str:
        """The query string for the model now (``theme`` overrides this session's)."""
        return encode(state_from_model(self.model, theme or self.theme, self.present))

    def _schedule(self, *events) -> None:
        if self._scheduled or not self.active:
            return
        self._scheduled = True
        self._doc.add_timeout_callback(self.flush, self.delay_ms)

    def flush(self) -> None:
        """Write the URL now if it changed."""
        self._scheduled = False
        query = self.current_query()
        if query != self.query:
            self.query = query
            self.writes += 1
            self._location.search = f"?{query}" if query else ""

    #: ``() -> bool``: whether the page holds work the URL does not (the factory's: text typed
    #: in the editor and not applied); the theme switch does not reload over it
    unapplied = staticmethod(lambda: False)

    def switch_theme(self, theme: str) -> bool:
        """Load this same moment in ``theme``: write the URL with it and reload the page (Panel
        themes a session from its URL, as its templates' theme toggle does). Where the reload
        would lose something (a graph no link carries, text not applied) the page stays and a
        notice says why. Returns whether it reloads."""
        if not self.active:
            return False
        state = state_from_model(self.model, theme, self.present)
        if state.from_value:
            self.notify("The theme switch reloads the page, and a link cannot carry this graph (loaded from "
                        "a file or a Value object, or too long for a link), so it stays in this theme: "
                        "switch the theme before loading it.", "warning")
            return False
        if self.unapplied():
            self.notify("The theme switch reloads the page: apply the editor's text (or undo it) first, "
                        "so that it is not lost.", "warning")
            return False
        query = encode(state)
        self.navigator.go(f"?{query}" if query else "?")
        return True
