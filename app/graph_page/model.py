"""The app's state: a ``param.Parameterized`` model. No Panel or Bokeh in here.

State: the expression (``source``/``preset``), the leaf values (a generated ``param`` model, see
:mod:`app.graph_page.leaves`), the Player position ``step`` and the ``mode`` (backward or forward pass).
Everything numeric comes from the engine: ``Tape.run`` for a slider move, the engine's step
records for the Player. The model keeps the arrays *as shown* at the current step and announces
which value rows changed through the ``frame`` parameter, which the view watches.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import param

from . import structure
from .compiled import CompiledGraph
from .leaves import leaf_values
from .model_types import Frame, SourceError  # noqa: F401  (both are part of the model's API)
from .model_steps import StepsOfPasses
from .shown import changed_rows
from ..presets import DEFAULT_PRESET


class GraphModel(StepsOfPasses, param.Parameterized):
    """State of one app instance.

    Parameters (param)
    ------------------
    source : str
        Expression text of the graph on screen (``engine.parse`` language): what the editor
        applied last, a preset's text, or ``engine.to_source`` of a Value or a file.
    source_note : str
        Comment lines the editor shows above ``source`` (where a loaded file came from).
    preset : str
        Name of the preset last loaded (``app.presets.PRESETS`` key), or ``""`` for custom input.
    mode : {"backward", "forward"}
        Which pass the Player walks through.
    step : int
        Player position: 0 = before the pass; k = after the first k engine step records.
    n_steps : int
        Number of step records of the current mode (the Player's end).
    error : SourceError or None
        Why the last text was rejected (``None`` when the last apply worked).
    leaves : param.Parameterized
        Generated per expression: one ``param.Number`` per leaf (named by leaf id).
    compiled : CompiledGraph
        The current structure.
    frame : Frame
        Set after every change of what is shown; the views watch it.
    output : float
        Current output value.
    backward_records, shown_data, shown_grad, pending, update :
        The engine's backward step records (plus the descent step of an inspected sample), the
        arrays as shown at the current step, and that descent step's ``(lr, parameters)``.
    expanded : frozenset or None
        Collapse state: the scope paths drawn open (``None``: every scope open); see
        :mod:`app.graph_page.scopes_view`. A change redraws the view, nothing else.
    step_by : {"op", "neuron"}
        Backward Player steps: one per op, or one per neuron (innermost scope).
    """

    source = param.String(default="", doc="expression text of the graph on screen")
    source_note = param.String(default="", doc="comment lines shown above the source")
    unused = param.List(default=[], doc="names the source defines that the output does not use")
    preset = param.String(default="", doc="preset last loaded, '' for custom input")
    mode = param.Selector(default="backward", objects=["backward", "forward"])
    step = param.Integer(default=0, bounds=(0, None))
    n_steps = param.Integer(default=0, bounds=(0, None))
    error = param.ClassSelector(class_=SourceError, default=None, allow_None=True)
    leaves = param.ClassSelector(class_=param.Parameterized, default=None, allow_None=True,
                                 doc="generated leaf-value model")
    compiled = param.ClassSelector(class_=CompiledGraph, default=None, allow_None=True)
    frame = param.ClassSelector(class_=Frame, default=None, allow_None=True, doc="last Frame")
    output = param.Number(default=0.0, allow_None=True)
    backward_records = param.ClassSelector(class_=Sequence, default=(), precedence=-1,
                                           doc="engine backward step records (+ descent step)")
    shown_data = param.Array(default=np.zeros(0), precedence=-1)
    shown_grad = param.Array(default=np.zeros(0), precedence=-1)
    pending = param.Array(default=np.zeros(0, dtype=bool), precedence=-1,
                          doc="forward pass: values not computed yet at this step")
    update = param.Tuple(default=None, length=2, allow_None=True, precedence=-1,
                         doc="(lr, parameter Values): a final gradient-descent step, see load_value")

    expanded = param.ClassSelector(class_=(frozenset, set), default=None, allow_None=True,
                                   doc="scope paths drawn open (None: all)")
    step_by = param.Selector(default="op", objects=["op", "neuron"])

    def __init__(self, expr_or_value=None, preset=None, update=None, collapse=None, **params):
        super().__init__(**params)
        self._leaf_watcher = None        # the watcher on the current leaf model (unwatched on load)
        self._forward_records = None     # a cache: computed on first use per leaf values
        self._scope_records = None     # per-neuron steps, made when first asked
        self._loading = False            # a load sets the collapse state quietly
        self.param.watch(self._on_step, "step")
        self.param.watch(self._on_mode, ["mode", "step_by"])
        self.param.watch(self._on_expanded, "expanded")
        if isinstance(expr_or_value, str):
            from engine import parse

            root = parse(expr_or_value)       # raises ExpressionError
            self.show(structure.ready(root, expr_or_value))
        elif expr_or_value is not None:
            if not hasattr(expr_or_value, "_prev"):   # show([1, 2]), show(3.0): say what is taken
                raise TypeError("expected expression text or a micrograd-style Value, got "
                                f"{type(expr_or_value).__name__} {expr_or_value!r:.60}")
            self.load_value(expr_or_value, update=update, collapse=collapse)
        else:
            self.load_preset(preset or DEFAULT_PRESET)

    # ------------------------------------------------------------------ structure changes
    # Each is a pure part (app.graph_page.structure: compile, lay out) and ``show``, which puts
    # its result on screen (the page runs them through Busy, with a loading state).
    def apply(self, source: str) -> bool:
        """Parse ``source`` and show it. On ``ExpressionError`` set ``error``, keep the graph.

        Returns True when the new expression is shown.
        """
        return self.show(structure.from_text(source))

    def load_preset(self, name: str) -> None:
        """Show the preset ``name`` (a key of ``app.presets.PRESETS``)."""
        self.show(structure.from_preset(name))

    def load_value(self, value, update=None, note: str = "", collapse: str | None = None,
                   step: int | None = None) -> bool:
        """Show the graph of any micrograd-style Value (engine or karpathy's micrograd).

        ``update``, optional ``(lr, parameter Values)``: after the backward pass the Player
        shows one more step, the gradient-descent update ``p.data -= lr * p.grad`` (used by
        the Train view's "Inspect sample"). ``note``: comment lines the editor shows above the
        graph's text (``source_note``), e.g. which file it came from. ``collapse``: open at this
        level ("layers", "neurons", "all") instead of the default collapse state. ``step``: the
        Player's start (default: the end, the graph shown complete).
        """
        return self.show(structure.from_value(value, update=update, note=note, collapse=collapse,
                                              step=step))

    def show(self, new: structure.Structure | SourceError) -> bool:
        """Show a graph made ready by :mod:`app.graph_page.structure`; a ``SourceError`` (a
        rejected text) is set as ``error`` and the graph stays. Returns True when shown."""
        if isinstance(new, SourceError):
            self.error = new
            return False
        compiled, leaves = new.compiled, new.leaves
        if self.leaves is not None and self._leaf_watcher is not None:
            self.leaves.param.unwatch(self._leaf_watcher)
        self._leaf_watcher = leaves.param.watch(self._on_leaves, list(compiled.leaf_ids)) if compiled.leaf_ids else None
        self.update = new.update
        with param.parameterized.batch_call_watchers(self):
            self.compiled = compiled
            self.leaves = leaves
            self.source = new.source
            self.source_note = new.note
            self.unused = list(new.unused)
            self.preset = new.preset
            self.error = None
        self._recompute_records()
        n = len(self.records)
        # a new graph is shown complete (press play from 0 to watch), unless asked otherwise: in
        # one frame, where a Player move after it would send every row twice
        self._set_step_silently(n if new.step is None else min(max(0, new.step), n))
        self._loading = True
        try:
            self.expanded = new.expanded
        finally:
            self._loading = False
        self._rebuild_shown()
        self.output = float(compiled.tape.data[compiled.tape.index[compiled.output_id]])
        self.frame = Frame("structure", None)
        return True

    def relayout(self, layout) -> None:
        """Draw the graph on screen with ``layout``, another layout of the same graph (its
        polished order, see :mod:`app.graph_page.refine`): positions move, nothing else (the
        step, leaf values and records stay); views get a "layout" frame."""
        self.compiled.layout = layout
        self.frame = Frame("layout", None)

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
        self.compiled.tape.run(leaf_values(self.leaves, self.compiled.leaf_ids))
        self._values_changed()

    def show_leaf_values(self, positions, values, update_lr: float | None = None) -> None:
        """Many leaves at once: ``values`` at the Tape rows ``positions`` (e.g. a training
        step's weights), one Tape run, one "values" frame. For views without sliders (the Train
        tab's network view): the leaf model is not updated, the Tape holds the values.
        ``update_lr``: the learning rate of the final descent step, when it has one."""
        tape = self.compiled.tape
        tape.set_leaves(positions, values)
        tape.run()
        if update_lr is not None and self.update is not None:
            self.update = (float(update_lr), self.update[1])
        self._values_changed()

    def _values_changed(self) -> None:
        """The Tape ran on new leaf values: new records, shown arrays and a "values" frame
        with the rows that changed."""
        tape = self.compiled.tape
        self._recompute_records()
        old_data, old_grad, old_pending = self.shown_data, self.shown_grad, self.pending
        self._rebuild_shown()
        changed = changed_rows(old_data, self.shown_data) | changed_rows(old_grad, self.shown_grad)
        changed |= old_pending != self.pending
        self.output = float(tape.data[tape.index[self.compiled.output_id]])
        self.frame = Frame("values", np.flatnonzero(changed))

    @property
    def node_scopes(self) -> dict:
        """``engine.scopes`` of the current graph (once per structure)."""
        from .scopes_display import node_scopes

        return node_scopes(self.compiled)

    @property
    def display(self):
        """What the graph view draws: the compiled graph with its collapsed scopes as boxes."""
        from .scopes_display import display_graph

        return display_graph(self.compiled, self.expanded)

    def _on_expanded(self, event) -> None:
        """A scope collapsed or expanded: redraw; the Tape, values and records are untouched."""
        if not self._loading and self.compiled is not None:
            self.frame = Frame("view", None)

    @property
    def update_lr(self):
        """Learning rate of the final descent step of an inspected sample (None without one)."""
        return self.update[0] if self.update is not None else None

    # ------------------------------------------------------------------ helpers for views/tests
    def contributions(self, node_id: str) -> list:
        """All backward contributions to ``node_id``'s grad: ``[(record index, term), ...]``."""
        return self.backward_records.contributions(node_id)

