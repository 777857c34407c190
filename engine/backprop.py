"""The forward pass, the backward pass and the gradient-descent step, each written once.

``Value.backward``, both executors of ``Tape`` and the step records run these same loops; they
differ only in what the indices address (Python lists of floats, or numpy arrays indexed by
arrays of positions, one entry per group of same-op instructions).

A program is a list of ``(rule, out, args)`` in topological order: ``rule`` an op's forward
rule (forward pass) or local-derivative rule (backward pass), ``out`` where its result lives,
``args`` where its operands live.
"""
from __future__ import annotations


def forward_sweep(program, data) -> None:
    """``data[out] = forward(*data[args])`` for every op, inputs before users."""
    for forward, out, args in program:
        data[out] = forward(*[data[a] for a in args])


def reverse_sweep(program, data, grad, accumulate=None, record=None) -> None:
    """The chain rule, from the output back: for every op in reverse topological order, each
    operand's ``grad += local derivative * grad[out]`` (micrograd's ``_backward``).

    ``grad`` holds the seed (1 at the output) and receives the sums. ``accumulate(grad, args,
    contributions)`` replaces ``+=`` where one call adds to repeated positions
    (``numpy.add.at``). ``record(k, locals, upstream)``, if given, sees program entry ``k``
    before its contributions are added (the step records keep the grads before and after).
    """
    for k in range(len(program) - 1, -1, -1):
        local, out, args = program[k]
        upstream = grad[out]
        locals_ = local(*[data[a] for a in args], data[out])
        if record is not None:
            record(k, locals_, upstream)
        for a, d in zip(args, locals_):
            if accumulate is None:
                grad[a] += d * upstream
            else:
                accumulate(grad, a, d * upstream)


def descend(data, grad, lr):
    """One gradient-descent step, ``data - lr * grad`` (numbers or numpy arrays)."""
    return data - lr * grad
