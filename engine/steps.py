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

from .backprop import descend, reverse_sweep
from .ops import OPS, fill
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


def _formulas(tape: Tape) -> list[tuple]:
    """Per instruction, its local derivatives as text (``"b.data"``, ``"1 - o.data**2"``).
    They depend on names and literals only, so they are made once per tape (per structure)."""
    cached = tape.memo.get("formulas")
    if cached is None:
        names = _names(tape)
        cached = []
        for ins in tape.instructions:
            refs = [_ref(tape, names, a) for a in ins.args]
            cached.append(tuple(fill(f, *refs, out=f"{names[ins.out]}.data")
                                for f in OPS[ins.op].formulas))
        tape.memo["formulas"] = cached
    return cached


class BackwardSteps(StepRecords):
    """The backward pass as steps (see :func:`backprop_steps`), with two cheap views that
    build no ``Step``: every op's local derivatives, and every contribution to one node."""

    def __init__(self, tape: Tape):
        self.tape = tape
        self.names = _names(tape)
        self.formulas = _formulas(tape)
        data = self.data = tape.data.tolist()
        const = tape.const.tolist()
        grad = [0.0] * len(data)
        grad[tape.output_index] = 1.0
        # per step k >= 1: (instruction index, locals, upstream, grads of operands before);
        # a literal operand's grad is None: it receives none
        self.trace = []

        made_by = {ins.out: i for i, ins in enumerate(tape.instructions)}

        def record(out, local, up):     # before the op adds its terms, in operand order
            i = made_by[out]
            befores, after = [], {}
            for a, d in zip(tape.instructions[i].args, local):
                before = None if const[a] else after.get(a, grad[a])   # b = a + a: 0, then 1
                befores.append(before)
                if before is not None:
                    after[a] = before + d * up
            self.trace.append((i, local, up, befores))

        reverse_sweep(tape.scalar_program("local"), data, grad, record=record)
        self._receivers = None
        super().__init__(len(self.trace) + 1, self._make)

    def _term(self, k: int, pos: int) -> InputTerm:
        i, local, up, befores = self.trace[k - 1]
        ins, names = self.tape.instructions[i], self.names
        a, d, before = ins.args[pos], local[pos], befores[pos]
        contribution = d * up
        return InputTerm(self.tape.ids[a], names[a], pos, self.formulas[i][pos], d, up,
                         contribution, before, before + contribution, names[ins.out])

    def _make(self, k: int) -> Step:
        tape, names, data = self.tape, self.names, self.data
        if k == 0:
            out = tape.output_index
            out_id = tape.ids[out]
            return Step(0, "seed", out_id, None, "", names[out], data[out], 1.0, (), (),
                        {out_id: (0.0, 1.0)},
                        f"{names[out]}.grad = 1   (d{names[out]}/d{names[out]} = 1: the "
                        "backward pass starts here)")
        i, local, up, befores = self.trace[k - 1]
        ins, o = tape.instructions[i], tape.instructions[i].out
        terms = [self._term(k, pos) for pos, before in enumerate(befores) if before is not None]
        changes = {}
        for t in terms:
            changes[t.node] = (changes.get(t.node, (t.grad_before,))[0], t.grad_after)
        vid = tape.ids[o]
        summary = (f"{names[o]}._backward(): {names[o]}.grad = {fmt(up)} flows to "
                   f"{', '.join(t.label for t in terms)}" if terms else
                   f"{names[o]}._backward(): its inputs are number literals (no grads)")
        return Step(k, "backward", vid, "o" + vid[1:], ins.op, names[o], data[o], up,
                    tuple(tape.ids[a] for a in ins.args), tuple(terms), changes, summary)

    def local_derivatives(self, ops=None) -> dict:
        """``{op node id: ((operand label, formula, value), ...)}`` for every op (or the op
        node ids ``ops``), literal operands left out: what a tooltip shows, without building
        the steps."""
        tape, names, out = self.tape, self.names, {}
        wanted = None if ops is None else set(ops)
        for i, local, _, befores in self.trace:
            ins = tape.instructions[i]
            op = "o" + tape.ids[ins.out][1:]
            if wanted is not None and op not in wanted:
                continue
            out[op] = tuple(
                (names[a], self.formulas[i][pos], local[pos])
                for pos, a in enumerate(ins.args) if befores[pos] is not None)
        return out

    def contributions(self, node_id: str) -> list:
        """``[(step index, InputTerm), ...]``: every contribution to ``node_id``'s grad, in step
        order (more than one for a reused node: the accumulation ledger)."""
        if self._receivers is None:
            receivers: dict = {}
            ids = self.tape.ids
            for k, (i, _, _, befores) in enumerate(self.trace, start=1):
                for pos, a in enumerate(self.tape.instructions[i].args):
                    if befores[pos] is not None:
                        receivers.setdefault(ids[a], []).append((k, pos))
            self._receivers = receivers
        return [(k, self._term(k, pos)) for k, pos in self._receivers.get(node_id, ())]


def backprop_steps(source) -> BackwardSteps:
    """The backward pass of ``source`` (a ``Tape``, an engine ``Value`` or any micrograd-style
    value) as steps: a seed step (``out.grad = 1``), then one per non-leaf node in reverse
    topological order. A Tape's current data is used, so no Values are rebuilt.

    The arithmetic of every step (the same operations, in the same order, as ``backward()``)
    runs now; each ``Step`` object is built when first asked for.
    """
    return BackwardSteps(_tape(source))


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
            syntax = OPS[ins.op].syntax
            symbolic = fill(syntax, *(names[a] for a in ins.args))
            numeric = fill(syntax, *(fmt(data[a]) for a in ins.args))
            summary = f"{names[k]} = {symbolic} = {numeric} = {fmt(data[k])}"
            op, op_node = ins.op, "o" + vid[1:]
        return Step(k, "forward", vid, op_node, op, names[k], data[k], 0.0, args, (),
                    {vid: (None, data[k])}, summary)

    return StepRecords(len(tape.ids), make)


def update_text(label: str, data: float, grad: float, lr: float, new: float) -> str:
    """``w.data -= lr * w.grad = 0.5 - 0.1 * 2 = 0.3``: one parameter's gradient-descent step."""
    return (f"{label}.data -= lr * {label}.grad = {fmt(data)} - {fmt(lr)} * {fmt(grad)} = "
            f"{fmt(new)}")


def update_step(tape: Tape, lr: float, params, index: int) -> Step:
    """The gradient-descent step after a backward pass, ``p.data -= lr * p.grad`` for each
    value id in ``params``, from the tape's current data and grads, as a Step of kind
    ``"update"`` (numbered ``index``) whose ``changes`` are data (before, after)."""
    names = _names(tape)
    changes, lines = {}, []
    for vid in params:
        k = tape.index[vid]
        x, g = float(tape.data[k]), float(tape.grad[k])
        new = descend(x, g, lr)
        changes[vid] = (x, new)
        lines.append(update_text(names[k], x, g, lr, new))
    first = next(iter(changes), tape.ids[tape.output_index])
    return Step(index, "update", first, None, "", "update", 0.0, 0.0, tuple(changes), (),
                changes, "\n".join(lines) or "no parameters to update")


class _Followed(StepRecords):
    """Steps with one more at the end; other attributes are the wrapped steps'."""

    def __init__(self, steps: StepRecords, last: Step):
        n = len(steps)
        self._steps = steps
        super().__init__(n + 1, lambda k: steps[k] if k < n else last)

    def __getattr__(self, name):
        return getattr(self.__dict__["_steps"], name)


def with_update(steps: StepRecords, update: Step) -> StepRecords:
    """``steps`` followed by ``update`` (for a training sample: backward, then descend)."""
    return _Followed(steps, update)
