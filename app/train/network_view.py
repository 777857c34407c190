"""The Train tab's network view (see :mod:`app.train.network`): one followed sample's live
loss graph, collapsed to neurons, with the Graph tab's Player, step panel and collapse controls.

``NetworkView(train_model, controls=(...))``; ``refresh()`` brings it up to the trainer's state
(the Train view calls it on its update ticks, after a pause, a step or a reset); ``view`` is
the Panel layout. The followed sample is ``train_model.sample`` (a click on the decision
boundary sets it), or, while none is chosen, the sample with the largest loss (chosen again
when the run pauses or steps, not while it trains, so the graph does not jump about).
"""
from __future__ import annotations

import html
import threading
import time
from functools import partial

import numpy as np
import panel as pn
from panel.io.state import set_curdoc

from ..graph_page.graph_view import GraphView
from ..graph_page.model import GraphModel
from ..graph_page.scopes_view import ScopesView
from ..graph_page.step_panel import PlayerBar, StepPanel
from ..responsive import TRAIN_STEP_PANEL
from ..share.theme import THEMES, current_theme_name, style_figure, style_layout
from .doc_thread import DocumentThread, weak_call
from .network import OVERLAYS, WeightEdges, generic_input_labels

#: While training, the network view's updates take at most this share of the server's event
#: loop: the demo MLP's (7 ms) come with every page update (2 a second); an MLP(2,[32,32,32])'s
#: (28 ms) every other one.
LOOP_SHARE = 0.05


def _graph_model(ins) -> GraphModel:
    """The followed sample's ``GraphModel``, collapsed to neurons, its drawing made."""
    model = GraphModel(ins.root, update=(ins.lr, [u.node for u in ins.updates]),
                       collapse="neurons")
    model.display           # laid out here (memoised per structure), not when first drawn
    return model


class NetworkView:
    """The live network of one ``TrainModel`` (``train``). Attributes: ``model`` (the
    ``GraphModel`` of the followed sample, None before the first ``refresh``), ``graph``
    (its ``GraphView``), ``sample`` (the followed sample), ``overlay`` (a selector: what the
    weight edges show), ``view``; ``controls``: widgets for its header row (the Train view's
    sample picker and "Open in Graph tab")."""

    def __init__(self, train, controls=()):
        self.train = train
        self.model = self.graph = self.style = None
        self.sample, self.reason = None, ""
        self._key = self._shown = self._auto = self._building = None
        self._last = (0.0, 0.0)         # (when, seconds) of the last update
        self.header = pn.pane.HTML("", sizing_mode="stretch_width", margin=(2, 8, 0, 8),
                                   css_classes=["network-header"])
        self.overlay = pn.widgets.RadioButtonGroup(options=OVERLAYS, value="weight",
                                                   margin=(4, 6), color="light")
        self.overlay.param.watch(self._on_overlay, "value")
        self.body = pn.Column(pn.pane.HTML("<div style='color:#666;padding:20px'>The network "
                                           "appears here once the model is built.</div>"),
                              sizing_mode="stretch_both", margin=0)
        self.view = pn.Column(
            self.header,
            pn.FlexBox(self.overlay, *controls,
                       margin=0, sizing_mode="stretch_width", flex_wrap="wrap"),
            self.body, sizing_mode="stretch_both", margin=0)
        train.param.watch(lambda e: self.refresh(), ["sample", "with_l2"])
        train.param.watch(self._on_running, "running")

    # ---- following the trainer ------------------------------------------------------------------
    def followed(self) -> int:
        """The sample shown: the chosen one, else the run's largest-loss sample."""
        t = self.train.trainer
        if self.train.sample is not None:
            self.reason = "picked"
            return min(int(self.train.sample), len(t.X) - 1)
        if self.train.running and self._auto is not None and self._auto[0] is t:
            return self._auto[1]        # not while it learns: the graph would jump about
        from engine.sample_choice import largest_loss_sample

        sample, loss = largest_loss_sample(t)
        self._auto = (t, sample)
        self.reason = f"largest loss {loss:.3g} of the {len(t.X)} samples (at step {t.k})"
        return sample

    def refresh(self, force: bool = False) -> None:
        """Show the followed sample at the trainer's weights: the first time (or for another
        architecture, loss or L2 choice) build its graph, else patch the new numbers in."""
        t = self.train.trainer
        if t is None:
            return
        sample = self.followed()
        key = (t.key, bool(self.train.with_l2))
        if key != self._key:
            if key != self._building:
                self._start_build(t, sample, key)
            return
        state = (id(t), t.k, sample)
        if state == self._shown and not force:
            return
        started = time.monotonic()
        if self.train.running and not force and started - self._last[0] < self._last[1] / LOOP_SHARE:
            return      # a big network: fewer updates, so it takes at most LOOP_SHARE of the loop
        self._shown, self.sample = state, sample
        values = np.concatenate([t.weights, t.X[sample], [t.y[sample]],
                                 [t.config.alpha] if self._alpha is not None else []])
        self.model.show_leaf_values(self._positions, values, update_lr=t.lr)
        self._say()
        self._last = (started, time.monotonic() - started)

    # ---- building the graph (once per architecture, away from the event loop) ------------------
    def _start_build(self, trainer, sample: int, key) -> None:
        """Compile and lay out the sample's graph in a thread (seconds for the largest
        networks: never on the server's event loop); outside a server, here and now."""
        self._building = key
        ins = trainer.inspect(sample, with_l2=key[1])
        generic_input_labels(ins)
        thread = DocumentThread(pn.state.curdoc)
        if thread.doc is None:
            return self._built(key, ins, _graph_model(ins))
        self.body[:] = [pn.pane.HTML(
            f"<div style='color:#666;padding:20px'>Building the graph of one sample "
            f"({trainer.n_nodes // max(trainer.batch_size, 1):,} nodes or so)\u2026</div>")]
        apply = weak_call(self, "_built_in", thread.doc, key, ins)

        def work():
            try:
                model = _graph_model(ins)
            except Exception as exc:    # noqa: BLE001 - said on the page, never a dead view
                model = exc
            thread.post(partial(apply, model))

        threading.Thread(target=work, name="network-graph", daemon=True).start()

    def _built_in(self, doc, key, ins, model) -> None:
        with set_curdoc(doc):
            self._built(key, ins, model, show=False)
        # The numbers go in a tick later: the graph view patches its sources at once (not at
        # the end of this callback), so its first patches would reach the page before the
        # plot that holds them ("reference isn't known")
        doc.add_next_tick_callback(weak_call(self, "_refresh_in", doc))

    def _refresh_in(self, doc) -> None:
        with set_curdoc(doc):
            self.refresh()

    def _built(self, key, ins, model, show: bool = True) -> None:
        if key != self._building:
            return                      # another architecture was asked for since
        self._building = None
        if isinstance(model, Exception):
            self.body[:] = [pn.pane.Alert(f"The network view could not be built: {model}",
                                          alert_type="warning")]
            return
        params = [u.node for u in ins.updates]
        self.model = model
        self.style = WeightEdges(model, params, self.overlay.value)
        self._make_graph()
        cg = model.compiled
        by_label = {cg.labels[lid]: cg.tape.index[lid] for lid in cg.leaf_ids}
        self._alpha = by_label.get("alpha")
        inputs = [by_label[f"x[{i}]"] for i in range(len(ins.x))] + [by_label["y"]]
        self._positions = np.array([cg.tape.index[p] for p in params] + inputs
                                   + ([self._alpha] if self._alpha is not None else []))
        self._key, self._shown = key, None
        if show:
            self.refresh()

    def _make_graph(self) -> None:
        """The Graph tab's parts on this model: plot, scope clicks, Player (backward pass) and
        the step's chain rule. Compact: no minimap, scope buttons or pass toggle (a click opens
        a neuron, a click on its frame closes it; the wheel zooms, the reset tool goes back)."""
        m = self.model
        self.graph = GraphView(m, edge_style=self.style)
        self.scopes = ScopesView(m, self.graph)
        self.player_bar = PlayerBar(m)
        # 58 px: its slider and buttons take 55 (Panel's 80 left a band above the chain rule)
        self.player_bar.player.param.update(width=None, sizing_mode="stretch_width",
                                            max_width=480, height=58)
        # 13 px at the least: the update step's five lines at 11 px had 7.8 px subscripts
        self.step_panel = StepPanel(m, plain=False, min_font=13)
        # its own classes: pages (and tests) find the Graph tab's Player and panel by theirs
        self.player_bar.player.css_classes = ["network-player"]
        self.step_panel.title.css_classes = ["network-step-title"]
        self.step_panel.math.css_classes = ["network-step-math"]
        self.step_panel.view.css_classes = ["network-step-panel"]
        # its height: TRAIN_STEP_PANEL's; what is taller (the update step's five lines on a
        # short window) scrolls inside the panel rather than running past it, below the page's end
        self.step_panel.view.param.update(height=124, stylesheets=[TRAIN_STEP_PANEL],
                                          styles={**self.step_panel.view.styles, "overflow-y": "auto"})
        fig = self.graph.figure
        # names must be unique in a document: the Graph tab's plot has these too
        for obj in fig.references():
            if getattr(obj, "name", None):
                obj.name = f"network-{obj.name}"
        fig.title.text = ""
        fig.toolbar_location = "right"
        self.plot_pane = pn.pane.Bokeh(fig, sizing_mode="stretch_both", margin=0,
                                       min_height=240, css_classes=["network-plot"])
        self.body[:] = [self.plot_pane, self.player_bar.player, self.step_panel.view]
        # the Train tab was themed when it came; these parts come with the first step (dark:
        # the chain rule was dark grey on the dark page, the plot and the Player's buttons white)
        theme = THEMES[current_theme_name()]
        if theme.name != "default":
            style_figure(self.graph, theme)
            style_layout(self.body, theme, rendered=True)
        self._on_running()
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:   # once the page drew it
            doc.add_timeout_callback(self.player_bar.resend, 1500)

    def _say(self) -> None:
        t, s = self.train.trainer, self.sample
        x = ", ".join(f"{v:.3g}" for v in t.X[s])
        text = (
            # wraps (it ended in an ellipsis at <= 1366 px: the hint was cut)
            f"<div style='font-size:12px;color:#333;line-height:1.35'>"
            f"<b>Sample {s}</b>: x = ({html.escape(x)}), "
            f"y = {int(t.y[s]):+d} \u00b7 {html.escape(self.reason)} \u00b7 click a point "
            "to follow another, a neuron to open it</div>")
        if text != self.header.object:      # not every tick: each update is a message
            self.header.object = text

    # ---- reactions ------------------------------------------------------------------------------
    def _on_running(self, *events) -> None:
        """While training the Player is off (the values move under it) and shows the whole
        pass; paused, it steps through the followed sample's backward pass."""
        if self.model is None:
            return
        running = self.train.running
        self.player_bar.player.disabled = running
        self.step_panel.hold(running)       # narrated again once paused (work per tick: budget)
        if not running and events:
            self.player_bar.resend()        # paused: the knob where the pass is (resend)
        if running and self.model.step != self.model.n_steps:
            self.model.mode = "backward"
            self.model.step = self.model.n_steps

    def _on_overlay(self, event) -> None:
        if self.style is not None:
            self.style.quantity = event.new
            self.graph.patcher.restyle_edges()

    def close(self) -> None:
        self._building = None
        self.model = self.graph = self.style = None
