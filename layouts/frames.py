"""Coordinates across the flow for a clustered drawing, and the clusters' frames.

The linear program of ``coordinates`` gains two variables per cluster, the low and high
sides of its frame across the flow (``lo``, ``hi``).  Every node lies inside the frames of
its clusters with a margin (more on the label's side), a frame lies inside its parent's, and
neighbours in a rank keep their clearance whichever is a node or a frame: in a rank where a
node ``a`` is followed by ``b``, the outermost cluster ``a`` leaves there must end before the
outermost cluster ``b`` enters (or ``b`` itself) begins.  Frames are rectangles over the
whole rank span of their cluster (``clusters`` adds placeholders so that span has a member
in every rank), and sibling clusters keep one order in all ranks, so frames never overlap
unless nested and no foreign node can lie inside one.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from .bend_points import chain_ends, contract, place, runs
from .clusters import ClusterTree

FRAME_WEIGHT = 1e-2   # cost per unit of frame size: frames hug their members
RIGID_WEIGHT = 10.0   # op -> result segments: straight whenever the frames allow
STABILITY_WEIGHT = 0.5  # with an earlier drawing: cost per unit a node moves from it
FRAME_MARGIN = 8.0       # room between a cluster's frame and what it holds
FRAME_LABEL = 16.0       # extra room on the frame's top side for its label (~12 px text)
FRAME_CLEARANCE = 8.0    # minimum room along the flow between frames of consecutive ranks
LP_OPTIONS = {"simplex_dual_edge_weight_strategy": "devex"}
                         # HiGHS's dual simplex prices by devex, not its default choice (steepest
                         # edge here), whose iterations cost more than they save on these LPs: the
                         # Train tab's inspected MLP(2,[16,16,1]) sample + L2 with every scope open
                         # (2,989 nodes, 23k columns, 52k rows) 2.26 -> 0.84 s, the same optimum;
                         # 48 clustered drawings of 18-3,169 nodes 5.8 -> 4.0 s of LP in all (under
                         # 0.1 s, within +-0.03 s either way)


def clustered_cross_coordinates(members_in_order: list[np.ndarray], extent: np.ndarray,
                                gap: np.ndarray, seg_src: np.ndarray, seg_dst: np.ndarray,
                                seg_weight: np.ndarray, seg_rigid: np.ndarray, tree: ClusterTree,
                                pad_lo: np.ndarray, pad_hi: np.ndarray, cluster_gap: float,
                                compaction: float = 1e-3, anchor: np.ndarray | None = None,
                                drop: np.ndarray | None = None, layer: np.ndarray | None = None):
    """(y, lo, hi): node centres and frame sides across the flow (min 0 over boxes and frames).

    ``pad_lo[c]``/``pad_hi[c]``: room between cluster c's frame and what it holds, on the
    low / high side; ``cluster_gap``: clearance outside a frame.  ``anchor``: optional earlier
    coordinate of each node (NaN: none); each node then also pays ``STABILITY_WEIGHT`` per
    unit it moves from there (up to one common shift).  ``drop``: optional mask of long edges'
    bend points in no cluster left out of the LP and placed after it (``bend_points``; ``layer``,
    every node's rank, is then needed).  Other parameters as
    ``coordinates.assign_cross_coordinates``."""
    n, k = len(extent), tree.n_clusters
    half = np.asarray(extent, float) / 2
    drop = np.zeros(n, dtype=bool) if drop is None else np.asarray(drop, dtype=bool)
    thin = bool(drop.any())
    keep = np.flatnonzero(~drop)
    var = np.full(n, -1, dtype=np.int64)
    var[keep] = np.arange(len(keep))
    # Op -> result segments are not forced straight as without clusters: a loose op can sit
    # above a cluster's frame and its result below it in the next rank.  Weighted instead.
    weight = np.where(seg_rigid, RIGID_WEIGHT, 1.0) * np.asarray(seg_weight, float)
    src, dst = seg_src, seg_dst
    if thin:    # a run of dropped bend points: one step from the kept node before to the one after
        first, last = chain_ends(seg_src, seg_dst, drop)
        run_p, run_q, run_w = runs(seg_src, seg_dst, weight, drop, first, last)
        inner_seg = ~(drop[seg_src] | drop[seg_dst])
        src, dst = np.concatenate([seg_src[inner_seg], run_p]), np.concatenate([seg_dst[inner_seg], run_q])
        weight = np.concatenate([weight[inner_seg], run_w])
    nk, m = len(keep), len(src)
    y_, d_, lo_, hi_ = 0, nk, nk + m, nk + m + k
    anchored = np.zeros(0, np.int64) if anchor is None else np.flatnonzero(~np.isnan(anchor))
    a_ = nk + m + 2 * k          # then: the shift, one |move| per anchored node
    n_var = nk + m + 2 * k + (1 + len(anchored) if len(anchored) else 0)
    z_ = n_var                   # with dropped bend points: a variable fixed at 0, last
    rows = _Rows()
    a, b, ca, cb, sep = _separation_pairs(members_in_order, tree, half, gap, cluster_gap, drop if thin else None)
    left = np.where(ca >= 0, hi_ + ca, np.where(a >= 0, y_ + var[np.maximum(a, 0)], z_))
    right = np.where(cb >= 0, lo_ + cb, y_ + var[b])
    if thin:
        left_dropped = (ca < 0) & (a >= 0) & drop[np.maximum(a, 0)]
        right_dropped = (cb < 0) & drop[b]
        (run_left, run_right, total, closed), run, upto = contract(left, right, sep, left_dropped, right_dropped)
        rows.add(run_left[closed], run_right[closed], -total[closed])
    else:
        rows.add(left, right, -sep)                     # left end + sep <= right start
    v = np.flatnonzero(tree.inner > 0)                  # (never dropped: those are in no cluster)
    c = tree.inner[v]
    rows.add(lo_ + c, y_ + var[v], -(half[v] + pad_lo[c]))   # frame holds its direct members
    rows.add(y_ + var[v], hi_ + c, -(half[v] + pad_hi[c]))
    child = np.flatnonzero((np.arange(k) > 0) & (tree.parent > 0))
    p = tree.parent[child]
    rows.add(lo_ + p, lo_ + child, -pad_lo[p])          # and its sub-frames
    rows.add(hi_ + child, hi_ + p, -pad_hi[p])
    s = np.arange(m)
    rows.add(y_ + var[src], y_ + var[dst], 0.0, d_ + s)   # d_s >= |y_src - y_dst|
    rows.add(y_ + var[dst], y_ + var[src], 0.0, d_ + s)
    if len(anchored):
        e = a_ + 1 + np.arange(len(anchored))
        rows.add(y_ + var[anchored], a_, anchor[anchored], e)      # e_v >= |y_v - shift - anchor_v|
        rows.add(np.full(len(anchored), a_), y_ + var[anchored], -anchor[anchored], e)
    A_ub, b_ub = rows.matrix(n_var + thin)
    cost = np.concatenate([np.full(nk, compaction), weight,
                           np.full(k, -FRAME_WEIGHT), np.full(k, FRAME_WEIGHT)])
    cost[[lo_, hi_]] = 0.0   # the root has no frame
    bounds = [(0, None)] * (nk + m) + [(None, None)] * (2 * k)
    if len(anchored):
        cost = np.concatenate([cost, [0.0], np.full(len(anchored), STABILITY_WEIGHT)])
        bounds += [(None, None)] + [(0, None)] * len(anchored)
    if thin:
        cost = np.append(cost, 0.0)
        bounds.append((0, 0))
    result = linprog(cost, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs", options=LP_OPTIONS)
    if result.status != 0:
        raise RuntimeError(f"clustered coordinate LP failed: {result.message}")
    x = result.x
    y = np.empty(n)
    y[keep] = x[:nk]
    if thin:     # each dropped bend point is the right end of one pair: its slot, in rank order
        at = np.flatnonzero(right_dropped)
        v = b[at]
        rank = np.asarray(layer)
        p, q = first[v], last[v]
        t = (rank[v] - rank[p]) / np.maximum(rank[q] - rank[p], 1)
        ideal = y[p] + t * (y[q] - y[p])
        upper = np.where(closed, x[np.where(closed, run_right, 0)], np.inf)
        y[v] = place(ideal, x[run_left], upto[at], run[at], total, upper)
    lo, hi = x[lo_:lo_ + k], x[hi_:hi_ + k]
    low = min(float((y - half).min()), float(lo[1:].min()) if k > 1 else np.inf)
    return y - low, lo - low, hi - low


def _separation_pairs(members_in_order, tree: ClusterTree, half, gap, cluster_gap, drop=None):
    """Neighbours in a rank keep their clearance, whichever is a node or a frame: the
    outermost cluster the left one leaves there ends before the outermost cluster the right
    one enters (or the node itself) begins.  Per pair of neighbours, in rank order: (a, b,
    ca, cb, sep), the cluster a leaves (-1: a itself) ends ``sep`` before the one b enters (-1:
    b) begins.  With ``drop``, a rank whose first node is dropped opens with a pair from a
    fixed 0 (a = -1, sep 0: a bend point's centre is at 0 or more)."""
    chain = tree.chain
    levels = tree.levels
    parts = []
    for members in members_in_order:
        if drop is not None and len(members) and drop[members[0]]:
            parts.append((np.array([-1]), members[:1], np.array([-1]), np.array([-1]), np.array([0.0])))
        if len(members) < 2:
            continue
        a, b = members[:-1], members[1:]
        differs = chain[a] != chain[b]
        level = np.where(differs.any(axis=1), np.argmax(differs, axis=1), levels)
        ca = np.where(level < levels, chain[a, np.minimum(level, levels - 1)], -1)
        cb = np.where(level < levels, chain[b, np.minimum(level, levels - 1)], -1)
        node_gap = np.maximum(gap[a], gap[b])
        sep = (np.where((ca >= 0) | (cb >= 0), cluster_gap, node_gap)
               + np.where(ca >= 0, 0.0, half[a]) + np.where(cb >= 0, 0.0, half[b]))
        parts.append((a, b, ca, cb, sep))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty, np.zeros(0)
    return tuple(np.concatenate(col) for col in zip(*parts))


class _Rows:
    """Sparse rows ``x[i] - x[j] (- x[l]) <= rhs`` collected in batches."""

    def __init__(self):
        self.parts = []

    def add(self, i, j, rhs, l=None):
        i = np.atleast_1d(np.asarray(i, np.int64))
        j = np.broadcast_to(np.asarray(j, np.int64), i.shape)
        rhs = np.broadcast_to(np.asarray(rhs, float), i.shape)
        if len(i):
            self.parts.append((i, j, rhs, None if l is None else np.broadcast_to(np.asarray(l, np.int64), i.shape)))

    def matrix(self, n_var):
        rows, cols, vals, rhs = [], [], [], []
        start = 0
        for i, j, b, l in self.parts:
            idx = start + np.arange(len(i))
            rows += [idx, idx]; cols += [i, j]; vals += [np.ones(len(i)), -np.ones(len(i))]
            if l is not None:
                rows.append(idx); cols.append(l); vals.append(-np.ones(len(i)))
            rhs.append(b)
            start += len(i)
        matrix = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(start, n_var))
        return matrix, np.concatenate(rhs)


def along_margins(tree: ClusterTree, margin: float, label: float, label_along: bool):
    """Per cluster, room along the flow between its frame and its first / last rank's
    column: one margin per level of sub-clusters it holds (so nested frames nest), plus the
    label on the low side when the label sits along the flow (TB drawings)."""
    height = np.zeros(tree.n_clusters, dtype=np.int64)
    for c in sorted(range(1, tree.n_clusters), key=lambda c: -tree.depth[c]):
        p = tree.parent[c]
        if p > 0:
            height[p] = max(height[p], height[c] + 1)
    lo = margin * (1 + height) + (label * (1 + height) if label_along else 0.0)
    hi = margin * (1 + height)
    lo[0] = hi[0] = 0.0
    return lo, hi


def rank_spans(tree: ClusterTree, layer: np.ndarray):
    """(first, last) rank of every cluster (placeholders included)."""
    k = tree.n_clusters
    first = np.full(k, np.iinfo(np.int64).max)
    last = np.full(k, -1)
    for i in range(tree.levels):
        held = tree.chain[:, i] >= 0
        np.minimum.at(first, tree.chain[held, i], layer[held])
        np.maximum.at(last, tree.chain[held, i], layer[held])
    first[0], last[0] = 0, int(layer.max()) if len(layer) else 0
    return first, last


def cross_pads(k: int, direction: str):
    """Room inside a frame across the flow: the label goes on top, which is across the flow's
    low side in LR drawings (and along the flow in TB ones)."""
    pad_lo = np.full(k, FRAME_MARGIN + (FRAME_LABEL if direction == "LR" else 0.0))
    pad_hi = np.full(k, FRAME_MARGIN)
    return pad_lo, pad_hi


def cluster_columns(tree, layer, column, rank_gap, direction):
    """Column starts with room for frames: a gap between ranks r and r+1 holds the margins
    of the frames that end at r and of those that start at r+1.  Returns (column_start,
    flow_extent, frame_flow_lo, frame_flow_hi)."""
    margin_lo, margin_hi = along_margins(tree, FRAME_MARGIN, FRAME_LABEL, direction == "TB")
    first, last = rank_spans(tree, layer)
    n_layers = len(column)
    need_hi = np.zeros(n_layers); np.maximum.at(need_hi, last[1:], margin_hi[1:])
    need_lo = np.zeros(n_layers); np.maximum.at(need_lo, first[1:], margin_lo[1:])
    gaps = np.maximum(rank_gap, need_hi[:-1] + need_lo[1:] + FRAME_CLEARANCE)
    column_start = need_lo[0] + np.concatenate([[0.0], np.cumsum(column[:-1] + gaps)])
    flow_extent = float(column_start[-1] + column[-1] + need_hi[-1])
    flow_lo = column_start[first] - margin_lo
    flow_hi = column_start[last] + column[last] + margin_hi
    return column_start, flow_extent, flow_lo, flow_hi


def frame_boxes(tree, cross_lo, cross_hi, flow_lo, flow_hi, direction, cross_extent, flow_extent) -> dict:
    """{scope path: (x0, y0, x1, y1)} in plot coordinates (y up)."""
    frames = {}
    for c in range(1, tree.n_clusters):
        if direction == "LR":
            box = (flow_lo[c], cross_extent - cross_hi[c], flow_hi[c], cross_extent - cross_lo[c])
        else:
            box = (cross_lo[c], flow_extent - flow_hi[c], cross_hi[c], flow_extent - flow_lo[c])
        frames[tree.paths[c]] = tuple(float(b) for b in box)
    return frames
