"""The backward pass one scope at a time: a neuron step mode for the Player.

``scope_steps(records, node_scopes)`` groups the per-op backward steps of each innermost scope
(a neuron, a sample's loss, the L2 term) into one step, and leaves every other step as it is.
The numbers are the per-op steps' own (``local``, upstream, ``contribution``), only regrouped:

- a group is played where its first per-op step was (its output's ``_backward``); since a
  neuron's inner nodes are read only inside it, every grad a step reads is complete by then,
  so this order is a valid backward pass too;
- each group narrates the chain rule from its output to everything it sends gradient to, e.g.
  ``w[0][0][1].grad += x2 * tanh'(n) * h[0][0].grad = 2 * 0.42 * -1.5 = -1.26``
  (factors ``+``'s local derivative 1 left out);
- ``changes`` are replayed in this order, so accumulation (a shared input fed by several
  neurons) reads as it happens here; the final grads are the per-op pass's.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .ops import OPS
from .steps import InputTerm, Step, StepRecords, fmt


@dataclass(frozen=True)
class ChainTerm:
    """One receiver's share of a scope step: ``grad += f1 * f2 * ... * upstream``.

    ``factors`` are ``(op, name, value)`` along the path from the scope's output down to
    ``node``: ``("*", "x2", 2.0)`` is a product's derivative (the other operand ``x2``),
    ``("tanh", "n", 0.42)`` is ``tanh'(n)``; ``upstream`` is the output's grad and
    ``contribution`` the per-op step's contribution (the product of them all)."""
    node: str
    label: str
    factors: tuple
    out_label: str
    upstream: float
    contribution: float
    grad_before: float
    grad_after: float

    @property
    def text(self) -> str:
        symbols = " * ".join([factor_symbol(f) for f in self.factors] + [f"{self.out_label}.grad"])
        numbers = " * ".join([fmt(f[2]) for f in self.factors] + [fmt(self.upstream)])
        return (f"{self.label}.grad += {symbols} = {numbers} = {fmt(self.contribution)}   "
                f"({self.label}.grad: {fmt(self.grad_before)} -> {fmt(self.grad_after)})")


@dataclass(frozen=True)
class ScopeStep(Step):
    """Several per-op backward steps of one scope as one step (``kind == "scope"``).

    Besides :class:`engine.Step`'s fields (``node``/``op_node``/``op`` are the scope output's,
    ``inputs`` every per-op term with grads as replayed here): ``scope`` the path, ``op_steps``
    the per-op step indices it groups, ``chain`` one :class:`ChainTerm` per receiver."""
    scope: tuple = ()
    op_steps: tuple = ()
    chain: tuple = ()

    @property
    def text(self) -> str:
        return "\n".join([self.summary] + [t.text for t in self.chain])


class ScopeSteps(StepRecords):
    """Backward steps grouped by scope (see the module docstring); ``per_op`` maps each step
    here to the per-op step indices it plays."""

    def __init__(self, records, node_scopes: dict):
        self.records = records
        tape, trace = records.tape, records.trace
        n_backward = len(trace) + 1
        groups, where = [[0]], {}
        for k in range(1, len(records)):
            scope = ()
            if k < n_backward:
                scope = node_scopes.get(tape.ids[tape.instructions[trace[k - 1][0]].out], ())
            if scope and scope in where:
                groups[where[scope]].append(k)
            else:
                if scope:
                    where[scope] = len(groups)
                groups.append([k])
        self.per_op = [tuple(g) for g in groups]
        self.scope_of = {j: scope for scope, j in where.items()}
        self._replay(n_backward)
        super().__init__(len(groups), self._make)

    def _replay(self, n_backward: int) -> None:
        """Grads before/after each contribution, accumulated in this grouping's order."""
        tape, trace = self.records.tape, self.records.trace
        grad = {tape.ids[tape.output_index]: 1.0}
        self.grads = {}                             # (per-op step, operand) -> (before, after)
        for group in self.per_op:
            for k in group:
                if not 1 <= k < n_backward:
                    continue
                i, local, up, befores = trace[k - 1]
                for pos, a in enumerate(tape.instructions[i].args):
                    if befores[pos] is not None:
                        vid = tape.ids[a]
                        before = grad.get(vid, 0.0)
                        grad[vid] = before + local[pos] * up
                        self.grads[(k, pos)] = (before, grad[vid])

    def _term(self, k: int, term: InputTerm) -> InputTerm:
        before, after = self.grads.get((k, term.operand), (term.grad_before, term.grad_after))
        return replace(term, grad_before=before, grad_after=after)

    def _make(self, j: int) -> Step:
        group = self.per_op[j]
        steps = [self.records[k] for k in group]
        terms = [(k, self._term(k, t)) for k, step in zip(group, steps) for t in step.inputs]
        changes = {}
        for _, t in terms:
            changes[t.node] = (changes.get(t.node, (t.grad_before,))[0], t.grad_after)
        if j not in self.scope_of:      # a single step keeps its per-op index (for ledgers)
            step = steps[0]
            if step.kind != "backward":
                return step
            return replace(step, inputs=tuple(t for _, t in terms), changes=changes)
        first = steps[0]
        chain = self._chain(steps, terms)
        scope = self.scope_of[j]
        summary = (f"{' / '.join(scope)}: {first.label}.grad = {fmt(first.out_grad)} flows to "
                   f"{', '.join(t.label for t in chain)}")
        return ScopeStep(j, "scope", first.node, first.op_node, first.op, first.label,
                         first.out_data, first.out_grad, tuple(t.node for t in chain),
                         tuple(t for _, t in terms), changes, summary,
                         scope=scope, op_steps=group, chain=tuple(chain))

    def _chain(self, steps, terms) -> list:
        """A ChainTerm for every term whose receiver has no step in this group."""
        step_at = {s.index: s for s in steps}
        inside = {s.node for s in steps}
        # the term through which each inner node gets its grad here (inner nodes are read once)
        feeding = {t.node: (step_at[k], t) for k, t in terms if t.node in inside}
        out = steps[0]
        chain = []
        for k, t in terms:
            if t.node in inside:
                continue
            step = step_at[k]
            factors = [_factor(self.records, step, t)]
            node = step.node
            while node != out.node and node in feeding:
                parent, via = feeding[node]
                factors.append(_factor(self.records, parent, via))
                node = parent.node
            chain.append(ChainTerm(t.node, t.label, tuple(f for f in factors if f is not None),
                                   out.label, out.out_grad, t.contribution, t.grad_before,
                                   t.grad_after))
        return chain


def _factor(records, step, term):
    """``(op, name, value)`` of ``d step.node / d term.node``; None for a sum's 1."""
    if step.op == "+" and term.local == 1.0:
        return None
    names, index = records.names, records.tape.index
    if step.op == "*":
        return ("*", names[index[step.operands[1 - term.operand]]], term.local)
    if len(step.operands) == 1:
        arg = names[index[step.operands[0]]]
        if arg.startswith("v") and arg[1:].isdigit():
            arg = "n"                               # an unlabelled pre-activation
        return (step.op, arg, term.local)
    return (step.op, term.label, term.local)


def factor_symbol(factor) -> str:
    """A factor as text: ``x2``, ``tanh'(n)``, ``d/dx(-)``."""
    op, name, _ = factor
    if op == "*":
        return name
    if op in OPS and OPS[op].arity == 1:
        return f"{op}'({name})"
    return f"d({op})/d{name}"


def scope_steps(records, node_scopes: dict) -> ScopeSteps:
    """``records`` (``engine.backprop_steps``, possibly ``with_update``) grouped one step per
    innermost scope of ``node_scopes`` (``engine.scopes``); unscoped steps stay single."""
    return ScopeSteps(records, node_scopes)
