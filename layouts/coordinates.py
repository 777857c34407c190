"""Coordinates across the flow (the "position" phase of Sugiyama), as dot does it: a linear
program minimising weighted |y_u - y_v| over segments subject to the node order and minimum
separations, solved with scipy's HiGHS.  Heavy weights on chain and long-edge segments keep
chains and long edges straight; light weights on segments leaving leaves let constants and
parameters hang off a straight chain instead of bending it."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog


def assign_cross_coordinates(n_nodes: int, members_in_order: list[np.ndarray],
                             extent: np.ndarray, gap: np.ndarray,
                             seg_src: np.ndarray, seg_dst: np.ndarray,
                             seg_weight: np.ndarray, compaction: float = 1e-3,
                             seg_rigid: np.ndarray | None = None) -> np.ndarray:
    """Centre coordinate of every node across the flow.

    Parameters
    ----------
    members_in_order : per layer, node indices in their final order.
    extent : per node, its size across the flow (box height for LR drawings).
    gap : per node, the clearance it wants from its neighbours in the layer (the larger of
        two neighbours' gaps is used).
    seg_src, seg_dst, seg_weight : segments between consecutive layers and their weights.
    compaction : small cost per unit of coordinate, pulling free nodes towards 0 (compact).
    seg_rigid : optional bool per segment: its two ends get equal coordinates (they must not
        cross each other, see ``ordering``).

    Returns float array ``y`` (length n_nodes, min 0) with, for consecutive u, v in a layer,
    y[v] - y[u] >= (extent[u] + extent[v]) / 2 + max(gap[u], gap[v]).
    """
    m = len(seg_src)
    lefts, rights = [], []
    for members in members_in_order:
        if len(members) > 1:
            lefts.append(members[:-1]); rights.append(members[1:])
    left = np.concatenate(lefts) if lefts else np.zeros(0, np.int64)
    right = np.concatenate(rights) if rights else np.zeros(0, np.int64)
    sep = (extent[left] + extent[right]) / 2 + np.maximum(gap[left], gap[right])
    k = len(left)
    # Variables: y (n_nodes), then d (m) with d_s >= |y_src - y_dst|.
    n_var = n_nodes + m
    cost = np.concatenate([np.full(n_nodes, compaction), np.asarray(seg_weight, float)])
    s_idx = np.arange(m)
    rows = np.concatenate([
        np.repeat(np.arange(k), 2),                      # y_left - y_right <= -sep
        np.repeat(k + s_idx, 3),                         # y_src - y_dst - d <= 0
        np.repeat(k + m + s_idx, 3),                     # y_dst - y_src - d <= 0
    ])
    cols = np.concatenate([
        np.column_stack([left, right]).ravel(),
        np.column_stack([seg_src, seg_dst, n_nodes + s_idx]).ravel(),
        np.column_stack([seg_dst, seg_src, n_nodes + s_idx]).ravel(),
    ])
    vals = np.concatenate([np.tile([1.0, -1.0], k), np.tile([1.0, -1.0, -1.0], 2 * m)])
    matrix = sp.csr_matrix((vals, (rows, cols)), shape=(k + 2 * m, n_var))
    rhs = np.concatenate([-sep, np.zeros(2 * m)])
    kwargs = {}
    if seg_rigid is not None and np.any(seg_rigid):
        r = np.flatnonzero(seg_rigid)
        eq = sp.csr_matrix((np.tile([1.0, -1.0], len(r)),
                            (np.repeat(np.arange(len(r)), 2), np.column_stack([seg_src[r], seg_dst[r]]).ravel())),
                           shape=(len(r), n_var))
        kwargs = dict(A_eq=eq, b_eq=np.zeros(len(r)))
    result = linprog(cost, A_ub=matrix, b_ub=rhs, bounds=(0, None), method="highs", **kwargs)
    if result.status != 0:
        raise RuntimeError(f"coordinate LP failed: {result.message}")
    y = result.x[:n_nodes]
    _enforce_separations(y, members_in_order, extent, gap)
    return y - y.min() if len(y) else y


def _enforce_separations(y, members_in_order, extent, gap) -> None:
    """Make every separation exact in ``y`` (the LP meets them only to solver tolerance),
    layer by layer, pushing nodes along in order."""
    for members in members_in_order:
        if len(members) > 1:
            need = (extent[members[:-1]] + extent[members[1:]]) / 2 + np.maximum(gap[members[:-1]], gap[members[1:]])
            ys = y[members]
            ys = np.round(ys, 6)
            for i in range(1, len(ys)):
                if ys[i] < ys[i - 1] + need[i - 1]:
                    ys[i] = ys[i - 1] + need[i - 1]
            y[members] = ys
