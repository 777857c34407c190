"""Keyboard shortcuts for the Player: a small invisible custom component.

Space = play/pause, Left/Right = one step back/forward, Home/End = first/last step, Escape =
leave presentation mode (as in any slide show; the Present toggle was the only way out). Keys typed
into a text field, a text area, a select, a number input or a focused slider handle are left
alone (so typing an expression or nudging a slider never moves the Player), as are keys with
Ctrl/Alt/Meta. The browser sends one short message per key press; the server moves the model
(the Player widget follows it), so the keys and the buttons share one code path. Served pages
only (see ``ShareTools``): in a notebook document-wide keys would fight Jupyter's own.
"""

from __future__ import annotations

import json

import param
from panel.custom import JSComponent

#: key (KeyboardEvent.key) -> action name sent to the server.
KEY_ACTIONS = {" ": "toggle", "ArrowLeft": "previous", "ArrowRight": "next", "Home": "first", "End": "last",
               "Escape": "escape"}


def next_step(action: str, step: int, n_steps: int) -> int:
    """The Player position after ``action`` ("previous", "next", "first", "last"), clamped."""
    if action == "previous":
        return max(0, step - 1)
    if action == "next":
        return min(n_steps, step + 1)
    if action == "first":
        return 0
    if action == "last":
        return n_steps
    return step


class KeyboardShortcuts(JSComponent):
    """Listens on the whole document; invisible (0 x 0).

    Parameters
    ----------
    model : app.model.GraphModel
    player : pn.widgets.Player
        Its ``direction`` is toggled for play/pause (the Player animates in the browser).
    enabled : callable, optional
        ``enabled() -> bool``; keys are ignored while it returns False (another tab is shown).
    escape : callable, optional
        Called on Escape (the app leaves presentation mode).

    Attributes
    ----------
    presses : int
        Key presses acted on (for tests and curiosity).
    """

    presses = param.Integer(default=0)

    _esm = """
    const ACTIONS = @KEY_ACTIONS@;
    function isTyping(e) {
      // composedPath()[0] is the element inside Panel's shadow roots, not the shadow host
      const t = (e.composedPath && e.composedPath()[0]) || e.target;
      if (!t || !t.tagName) return false;
      const tag = t.tagName.toUpperCase();
      if (tag === "TEXTAREA" || tag === "SELECT" || tag === "INPUT" || t.isContentEditable) return true;
      const role = t.getAttribute && t.getAttribute("role");
      return role === "slider" || role === "textbox" || role === "spinbutton" || role === "combobox";
    }
    export function render({ model }) {
      const onKey = (e) => {
        const action = ACTIONS[e.key];
        if (!action || e.ctrlKey || e.altKey || e.metaKey || isTyping(e)) return;
        e.preventDefault();  // no page scroll, no click on a focused button
        if (e.repeat && action === "toggle") return;  // holding Space must not flicker play/pause
        model.send_msg({action: action});
      };
      const onKeyUp = (e) => { if (e.key === " " && !isTyping(e)) e.preventDefault(); };
      document.addEventListener("keydown", onKey, true);
      document.addEventListener("keyup", onKeyUp, true);
      model.on("remove", () => {
        document.removeEventListener("keydown", onKey, true);
        document.removeEventListener("keyup", onKeyUp, true);
      });
      const el = document.createElement("span");
      el.className = "keyboard-shortcuts";
      return el;
    }
    """.replace("@KEY_ACTIONS@", json.dumps(KEY_ACTIONS))    # one table of keys, here and there

    def __init__(self, model, player, enabled=None, escape=None, **params):
        params.setdefault("width", 0)
        params.setdefault("height", 0)
        params.setdefault("margin", 0)
        super().__init__(**params)
        self._model = model
        self._player = player
        self._enabled = enabled
        self._escape = escape

    def _handle_msg(self, data) -> None:
        action = data.get("action") if isinstance(data, dict) else None
        if action not in KEY_ACTIONS.values() or (self._enabled is not None and not self._enabled()):
            return
        self.act(action)

    def act(self, action: str) -> None:
        """Do what the key ``action`` does (also callable from code and tests)."""
        m, player = self._model, self._player
        self.presses += 1
        if action == "escape":
            if self._escape is not None:
                self._escape()
            return
        if action == "toggle":
            if player.direction:
                player.pause()
            else:
                if m.step >= m.n_steps:
                    m.step = 0  # at the end, play starts over
                player.play()
            return
        player.pause()
        m.step = next_step(action, m.step, m.n_steps)
