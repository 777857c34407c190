"""The Player's side of ``GraphModel``: the step records of each pass, the arrays as shown
at a step, and what a Player move or a pass switch changes (``StepsOfPasses``, a mixin of
:class:`app.graph_page.model.GraphModel`, whose parameters it reads and sets: ``mode``,
``step_by``, ``step``, ``n_steps``, ``update``, ``compiled``, ``backward_records``,
``shown_data``, ``shown_grad``, ``pending``, ``frame``). No Panel or Bokeh; no maths: the
engine's records carry every number."""

from __future__ import annotations

import numpy as np
import param

from .model_types import Frame
from .shown import backward_shown, forward_pending, replay_backward, replay_forward


class StepsOfPasses:
    """Step records and shown arrays of a ``GraphModel`` (see the module docstring)."""

    @property
    def records(self) -> list:
        """Engine step records of the current mode (backward: per op, or per neuron)."""
        if self.mode == "forward":
            return self.forward_records
        return self.scope_records if self.step_by == "neuron" else self.backward_records

    @property
    def scope_records(self):
        """The backward steps one per neuron (``engine.scope_steps``), made when first asked."""
        if self._scope_records is None:
            from engine import scope_steps

            self._scope_records = scope_steps(self.backward_records, self.node_scopes)
        return self._scope_records

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
        if self.update is not None:
            from engine import update_step, with_update

            lr, params = self.update
            self.backward_records = with_update(
                self.backward_records, update_step(tape, lr, params, len(self.backward_records)))
        self._forward_records = None  # computed when first needed (forward mode is the rarer one)
        self._scope_records = None
        self.n_steps = len(self.records)

    def _set_step_silently(self, k: int) -> None:
        """Move the Player without replaying records (the caller rebuilds the shown arrays and
        sets ``frame``, which is what the views follow)."""
        self.param.step.bounds = (0, self.n_steps)
        with param.parameterized.discard_events(self):
            self.step = k

    def _rebuild_shown(self) -> None:
        """Recompute the shown arrays for the current mode and step from the records."""
        tape = self.compiled.tape
        n = len(tape.ids)
        if self.mode == "backward":
            data, grad = backward_shown(tape, self.records, self.step, self.update is not None)
            self.param.update(shown_data=data, shown_grad=grad, pending=np.zeros(n, dtype=bool))
        else:
            self.param.update(shown_data=np.array(tape.data, dtype=float), shown_grad=np.zeros(n),
                              pending=forward_pending(tape, self.forward_records, self.step))

    def _on_step(self, event) -> None:
        """Player moved: apply (or undo) the records between the old and new step."""
        if self.compiled is None:
            return
        index = self.compiled.tape.index
        if self.mode == "backward":
            rows = replay_backward(self.records, event.old, event.new, index,
                                   self.shown_data, self.shown_grad)
        else:
            rows = replay_forward(self.forward_records, event.old, event.new, index, self.pending)
        self.frame = Frame("step", np.unique(np.asarray(rows, dtype=int)))

    def _on_mode(self, event) -> None:
        """Switching pass: the Player restarts at 0 for the chosen pass (switching between op
        and neuron steps keeps it at the end if it was there)."""
        if self.compiled is None:
            return
        at_end = event.name == "step_by" and self.step == self.n_steps
        self.n_steps = len(self.records)
        self._set_step_silently(self.n_steps if at_end else 0)
        self._rebuild_shown()
        self.frame = Frame("mode", None)
