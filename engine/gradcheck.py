"""Check analytic gradients against central finite differences, leaf by leaf."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .tape import Tape

# Central differences err by O(h**2) from curvature and O(eps/h) from rounding; h ~ eps**(1/3)
# balances the two.
RELATIVE_STEP = 6e-6
TOLERANCE = 1e-4


@dataclass(frozen=True)
class LeafCheck:
    """One leaf: analytic grad, the finite difference (f(x+h) - f(x-h)) / 2h, and whether they
    agree (relative difference under ``TOLERANCE``; a kink disagrees).

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


def relative_difference(a: float, b: float) -> float:
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0.0
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b), 1e-6)


def gradcheck(tape: Tape) -> list[LeafCheck]:
    """Every tunable leaf of ``tape`` at its current values: analytic grad (from the tape's
    latest run) beside a central finite difference with ``h = 6e-6 * max(1, |x|)``.

    All 2L perturbed forward passes run as one batch (``Tape.forward_batch``); the tape's state
    is left as it was.
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
    out = tape.forward_batch(rows)
    out, at_x = out[:-1], out[-1]
    with np.errstate(all="ignore"):
        numeric = (out[0::2] - out[1::2]) / (2 * h)
    checks = []
    defined = np.isfinite(out[0::2]) & np.isfinite(out[1::2]) & bool(np.isfinite(at_x))
    for j, i in enumerate(leaves):
        a, n = float(tape.grad[i]), float(numeric[j])
        rel = relative_difference(a, n)
        checks.append(LeafCheck(tape.ids[i], tape.labels[tape.ids[i]] or tape.ids[i],
                                float(x[j]), float(h[j]), a, n, rel,
                                bool(defined[j]) and rel <= TOLERANCE, bool(defined[j])))
    return checks
