"""The app's state: a ``param.Parameterized`` model. No Panel or Bokeh in here.

State: the expression (``source``/``preset``), the leaf values (a generated ``param`` model, see
:mod:`app.graph_page.leaves`), the Player position ``step`` and the ``mode`` (backward or forward pass).
Everything numeric comes from the engine: ``Tape.run`` for a slider move, the engine's step
records for the Player. The model keeps the arrays *as shown* at the current step and announces
which value rows changed through the ``frame`` parameter, which the view watches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import param

from .compiled import CompiledGraph, compile_graph
from .leaves import leaf_values, make_leaf_model
from ..presets import DEFAULT_PRESET, PRESETS


@dataclass(frozen=True)
class Frame:
    """What changed since the last frame (the view patches only these).

    Attributes
    ----------
    kind : {"structure", "values", "step", "mode"}
    rows : numpy.ndarray or None
        Positions (in ``CompiledGraph.value_ids``) whose shown data/grad/pending may have changed;
        ``None`` = any row may have changed (the view diffs all of them).
    """

    kind: str
    rows: np.ndarray | None = None


class GraphModel(param.Parameterized):
    """State of one app instance.

    Parameters (param)
    ------------------
    source : str
        Expression text in the ``engine.parse`` language (what the editor applied last).
    preset : str
        Name of the preset last loaded (``app.presets.PRESETS`` key), or ``""`` for custom input.
    mode : {"backward", "forward"}
        Which pass the Player walks through.
    step : int
        Player position: 0 = before the pass; k = after the first k engine step records.
    n_steps : int
        Number of step records of the current mode (the Player's end).
    error : str
        Message of the last rejected expression (``""`` when the last apply worked).
    leaves : param.Parameterized
        Generated per expression: one ``param.Number`` per leaf (named by leaf id).
    compiled : CompiledGraph
        The current structure.
    frame : Frame
        Set after every change of what is shown; the view watches it.
    output : float
        Current output value.
    """

    source = param.String(default="", doc="expression text last applied")
    preset = param.String(default="", doc="preset last loaded, '' for custom input")
    mode = param.Selector(default="backward", objects=["backward", "forward"])
    step = param.Integer(default=0, bounds=(0, None))
    n_steps = param.Integer(default=0, bounds=(0, None))
    error = param.String(default="")
    leaves = param.Parameter(default=None, doc="generated leaf-value model")
    compiled = param.Parameter(default=None, doc="CompiledGraph of the current structure")
    frame = param.Parameter(default=None, doc="last Frame")
    output = param.Number(default=0.0, allow_None=True)

    def __init__(self, expr_or_value=None, preset=None, **params):
        super().__init__(**params)
        self._leaf_watcher = None
        self.backward_records: list = []
        self._forward_records = None
        self.shown_data = np.zeros(0)
        self.shown_grad = np.zeros(0)
        self.pending = np.zeros(0, dtype=bool)
        self._stepping = False
        self._update = None  # (lr, parameter ids): a final gradient-descent step, see load_value
        self.param.watch(self._on_step, "step")
        self.param.watch(self._on_mode, "mode")
        if isinstance(expr_or_value, str):
            from engine import parse

            self._load(parse(expr_or_value), source=expr_or_value, preset="")  # raises ExpressionError
        elif expr_or_value is not None:
            self.load_value(expr_or_value)
        else:
            self.load_preset(preset or DEFAULT_PRESET)

    # ------------------------------------------------------------------ structure changes
    def apply(self, source: str) -> bool:
        """Parse ``source`` and show it. On ``ExpressionError`` set ``error``, keep the graph.

        Returns True when the new expression is shown.
        """
        from engine import ExpressionError, parse

        try:
            root = parse(source)
        except ExpressionError as exc:
            self.error = _error_text(exc)
            return False
        self._update = None
        self._load(root, source=source, preset="")
        return True

    def load_preset(self, name: str) -> None:
        """Show the preset ``name`` (a key of ``app.presets.PRESETS``)."""
        preset = PRESETS[name]
        self._update = None
        if preset.build is not None:
            self._load(preset.build(), source=preset.source, preset=name)
        else:
            from engine import parse

            self._load(parse(preset.source), source=preset.source, preset=name)

    def load_value(self, value, update=None) -> bool:
        """Show the graph of any micrograd-style Value (engine or karpathy's micrograd).

        ``update``, optional ``(lr, parameter value ids)``: after the backward pass the Player
        shows one more step, the gradient-descent update ``p.data -= lr * p.grad`` (used by
        the Train view's "Inspect sample").
        """
        from engine import ExpressionError, to_source

        label = getattr(value, "label", "") or "out"
        self._update = update
        try:   # as text the graph is editable, and a link can carry it
            source = to_source(value)
        except ExpressionError as exc:
            source = (f"# graph of a Value object ({label}), shown from code; as text: {exc}\n"
                      "# type an expression and press Apply to replace it\n")
        self._load(value, source=source, preset="")
        return True

    def _load(self, root, source: str, preset: str) -> None:
        compiled = compile_graph(root)
        G = compiled.graph
        values = {lid: G.nodes[lid]["data"] for lid in compiled.leaf_ids}
        leaves = make_leaf_model(compiled.leaf_ids, compiled.labels, values)
        if self.leaves is not None and self._leaf_watcher is not None:
            self.leaves.param.unwatch(self._leaf_watcher)
        self._leaf_watcher = leaves.param.watch(self._on_leaves, list(compiled.leaf_ids)) if compiled.leaf_ids else None
        compiled.tape.run(leaf_values(leaves, compiled.leaf_ids))
        with param.parameterized.batch_call_watchers(self):
            self.compiled = compiled
            self.leaves = leaves
            self.source = source
            self.preset = preset
            self.error = ""
        self._recompute_records()
        n = self._mode_records_len()
        self._set_step_silently(n)  # a new graph is shown complete; press play from 0 to watch
        self._rebuild_shown()
        self.output = float(compiled.tape.data[compiled.tape.index[compiled.output_id]])
        self.frame = Frame("structure", None)

    # ------------------------------------------------------------------ value changes
    def set_leaf(self, leaf: str, value: float) -> None:
        """Set one leaf (by id or label) as a slider does."""
        lid = leaf if leaf in self.compiled.leaf_ids else self._leaf_id_for_label(leaf)
        setattr(self.leaves, lid, float(value))

    def _leaf_id_for_label(self, label: str) -> str:
        for lid in self.compiled.leaf_ids:
            if self.compiled.labels[lid] == label:
                return lid
        raise KeyError(f"no leaf labelled {label!r}")

    def _on_leaves(self, *events) -> None:
        """Slider move: run the Tape (no graph rebuild, no layout), refresh records and frame."""
        tape = self.compiled.tape
        tape.run(leaf_values(self.leaves, self.compiled.leaf_ids))
        self._recompute_records()
        old_data, old_grad, old_pending = self.shown_data, self.shown_grad, self.pending
        self._rebuild_shown()
        changed = _changed_rows(old_data, self.shown_data) | _changed_rows(old_grad, self.shown_grad)
        changed |= old_pending != self.pending
        self.output = float(tape.data[tape.index[self.compiled.output_id]])
        self.frame = Frame("values", np.flatnonzero(changed))

    # ------------------------------------------------------------------ steps
    @property
    def records(self) -> list:
        """Engine step records of the current mode."""
        return self.backward_records if self.mode == "backward" else self.forward_records

    @property
    def forward_records(self) -> list:
        """Engine forward step records (topological order), computed on first use per values."""
        if self._forward_records is None:
            from engine import forward_steps

            self._forward_records = forward_steps(self.compiled.tape)
        return self._forward_records

    @property
    def active_record(self):
        """The record applied last (the one the step panel narrates), or None at step 0."""
        return self.records[self.step - 1] if self.step > 0 else None

    def _recompute_records(self) -> None:
        from engine import backprop_steps

        tape = self.compiled.tape
        self.backward_records = backprop_steps(tape)
        if self._update is not None:
            from engine import update_step, with_update

            lr, params = self._update
            self.backward_records = with_update(
                self.backward_records, update_step(tape, lr, params, len(self.backward_records)))
        self._forward_records = None  # computed when first needed (forward mode is the rarer one)
        self.n_steps = self._mode_records_len()

    def _mode_records_len(self) -> int:
        return len(self.records)

    def _set_step_silently(self, k: int) -> None:
        self.param.step.bounds = (0, self.n_steps)
        self._stepping = True
        try:
            self.step = k
        finally:
            self._stepping = False

    def _rebuild_shown(self) -> None:
        """Recompute the shown arrays for the current mode and step from the records."""
        tape = self.compiled.tape
        n = len(tape.ids)
        index = tape.index
        if self.mode == "backward":
            self.shown_data = np.array(tape.data, dtype=float)
            self.pending = np.zeros(n, dtype=bool)
            records = self.backward_records
            done = min(self.step, len(records))
            if done and records[done - 1].kind == "update":   # the descent step: data moves
                for vid, (_, after) in records[done - 1].changes.items():
                    self.shown_data[index[vid]] = after
                done -= 1
            if done >= len(records) - (self._update is not None):
                self.shown_grad = np.array(tape.grad, dtype=float)
            else:
                grad = np.zeros(n)
                for rec in records[:done]:
                    for vid, (_, after) in rec.changes.items():
                        grad[index[vid]] = after
                self.shown_grad = grad
        else:
            data = np.array(tape.data, dtype=float)
            pending = np.ones(n, dtype=bool)
            for rec in self.forward_records[: self.step]:
                for vid in rec.changes:
                    pending[index[vid]] = False
            self.shown_data = data
            self.pending = pending
            self.shown_grad = np.zeros(n)

    def _on_step(self, event) -> None:
        """Player moved: apply (or undo) the records between the old and new step."""
        if self._stepping or self.compiled is None:
            return
        old, new = event.old, event.new
        index = self.compiled.tape.index
        rows = []
        if self.mode == "backward":
            forward = new > old
            span = self.backward_records[old:new] if forward else self.backward_records[new:old][::-1]
            for rec in span:
                # the final descent step of an inspected sample moves data, every other one grads
                shown = self.shown_data if rec.kind == "update" else self.shown_grad
                for vid, (before, after) in rec.changes.items():
                    shown[index[vid]] = after if forward else before
                    rows.append(index[vid])
        else:
            lo, hi = min(old, new), max(old, new)
            for rec in self.forward_records[lo:hi]:
                for vid in rec.changes:
                    self.pending[index[vid]] = new < old
                    rows.append(index[vid])
        self.frame = Frame("step", np.unique(np.asarray(rows, dtype=int)))

    def _on_mode(self, event) -> None:
        """Switching pass: the Player restarts at 0 for the chosen pass."""
        if self.compiled is None:
            return
        self.n_steps = self._mode_records_len()
        self._set_step_silently(0)
        self._rebuild_shown()
        self.frame = Frame("mode", None)

    @property
    def update_lr(self):
        """Learning rate of the final descent step of an inspected sample (None without one)."""
        return self._update[0] if self._update is not None else None

    # ------------------------------------------------------------------ helpers for views/tests
    def contributions(self, node_id: str) -> list:
        """All backward contributions to ``node_id``'s grad: ``[(record index, term), ...]``."""
        return self.backward_records.contributions(node_id)


def _changed_rows(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Rows where two float arrays differ (NaN == NaN counts as unchanged)."""
    if old.shape != new.shape:
        return np.ones(new.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        return ~((old == new) | (np.isnan(old) & np.isnan(new)))


def _error_text(exc) -> str:
    """``ExpressionError`` as shown next to the editor (its message already carries line/col)."""
    msg = str(exc)
    line, col = getattr(exc, "line", None), getattr(exc, "col", None)
    if line and f"line {line}" not in msg:       # line 0: the whole text (too long, empty)
        msg = f"line {line}, col {col}: {msg}"
    return msg
