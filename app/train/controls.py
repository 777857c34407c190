"""The Train tab's settings column: widgets bound to ``TrainModel``'s parameters, the Run /
Pause / Step / Reset buttons, and the sample picker the network view shows beside its graph
(``TrainControls``). The widgets are views of the model (``from_param``); the buttons call its
methods. No state of its own."""
from __future__ import annotations

import panel as pn
from panel.viewable import Viewer

from .texts import refused_html


def heading(text: str):
    """A small bold title over a group of controls."""
    return pn.pane.HTML(f"<div style='font-size:13px;font-weight:600;color:#333'>{text}</div>",
                        margin=(6, 10, 0, 10))


class TrainControls(Viewer):
    """The controls of one ``TrainModel`` (``model``); ``on_inspect`` is what "Open in Graph
    tab" does. The settings column is the viewable; ``w_sample``, ``w_with_l2`` and
    ``b_inspect`` are laid out by the network view."""

    def __init__(self, model, on_inspect, **params):
        super().__init__(**params)
        self.model = model
        self._make_settings()
        self._make_buttons(on_inspect)
        self.refused = pn.pane.HTML(pn.bind(lambda *_: refused_html(model), model.param.refused),
                                    visible=pn.bind(bool, model.param.refused),
                                    sizing_mode="stretch_width", margin=(0, 10),
                                    css_classes=["train-refused"])
        self._column = self._compose()

    def _make_settings(self) -> None:
        m, w = self.model.param, pn.widgets
        self.w_dataset = w.Select.from_param(m.dataset, name="Data set", width=130)
        self.w_samples = w.IntSlider.from_param(m.n_samples, name="Samples", step=10, width=130)
        self.w_noise = w.FloatSlider.from_param(m.noise, name="Noise", step=0.01, width=130)
        self.w_seed = w.IntInput.from_param(m.seed, name="Seed", width=130)
        self.w_hidden = w.TextInput.from_param(m.hidden, name="Hidden layers", width=130,
                                               css_classes=["train-hidden"])
        self.w_nonlin = w.RadioButtonGroup.from_param(m.nonlin, name="", width=130,
                                                      margin=(26, 10, 5, 10))
        self.w_loss = w.Select.from_param(m.loss, name="Loss", width=270)
        self.w_alpha = w.FloatInput.from_param(m.alpha, name="L2 alpha", step=1e-4, width=130)
        self.w_lr = w.FloatInput.from_param(m.lr, name="Learning rate", step=0.05, width=130)
        self.w_schedule = w.Select.from_param(m.schedule, name="Schedule", width=130)
        self.w_n_steps = w.IntInput.from_param(m.n_steps, name="Decay over (steps)", width=130)
        self.w_batch = w.Select.from_param(m.batch, name="Batch", width=130)
        self.w_speed = w.IntSlider.from_param(m.speed, name="Steps per tick", width=130)
        # empty: Inspect opens the sample with the largest loss (TrainModel.inspect)
        self.w_sample = w.IntInput.from_param(m.sample, name="", width=90,
                                              placeholder="sample #",
                                              margin=(4, 6))
        self.w_with_l2 = w.Checkbox.from_param(m.with_l2, name="with L2",
                                               margin=(10, 6, 4, 6))

    def _make_buttons(self, on_inspect) -> None:
        w, model = pn.widgets, self.model
        # Material buttons are at least 64 px wide: four of them fill the 310 px column
        self.b_run = w.Button(label="▶ Run", color="success", width=64, margin=(5, 2))
        self.b_pause = w.Button(label="❚❚ Pause", color="warning", width=80, disabled=True,
                                margin=(5, 2))
        self.b_step = w.Button(label="Step", color="primary", width=64, margin=(5, 2))
        self.b_reset = w.Button(label="Reset", color="light", width=64, margin=(5, 2))
        self.b_inspect = w.Button(label="Open in Graph tab", color="primary", width=140,
                                  margin=(4, 6))
        self.b_run.on_click(lambda _: model.run())
        self.b_pause.on_click(lambda _: model.pause())
        self.b_step.on_click(lambda _: model.step_later(1))
        self.b_reset.on_click(lambda _: model.reset())
        self.b_inspect.on_click(lambda _: on_inspect())

    def show_running(self, running: bool) -> None:
        """Run, or Pause and Step, are offered depending on ``running``."""
        self.b_run.disabled = running
        self.b_pause.disabled = not running
        self.b_step.disabled = running

    def _compose(self):
        return pn.Column(
            pn.pane.HTML("<div style='font-size:20px;font-weight:700;color:#222'>Train an MLP"
                         "</div><div style='font-size:12px;color:#666'>every step through the "
                         "compiled tape</div>", margin=(6, 10, 2, 10)),
            heading("Data"),
            pn.Row(self.w_dataset, self.w_samples, margin=0),
            pn.Row(self.w_noise, self.w_seed, margin=0),
            heading("Model"),
            pn.Row(self.w_hidden, self.w_nonlin, margin=0),
            self.refused,
            heading("Recipe"),
            self.w_loss,
            pn.Row(self.w_lr, self.w_schedule, margin=0),
            pn.Row(self.w_n_steps, self.w_alpha, margin=0),
            pn.Row(self.w_batch, self.w_speed, margin=0),
            pn.Row(self.b_run, self.b_pause, self.b_step, self.b_reset, margin=(8, 4)),
            width=310, margin=0,
            styles={"border-right": "1px solid #ddd", "background": "#fbfbfb"},
        )

    def __panel__(self):
        return self._column
