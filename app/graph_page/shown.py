"""What the graph shows at a Player position, from the engine's step records (no maths here:
the records carry every value; this only copies them into the shown arrays).

Used by :class:`app.graph_page.model.GraphModel`: :func:`backward_shown` / :func:`forward_pending`
rebuild the arrays for a step from scratch (new structure, new leaf values, other pass), the
``replay_*`` functions move them by the records between two steps (a Player step: only the rows
those records touch change).
"""

from __future__ import annotations

import numpy as np


def backward_shown(tape, records, step: int, has_update: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(data, grad)`` shown after the first ``step`` backward records.

    ``has_update``: the last record is an inspected sample's gradient-descent step, which moves
    data (every other record sets grads).
    """
    n, index = len(tape.ids), tape.index
    data = np.array(tape.data, dtype=float)
    done = min(step, len(records))
    if done and records[done - 1].kind == "update":   # the descent step: data moves
        for vid, (_, after) in records[done - 1].changes.items():
            data[index[vid]] = after
        done -= 1
    if done >= len(records) - has_update:
        return data, np.array(tape.grad, dtype=float)
    grad = np.zeros(n)
    for rec in records[:done]:
        for vid, (_, after) in rec.changes.items():
            grad[index[vid]] = after
    return data, grad


def forward_pending(tape, records, step: int) -> np.ndarray:
    """Values not computed yet after the first ``step`` forward records (True = pending)."""
    pending = np.ones(len(tape.ids), dtype=bool)
    for rec in records[:step]:
        for vid in rec.changes:
            pending[tape.index[vid]] = False
    return pending


def replay_backward(records, old: int, new: int, index, data, grad) -> list:
    """Apply (``new > old``) or undo the backward records between two steps, in place;
    return the rows touched."""
    forward = new > old
    span = records[old:new] if forward else records[new:old][::-1]
    rows = []
    for rec in span:
        # the final descent step of an inspected sample moves data, every other one grads
        shown = data if rec.kind == "update" else grad
        for vid, (before, after) in rec.changes.items():
            shown[index[vid]] = after if forward else before
            rows.append(index[vid])
    return rows


def replay_forward(records, old: int, new: int, index, pending) -> list:
    """Reveal (``new > old``) or hide again the values computed between two forward steps, in
    place; return the rows touched."""
    rows = []
    for rec in records[min(old, new):max(old, new)]:
        for vid in rec.changes:
            pending[index[vid]] = new < old
            rows.append(index[vid])
    return rows


def changed_rows(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Rows where two float arrays differ (NaN == NaN counts as unchanged)."""
    if old.shape != new.shape:
        return np.ones(new.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        return ~((old == new) | (np.isnan(old) & np.isnan(new)))
