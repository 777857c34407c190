"""Player bar (pn.widgets.Player + forward/backward toggle) and the step panel (chain rule)."""

from __future__ import annotations

import html
from functools import partial

import panel as pn
from panel.io.state import set_curdoc

from ..responsive import NOT_PHONE, PHONE_MAX, PHONE_QUERY

#: The chain rule's form follows the window's width alone: a phone held sideways (the phone
#: layout, ``responsive.SHORT_MAX``) has the width for the wide form's lines (the narrow one
#: left ~500 of its 844 px empty and made the page taller).
NARROW_TEXT, WIDE_TEXT = f"(max-width: {PHONE_MAX}px)", f"(min-width: {PHONE_MAX + 1}px)"
from .narration import step_latex, step_plain, step_title
from .narrow_math import narrow_rows


class PlayerBar:
    """``pn.widgets.Player`` over the current pass plus a toggle for the pass.

    The Player's ``value`` (not ``value_throttled``) is linked to ``model.step`` both ways, and its
    ``end`` follows ``model.n_steps``. Like every view it follows the model's ``frame`` (set after
    each change of what is shown, including a new graph shown complete, where the model moves
    ``step`` without an event of its own).

    The Player's position is set from both ends: the browser (its buttons, its play timer) and the
    server (a new graph, a pass or step-mode switch, the keys). When the two cross in flight (a
    click sent before the browser received the server's move), each side ends with the other's
    value and both think they agree: the server at the click, the browser at the server's move,
    so "next" at the browser's stale end reached nothing. So the first browser move after a
    server move is sent back to the browser, after the server's move: the browser ends where the
    server is. (Only the first, and only once no newer click waits in Panel's debounce: an echo
    overrides a page value still pending, which Panel then drops: a lost click.)
    """

    def __init__(self, model):
        self.model = model
        self.player = pn.widgets.Player(
            start=0, end=max(model.n_steps, 1), value=model.step, interval=900, loop_policy="once",
            show_loop_controls=False, value_align="start", width=420, margin=(4, 8),
            visible_buttons=["slower", "first", "previous", "pause", "play", "next", "last", "faster"],
            css_classes=["step-player"],
        )
        self.mode = pn.widgets.RadioButtonGroup(
            options={"Backward pass": "backward", "Forward pass": "forward"}, value=model.mode,
            color="default", margin=(14, 8), css_classes=["mode-toggle"],
        )
        self._moved = False                # the server moved the Player since the last click
        self._echoing = False              # True while the server itself sets the Player
        self.player.param.watch(self._player_moved, "value")
        self.mode.param.watch(self._mode_chosen, "value")
        model.param.watch(self._model_changed, "frame")
        self.view = pn.Row(self.mode, self.player, margin=0)

    def _player_moved(self, event):
        if self._echoing:
            return
        doc = pn.state.curdoc
        served = doc is not None and doc.session_context is not None
        if served and self._moved:
            # after this event is processed (an echo inside it would be dropped by Panel as
            # a boomerang of the browser's own value), together with the step it moves to
            self._moved = False
            pn.state.execute(partial(self._resync, doc), schedule=True)
            return
        self._go_to(event.new)

    def _go_to(self, k: int) -> None:
        if k != self.model.step:
            self.model.step = min(max(0, k), self.model.n_steps)

    def _resync(self, doc) -> None:
        """Send the Player's value to the browser again (changed and changed back inside one
        hold: Bokeh combines the two into one message with the value), then move the model."""
        if "value" in getattr(self.player, "_events", {}):
            # a newer click is waiting for Panel's debounce: an echo now would win over it (Panel
            # drops a page value that a server change overrides), so echo after it instead.
            # Private API, kept on purpose: Panel (1.9) has no public way to ask whether a page
            # change is still waiting in its debounce; it keeps them in ``_events`` (the
            # widget's Bokeh model holds the value too, but finding the model is private as
            # well). Without ``_events`` this check is a no-op, and
            # tests/test_app_model.py::test_panel_still_keeps_pending_page_changes_in_events
            # fails, so a Panel upgrade that drops it is seen.
            doc.add_timeout_callback(partial(self._resync, doc), 60)
            return
        k = self.player.value
        with set_curdoc(doc), pn.io.hold(doc):
            self._set_quietly(k + 1)
            self._set_quietly(k)
            self._go_to(k)

    def resend(self) -> None:
        """Send the Player's position to the browser again. Panel's Player sets its slider's
        value before its max when first drawn, so a first position past 100 shows at 100 (the
        knob near the start of a long pass) until the value changes (a change sets max first).
        So: one step off, then back in the next tick (one message would combine the two into
        no change at all). The model does not move."""
        doc = pn.state.curdoc
        k = self.player.value
        if doc is None or doc.session_context is None or k <= 100:
            return          # at or below 100 (the slider's default max) the page shows it right
        self._moved = True  # a server move: a click crossing it is resynced (_player_moved)
        self._set_quietly(k + 1 if k < self.player.end else k - 1)

        def back():
            with set_curdoc(doc):
                self._set_quietly(self.model.step)
        doc.add_next_tick_callback(back)

    def _set_quietly(self, k: int) -> None:
        """Set the Player from the server: not a click for the model to follow."""
        self._echoing = True
        try:
            self.player.value = k
        finally:
            self._echoing = False

    def _mode_chosen(self, event):
        self.model.mode = event.new

    def _model_changed(self, *events):
        m = self.model
        with pn.io.hold():
            self._echoing = True           # the server moves the Player: not a click to follow
            try:
                if self.player.end != max(m.n_steps, 1) or self.player.value != m.step:
                    self._moved = True
                if self.player.end != max(m.n_steps, 1):
                    self.player.end = max(m.n_steps, 1)
                if self.player.value != m.step:
                    self.player.value = m.step
            finally:
                self._echoing = False
            if self.mode.value != m.mode:
                self.mode.value = m.mode


#: A scrollbar drawn always, not an overlay one that shows only while scrolling (which did not
#: say that anything was cut), in the step panel's greys (light and dark theme).
SCROLLBAR = f"""
{NOT_PHONE} {{
  :host::-webkit-scrollbar {{ width: 9px; height: 9px; }}
  :host::-webkit-scrollbar-track {{ background: rgba(128, 128, 128, 0.12); border-radius: 5px; }}
  :host::-webkit-scrollbar-thumb {{ background: rgba(128, 128, 128, 0.55); border-radius: 5px; }}
}}
@supports not selector(::-webkit-scrollbar) {{ :host {{ scrollbar-width: thin; }} }}
"""

#: The chain rule in two forms, one shown by the screen's width: a line per input above the phone
#: width, one relation per row on a phone, where the panel is as tall as its text (a neuron's
#: step, one line per input, was up to 1.9x as wide as a 390 px phone).
#:
#: Above the phone width the chain rule is as wide as its widest line (``max-content``) and the
#: plain arithmetic beside it goes below it (``BODY_CSS`` wraps the row) when the two do not fit
#: side by side: at 1024x768 the MLP's step 23 needs 620 px and had 414 beside the arithmetic,
#: its right end (the numbers) cut. Still wider than the panel (a long name in every fraction),
#: it scrolls sideways with a scrollbar drawn always (an overlay scrollbar, hidden until a
#: scroll, did not say that anything was cut).
MATH_FORMS = f"""
:host {{ overflow-x: auto; overflow-y: hidden; margin: 0 10px; }}   /* (Panel drops its margin on a new font size) */
@media {WIDE_TEXT} {{ :host {{ margin: 0; }} }}   /* centred; the arithmetic keeps 10 px off */
.math-narrow {{ display: none; }}
@media {WIDE_TEXT} {{
  :host {{ flex: 10000 1 auto !important; width: max-content !important; min-width: 0 !important;
           max-width: 100% !important; }}
}}
{SCROLLBAR}
@media {NARROW_TEXT} {{
  .math-wide {{ display: none; }}
  .math-narrow {{ display: block; font-size: 15px; }}
  .math-line {{ margin: 6px 0 10px; }}
  .math-row + .math-row {{ padding-left: 2.2em; margin-top: 2px; }}   /* "= ..." under the left side */
}}
"""

#: The plain arithmetic (above the phone width): 330 px beside the chain rule (which takes all
#: but a 10000th of the row's free width, ``MATH_FORMS``), the whole row below it (fewer lines
#: to scroll to).
PLAIN_FORMS = f"""
@media {WIDE_TEXT} {{
  :host {{ flex: 1 0 330px !important; width: auto !important; min-width: 330px !important;
           margin-bottom: 2px !important; }}
  :host > div {{ width: 100% !important; }}
}}
"""

#: The row of the chain rule and the plain arithmetic (above the phone width): the arithmetic
#: wraps below a chain rule too wide to share the row, and the row takes the panel's height
#: below the title and scrolls inside it (the panel's height is fixed: it must not push the page
#: into scrolling), so the arithmetic below is reached by scrolling the panel.
BODY_CSS = f"""
@media {PHONE_QUERY} {{ .step-math {{ height: auto !important; max-height: none !important; }} }}   /* a phone: as tall as its rows (see responsive.STEP_PANEL) */
{NOT_PHONE} {{
  :host {{ flex-wrap: wrap !important; align-content: flex-start; flex: 1 1 auto !important;
           min-height: 0 !important; overflow-y: auto !important; overflow-x: hidden !important; }}
}}
{SCROLLBAR}"""


def math_html(tex: str) -> str:
    """The step panel's math for ``tex`` (``narration.step_latex``): both forms of
    ``MATH_FORMS``, as display math for Panel's KaTeX pane."""
    if not tex:
        return ""
    return (f'<div class="math-wide">$$\\begin{{gathered}}{tex}\\end{{gathered}}$$</div>'
            '<div class="math-narrow">' + "".join(
                '<div class="math-line">' + "".join(
                    f'<div class="math-row">$\\displaystyle {row}$</div>' for row in rows) + "</div>"
                for rows in narrow_rows(tex)) + "</div>")


class StepPanel:
    """Title line, the chain rule as KaTeX math, and the engine's plain-text arithmetic
    (``plain=False``: without it, where there is no room; the update step's text lists every
    parameter, tens of KB a frame)."""

    def __init__(self, model, plain: bool = True, min_font: int = 11):
        self.model = model
        self.min_font = min_font            # px: the chain rule's smallest size (subscripts ~0.7 of it)
        self.with_plain = plain
        self.title = pn.pane.HTML("", margin=(2, 10), css_classes=["step-title"], sizing_mode="stretch_width")
        self.math = pn.pane.LaTeX("", renderer="katex", margin=(0, 10), css_classes=["step-math"],
                                  sizing_mode="stretch_width", stylesheets=[MATH_FORMS])
        self.plain = pn.pane.HTML("", margin=(6, 10), css_classes=["step-text"], width=330,
                                  visible=plain, stylesheets=[PLAIN_FORMS])
        self.held = False                   # hold(True): frames are not narrated until hold(False)
        model.param.watch(self._update, ["frame"])
        self._update()
        body = pn.Row(self.math, self.plain, sizing_mode="stretch_width", margin=0,
                      css_classes=["step-body"], stylesheets=[BODY_CSS])
        self.view = pn.Column(self.title, body, sizing_mode="stretch_width", height=165,
                              margin=0, css_classes=["step-panel"],
                              styles={"border-top": "1px solid #ddd", "background": "#fafafa"})

    def hold(self, held: bool) -> None:
        """Stop narrating frames (the Train tab's network view while training: the numbers
        move under it every tick), or catch up and narrate again."""
        self.held = held
        if not held:
            self._update()

    def _update(self, *events):
        if self.held:
            return
        m = self.model
        rec = m.active_record
        self.title.object = (
            f"<span style='font-family:Helvetica Neue,Helvetica,Arial,sans-serif;font-size:15px;font-weight:600;color:#333'>"
            f"{html.escape(step_title(rec, m.step, m.n_steps, m.mode))}</span>"
        )
        tex = step_latex(rec, m)
        lines = tex.count(r" \\ ") + 1 if tex else 0
        # two lines fit at full size; more (MLP neurons, ledgers) shrink so the panel never scrolls
        size = max({0: 17, 1: 19, 2: 17, 3: 13}.get(lines, 11), self.min_font)
        if self.math.styles.get("font-size") != f"{size}px":
            self.math.styles = {"font-size": f"{size}px"}
        self.math.object = math_html(tex)
        plain = step_plain(rec) if self.with_plain else ""
        self.plain.object = (
            "<pre style='margin:0;font-size:12px;color:#444;white-space:pre-wrap;line-height:1.3'>"
            f"{html.escape(plain)}</pre>" if plain else ""
        )
