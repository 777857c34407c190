"""The Train tab's state: one ``TrainModel`` per session, the views are functions of it.

Settings (data set, model, recipe, speed, the sample to inspect) are typed parameters; the
views bind widgets to them. State the views show: ``trainer`` (an ``engine.train.Trainer``:
data, weights, history), ``steps``, ``new_records`` (the steps just applied, to stream),
``running``, ``queued``, ``error``, ``refused``, ``inspection``. No maths here: the engine
trains, this decides when and where.

Training off the event loop (Run, Step, Pause; the pool and the document's thread) is the
``OffLoopRuns`` mixin (``app.train.model_runs``).
"""
from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict

import numpy as np
import param

from engine.datasets import DATASETS, make_dataset
from engine.train import NONLINS, Inspection, TrainConfig, Trainer, estimate_nodes
from engine.loss import MAX_SEED

from .model_runs import OffLoopRuns
from .pool import training_pool

LOSS_OPTIONS = {"max-margin (micrograd demo)": "max_margin", "mean squared error": "mse",
                "cross-entropy (sigmoid)": "bce"}
SCHEDULE_OPTIONS = {"linear decay": "linear_decay", "constant": "constant"}
BATCH_OPTIONS = {"full batch": 0, "64": 64, "32": 32, "16": 16, "8": 8, "1": 1}
MAX_HIDDEN_LAYERS, MAX_WIDTH = 3, 32
COMPILED_CACHE_SIZE = 3      # compiled loss graphs kept per session (one per architecture/batch)
# Largest loss graph accepted: ~2 s of compiling in a worker (a step then takes ~8 ms).
MAX_NODES = 200_000
STRUCTURE = ("dataset", "n_samples", "noise", "seed", "hidden", "nonlin", "loss", "batch")


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


class TrainModel(OffLoopRuns, param.Parameterized):
    """One session's training run (see the module docstring). Methods: ``reset()``,
    ``step(n)`` (here and now, for scripts and tests), ``run()``, ``pause()``,
    ``inspect(sample)``, ``close()``."""

    dataset = param.Selector(default="moons", objects=list(DATASETS))
    n_samples = param.Integer(default=100, bounds=(20, 200))
    noise = param.Number(default=0.1, bounds=(0.0, 0.5))
    seed = param.Integer(default=1337)
    hidden = param.String(default="16, 16", doc="hidden layer widths, e.g. '16, 16'")
    nonlin = param.Selector(default=TrainConfig.nonlin, objects=list(NONLINS))
    loss = param.Selector(default="max_margin", objects=LOSS_OPTIONS)
    # (no bounds on these four: a value out of range typed into a box is said under the controls
    # by ``config``; with bounds param refused it silently, the box showing what was not used)
    alpha = param.Number(default=1e-4, doc="L2 weight decay")
    lr = param.Number(default=1.0, doc="learning rate")
    schedule = param.Selector(default="linear_decay", objects=SCHEDULE_OPTIONS)
    n_steps = param.Integer(default=100, doc="linear decay over these steps")
    batch = param.Selector(default=0, objects=BATCH_OPTIONS, doc="0: full batch")
    speed = param.Integer(default=2, bounds=(1, 10), doc="steps per tick")
    sample = param.Integer(default=None, bounds=(0, None), allow_None=True,
                           doc="the sample to inspect (None: the one with the largest loss)")
    with_l2 = param.Boolean(default=False, doc="inspect with the L2 term")

    trainer = param.ClassSelector(class_=Trainer, default=None, allow_None=True, precedence=-1)
    steps = param.Integer(default=0, doc="steps taken by the trainer as shown")
    new_records = param.List(default=[], precedence=-1, doc="the steps just applied")
    running = param.Boolean(default=False)
    queued = param.Boolean(default=False, doc="waiting for a free training slot")
    error = param.String(default="", doc="the last problem, said to the user")
    refused = param.String(default="", doc="a setting that could not be built, until fixed")
    inspection = param.ClassSelector(class_=Inspection, default=None, allow_None=True,
                                     precedence=-1)
    inspect_reason = param.String(default="", doc="why the inspected sample was chosen")

    def __init__(self, config: TrainConfig | None = None, period_ms: int = 100, **params):
        if config is not None:
            params = {**_config_params(config), **params}
        super().__init__(**params)
        self.period_ms = period_ms
        self._compiled = OrderedDict()
        # OffLoopRuns' state: where results are applied, and which run a job belongs to
        self._generation = 0        # bumped by pause(): a job of an older run is dropped
        self._thread = self._pool = None
        self._in_flight = False
        self._nodes = None
        self._refused_structure = False
        self.reset()

    # ---- settings -> trainer ----------------------------------------------------------------
    def config(self) -> TrainConfig:
        """The recipe of the controls (``ValueError``, said to the user, for a setting out of
        range: the hidden-layer text, learning rate, L2 alpha, decay steps, seed)."""
        lr, alpha = float(self.lr), float(self.alpha)
        if not (math.isfinite(lr) and lr >= 0):
            raise ValueError(f"learning rate: a number >= 0, got {lr:g}")
        if not (math.isfinite(alpha) and alpha >= 0):
            raise ValueError(f"L2 alpha: a number >= 0, got {alpha:g}")
        if self.n_steps < 1:
            raise ValueError(f"decay over (steps): a whole number >= 1, got {self.n_steps}")
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed: a whole number from 0 to {MAX_SEED:,}, got {self.seed:,}")
        return TrainConfig(hidden=parse_hidden(self.hidden), nonlin=self.nonlin, loss=self.loss,
                           alpha=float(self.alpha), lr=float(self.lr), schedule=self.schedule,
                           n_steps=int(self.n_steps), batch_size=self.batch or None,
                           seed=int(self.seed))

    @param.depends(*STRUCTURE, watch=True)
    def reset(self) -> None:
        """New data and weights from the settings (compiled graphs are reused when the
        architecture, loss and batch size match one seen before)."""
        self.pause()
        try:
            config = self.config()
        except ValueError as exc:
            return self._refuse(str(exc))
        X, y = make_dataset(self.dataset, int(self.n_samples), float(self.noise),
                            seed=int(self.seed))
        batch = len(X) if config.batch_size is None else min(config.batch_size, len(X))
        size = estimate_nodes(X.shape[1], config.hidden, batch)
        if size > MAX_NODES:
            return self._refuse(f"this model on {batch} samples per step needs ~{size:,} nodes "
                                f"(limit {MAX_NODES:,}): use narrower or fewer layers, fewer "
                                "samples or a smaller batch")
        self._keep_compiled(self.trainer)
        key = (X.shape[1], config.hidden, config.nonlin, config.loss, batch)
        trainer = Trainer(X, y, config, compiled=self._compiled.get(key))
        self._nodes = None          # exact once compiled, here or in a worker
        self.param.update(trainer=trainer, steps=0, error="", refused="", inspection=None,
                          sample=None if self.sample is None else min(self.sample, len(X) - 1))
        self.param.sample.bounds = (0, len(X) - 1)
        self._prepare()

    def _prepare(self) -> None:
        """In a served session, compile the new loss graph in a worker before Run is pressed."""
        import panel as pn

        if getattr(pn.state.curdoc, "session_context", None) is not None:
            training_pool().prepare(self.trainer.snapshot())

    def _keep_compiled(self, trainer) -> None:
        compiled = getattr(trainer, "_compiled", None)
        if compiled is not None:
            self._compiled.pop(compiled.key, None)
            self._compiled[compiled.key] = compiled
            while len(self._compiled) > COMPILED_CACHE_SIZE:
                self._compiled.popitem(last=False)

    @param.depends("alpha", "lr", "schedule", "n_steps", watch=True)
    def _on_recipe(self) -> None:
        """lr, schedule and L2 change the next steps only: no recompilation, no reset."""
        if self.trainer is None:
            return
        try:
            config = self.config()
        except ValueError as exc:
            self._refuse(str(exc), structure=self._refused_structure)
            return
        if self.refused:
            if self._refused_structure:
                return self.reset()     # the model asked for was not built: try it again now
            self.param.update(error="", refused="")
        self.trainer.config = dataclasses.replace(
            self.trainer.config, alpha=config.alpha, lr=config.lr, schedule=config.schedule,
            n_steps=config.n_steps)

    def _refuse(self, message: str, structure: bool = True) -> None:
        """Say ``message`` under the controls until fixed. ``structure``: the model asked for
        was not built (``reset`` tries again when the recipe is fixed); else only the recipe's
        change was not applied (the current model trains on with the last good recipe)."""
        self._refused_structure = structure
        self.param.update(error=message, refused=message)

    # ---- training here and now ---------------------------------------------------------------
    def step(self, n: int = 1) -> list:
        """``n`` steps in this thread (scripts, tests, the notebook); returns their records."""
        if self.trainer is None or self.running:
            return []
        records = []
        for _ in range(n):
            records += self.trainer.run(1)
            if not np.isfinite(records[-1].loss):
                break
        return self._publish(records)

    def _publish(self, records: list) -> list:
        """Show ``records`` (steps already in ``trainer``); a non-finite loss stops the run.
        Returns the records shown (the finite ones)."""
        finite = [r for r in records if np.isfinite(r.loss)]
        with param.parameterized.discard_events(self):
            self.new_records = finite
            self.steps = self.trainer.k
        self.param.trigger("new_records", "steps")
        if len(finite) < len(records):
            bad = records[len(finite)]
            self.pause()
            self.error = (f"the loss became {bad.loss} at step {bad.step}: the learning rate is "
                          "too large for this loss (MSE: try 0.1); lower it and press Reset")
        return finite

    # ---- the session's end --------------------------------------------------------------------
    def close(self) -> None:
        """The session ended: stop and drop the trainer and compiled graphs."""
        self.pause()
        self._pool = self._thread = None
        self._compiled.clear()
        self.trainer = None

    # ---- inspecting -------------------------------------------------------------------------
    def inspect(self, sample: int | None = None) -> Inspection | None:
        """Sample ``sample``'s loss graph with the current weights (default: ``sample``;
        if that is None too, the sample with the largest loss, and ``inspect_reason`` says so)."""
        if self.trainer is None:
            return None
        reason = ""
        if sample is None and self.sample is None:
            from engine.sample_choice import largest_loss_sample

            # nothing chosen: the sample that teaches most (a loss of 0 shows every grad 0)
            sample, loss = largest_loss_sample(self.trainer)
            reason = (f"sample {sample}: largest loss {loss:.3g} of the {len(self.trainer.X)} samples"
                      + (", so its gradients are not all 0" if loss > 0 else ""))
        sample = int(self.sample if sample is None else sample)
        ins = self.trainer.inspect(sample, with_l2=bool(self.with_l2))
        self.param.update(inspect_reason=reason, inspection=ins)
        return ins

    def pick(self, x: float, y: float) -> None:
        """Choose the sample nearest to a click at ``(x, y)``."""
        if self.trainer is not None and x is not None and y is not None:
            self.sample = self.trainer.nearest(x, y)

    @property
    def nodes_text(self) -> str:
        t = self.trainer
        exact = t.compiled.n_nodes if t._compiled is not None else self._nodes
        return f"{exact:,}" if exact is not None else f"~{t.n_nodes:,}"


def _config_params(config: TrainConfig) -> dict:
    return dict(hidden=", ".join(map(str, config.hidden)), nonlin=config.nonlin,
                loss=config.loss, alpha=config.alpha, lr=config.lr, schedule=config.schedule,
                n_steps=config.n_steps, batch=config.batch_size or 0, seed=config.seed)
