"""The "Train" view: watch an MLP learn a 2-D data set, one gradient-descent step at a time.

``create_train_view(on_inspect=...)`` builds a fresh, independent view (no module state) of a
fresh ``TrainModel`` (``app.train.model``, which holds the run and decides where steps run):
the settings column (``app.train.controls``: controls bound to the model's parameters; Run /
Pause / Step / Reset); streaming loss and accuracy curves, brought up to date with the model
(throttled while training); the decision boundary; a sortable parameter table; the live
network (``app.train.network_view``); and "Open in Graph tab", which hands the followed
sample's loss graph (fresh ``engine.Value``s with the current weights) and its update records
to ``on_inspect(value_graph, update_records)``. Standalone::

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
from panel.io.document import unlocked

from .controls import TrainControls, heading
from .model import TrainModel, parse_hidden  # noqa: F401 - parse_hidden: public here too
from .network_view import NetworkView
from .plots import BoundaryPlot, CurvePlots
from .texts import inspection_html, status_html

#: While training, the page is updated at most this often (seconds): curves, status and the
#: network view, the boundary image, the parameter table. Each update is work on the server's
#: event loop that every other session waits behind, and a message to the browser; pausing,
#: stepping and resetting update everything at once.
CURVES_S, BOUNDARY_S, TABLE_S = 0.5, 1.0, 2.0
#: The parts in the order they are brought up to date while training: at most one per result
#: applied (results arrive ~10 times a second), so no single tick of the loop draws them all
#: (measured, demo MLP at load 4: curves + network 15-45 ms, boundary 35-80 ms, table 40-70 ms;
#: all three in one tick held every other session's slider for up to 190 ms).
PARTS = (("curves", CURVES_S), ("boundary", BOUNDARY_S), ("table", TABLE_S))

class TrainView(Viewer):
    """The page of one ``TrainModel`` (``model``): its settings column (``controls``), the
    plots brought up to date with it, the live network. The model's methods are
    forwarded for scripts and tests: ``reset()``, ``step(n)``, ``run()``, ``pause()``,
    ``inspect(sample)``, ``close()``; ``trainer``, ``X``, ``y``, ``running``, ``error``,
    ``last_inspection`` read the model."""

    shown = param.Integer(default=0, precedence=-1, doc="bumped when the page is brought up "
                          "to date with the model (throttled while training)")
    on_screen = param.Boolean(default=True, precedence=-1, doc="False while the app shows "
                              "another tab: nothing is drawn (results and their steps are "
                              "kept), and everything is drawn at once when it is shown again")

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
        self.inspect_info = pn.pane.HTML(
            pn.bind(lambda ins, why: inspection_html(ins, self.on_inspect is not None, why),
                    m.param.inspection, m.param.inspect_reason),
            sizing_mode="stretch_width", height=150, margin=(0, 6), styles={"overflow-y": "auto"})
        self.controls = c = TrainControls(m, on_inspect=self.inspect)
        self.network = NetworkView(m, controls=(c.w_sample, c.w_with_l2, c.b_inspect))
        m.param.watch(self._on_trainer, "trainer")
        m.param.watch(self._on_records, "new_records")
        m.param.watch(self._on_recipe, ["alpha", "lr", "schedule", "n_steps"])
        m.param.watch(self._on_running, "running")
        m.param.watch(self._on_inspection, "inspection")
        self.boundary.tap.param.watch(lambda *e: m.pick(self.boundary.tap.x, self.boundary.tap.y),
                                      ["x", "y"])
        self._layout = self._compose()
        self.tabs.param.watch(self._on_subtab, "active")
        self.param.watch(self._on_shown_again, "on_screen")
        self._on_trainer()

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
            # chosen earlier (the network view's reason says when): the graph opened has the
            # weights of now, so say its loss now, and claim non-zero gradients only then
            self.model.inspect_reason = (
                f"sample {ins.sample}, the one the network view follows ({self.network.reason}); "
                f"its loss at step {self.model.trainer.k} is {ins.loss:.3g}"
                + (", so its gradients are not all 0" if ins.loss > 0 else ""))
        if ins is not None and self.on_inspect is not None:
            self.on_inspect(ins.root, ins.updates)
        return ins

    def close(self) -> None:
        """Stop training at once and drop the trainer and compiled graphs (the session ended)."""
        # first, off screen for good: stopping draws the state paused on (_on_running), into a
        # document that Bokeh has already emptied (a curve's source without its columns:
        # KeyError), which ended the close there and skipped the session's release and trim
        self.on_screen = False
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
        # unlocked: a change typed into a box and sent with Enter comes through Panel's event
        # path, outside the document's lock, where a plain change of a Bokeh model raised on
        # the server and left every plot on the old model
        with unlocked():
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
        self.controls.show_running(running)

    def _on_inspection(self, event) -> None:
        self._mark_followed()

    def _mark_followed(self) -> None:
        """Ring the sample the network view follows on the decision boundary."""
        t, s = self.model.trainer, self.network.sample
        with unlocked():        # (see _on_trainer)
            self.boundary.mark(*(t.X[s][:2] if t is not None and s is not None else ()))

    def _hidden(self, part: str) -> bool:
        """The network view and the table share a set of sub-tabs: while training, the one not
        on screen is left alone (brought up to date when its tab is opened)."""
        tab = {"network": 0, "table": 1}.get(part)
        return tab is not None and self.tabs.active != tab and self.model.running

    def _bring_up_to_date(self, force: bool = False) -> None:
        """Draw the model's state: everything when ``force``d (pause, step, reset), else the
        first part due (``PARTS``); all its changes go to the page as one message."""
        if self.model.trainer is None or not self.on_screen:
            return          # (hidden: its work on the loop is for nobody; drawn when shown)
        now = time.monotonic()
        with unlocked():       # one PATCH-DOC instead of one per changed property
            for part, every in PARTS:
                if force or now - self._drawn_at[part] >= every:
                    self._drawn_at[part] = now
                    self._draw(part)
                    if not force:
                        return

    def _draw(self, part: str) -> None:
        t = self.model.trainer
        if part == "curves":
            self.curves.send(self._pending)
            self._pending = []
            self.shown += 1
            if not self._hidden("network"):
                self.network.refresh()
            self._mark_followed()
        elif part == "boundary":
            self.boundary.show_grid(*t.decision_grid(self.grid_resolution))
        elif not self._hidden("table"):
            self._show_table(t.parameter_table())

    def _on_shown_again(self, event) -> None:
        if event.new:
            self._bring_up_to_date(force=True)      # the latest state, every step on the curves

    def _on_subtab(self, event) -> None:
        """A sub-tab opened while training: bring what it shows up to date now."""
        if self.model.trainer is None or not self.model.running:
            return
        with unlocked():
            if event.new == 0:
                self.network.refresh()
            else:
                self._drawn_at["table"] = time.monotonic()
                self._show_table(self.model.trainer.parameter_table())

    def _show_table(self, table: dict) -> None:
        if list(self.table.value["label"]) != table["label"]:
            self.table.value = pd.DataFrame(table)
            return
        n = len(table["label"])
        self.table.patch({c: [(slice(0, n), table[c])] for c in ("data", "grad", "update")},
                         as_index=False)

    # ---- layout -------------------------------------------------------------------------------
    def _compose(self):
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
        return pn.Row(self.controls, main, sizing_mode="stretch_both", margin=0,
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
    pn.extension("tabulator", "katex")   # katex: the network's step panel (served alone too)
    return TrainView(on_inspect=on_inspect, **kwargs)


if __name__ == "__main__":      # python -m app.train.view [port]: the view alone, for trying it
    import sys

    pn.serve(create_train_view, port=int(sys.argv[1]) if len(sys.argv) > 1 else 5007,
             show=False, title="autograd-ui: train")
