"""Optimal layer assignment: minimum total weighted edge span (what dot's network simplex does).

Solved as a linear program with scipy's HiGHS dual simplex.  The constraint matrix (rows
r[v] - r[u] >= 1, one per edge) is the transpose of a directed incidence matrix, hence totally
unimodular, so the simplex vertex it returns is integral: this is exact, not a relaxation.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog


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
    result = linprog(cost, bounds=(0, None), method="highs-ds", **kwargs)
    if result.status != 0:
        raise ValueError(f"ranking LP failed: {result.message} (is the graph acyclic?)")
    rank = np.rint(result.x[:n]).astype(np.int64)
    rank -= rank.min()
    span = rank[dst] - rank[src]
    if (span < 1).any() or (span[tight] != 1).any():  # would mean a non-vertex solution
        raise AssertionError("ranking LP returned a non-integral solution")
    return rank
