"""Records of the forward and backward pass, one step at a time, for the Player to replay.

``backprop_steps`` replays ``backward()``: a seed step (``out.grad = 1``), then one step per
non-leaf node in reverse topological order, each running that node's ``_backward``. A step
records, for each operand, the local derivative (as a formula and a number), the upstream grad,
the contribution and the operand's grad before and after, so accumulation on reused nodes is
visible. Applying ``changes`` of the first k steps gives the grads as they are after k steps.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .ops import OPS
from .tape import Tape


def fmt(x: float) -> str:
    """A number as a learner reads it: ``6``, ``-0.707107``, ``1.5e+20``, ``nan``, ``inf``."""
    if x == 0:
        return "0"
    return f"{x:.6g}"


@dataclass(frozen=True)
class InputTerm:
    """One operand's share of a backward step: ``grad += local * upstream``."""
    node: str
    label: str
    operand: int
    local_formula: str
    local: float
    upstream: float
    contribution: float
    grad_before: float
    grad_after: float
    out_label: str

    @property
    def text(self) -> str:
        formula = f"({self.local_formula})" if " " in self.local_formula else self.local_formula
        return (f"{self.label}.grad += {formula} * {self.out_label}.grad = {fmt(self.local)} * "
                f"{fmt(self.upstream)} = {fmt(self.contribution)}   ({self.label}.grad: "
                f"{fmt(self.grad_before)} -> {fmt(self.grad_after)})")


@dataclass(frozen=True)
class Step:
    """One step of a pass. ``node`` is the value node computed (forward) or whose
    ``_backward`` runs (backward); ``changes`` maps value ids to (before, after) of the grad
    (backward) or ``(None, data)`` (forward)."""
    index: int
    kind: str
    node: str
    op_node: str | None
    op: str
    label: str
    out_data: float
    out_grad: float
    operands: tuple
    inputs: tuple
    changes: dict
    summary: str

    @property
    def text(self) -> str:
        return "\n".join(t.text for t in self.inputs) if self.inputs else self.summary


class StepRecords(Sequence):
    """Steps built on demand (a Player shows one at a time), used like a read-only list:
    ``len``, indexing, slicing, iteration. Building a step formats its formulas, which costs
    far more than the arithmetic, so a slider move on a large graph only pays for the trace."""

    def __init__(self, count: int, make):
        self._count, self._make, self._cache = count, make, {}

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self._count))]
        if k < 0:
            k += self._count
        if not 0 <= k < self._count:
            raise IndexError("step index out of range")
        step = self._cache.get(k)
        if step is None:
            step = self._cache[k] = self._make(k)
        return step


def _tape(source) -> Tape:
    return source if isinstance(source, Tape) else Tape(source)


def _names(tape: Tape) -> list[str]:
    return [tape.labels[vid] or vid for vid in tape.ids]


def _ref(tape: Tape, names: list[str], k: int) -> str:
    """How a formula names node k's data: ``b.data``, or the number for a literal."""
    return fmt(tape.data[k]) if tape.const[k] else f"{names[k]}.data"


def backprop_steps(source) -> StepRecords:
    """The backward pass of ``source`` (a ``Tape``, an engine ``Value`` or any micrograd-style
    value) as steps; a Tape's current data is used, so no Values are rebuilt.

    The arithmetic of every step (the same operations, in the same order, as ``backward()``)
    runs now; each ``Step`` object is built when first asked for.
    """
    tape = _tape(source)
    names = _names(tape)
    data = tape.data.tolist()
    const = tape.const.tolist()
    grad = [0.0] * len(data)
    out = tape.output_index
    grad[out] = 1.0
    trace = []                       # per instruction: (instruction, locals, upstream, befores)
    for ins in reversed(tape.instructions):
        local = OPS[ins.op].local(*(data[a] for a in ins.args), data[ins.out])
        up = grad[ins.out]
        befores = []
        for a, d in zip(ins.args, local):
            befores.append(None if const[a] else grad[a])
            if not const[a]:
                grad[a] += d * up
        trace.append((ins, local, up, befores))
    out_id = tape.ids[out]

    def make(k: int) -> Step:
        if k == 0:
            return Step(0, "seed", out_id, None, "", names[out], data[out], 1.0, (), (),
                        {out_id: (0.0, 1.0)},
                        f"{names[out]}.grad = 1   (d{names[out]}/d{names[out]} = 1: the "
                        "backward pass starts here)")
        ins, local, up, befores = trace[k - 1]
        op, o = OPS[ins.op], ins.out
        refs = dict(zip("ab", (_ref(tape, names, a) for a in ins.args)), out=f"{names[o]}.data")
        terms, changes = [], {}
        for pos, (a, d, before) in enumerate(zip(ins.args, local, befores)):
            if before is None:
                continue
            contribution = d * up
            after = before + contribution
            terms.append(InputTerm(tape.ids[a], names[a], pos, op.formulas[pos].format(**refs),
                                   d, up, contribution, before, after, names[o]))
            changes[tape.ids[a]] = (changes.get(tape.ids[a], (before,))[0], after)
        vid = tape.ids[o]
        summary = (f"{names[o]}._backward(): {names[o]}.grad = {fmt(up)} flows to "
                   f"{', '.join(t.label for t in terms)}" if terms else
                   f"{names[o]}._backward(): its inputs are number literals (no grads)")
        return Step(k, "backward", vid, "o" + vid[1:], ins.op, names[o], data[o], up,
                    tuple(tape.ids[a] for a in ins.args), tuple(terms), changes, summary)

    return StepRecords(len(trace) + 1, make)


def _expression(op: str, operands: list[str]) -> str:
    if OPS[op].arity == 1:
        return f"-{operands[0]}" if op == "neg" else f"{op}({operands[0]})"
    return f" {op} ".join(operands)


def forward_steps(source) -> StepRecords:
    """The forward pass of ``source`` as steps in topological order, one per value node,
    e.g. ``e = a * b = 2 * -3 = -6``; ``changes`` is ``{id: (None, data)}``. Built on demand."""
    tape = _tape(source)
    names = _names(tape)
    data = tape.data.tolist()
    made_by = {ins.out: ins for ins in tape.instructions}

    def make(k: int) -> Step:
        vid, ins = tape.ids[k], made_by.get(k)
        if ins is None:
            kind = "a number literal" if tape.const[k] else "a leaf"
            summary = f"{names[k]} = {fmt(data[k])}   ({kind})"
            op, op_node, args = "", None, ()
        else:
            args = tuple(tape.ids[a] for a in ins.args)
            symbolic = _expression(ins.op, [names[a] for a in ins.args])
            numeric = _expression(ins.op, [fmt(data[a]) for a in ins.args])
            summary = f"{names[k]} = {symbolic} = {numeric} = {fmt(data[k])}"
            op, op_node = ins.op, "o" + vid[1:]
        return Step(k, "forward", vid, op_node, op, names[k], data[k], 0.0, args, (),
                    {vid: (None, data[k])}, summary)

    return StepRecords(len(tape.ids), make)


def update_step(tape: Tape, lr: float, params, index: int) -> Step:
    """The gradient-descent step after a backward pass, ``p.data -= lr * p.grad`` for each
    value id in ``params``, from the tape's current data and grads, as a Step of kind
    ``"update"`` (numbered ``index``) whose ``changes`` are data (before, after)."""
    names = _names(tape)
    changes, lines = {}, []
    for vid in params:
        k = tape.index[vid]
        x, g = float(tape.data[k]), float(tape.grad[k])
        new = x - lr * g
        changes[vid] = (x, new)
        lines.append(f"{names[k]}.data -= lr * {names[k]}.grad = {fmt(x)} - {fmt(lr)} * "
                     f"{fmt(g)} = {fmt(new)}")
    first = next(iter(changes), tape.ids[tape.output_index])
    return Step(index, "update", first, None, "", "update", 0.0, 0.0, tuple(changes), (),
                changes, "\n".join(lines) or "no parameters to update")


def with_update(steps: StepRecords, update: Step) -> StepRecords:
    """``steps`` followed by ``update`` (for a training sample: backward, then descend)."""
    n = len(steps)
    return StepRecords(n + 1, lambda k: steps[k] if k < n else update)
