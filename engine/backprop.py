"""The forward pass, the backward pass and the gradient-descent step, each written once.

``Value.backward``, both executors of ``Tape`` and the step records run these same loops; they
differ only in what the positions address: Python lists of floats, or numpy arrays indexed by
arrays of positions (one entry per group of same-op instructions).

A program is a list of ``(rule, out, a, b)`` in topological order: ``rule`` an op's forward
rule (forward pass) or local-derivative rule (backward pass), ``out`` where its result lives,
``a`` and ``b`` where its operands live (``b`` is None for a one-operand op). Every op takes
one or two operands, and spelling the two cases out keeps the loops as fast as hand-written
ones (a ``*args`` call costs several times the arithmetic of a scalar op).
"""
from __future__ import annotations


def entry(rule, out, args) -> tuple:
    """A program entry for an op with operand positions ``args`` (one or two)."""
    return (rule, out, args[0], args[1] if len(args) > 1 else None)


def forward_sweep(program, data) -> None:
    """``data[out] = forward(data[a], data[b])`` for every op, operands before users."""
    for forward, out, a, b in program:
        data[out] = forward(data[a]) if b is None else forward(data[a], data[b])


def reverse_sweep(program, data, grad, accumulate=None, record=None) -> None:
    """The chain rule, from the output back: for every op in reverse topological order, each
    operand's ``grad += local derivative * grad[out]`` (micrograd's ``_backward``).

    ``grad`` holds the seed (1 at the output) and receives the sums. ``accumulate(grad, a,
    terms)`` replaces ``+=`` where one call adds to repeated positions (``numpy.add.at``).
    ``record(out, locals, upstream)``, if given, sees each op before its terms are added (the
    step records keep every operand's grad before and after).
    """
    for local, out, a, b in reversed(program):
        up = grad[out]
        locals_ = local(data[a], data[out]) if b is None else local(data[a], data[b], data[out])
        if record is not None:
            record(out, locals_, up)
        if accumulate is None:
            grad[a] += locals_[0] * up
            if b is not None:
                grad[b] += locals_[1] * up
        else:
            accumulate(grad, a, locals_[0] * up)
            if b is not None:
                accumulate(grad, b, locals_[1] * up)


def descend(data, grad, lr):
    """One gradient-descent step, ``data - lr * grad`` (numbers or numpy arrays)."""
    return data - lr * grad
