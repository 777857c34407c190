"""The "Train" view: watch an MLP learn a 2-D data set, one gradient-descent step at a time.

``create_train_view(on_inspect=...)`` builds a fresh, independent view (no module state):
controls for the data set, the model and the recipe; Run / Pause / Step / Reset; streaming
loss and accuracy curves; the decision boundary; a sortable parameter table; and "Inspect one
sample", which hands that sample's loss graph (fresh ``engine.Value``s with the current weights)
and its update records to ``on_inspect(value_graph, update_records)``.

Training runs server-side in a periodic callback (``pn.state.add_periodic_callback``), a few
steps per tick, so the page stays responsive; every step goes through the trainer's compiled
``engine.Tape`` (``engine.train``). Standalone::

    python -c "import panel as pn; from app.train.view import create_train_view; \
pn.serve(create_train_view, port=5007, show=False)"
"""
from __future__ import annotations

import dataclasses
import html
import time
from collections import OrderedDict

import numpy as np
import pandas as pd
import holoviews as hv
import panel as pn
import param
from bokeh.models.widgets.tables import NumberFormatter
from panel.viewable import Viewer

from engine.datasets import DATASETS, make_dataset
from engine.train import TrainConfig, Trainer, estimate_nodes

from .plots import NEG_COLOR, POS_COLOR, BoundaryPlot, CurvePlots

LOSS_OPTIONS = {"max-margin (micrograd demo)": "max_margin", "mean squared error": "mse",
                "cross-entropy (sigmoid)": "bce"}
SCHEDULE_OPTIONS = {"linear decay": "linear_decay", "constant": "constant"}
BATCH_OPTIONS = {"full batch": 0, "64": 64, "32": 32, "16": 16, "8": 8, "1": 1}
MAX_HIDDEN_LAYERS, MAX_WIDTH = 3, 32
COMPILED_CACHE_SIZE = 3      # compiled loss graphs kept per view (one per architecture/batch)
# Largest loss graph compiled on a click: ~2 s of compiling (one-off; a step then takes ~8 ms).
# Bigger ones would stall the server's event loop, so the view asks for a smaller setting.
MAX_NODES = 200_000


def parse_hidden(text: str) -> tuple:
    """``"16, 16"`` -> ``(16, 16)``. Raises ``ValueError`` with a readable message."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"hidden layers: write widths like '16, 16', got {text!r}") from None
    if not sizes or len(sizes) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"hidden layers: give 1 to {MAX_HIDDEN_LAYERS} widths")
    if any(not 1 <= s <= MAX_WIDTH for s in sizes):
        raise ValueError(f"hidden layers: each width must be 1..{MAX_WIDTH}")
    return sizes


class TrainView(Viewer):
    """One training session with its controls and plots (see the module docstring).

    Controller methods, usable without a browser: ``reset()``, ``step(n)``, ``run()``,
    ``pause()``, ``inspect(sample)``. State: ``trainer`` (``engine.train.Trainer``),
    ``X``/``y`` the data, ``running``, ``error`` (last problem shown to the user or ``""``),
    ``last_inspection``.
    """

    running = param.Boolean(default=False, doc="True while the periodic callback trains.")
    error = param.String(default="")

    def __init__(self, on_inspect=None, dataset: str = "moons", n_samples: int = 100,
                 noise: float = 0.1, seed: int = 1337, config: TrainConfig = TrainConfig(),
                 period_ms: int = 100, refresh_every: int = 5, grid_resolution: int = 70,
                 **params):
        super().__init__(**params)
        self.on_inspect = on_inspect
        self.period_ms = period_ms
        self.refresh_every = refresh_every
        self.grid_resolution = grid_resolution
        self._callback = None
        self._compiled = OrderedDict()
        self._last_refresh_step = -1
        self.last_inspection = None
        self.inspect_reason = ""      # why the last inspection showed its sample ("" = chosen)
        self.trainer = None

        self._make_widgets(dataset, n_samples, noise, seed, config)
        self.curves = CurvePlots(height=175)
        self.boundary = BoundaryPlot(size=370)   # with the table below: fits 1280x720
        self.boundary.tap.param.watch(self._on_tap, ["x", "y"])
        self.table = pn.widgets.Tabulator(
            pd.DataFrame({"label": [], "data": [], "grad": [], "update": []}),
            show_index=False, disabled=True, height=205, sizing_mode="stretch_width",
            pagination=None,
            layout="fit_columns", selectable=False,
            formatters={c: NumberFormatter(format="0.000000") for c in ("data", "grad", "update")},
            titles={"update": "−lr·grad"})
        self.status = pn.pane.HTML("", sizing_mode="stretch_width", margin=(2, 10))
        self.refused = pn.pane.HTML("", visible=False, sizing_mode="stretch_width", margin=(0, 10),
                                    css_classes=["train-refused"])
        self.inspect_info = pn.pane.HTML("", sizing_mode="stretch_width", height=150,
                                         margin=(0, 6), styles={"overflow-y": "auto"})
        self.reset()
        self._layout = self._compose()

    # ---- widgets ----------------------------------------------------------------------------
    def _make_widgets(self, dataset, n_samples, noise, seed, config):
        w = pn.widgets
        self.w_dataset = w.Select(label="Data set", options=list(DATASETS), value=dataset,
                                  width=130)
        self.w_samples = w.IntSlider(label="Samples", start=20, end=200, step=10,
                                     value=n_samples, width=130)
        self.w_noise = w.FloatSlider(label="Noise", start=0.0, end=0.5, step=0.01, value=noise,
                                     width=130)
        self.w_seed = w.IntInput(label="Seed", value=seed, width=130)
        self.w_hidden = w.TextInput(label="Hidden layers",
                                    value=", ".join(map(str, config.hidden)), width=130)
        self.w_nonlin = w.RadioButtonGroup(options=["relu", "tanh"], value=config.nonlin,
                                           width=130, margin=(26, 10, 5, 10))
        self.w_loss = w.Select(label="Loss", options=LOSS_OPTIONS, value=config.loss, width=270)
        self.w_alpha = w.FloatInput(label="L2 alpha", value=config.alpha, step=1e-4, start=0.0,
                                    width=130)
        self.w_lr = w.FloatInput(label="Learning rate", value=config.lr, step=0.05, start=0.0,
                                 width=130)
        self.w_schedule = w.Select(label="Schedule", options=SCHEDULE_OPTIONS,
                                   value=config.schedule, width=130)
        self.w_n_steps = w.IntInput(label="Decay over (steps)", value=config.n_steps, start=1,
                                    width=130)
        self.w_batch = w.Select(label="Batch", options=BATCH_OPTIONS,
                                value=config.batch_size or 0, width=130)
        self.w_speed = w.IntSlider(label="Steps per tick", start=1, end=10, value=2, width=130)
        # Material buttons are at least 64 px wide: four of them fill the 310 px column
        self.b_run = w.Button(label="▶ Run", color="success", width=64, margin=(5, 2))
        self.b_pause = w.Button(label="❚❚ Pause", color="warning", width=80, disabled=True,
                                margin=(5, 2))
        self.b_step = w.Button(label="Step", color="primary", width=64, margin=(5, 2))
        self.b_reset = w.Button(label="Reset", color="light", width=64, margin=(5, 2))
        # empty: Inspect opens the sample with the largest loss (see inspect)
        self.w_sample = w.IntInput(label="Sample", value=None, start=0, width=90,
                                   placeholder="largest loss")
        self.w_with_l2 = w.Checkbox(label="with L2 term", value=False, margin=(30, 6, 5, 6))
        self.b_inspect = w.Button(label="Inspect sample", color="primary", width=120,
                                  margin=(24, 6, 5, 6))

        for widget in (self.w_dataset, self.w_samples, self.w_noise, self.w_seed, self.w_hidden,
                       self.w_nonlin, self.w_loss, self.w_batch):
            widget.param.watch(self._on_structure, "value")
        for widget in (self.w_alpha, self.w_lr, self.w_schedule, self.w_n_steps):
            widget.param.watch(self._on_hyper, "value")
        self.b_run.on_click(lambda _: self.run())
        self.b_pause.on_click(lambda _: self.pause())
        self.b_step.on_click(lambda _: self.step(1))
        self.b_reset.on_click(lambda _: self.reset())
        self.b_inspect.on_click(lambda _: self.inspect())

    def _config(self) -> TrainConfig:
        return TrainConfig(hidden=parse_hidden(self.w_hidden.value), nonlin=self.w_nonlin.value,
                           loss=self.w_loss.value, alpha=float(self.w_alpha.value or 0.0),
                           lr=float(self.w_lr.value or 0.0), schedule=self.w_schedule.value,
                           n_steps=int(self.w_n_steps.value or 1),
                           batch_size=self.w_batch.value or None, seed=int(self.w_seed.value))

    # ---- controller ---------------------------------------------------------------------------
    def reset(self) -> None:
        """New data and weights from the controls (compiled graphs are reused when the
        architecture, loss and batch size match one seen before)."""
        self.pause()
        try:
            config = self._config()
        except ValueError as exc:
            self._refuse(str(exc))
            return
        X, y = make_dataset(self.w_dataset.value, int(self.w_samples.value),
                            float(self.w_noise.value), seed=int(self.w_seed.value))
        batch = len(X) if config.batch_size is None else min(config.batch_size, len(X))
        size = estimate_nodes(X.shape[1], config.hidden, batch)
        if size > MAX_NODES:
            self._refuse(f"this model on {batch} samples per step needs ~{size:,} nodes "
                             f"(limit {MAX_NODES:,}): use narrower or fewer layers, fewer "
                             "samples or a smaller batch")
            return
        self.X, self.y = X, y
        key = (self.X.shape[1], config.hidden, config.nonlin, config.loss, batch)
        compiled = self._compiled.pop(key, None)
        self.trainer = Trainer(self.X, self.y, config, compiled=compiled)
        self._compiled[key] = self.trainer.compiled
        while len(self._compiled) > COMPILED_CACHE_SIZE:
            self._compiled.popitem(last=False)
        self.error = ""
        self.refused.visible = False
        self.curves.clear()
        self.boundary.show_points(self.X, self.y)
        self.w_sample.end = len(self.X) - 1
        if self.w_sample.value is not None:
            self.w_sample.value = min(self.w_sample.value, len(self.X) - 1)
        self.boundary.mark()
        self.last_inspection = None
        self.inspect_info.object = ""
        self._last_refresh_step = -1
        self._refresh(force=True)

    def step(self, n: int = 1) -> list:
        """``n`` training steps; streams the curves, refreshes boundary and table as due."""
        if self.trainer is None:
            return []
        records = []
        for _ in range(n):
            records += self._train_one()
        self.curves.send(records)
        self._refresh(force=not self.running)
        return records

    def run(self) -> None:
        """Start training in a periodic callback (server, notebook or any running loop)."""
        if self.running or self.trainer is None:
            return
        self.running = True
        self._callback = pn.state.add_periodic_callback(self._tick, period=self.period_ms)
        self._sync_buttons()

    def pause(self) -> None:
        if self._callback is not None:
            self._callback.stop()
            self._callback = None
        was_running = self.running
        self.running = False
        self._sync_buttons()
        if was_running and self.trainer is not None:
            self._refresh(force=True)

    def close(self) -> None:
        """Stop training at once and drop the trainer and compiled graphs (the session ended)."""
        self.pause()
        self.trainer = None
        self._compiled.clear()
        self.on_inspect = None

    def _tick(self) -> None:
        if not self.running:
            return
        from ..session import page_closed

        if page_closed():   # the tab was closed: stop now, not when the session is discarded
            self.pause()
            return
        # stay well inside one tick so the page keeps answering clicks between ticks
        deadline = time.perf_counter() + 0.6 * self.period_ms / 1000
        records = []
        for _ in range(int(self.w_speed.value)):
            records += self._train_one()
            if not self.running or time.perf_counter() > deadline:
                break
        self.curves.send(records)
        self._refresh()

    def _train_one(self) -> list:
        # an error is shown and stops the loop: never a silently dying periodic callback
        try:
            records = self.trainer.run(1)
        except Exception as exc:
            self.pause()
            self._show_error(f"training failed: {exc}")
            return []
        if not np.isfinite(records[0].loss):
            # diverged (typically MSE at lr 1): stop and say so; the curve keeps finite points
            self.pause()
            self._show_error(f"the loss became {records[0].loss} at step {records[0].step}: "
                             "the learning rate is too large for this loss (MSE: try 0.1); "
                             "lower it and press Reset")
            return []
        return records

    def inspect(self, sample: int | None = None):
        """Build sample ``sample``'s loss graph with the current weights (default: the
        Sample control), mark it on the plot, and pass it on to ``on_inspect``."""
        if self.trainer is None:
            return None
        self.inspect_reason = ""
        if sample is None and self.w_sample.value is None:
            from engine.sample_choice import largest_loss_sample

            # nothing chosen: the sample that teaches most (a loss of 0 shows every grad 0)
            sample, loss = largest_loss_sample(self.trainer)
            self.inspect_reason = (f"sample {sample}: largest loss {loss:.3g} of the "
                                   f"{len(self.X)} samples")
        sample = int(self.w_sample.value if sample is None else sample)
        ins = self.trainer.inspect(sample, with_l2=bool(self.w_with_l2.value))
        self.last_inspection = ins
        self.boundary.mark(*ins.x[:2])
        self.inspect_info.object = self._inspection_html(ins, self.inspect_reason)
        if self.on_inspect is not None:
            self.on_inspect(ins.root, ins.updates)
        return ins

    # ---- reactions ------------------------------------------------------------------------------
    def _on_structure(self, event) -> None:
        self.reset()

    def _on_hyper(self, event) -> None:
        if self.trainer is None:
            return
        try:
            config = self._config()
        except ValueError as exc:
            self._show_error(str(exc))
            return
        # lr, schedule and L2 change the next steps only: no recompilation, no reset
        self.trainer.config = dataclasses.replace(self.trainer.config, alpha=config.alpha,
                                                  lr=config.lr, schedule=config.schedule,
                                                  n_steps=config.n_steps)
        self._refresh_status()

    def _on_tap(self, *events) -> None:
        x, y = self.boundary.tap.x, self.boundary.tap.y
        if x is None or y is None or self.trainer is None:
            return
        nearest = int(np.argmin((self.X[:, 0] - x) ** 2 + (self.X[:, 1] - y) ** 2))
        self.w_sample.value = nearest

    def _sync_buttons(self) -> None:
        self.b_run.disabled = self.running
        self.b_pause.disabled = not self.running
        self.b_step.disabled = self.running

    # ---- views ------------------------------------------------------------------------------------
    def _refresh(self, force: bool = False) -> None:
        k = self.trainer.k
        if force or k - self._last_refresh_step >= self.refresh_every:
            self._last_refresh_step = k
            self.boundary.show_grid(*self.trainer.decision_grid(self.grid_resolution))
            self._refresh_table()
        self._refresh_status()

    def _refresh_table(self) -> None:
        table = self.trainer.parameter_table()
        if len(self.table.value) != len(table["label"]) or \
                list(self.table.value["label"]) != table["label"]:
            self.table.value = pd.DataFrame(table)
            return
        n = len(table["label"])
        self.table.patch({c: [(slice(0, n), table[c])] for c in ("data", "grad", "update")},
                         as_index=False)

    def _refresh_status(self) -> None:
        t = self.trainer
        last = t.history[-1] if t.history else None
        facts = [f"step <b>{t.k}</b>", f"next lr <b>{t.lr:.4g}</b>",
                 f"{len(t.labels)} parameters",
                 f"{t.compiled.n_nodes:,} nodes per step (compiled once)"]
        if last is not None:
            facts[1:1] = [f"loss <b>{last.loss:.4g}</b>",
                          f"accuracy <b>{100 * last.train_accuracy:.0f}%</b>"]
        text = " · ".join(facts)
        if self.error:
            text += f"<div style='color:#b00020'>{html.escape(self.error)}</div>"
        self.status.object = f"<div style='font-size:13px;color:#333'>{text}</div>"

    def _refuse(self, message: str) -> None:
        """A setting the view cannot build: said in the status line and, until it is fixed,
        under the model controls, since Run and Step keep training the model built before."""
        self._show_error(message)
        kept = (f" Run and Step train the current model ({', '.join(map(str, self.trainer.config.hidden))})"
                " until this is fixed." if self.trainer is not None else "")
        self.refused.object = (f"<div style='color:#b00020;font-size:12px;line-height:1.3'>\u26a0 "
                               f"{html.escape(message)}.{html.escape(kept)}</div>")
        self.refused.visible = True

    def _show_error(self, message: str) -> None:
        self.error = message
        if self.trainer is not None:
            self._refresh_status()
        else:
            self.status.object = (f"<div style='color:#b00020'>{html.escape(message)}</div>")

    def _inspection_html(self, ins, reason: str = "") -> str:
        cls = "+1" if ins.y > 0 else "-1"
        color = POS_COLOR if ins.y > 0 else NEG_COLOR
        top = sorted(ins.updates, key=lambda u: -abs(u.grad))[:4]
        lines = "".join(f"<div>{html.escape(u.text)}</div>" for u in top)
        where = ("opened in the graph view" if self.on_inspect is not None
                 else "pass on_inspect to open it in the graph view")
        return (f"<div style='font-size:12px;line-height:1.35'>"
                + (f"<div>{html.escape(reason)}</div>" if reason else "") +
                f"<b>sample {ins.sample}</b>: x = ({ins.x[0]:.3f}, {ins.x[1]:.3f}), "
                f"y = <b style='color:{color}'>{cls}</b>, score = {ins.score:.4g}, "
                f"loss = {ins.loss:.4g}<br>its loss graph ({where}); the update with lr = "
                f"{ins.lr:.4g}, largest grads first:"
                f"<div style='font-family:monospace;font-size:11px;color:#444'>{lines}</div>"
                f"</div>")

    def _compose(self):
        def heading(text):
            return pn.pane.HTML(f"<div style='font-size:13px;font-weight:600;color:#333'>{text}"
                                "</div>", margin=(6, 10, 0, 10))

        controls = pn.Column(
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
        plots = pn.Row(
            pn.pane.HoloViews(self.boundary.overlay, margin=(0, 4), linked_axes=False),
            pn.Column(pn.pane.HoloViews(self.curves.loss, sizing_mode="stretch_width",
                                        linked_axes=False),
                      pn.pane.HoloViews(self.curves.accuracy, sizing_mode="stretch_width",
                                        linked_axes=False),
                      sizing_mode="stretch_width", margin=0),
            sizing_mode="stretch_width", margin=0)
        inspect = pn.Column(
            heading("Inspect one sample (click a point or pick its number)"),
            pn.Row(self.w_sample, self.w_with_l2, self.b_inspect, margin=0),
            self.inspect_info, sizing_mode="stretch_width", margin=0)
        bottom = pn.Row(pn.Column(heading("Parameters (click a header to sort)"), self.table,
                                  sizing_mode="stretch_width", margin=0),
                        inspect, sizing_mode="stretch_width", margin=0)
        main = pn.Column(self.status, plots, bottom, sizing_mode="stretch_width", margin=0)
        return pn.Row(controls, main, sizing_mode="stretch_width", margin=0)

    def __panel__(self):
        return self._layout


def create_train_view(on_inspect=None, **kwargs) -> TrainView:
    """A fresh training view (nothing shared between calls, so one per browser session).

    Parameters
    ----------
    on_inspect : callable, optional
        ``on_inspect(value_graph, update_records)``, called by "Inspect sample" with the loss
        graph of one data point (an ``engine.Value``, fresh objects with the current weights;
        its backward pass steps with ``engine.backprop_steps``) and a list of
        ``engine.train.ParamUpdate`` (label, data, grad, lr, new_data, node, ``.text``), the
        ``p.data -= lr * p.grad`` step to show last.
    **kwargs
        ``dataset``, ``n_samples``, ``noise``, ``seed``, ``config`` (``engine.train.TrainConfig``),
        ``period_ms``, ``refresh_every``, ``grid_resolution`` (see ``TrainView``).

    Returns
    -------
    TrainView
        A ``panel.viewable.Viewer``: put it in a tab, ``.servable()`` it or ``pn.serve`` it.
    """
    pn.extension("tabulator")
    # Registers HoloViews' Bokeh options (hv.opts.Curve...): a pn.extension call made earlier
    # in the process, before holoviews was imported, does not.
    hv.extension("bokeh", logo=False)
    return TrainView(on_inspect=on_inspect, **kwargs)


if __name__ == "__main__":      # python -m app.train.view [port]: the view alone, for trying it
    import sys

    pn.serve(create_train_view, port=int(sys.argv[1]) if len(sys.argv) > 1 else 5007,
             show=False, title="autograd-ui: train")
