"""Check analytic gradients against central finite differences, leaf by leaf."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .ops import OPS
from .tape import Tape

# Central differences err by O(h**2) from curvature and O(eps/h) from rounding; h ~ eps**(1/3)
# balances the two.
RELATIVE_STEP = 6e-6
TOLERANCE = 1e-4
# The rounding error of one op's result, relative to the result: at most half an ulp for
# + - * / (IEEE 754), about one ulp for exp, log, tanh and pow from the C library.
ROUNDING_PER_OP = float(np.finfo(float).eps)


@dataclass(frozen=True)
class LeafCheck:
    """One leaf: analytic grad, the finite difference (f(x+h) - f(x-h)) / 2h, and whether they
    agree (``ok``: relative difference under ``TOLERANCE``).

    ``rounding`` bounds the finite difference's own rounding error (see :func:`gradcheck`);
    ``kink`` is True where a relu or abs operand crosses 0 between x - h and x + h, so the
    difference averages two slopes. :attr:`verdict` sums these up.

    ``defined`` is False where the central difference cannot be taken: f(x+h) or f(x-h) is not
    finite (``log(x)`` at x = -1 on both sides, at x = 0 on one side), or f(x) itself is not (a
    singular point: ``a / z`` at z = 0 has f(z +- h) = +-a/h, a difference of ~1e10 beside the
    backward pass's -inf), so the check says nothing about the gradient there (``ok`` is False
    as well)."""
    node: str
    label: str
    x: float
    h: float
    analytic: float
    numeric: float
    rel_diff: float
    ok: bool
    defined: bool = True
    rounding: float = 0.0
    kink: bool = False

    @property
    def verdict(self) -> str:
        """``"agree"``; ``"imprecise"``: apart by more than ``TOLERANCE`` but by no more than
        the finite difference's rounding error, so the check cannot tell (the step was lost
        in rounding, added to much larger values); ``"disagree"``; or ``"undefined"``."""
        if not self.defined:
            return "undefined"
        if self.ok:
            return "agree"
        allowed = TOLERANCE * _scale(self.analytic, self.numeric) + self.rounding
        return "imprecise" if abs(self.analytic - self.numeric) <= allowed else "disagree"


def _scale(a: float, b: float) -> float:
    return max(abs(a), abs(b), 1e-6)


def relative_difference(a: float, b: float) -> float:
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0.0
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(a - b) / _scale(a, b)


def rounding_in_output(tape: Tape) -> float:
    """A first-order bound on the rounding error of the tape's output at its latest run.

    Rounding node j's result by a relative ``ROUNDING_PER_OP`` moves the output by about
    ``|dL/dv_j| * |v_j| * ROUNDING_PER_OP``, and the backward pass has every ``dL/dv_j``: the
    sum over all nodes bounds the error. It counts the values the forward pass goes through,
    not only the output: in ``(a*b + c)*f`` at a = 1e8, ``c + h`` is rounded to the spacing of
    3e8. Non-finite terms are left out (the model says nothing there; the check then falls
    back to ``TOLERANCE`` alone rather than excuse a disagreement with an infinite bound).
    """
    with np.errstate(all="ignore"):
        terms = np.abs(tape.grad * tape.data)
    return ROUNDING_PER_OP * float(terms[np.isfinite(terms)].sum())


def gradcheck(tape: Tape) -> list[LeafCheck]:
    """Every tunable leaf of ``tape`` at its current values: analytic grad (from the tape's
    latest run) beside a central finite difference with ``h = 6e-6 * max(1, |x|)``.

    f(x+h) and f(x-h) each err by up to :func:`rounding_in_output`, so their difference over
    2h errs by up to that over h: a leaf whose gradient differs from the difference by less
    is ``"imprecise"``, not a disagreement.

    All 2L perturbed forward passes run as one batch (``Tape.forward_batch_nodes``, which also
    returns the relu and abs operands the kink test reads); the tape's state is left as it was.
    """
    leaves = [tape.index[vid] for vid in tape.leaf_ids]
    if not leaves:
        return []
    base = tape.leaf_data
    x = base[leaves]
    h = RELATIVE_STEP * np.maximum(1.0, np.abs(x))
    h = np.where(np.isfinite(h), h, RELATIVE_STEP)
    rows = np.tile(base, (2 * len(leaves) + 1, 1))        # the last row: f(x) itself
    k = np.arange(len(leaves))
    rows[2 * k, leaves] += h
    rows[2 * k + 1, leaves] -= h
    # ops whose derivative jumps where their operand crosses 0 (``Op.kink``: relu, abs)
    kink_operands = [ins.args[0] for ins in tape.instructions if getattr(OPS.get(ins.op), "kink", False)]
    values = tape.forward_batch_nodes(rows, [tape.output_index] + kink_operands)
    out, at_x = values[:-1, 0], values[-1, 0]
    with np.errstate(all="ignore"):
        numeric = (out[0::2] - out[1::2]) / (2 * h)
        rounding = rounding_in_output(tape) / h
    kink = _kink_within_step(values[:, 1:])
    checks = []
    defined = np.isfinite(out[0::2]) & np.isfinite(out[1::2]) & bool(np.isfinite(at_x))
    for j, i in enumerate(leaves):
        a, n = float(tape.grad[i]), float(numeric[j])
        rel = relative_difference(a, n)
        checks.append(LeafCheck(tape.ids[i], tape.labels[tape.ids[i]] or tape.ids[i],
                                float(x[j]), float(h[j]), a, n, rel,
                                bool(defined[j]) and rel <= TOLERANCE, bool(defined[j]),
                                float(rounding[j]), bool(kink[j])))
    return checks


def _kink_within_step(operands: np.ndarray) -> np.ndarray:
    """Per leaf: does a kinked op's operand cross 0 while that leaf moves from x - h to x + h?

    ``operands`` has the rows of the batch (x+h, x-h per leaf, then x) and a column per
    kinked op. An operand that does not move with the leaf is no kink for it (relu(z) at
    z = 0 does not bend f along another leaf)."""
    at_x = operands[-1]
    plus, minus = operands[0:-1:2], operands[1:-1:2]
    low = np.minimum(np.minimum(plus, minus), at_x)
    high = np.maximum(np.maximum(plus, minus), at_x)
    return ((low <= 0) & (high >= 0) & (low < high)).any(axis=1)
