"""Optimal layer assignment: minimum total weighted edge span (what dot's network simplex does).

Solved as a linear program with scipy's HiGHS dual simplex.  HiGHS is called directly (scipy's
private ``_highspy._core``, as ``linprog(method="highs-ds")`` calls it, with its options; its
``linprog`` if that module is missing or has another interface): the same model and options, so the same vertex (x
identical on 12 graphs of 529-933 nodes), without ``linprog``'s checks and a Python loop over
the columns for the bounds' multipliers: 4.6 -> 2.6 ms at 560 nodes (an inspected MLP(2,[9,8,1])
sample; the whole layout takes ~35 ms, dot ~60 ms).  The constraint matrix (rows
r[v] - r[u] >= 1, one per edge) is the transpose of a directed incidence matrix, hence totally
unimodular, so the simplex vertex it returns is integral: this is exact, not a relaxation.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

try:
    from scipy.optimize._highspy import _core as _highs
except ImportError:     # another scipy: linprog below
    _highs = None


def rank_nodes(n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray,
               tight: np.ndarray, groups: tuple | None = None) -> np.ndarray:
    """Assign integer ranks to the nodes of a DAG.

    Parameters
    ----------
    n : number of nodes (indices 0..n-1).
    src, dst : int arrays, one entry per edge src -> dst.
    weight : float array, cost per unit of span of each edge (> 0).
    tight : bool array; edges that must span exactly one rank (e.g. op -> its result).
    groups : optional (member, group, group_weight): node ``member[k]`` belongs to group
        ``group[k]`` (a cluster); each group's rank span (last - first rank of its members)
        costs ``group_weight[g]`` per rank, so clusters come out short along the flow and
        siblings that follow each other do not overlap.  Two extra variables per group,
        bounded by difference constraints: the matrix stays totally unimodular.

    Returns
    -------
    int array of length n: ranks >= 0 with rank[dst] - rank[src] >= 1 for every edge (== 1 for
    tight edges), minimising sum(weight * (rank[dst] - rank[src])).  Minimum rank is 0.
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    m = len(src)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if m == 0:
        return np.zeros(n, dtype=np.int64)
    weight = np.asarray(weight, dtype=float)
    tight = np.asarray(tight, dtype=bool)
    cost = np.bincount(dst, weights=weight, minlength=n) - np.bincount(src, weights=weight, minlength=n)
    n_group = 0 if groups is None else len(groups[2])
    n_var = n + 2 * n_group   # ranks, then each group's first and last rank
    # Row e: r[src] - r[dst] (<= or ==) -1.
    rows = np.repeat(np.arange(m), 2)
    cols = np.column_stack([src, dst]).ravel()
    vals = np.tile([1.0, -1.0], m)
    matrix = sp.csr_matrix((vals, (rows, cols)), shape=(m, n_var))
    loose = ~tight
    kwargs = {}
    A_ub, b_ub = [matrix[loose]], [-np.ones(int(loose.sum()))]
    if n_group:
        member, group, group_weight = (np.asarray(a) for a in groups)
        k = len(member)
        first, last = n + group, n + n_group + group
        # first[g] - r[v] <= 0 and r[v] - last[g] <= 0 for every member v of g.
        rows = np.repeat(np.arange(2 * k), 2)
        cols = np.concatenate([np.column_stack([first, member]).ravel(), np.column_stack([member, last]).ravel()])
        A_ub.append(sp.csr_matrix((np.tile([1.0, -1.0], 2 * k), (rows, cols)), shape=(2 * k, n_var)))
        b_ub.append(np.zeros(2 * k))
        cost = np.concatenate([cost, -np.asarray(group_weight, float), np.asarray(group_weight, float)])
    A_ub = sp.vstack(A_ub).tocsr()
    if A_ub.shape[0]:
        kwargs.update(A_ub=A_ub, b_ub=np.concatenate(b_ub))
    if tight.any():
        kwargs.update(A_eq=matrix[tight], b_eq=-np.ones(int(tight.sum())))
    x = _solve(cost, **kwargs)
    rank = np.rint(x[:n]).astype(np.int64)
    rank -= rank.min()
    span = rank[dst] - rank[src]
    if (span < 1).any() or (span[tight] != 1).any():  # would mean a non-vertex solution
        raise AssertionError("ranking LP returned a non-integral solution")
    return rank


def _solve(cost: np.ndarray, A_ub=None, b_ub=None, A_eq=None, b_eq=None) -> np.ndarray:
    """x >= 0 minimising cost @ x subject to A_ub x <= b_ub and A_eq x == b_eq, by HiGHS's dual
    simplex: directly as ``linprog(method="highs-ds")`` would call it (same matrix, bounds and
    options, hence the same vertex), or by ``linprog`` where scipy's HiGHS module is not there."""
    if _highs is not None:
        try:
            return _solve_direct(cost, A_ub, b_ub, A_eq, b_eq)
        except (AttributeError, TypeError):
            # a scipy whose private module has another interface (scipy>=1.11 is allowed; the
            # module is not public API): linprog, as if it were missing
            pass
    kwargs = {k: v for k, v in dict(A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq).items() if v is not None}
    result = linprog(cost, bounds=(0, None), method="highs-ds", **kwargs)
    if result.status != 0:
        raise ValueError(f"ranking LP failed: {result.message} (is the graph acyclic?)")
    return result.x


def _solve_direct(cost, A_ub, b_ub, A_eq, b_eq) -> np.ndarray:
    """``_solve`` by scipy's HiGHS module itself (raises ValueError if the LP has no optimum)."""
    inf = _highs.kHighsInf
    parts = [(A, b, lower) for A, b, lower in ((A_ub, b_ub, None), (A_eq, b_eq, "eq")) if A is not None]
    A = sp.vstack([p[0] for p in parts]).tocsc() if len(parts) > 1 else sp.csc_matrix(parts[0][0])
    rhs = np.concatenate([np.asarray(p[1], dtype=float) for p in parts])
    lhs = np.concatenate([np.asarray(b, dtype=float) if lower else np.full(len(b), -inf) for _, b, lower in parts])
    n_col, n_row = len(cost), len(rhs)
    lp = _highs.HighsLp()
    lp.num_col_ = lp.a_matrix_.num_col_ = n_col
    lp.num_row_ = lp.a_matrix_.num_row_ = n_row
    lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_, lp.col_upper_ = np.zeros(n_col), np.full(n_col, inf)
    lp.row_lower_, lp.row_upper_ = lhs, rhs
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
    options = _highs.HighsOptions()     # linprog's for "highs-ds" (disp=False)
    options.presolve = "on"
    options.solver = "simplex"
    options.simplex_strategy = _highs.simplex_constants.SimplexStrategy.kSimplexStrategyDual
    options.highs_debug_level = _highs.HighsDebugLevel.kHighsDebugLevelNone
    options.output_flag = False
    options.log_to_console = False
    solver = _highs._Highs()
    if (solver.passOptions(options) == _highs.HighsStatus.kError or solver.passModel(lp) == _highs.HighsStatus.kError
            or solver.run() == _highs.HighsStatus.kError or solver.getModelStatus() != _highs.HighsModelStatus.kOptimal):
        raise ValueError(f"ranking LP failed: {solver.modelStatusToString(solver.getModelStatus())} "
                         "(is the graph acyclic?)")
    return np.array(solver.getSolution().col_value)
