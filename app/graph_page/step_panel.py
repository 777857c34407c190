"""Player bar (pn.widgets.Player + forward/backward toggle) and the step panel (chain rule)."""

from __future__ import annotations

import html

import panel as pn

from .narration import step_latex, step_plain, step_title


class PlayerBar:
    """``pn.widgets.Player`` over the current pass plus a toggle for the pass.

    The Player's ``value`` (not ``value_throttled``) is linked to ``model.step`` both ways, and its
    ``end`` follows ``model.n_steps``. Like every view it follows the model's ``frame`` (set after
    each change of what is shown, including a new graph shown complete, where the model moves
    ``step`` without an event of its own).
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
        self.player.param.watch(self._player_moved, "value")
        self.mode.param.watch(self._mode_chosen, "value")
        model.param.watch(self._model_changed, "frame")
        self.view = pn.Row(self.mode, self.player, margin=0)

    def _player_moved(self, event):
        if event.new != self.model.step:
            self.model.step = min(max(0, event.new), self.model.n_steps)

    def _mode_chosen(self, event):
        self.model.mode = event.new

    def _model_changed(self, *events):
        m = self.model
        with pn.io.hold():
            if self.player.end != max(m.n_steps, 1):
                self.player.end = max(m.n_steps, 1)
            if self.player.value != m.step:
                self.player.value = m.step
            if self.mode.value != m.mode:
                self.mode.value = m.mode


class StepPanel:
    """Title line, the chain rule as KaTeX math, and the engine's plain-text arithmetic."""

    def __init__(self, model):
        self.model = model
        self.title = pn.pane.HTML("", margin=(2, 10), css_classes=["step-title"], sizing_mode="stretch_width")
        self.math = pn.pane.LaTeX("", renderer="katex", margin=(0, 10), css_classes=["step-math"],
                                  sizing_mode="stretch_width",
                                  stylesheets=[":host { overflow: hidden; }"])
        self.plain = pn.pane.HTML("", margin=(6, 10), css_classes=["step-text"], width=330)
        model.param.watch(self._update, ["frame"])
        self._update()
        body = pn.Row(self.math, self.plain, sizing_mode="stretch_width", margin=0)
        self.view = pn.Column(self.title, body, sizing_mode="stretch_width", height=165,
                              margin=0, css_classes=["step-panel"],
                              styles={"border-top": "1px solid #ddd", "background": "#fafafa"})

    def _update(self, *events):
        m = self.model
        rec = m.active_record
        self.title.object = (
            f"<span style='font-family:Helvetica Neue,Helvetica,Arial,sans-serif;font-size:15px;font-weight:600;color:#333'>"
            f"{html.escape(step_title(rec, m.step, m.n_steps, m.mode))}</span>"
        )
        tex = step_latex(rec, m)
        lines = tex.count(r" \\ ") + 1 if tex else 0
        # two lines fit at full size; more (MLP neurons, ledgers) shrink so the panel never scrolls
        size = {0: 17, 1: 19, 2: 17, 3: 13}.get(lines, 11)
        if self.math.styles.get("font-size") != f"{size}px":
            self.math.styles = {"font-size": f"{size}px"}
        self.math.object = (
            f"$$\\begin{{gathered}}{tex}\\end{{gathered}}$$" if tex else ""
        )
        plain = step_plain(rec)
        self.plain.object = (
            "<pre style='margin:0;font-size:12px;color:#444;white-space:pre-wrap;line-height:1.3'>"
            f"{html.escape(plain)}</pre>" if plain else ""
        )
