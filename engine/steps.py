"""Records of the forward and backward pass, one step at a time, for the Player to replay.

``backprop_steps`` replays ``backward()``: a seed step (``out.grad = 1``), then one step per
non-leaf node in reverse topological order, each running that node's ``_backward``. A step
records, for each operand, the local derivative (as a formula and a number), the upstream grad,
the contribution and the operand's grad before and after, so accumulation on reused nodes is
visible. Applying ``changes`` of the first k steps gives the grads as they are after k steps.
"""
from __future__ import annotations

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


def _tape(source) -> Tape:
    return source if isinstance(source, Tape) else Tape(source)


def _names(tape: Tape) -> list[str]:
    return [tape.labels[vid] or vid for vid in tape.ids]


def _ref(tape: Tape, names: list[str], k: int) -> str:
    """How a formula names node k's data: ``b.data``, or the number for a literal."""
    return fmt(tape.data[k]) if tape.const[k] else f"{names[k]}.data"


def backprop_steps(source) -> list[Step]:
    """The backward pass of ``source`` (a ``Tape``, an engine ``Value`` or any micrograd-style
    value) as steps; a Tape's current data is used, so no Values are rebuilt."""
    tape = _tape(source)
    names = _names(tape)
    data = tape.data.tolist()
    grad = [0.0] * len(data)
    out = tape.output_index
    grad[out] = 1.0
    out_id = tape.ids[out]
    steps = [Step(0, "seed", out_id, None, "", names[out], data[out], 1.0, (), (),
                  {out_id: (0.0, 1.0)},
                  f"{names[out]}.grad = 1   (d{names[out]}/d{names[out]} = 1: the backward "
                  "pass starts here)")]
    for ins in reversed(tape.instructions):
        op, o = OPS[ins.op], ins.out
        xs = [data[a] for a in ins.args]
        local = op.local(*xs, data[o])
        refs = dict(zip("ab", (_ref(tape, names, a) for a in ins.args)), out=f"{names[o]}.data")
        terms, changes = [], {}
        for pos, (a, d) in enumerate(zip(ins.args, local)):
            if tape.const[a]:
                continue
            before = grad[a]
            contribution = d * grad[o]
            grad[a] = before + contribution
            terms.append(InputTerm(tape.ids[a], names[a], pos, op.formulas[pos].format(**refs),
                                   d, grad[o], contribution, before, grad[a], names[o]))
            changes[tape.ids[a]] = (changes.get(tape.ids[a], (before,))[0], grad[a])
        vid = tape.ids[o]
        summary = (f"{names[o]}._backward(): {names[o]}.grad = {fmt(grad[o])} flows to "
                   f"{', '.join(t.label for t in terms)}" if terms else
                   f"{names[o]}._backward(): its inputs are number literals (no grads)")
        steps.append(Step(len(steps), "backward", vid, "o" + vid[1:], ins.op, names[o], data[o],
                          grad[o], tuple(tape.ids[a] for a in ins.args), tuple(terms), changes,
                          summary))
    return steps


def _expression(op: str, operands: list[str]) -> str:
    if OPS[op].arity == 1:
        return f"-{operands[0]}" if op == "neg" else f"{op}({operands[0]})"
    return f" {op} ".join(operands)


def forward_steps(source) -> list[Step]:
    """The forward pass of ``source`` as steps in topological order, one per value node,
    e.g. ``e = a * b = 2 * -3 = -6``; ``changes`` is ``{id: (None, data)}``."""
    tape = _tape(source)
    names = _names(tape)
    data = tape.data.tolist()
    made_by = {ins.out: ins for ins in tape.instructions}
    steps = []
    for k, vid in enumerate(tape.ids):
        ins = made_by.get(k)
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
        steps.append(Step(k, "forward", vid, op_node, op, names[k], data[k], 0.0, args, (),
                          {vid: (None, data[k])}, summary))
    return steps
