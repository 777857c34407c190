"""The best slots of a moving group (see ``block_moves``): a shortest path over the group's
ranks, one table of crossing counts per gap.

Every node of the group in a rank sits after the same number of the rank's other nodes (its
slot).  Per gap j (between the group's ranks j - 1 and j; gap 0 lies before the first, gap n
after the last), ``P_j[s, t]`` counts the other segments of the gap that start before slot s
and end before slot t.  A group segment from slot s to slot t of a gap crosses
``P[s, -1] + P[-1, t] - 2 P[s, t]`` of them; an outside segment of the group, from slot t to a
fixed far node f, crosses ``P[t, -1] - P[t, f + 1] + P[-1, f] - P[t, f]`` (mirrored for
incoming ones).  The slots of each rank's nodes are the dynamic programme's stages.

Each gap's table has the size of its own two ranks (slots among the rank's other nodes,
plus one), not the widest rank's, and all tables are stacked in one array (one cumsum per
axis for all of them).  At 860 nodes (random expression, 230 ranks of 1-105 nodes) a path
over 150 ranks had 151 tables of 104 x 104 cells where the median rank has 46 nodes.  All
counts are integers (the old tables mixed floats and infinities for slots past a rank's
end, which no longer exist): the choices are the same, ties included (the first of the
cheapest slots, stage by stage; tests/test_layout_path_moves.py compares with the old
method).  Path and block moves of one round there, from the same order: 6.1 s -> 1.9 s CPU.
"""

from __future__ import annotations

import numpy as np


def gap_shapes(others: np.ndarray) -> tuple:
    """(rows, cols, first_row, C) of the n + 1 gap tables of a group, ``others`` holding the
    number of other nodes of each rank from the one before the group's first to the one
    after its last (0 where that rank does not exist): table j is (others[j] + 1) x
    (others[j + 1] + 1), rows ``first_row[j]`` on of one array of C columns (all tables'
    rows stacked: one cumsum per axis for all, not one per table)."""
    rows, cols = others[:-1] + 1, others[1:] + 1
    first_row = np.zeros(len(rows) + 1, dtype=rows.dtype)
    np.cumsum(rows, out=first_row[1:])
    return rows, cols, first_row, int(cols.max())


ROW_RANGE_CELLS = 4096    # tables of this many cells or more are made by ``_row_ranges`` (else one
                          # count per cell and a running sum along each axis: fewer numpy calls)


def gap_tables(gap: np.ndarray, a: np.ndarray, b: np.ndarray, shapes: tuple) -> np.ndarray:
    """The tables of every gap, stacked: segment k of gap ``gap[k]`` starts at slot index
    ``a[k]`` and ends at ``b[k]`` (indices among the other nodes).  A table's first row is
    zeros (no segment starts before slot 0), so the running sum down all rows, less its
    value at each table's first row, is each table's own."""
    rows, cols, first_row, C = shapes
    if int(first_row[-1]) * C >= ROW_RANGE_CELLS:
        return _row_ranges(gap, a, b, shapes)
    H = np.bincount((first_row[gap] + a + 1) * C + b + 1, minlength=int(first_row[-1]) * C)
    H = H.astype(np.int32).reshape(-1, C)      # counts of one gap's segments: int32 halves the passes' memory
    np.cumsum(H, axis=1, out=H)
    np.cumsum(H, axis=0, out=H)
    H -= H[np.repeat(first_row[:-1], rows)]
    return H


def _row_ranges(gap: np.ndarray, a: np.ndarray, b: np.ndarray, shapes: tuple) -> np.ndarray:
    """``gap_tables``' tables, the same integers, made with one running sum instead of two and
    no subtraction: numpy's running sum along a row is a scalar loop (~2.6 ns a cell here),
    while a comparison is vectorised.  A segment from row r (slot a + 1 of its table) to
    column b + 1 counts in every cell of row r from column b + 1 on: one comparison of each
    row with the column of its segment there (rows with several: the others added as a
    small table), then the running sum down the rows.  Each table's first row (no segment
    starts there) holds minus the column counts of the table before: the running sum starts
    again at 0 there.  Path and block moves of two expressions (589 and 704 nodes, 800 moves
    recorded): 252 -> 168 ms."""
    rows, cols, first_row, C = shapes
    R = int(first_row[-1])
    row = first_row[gap] + a + 1
    k = np.arange(len(row))
    one = np.full(R, -1, dtype=np.int64)
    one[row] = k                                  # one segment of each row that has any
    column = np.full(R, C, dtype=np.int32)        # (no cell of a row without one counts)
    has = np.flatnonzero(one >= 0)
    column[has] = b[one[has]]
    D = np.empty((R, C), dtype=np.int32)
    np.greater(np.arange(C, dtype=np.int32)[None, :], column[:, None], out=D)
    more = one[row] != k
    if more.any():                                # the rows' other segments
        at, where = np.unique(row[more], return_inverse=True)
        E = np.bincount(where * C + b[more] + 1, minlength=len(at) * C).reshape(len(at), C)
        D[at] += np.cumsum(E, axis=1).astype(np.int32)
    tables = len(rows)
    if tables > 1:
        counts = np.bincount(gap * C + b + 1, minlength=tables * C).reshape(tables, C)
        D[first_row[1:tables]] = -np.cumsum(counts[:-1], axis=1)
    np.cumsum(D, axis=0, out=D)
    return D


def table(P: np.ndarray, j: int, shapes: tuple) -> np.ndarray:
    rows, cols, first_row, _ = shapes
    return P[first_row[j]:first_row[j + 1], :cols[j]]


def node_costs(P, shapes, out_rank, out_far, in_rank, in_far, n: int) -> np.ndarray:
    """cost[r, t]: crossings of the group's outside segments at its rank r with the other
    segments when its nodes there take slot t (columns past the rank's slots: garbage)."""
    rows, cols, first_row, _ = shapes
    width = int(rows[1:].max())
    t = np.arange(width)
    parts, at = [], []
    if len(out_rank):     # table k = r + 1: rows are rank r's slots, f a column
        k, f = out_rank + 1, out_far[:, None]
        top, last = first_row[k][:, None], cols[k][:, None] - 1
        tt = np.minimum(t, rows[k][:, None] - 1) + top
        parts.append(P[tt, last] - P[tt, f + 1] + P[top + rows[k][:, None] - 1, f] - P[tt, f])
        at.append(out_rank)
    if len(in_rank):      # table k = r: columns are rank r's slots, f a row
        k, f = in_rank, in_far[:, None]
        top = first_row[k][:, None]
        tt = np.minimum(t, cols[k][:, None] - 1)
        parts.append(P[top + rows[k][:, None] - 1, tt] - P[top + f + 1, tt] + P[top + f, cols[k][:, None] - 1]
                     - P[top + f, tt])
        at.append(in_rank)
    if not parts:
        return np.zeros((n, width), dtype=np.int64)
    # summed per rank by one bincount (integers, exact in float64), not ``np.add.at`` per
    # direction: node_costs of the polish of inspected MLP(2,[6,6,1]) + L2 seed 5007 ~35 % less
    ranks = np.concatenate(at)
    cost = np.bincount((ranks[:, None] * width + t).ravel(), weights=np.concatenate(parts).ravel(),
                       minlength=n * width)
    return cost.astype(np.int64).reshape(n, width)


def best_slots(P, shapes, node_cost: np.ndarray, weight: np.ndarray,
               current: np.ndarray, only_if_cheaper: bool = False) -> tuple[np.ndarray | None, int, int]:
    """(slots, cost, current cost): the cheapest slot of every rank of the group (the first
    of the cheapest at each stage, as ``argmin`` gives), its cost and the cost of the slots
    ``current``.  ``weight``: the group's own segments in each gap between its ranks.

    What does not depend on the stage before is made for all stages at once, in int64 (the
    tables are int32: mixed types cost numpy a cast per operation): each row's
    ``w Q[s, -1]``, the tables times ``-2 w``, each stage's ``w Q[-1, t]`` plus its rank's
    cost, and the cost of ``current``; a stage is then five numpy calls, not a dozen.  The
    same integers, so the same slots (260 calls of the polish of two inspected samples
    compared): ~12 -> ~8.5 us per stage (the stages, not the cells, took most of a move's
    time there: ~320 cells a stage).  Session 19: the row terms folded into the tables, a
    stage's sums kept for the way back (one sum and one minimum a stage, the argmin of one
    column on the way back): the polish of inspected MLP(2,[6,6,1]) + L2 seed 5007 (186
    moves, ~9,600 stages) 181 -> 173 ms of CPU, the same positions.  Session 21: each row holds
    its step's whole cost (the column terms repeated per row: no addition after each stage's
    minimum), ``np.minimum.reduce`` (no Python wrapper), no multiplications by a weight of 1,
    and with ``only_if_cheaper`` no way back where the best slots cost no less than ``current``
    (the caller keeps nothing then: 135 of that polish's 211 moves): its 211 recorded calls
    79 -> 59 ms (the least of 9 runs, load ~4), the same integers and slots.  Session 22: the
    sums in int32 where they cannot overflow (the column terms were int64, so every cell of
    every stage was cast): 400 recorded moves of each of two expressions (544-704 nodes) and
    two inspected samples + L2, 43 -> 38, 139 -> 102 and 95 -> 87 ms."""
    rows, cols, first_row, _ = shapes
    n = len(node_cost)
    if n == 1:
        best = node_cost[0, :int(cols[0])]
        k = int(best.argmin())
        return np.array([k]), int(best[k]), int(node_cost[0, current[0]])
    bounds, widths = first_row.tolist(), cols.tolist()
    lo, hi = bounds[1], bounds[n]
    rank_rows = rows[1:n]
    own = P[lo:hi]                      # tables 1 .. n - 1 (between the group's ranks)
    width = node_cost.shape[1]          # the group's widest rank (the tables' columns may be wider)
    if weight.max(initial=1) > 1:       # every row weighted by its gap's own segments
        w = weight[:n - 1]
        row_w = np.repeat(w, rank_rows)[:, None]
        step = own[:, :width] * (-2 * row_w)                                                   # -2 w Q[s, t]
        down = own[np.arange(hi - lo), np.repeat(cols[1:n] - 1, rank_rows)][:, None] * row_w   # w Q[s, -1]
        after = P[first_row[2:n + 1] - 1, :width] * w[:, None]                                 # w Q[-1, t]
    else:                               # (most groups: no multiplications by 1)
        step = own[:, :width] * -2
        down = own[np.arange(hi - lo), np.repeat(cols[1:n] - 1, rank_rows)][:, None]
        after = P[first_row[2:n + 1] - 1, :width].astype(np.int64)
    after += node_cost[1:n]             # and the cost of the rank's slot t
    # every row holds a step's whole cost (its row term, and its column terms repeated per row):
    # a stage is one sum and one minimum
    step += down
    # the sums in the tables' type (int32 unless weighted; mixed int32 and int64 operands cost
    # numpy a cast of every cell): |step| and |after| less the rank's cost are at most a gap's
    # other segments (its table's last cell) times the weight, so the sums of n stages are
    # exact while n (node costs + 2 that) < 2^31, else in int64
    most = int(P[first_row[2:n + 1] - 1, cols[1:n] - 1].max()) * int(weight.max(initial=1))
    kind = step.dtype if n * (int(np.abs(node_cost).max()) + 2 * most) < 2 ** 31 else np.int64
    step = step.astype(kind, copy=False)
    step += np.repeat(after.astype(kind), rank_rows, axis=0)
    now = int(node_cost[0, current[0]]) + int(step[current[:-1] + first_row[1:n] - lo, current[1:]].sum())
    # each stage's sums kept, so the way back takes the argmin of one column per stage (the
    # same first minimum as an argmin of the whole stage: the same slots, ties included)
    best = node_cost[0, :widths[0]].astype(kind)
    totals = []
    least_of = np.minimum.reduce        # ``ndarray.min`` less its Python wrapper
    for i in range(n - 1):
        total = best[:, None] + step[bounds[i + 1] - lo:bounds[i + 2] - lo, :widths[i + 1]]
        totals.append(total)
        best = least_of(total, 0)
    k = int(best.argmin())
    least = int(best[k])
    if only_if_cheaper and least >= now:
        return None, least, now
    route = [k]
    for total in reversed(totals):
        k = int(total[:, k].argmin())
        route.append(k)
    return np.array(route[::-1]), least, now

