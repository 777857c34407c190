"""The "Train" view: watch an MLP learn a 2-D data set, one gradient-descent step at a time.

``create_train_view(on_inspect=...)`` builds a fresh, independent view (no module state) of a
fresh ``TrainModel`` (``app.train.model``, which holds the run and decides where steps run):
controls bound to the model's parameters; Run / Pause / Step / Reset; streaming loss and
accuracy curves; the decision boundary; a sortable parameter table; and "Inspect one sample",
which hands that sample's loss graph (fresh ``engine.Value``s with the current weights) and its
update records to ``on_inspect(value_graph, update_records)``. Standalone::

    python -m app.train.view [port]
"""
from __future__ import annotations

import time

import param

import pandas as pd
import panel as pn
from bokeh.models.widgets.tables import NumberFormatter
from panel.viewable import Viewer

from ..responsive import TRAIN_BODY as BODY_CSS, TRAIN_ROOT as ROOT_CSS
from ..responsive import TRAIN_SIDE as SIDE_CSS, TRAIN_TABS as TABS_CSS
from .model import TrainModel, parse_hidden  # noqa: F401 - parse_hidden: public here too
from .network_view import NetworkView
from .plots import BoundaryPlot, CurvePlots
from .texts import inspection_html, refused_html, status_html  # noqa: F401 - status_html too

#: While training, the page is updated at most this often (seconds): curves and status, the
#: boundary image, the parameter table. Each update is work on the server's event loop that
#: every other session waits behind, and a message to the browser; pausing, stepping and
#: resetting update everything at once.
CURVES_S, BOUNDARY_S, TABLE_S = 0.5, 1.0, 2.0

class TrainView(Viewer):
    """Widgets and plots of one ``TrainModel`` (``model``). The model's methods are
    forwarded for scripts and tests: ``reset()``, ``step(n)``, ``run()``, ``pause()``,
    ``inspect(sample)``, ``close()``; ``trainer``, ``X``, ``y``, ``running``, ``error``,
    ``last_inspection`` read the model."""

    shown = param.Integer(default=0, precedence=-1, doc="bumped when the page is brought up "
                          "to date with the model (throttled while training)")

    def __init__(self, on_inspect=None, dataset: str = "moons", n_samples: int = 100,
                 noise: float = 0.1, seed: int = 1337, config=None, period_ms: int = 100,
                 grid_resolution: int = 70, **params):
        super().__init__(**params)
        # the Seed control seeds data and weights (a config's own seed is not used, as before)
        self.model = TrainModel(config=config, period_ms=period_ms, dataset=dataset,
                                n_samples=n_samples, noise=noise, seed=seed)
        self.on_inspect = on_inspect
        self.grid_resolution = grid_resolution
        self._pending = []                   # records applied, not yet on the curves
        self._drawn_at = dict.fromkeys(("curves", "boundary", "table"), 0.0)
        self.curves = CurvePlots(height=150)
        self.boundary = BoundaryPlot(size=300)   # with the curves below: fits 1280x720
        self.table = pn.widgets.Tabulator(
            pd.DataFrame({"label": [], "data": [], "grad": [], "update": []}),
            show_index=False, disabled=True, height=205, sizing_mode="stretch_width",
            pagination=None, layout="fit_columns", selectable=False,
            formatters={c: NumberFormatter(format="0.000000") for c in ("data", "grad", "update")},
            titles={"update": "−lr·grad"})
        m = self.model
        self.status = pn.pane.HTML(pn.bind(lambda *_: status_html(m), self.param.shown,
                                           m.param.trainer, m.param.queued, m.param.error),
                                   sizing_mode="stretch_width", margin=(2, 10))
        self.refused = pn.pane.HTML(pn.bind(lambda *_: refused_html(m), m.param.refused),
                                    visible=pn.bind(bool, m.param.refused),
                                    sizing_mode="stretch_width", margin=(0, 10),
                                    css_classes=["train-refused"])
        self.inspect_info = pn.pane.HTML(
            pn.bind(lambda ins, why: inspection_html(ins, self.on_inspect is not None, why),
                    m.param.inspection, m.param.inspect_reason),
            sizing_mode="stretch_width", height=150, margin=(0, 6), styles={"overflow-y": "auto"})
        self._make_widgets()
        self.network = NetworkView(m, controls=(self.w_sample, self.w_with_l2, self.b_inspect))
        m.param.watch(self._on_trainer, "trainer")
        m.param.watch(self._on_records, "new_records")
        m.param.watch(self._on_recipe, ["alpha", "lr", "schedule", "n_steps"])
        m.param.watch(self._on_running, "running")
        m.param.watch(self._on_inspection, "inspection")
        self.boundary.tap.param.watch(lambda *e: m.pick(self.boundary.tap.x, self.boundary.tap.y),
                                      ["x", "y"])
        self._on_trainer()
        self._layout = self._compose()

    # ---- widgets: views of the model's parameters ---------------------------------------------
    def _make_widgets(self) -> None:
        m, w = self.model.param, pn.widgets
        self.w_dataset = w.Select.from_param(m.dataset, name="Data set", width=130)
        self.w_samples = w.IntSlider.from_param(m.n_samples, name="Samples", step=10, width=130)
        self.w_noise = w.FloatSlider.from_param(m.noise, name="Noise", step=0.01, width=130)
        self.w_seed = w.IntInput.from_param(m.seed, name="Seed", width=130)
        self.w_hidden = w.TextInput.from_param(m.hidden, name="Hidden layers", width=130)
        self.w_nonlin = w.RadioButtonGroup.from_param(m.nonlin, name="", width=130,
                                                      margin=(26, 10, 5, 10))
        self.w_loss = w.Select.from_param(m.loss, name="Loss", width=270)
        self.w_alpha = w.FloatInput.from_param(m.alpha, name="L2 alpha", step=1e-4, width=130)
        self.w_lr = w.FloatInput.from_param(m.lr, name="Learning rate", step=0.05, width=130)
        self.w_schedule = w.Select.from_param(m.schedule, name="Schedule", width=130)
        self.w_n_steps = w.IntInput.from_param(m.n_steps, name="Decay over (steps)", width=130)
        self.w_batch = w.Select.from_param(m.batch, name="Batch", width=130)
        self.w_speed = w.IntSlider.from_param(m.speed, name="Steps per tick", width=130)
        # Material buttons are at least 64 px wide: four of them fill the 310 px column
        self.b_run = w.Button(label="▶ Run", color="success", width=64, margin=(5, 2))
        self.b_pause = w.Button(label="❚❚ Pause", color="warning", width=80, disabled=True,
                                margin=(5, 2))
        self.b_step = w.Button(label="Step", color="primary", width=64, margin=(5, 2))
        self.b_reset = w.Button(label="Reset", color="light", width=64, margin=(5, 2))
        # empty: Inspect opens the sample with the largest loss (TrainModel.inspect)
        self.w_sample = w.IntInput.from_param(m.sample, name="", width=90,
                                              placeholder="sample #",
                                              margin=(4, 6))
        self.w_with_l2 = w.Checkbox.from_param(m.with_l2, name="with L2",
                                               margin=(10, 6, 4, 6))
        self.b_inspect = w.Button(label="Open in Graph tab", color="primary", width=140,
                                  margin=(4, 6))
        self.b_run.on_click(lambda _: self.model.run())
        self.b_pause.on_click(lambda _: self.model.pause())
        self.b_step.on_click(lambda _: self.model.step_later(1))
        self.b_reset.on_click(lambda _: self.model.reset())
        self.b_inspect.on_click(lambda _: self.inspect())

    # ---- the model's methods ------------------------------------------------------------------
    def reset(self) -> None:
        self.model.reset()

    def step(self, n: int = 1) -> list:
        return self.model.step(n)

    def run(self) -> None:
        self.model.run()

    def pause(self) -> None:
        self.model.pause()

    def inspect(self, sample: int | None = None):
        """Inspect ``sample`` (default: the sample the network view follows) and pass it on
        to ``on_inspect`` (the Graph tab): the same graph at the same moment."""
        auto = sample is None and self.model.sample is None
        if auto and self.model.running and self.network.sample is not None:
            sample = self.network.sample        # training: the one on screen, not a newer one
        ins = self.model.inspect(sample)
        if ins is not None and auto and sample is not None:
            self.model.inspect_reason = f"sample {ins.sample}: {self.network.reason}"
        if ins is not None and self.on_inspect is not None:
            self.on_inspect(ins.root, ins.updates)
        return ins

    def close(self) -> None:
        """Stop training at once and drop the trainer and compiled graphs (the session ended)."""
        self.model.close()
        self.network.close()
        self.on_inspect = None

    trainer = property(lambda self: self.model.trainer)
    running = property(lambda self: self.model.running)
    error = property(lambda self: self.model.error)
    last_inspection = property(lambda self: self.model.inspection)
    inspect_reason = property(lambda self: self.model.inspect_reason)
    X = property(lambda self: self.model.trainer.X)
    y = property(lambda self: self.model.trainer.y)

    @property
    def period_ms(self) -> int:
        return self.model.period_ms

    @period_ms.setter
    def period_ms(self, value: int) -> None:
        self.model.period_ms = value

    # ---- reactions: the plots follow the model --------------------------------------------------
    def _on_trainer(self, *events) -> None:
        t = self.model.trainer
        if t is None:
            return
        self._pending = []
        self.curves.clear()
        self.boundary.show_points(t.X, t.y)
        self.boundary.mark()
        self._bring_up_to_date(force=True)

    def _on_records(self, event) -> None:
        self._pending += event.new
        self._bring_up_to_date(force=not self.model.running)

    def _on_recipe(self, *events) -> None:
        self.shown += 1                     # the status shows the next lr

    def _on_running(self, event) -> None:
        running = event.new
        if not running and self.model.trainer is not None:
            # the state paused on, everything at one step; sent before the buttons change, so
            # a page showing Run enabled again already shows that state
            self._bring_up_to_date(force=True)
        self.b_run.disabled = running
        self.b_pause.disabled = not running
        self.b_step.disabled = running

    def _on_inspection(self, event) -> None:
        self._mark_followed()

    def _mark_followed(self) -> None:
        """Ring the sample the network view follows on the decision boundary."""
        t, s = self.model.trainer, self.network.sample
        self.boundary.mark(*(t.X[s][:2] if t is not None and s is not None else ()))

    def _due(self, part: str, every: float, force: bool) -> bool:
        now = time.monotonic()
        if force or now - self._drawn_at[part] >= every:
            self._drawn_at[part] = now
            return True
        return False

    def _bring_up_to_date(self, force: bool = False) -> None:
        t = self.model.trainer
        if not self._due("curves", CURVES_S, force):
            return
        self.curves.send(self._pending)
        self._pending = []
        self.shown += 1
        self.network.refresh()
        self._mark_followed()
        if self._due("boundary", BOUNDARY_S, force):
            self.boundary.show_grid(*t.decision_grid(self.grid_resolution))
        if self._due("table", TABLE_S, force):
            self._show_table(t.parameter_table())

    def _show_table(self, table: dict) -> None:
        if list(self.table.value["label"]) != table["label"]:
            self.table.value = pd.DataFrame(table)
            return
        n = len(table["label"])
        self.table.patch({c: [(slice(0, n), table[c])] for c in ("data", "grad", "update")},
                         as_index=False)

    # ---- layout -------------------------------------------------------------------------------
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
        # left: the data and how learning goes; right: the network itself (or its table)
        side = pn.Column(
            pn.pane.Bokeh(self.boundary.figure, margin=(0, 4), css_classes=["train-fixed-plot"]),
            pn.pane.Bokeh(self.curves.loss, sizing_mode="stretch_width"),
            pn.pane.Bokeh(self.curves.accuracy, sizing_mode="stretch_width"),
            width=380, margin=0, css_classes=["train-side"], stylesheets=[SIDE_CSS])
        parameters = pn.Column(heading("Parameters (click a header to sort)"), self.table,
                               self.inspect_info, sizing_mode="stretch_width", margin=0)
        self.tabs = pn.Tabs(("Network", self.network.view), ("Parameters", parameters),
                            sizing_mode="stretch_both", margin=0, dynamic=False,
                            css_classes=["train-tabs"], stylesheets=[TABS_CSS])
        main = pn.Column(self.status, pn.Row(side, self.tabs, sizing_mode="stretch_both",
                                             margin=0, stylesheets=[BODY_CSS],
                                             css_classes=["train-body"]),
                         sizing_mode="stretch_both", margin=0, stylesheets=[BODY_CSS],
                         css_classes=["train-main"])
        return pn.Row(controls, main, sizing_mode="stretch_both", margin=0,
                      css_classes=["train-page"], stylesheets=[ROOT_CSS])

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
        ``period_ms``, ``grid_resolution`` (see ``TrainView``).

    Returns
    -------
    TrainView
        A ``panel.viewable.Viewer``: put it in a tab, ``.servable()`` it or ``pn.serve`` it.
    """
    pn.extension("tabulator")
    return TrainView(on_inspect=on_inspect, **kwargs)


if __name__ == "__main__":      # python -m app.train.view [port]: the view alone, for trying it
    import sys

    pn.serve(create_train_view, port=int(sys.argv[1]) if len(sys.argv) > 1 else 5007,
             show=False, title="autograd-ui: train")
