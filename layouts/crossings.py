"""Counting edge crossings.

``count_bilayer_crossings`` counts crossings between consecutive layers of a proper layered
graph from the node orders, for all layer pairs at once, in O(E log V) numpy work: a crossing
is an inversion of the target positions once segments are sorted by (layer, source position,
target position), and inversions are counted bit by bit (pairs whose first differing bit of
the target position is the k-th, with equal higher bits) -- the same decomposition as an
accumulator (Fenwick) tree, vectorised level by level instead of element by element.
"""

from __future__ import annotations

import numpy as np


def count_grouped_inversions(group: np.ndarray, seq: np.ndarray) -> int:
    """Number of pairs i < j with group[i] == group[j] and seq[i] > seq[j].

    ``group`` must be sorted (non-decreasing); ``seq`` holds non-negative ints.
    O(len * log(max(seq))) numpy work.
    """
    n = len(seq)
    if n < 2:
        return 0
    group = np.asarray(group, dtype=np.int64)
    seq = np.asarray(seq, dtype=np.int64)
    top = int(seq.max())
    nbits = max(top.bit_length(), 1)
    total = 0
    index = np.arange(n)
    for k in range(nbits - 1, -1, -1):
        # Pairs whose highest differing bit is k: same group, same bits above k, seq[i] has 1.
        prefix = seq >> (k + 1)
        key = group * ((top >> (k + 1)) + 1) + prefix
        order = np.argsort(key, kind="stable")
        key_sorted = key[order]
        bit = (seq[order] >> k) & 1
        ones_before = np.cumsum(bit) - bit
        starts = np.empty(n, dtype=bool)
        starts[0] = True
        np.not_equal(key_sorted[1:], key_sorted[:-1], out=starts[1:])
        start_index = np.maximum.accumulate(np.where(starts, index, 0))
        base = ones_before[start_index]
        zero = bit == 0
        total += int((ones_before[zero] - base[zero]).sum())
    return total


def count_bilayer_crossings(seg_layer: np.ndarray, pos_src: np.ndarray, pos_dst: np.ndarray) -> int:
    """Total crossings of segments between consecutive layers.

    ``seg_layer[s]`` is the layer of segment s's source; ``pos_src``/``pos_dst`` are the
    positions of its endpoints within their layers.  Segments sharing an endpoint never count.
    """
    if len(seg_layer) < 2:
        return 0
    order = np.lexsort((pos_dst, pos_src, seg_layer))
    return count_grouped_inversions(seg_layer[order], pos_dst[order])


def count_polyline_crossings(polylines, flow_axis: int = 0) -> int:
    """Count proper crossings between the straight segments of polylines.

    ``polylines`` is an iterable of sequences of (x, y) points, each monotone (non-decreasing)
    along ``flow_axis`` (0 = x for LR drawings, 1 = y for TB; pass -1 for TB drawings whose
    flow goes down -- the sign only flips the axis).  Every pair of segments that cross at a
    point interior to both x-ranges of a slab is counted once; segments that only touch (a
    shared endpoint, or collinear overlap) are not crossings.  Segments of zero extent along
    the flow axis are ignored.

    Method: cut the flow axis at every segment endpoint into slabs; inside a slab every
    segment spanning it is a straight piece, and two pieces cross iff their order flips
    strictly between the slab's two sides -- an inversion count.  Exact for monotone
    polylines, O(sum over slabs of spanning segments * log) numpy work.
    """
    axis = abs(flow_axis) if flow_axis in (0, 1) else 1
    sign = -1.0 if flow_axis == -1 else 1.0
    x0s, y0s, x1s, y1s = [], [], [], []
    for line in polylines:
        pts = np.asarray(line, dtype=float)
        if len(pts) < 2:
            continue
        xs = pts[:, axis] * sign
        ys = pts[:, 1 - axis]
        x0s.append(xs[:-1]); x1s.append(xs[1:]); y0s.append(ys[:-1]); y1s.append(ys[1:])
    if not x0s:
        return 0
    x0 = np.concatenate(x0s); x1 = np.concatenate(x1s)
    y0 = np.concatenate(y0s); y1 = np.concatenate(y1s)
    flip = x1 < x0
    x0, x1 = np.where(flip, x1, x0), np.where(flip, x0, x1)
    y0, y1 = np.where(flip, y1, y0), np.where(flip, y0, y1)
    keep = x1 > x0
    x0, x1, y0, y1 = x0[keep], x1[keep], y0[keep], y1[keep]
    if len(x0) < 2:
        return 0
    cuts = np.unique(np.concatenate([x0, x1]))
    first = np.searchsorted(cuts, x0)
    last = np.searchsorted(cuts, x1)  # segment spans slabs first .. last-1
    nslabs = last - first
    seg = np.repeat(np.arange(len(x0)), nslabs)
    slab = np.repeat(first, nslabs) + (np.arange(int(nslabs.sum())) - np.repeat(np.cumsum(nslabs) - nslabs, nslabs))
    a, b = cuts[slab], cuts[slab + 1]
    slope = (y1[seg] - y0[seg]) / (x1[seg] - x0[seg])
    ya = y0[seg] + slope * (a - x0[seg])
    yb = y0[seg] + slope * (b - x0[seg])
    # Snap the interpolated values so that exact touches compare equal.
    ya = np.round(ya, 9); yb = np.round(yb, 9)
    order = np.lexsort((yb, ya, slab))
    _, rank_b = np.unique(yb, return_inverse=True)
    return count_grouped_inversions(slab[order], rank_b[order])
