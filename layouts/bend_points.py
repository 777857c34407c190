"""The long edges' bend points outside every cluster, left out of a big clustered drawing's
coordinate LP (``frames.clustered_cross_coordinates``) and placed after it.

Why: a clustered drawing's coordinates come from one linear program with a variable per
layered node.  Where many edges run far, those are mostly bend points: the Train tab's
inspected sample with its L2 term, collapsed to neurons and then the L2 term opened, is 1,397
nodes but 179k layered ones (each collapsed neuron feeds squares all along the L2 term's sum
chain), and its LP (179k columns, 281k rows) took 80-220 s.  A bend point in no cluster is
only a slot between its rank's neighbours and one step of its edge:

- its room is kept: consecutive bend points between two kept nodes or frames of a rank add
  their separations into one row between those two (``contract``: the same feasible set for
  what is kept, as the rows it replaces sum to it);
- its edge's straightness is priced between the nearest kept nodes on either side, at the
  cheapest weight of the steps between them (what the LP would pay putting the whole bend
  in that step, were the bend points free);
- after the LP, it goes where the straight line between those nodes crosses its rank, moved
  the least that keeps its rank's order and separations (``place``).

A bend point inside a cluster (an edge within it) stays in the LP: it holds the cluster's
frame open in its rank.  The orders, hence the crossings, are not touched.
"""

from __future__ import annotations

import numpy as np


def chain_ends(seg_src: np.ndarray, seg_dst: np.ndarray, drop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, last): for every node, the nearest node not in ``drop`` before it and after it
    on its long edge (itself if not dropped).  A dropped node is a bend point: one segment
    in, one out."""
    n = len(drop)
    back, fwd = np.arange(n), np.arange(n)
    into = drop[seg_dst]
    back[seg_dst[into]] = seg_src[into]
    out = drop[seg_src]
    fwd[seg_src[out]] = seg_dst[out]
    for ptr in (back, fwd):          # pointer doubling: the kept nodes are fixed points
        while True:
            nxt = ptr[ptr]
            if np.array_equal(nxt, ptr):
                break
            ptr[:] = nxt
    return back, fwd


def runs(seg_src, seg_dst, seg_weight, drop, first, last):
    """(p, q, weight): one entry per run of dropped bend points on an edge, from the kept node
    p before it to the kept node q after it, priced at the cheapest of its steps."""
    touched = drop[seg_src] | drop[seg_dst]
    mid = np.where(drop[seg_src[touched]], seg_src[touched], seg_dst[touched])   # a dropped end
    key = np.stack([first[mid], last[mid]], axis=1)
    ends, which = np.unique(key, axis=0, return_inverse=True)
    weight = np.full(len(ends), np.inf)
    np.minimum.at(weight, which.ravel(), np.asarray(seg_weight, float)[touched])
    return ends[:, 0], ends[:, 1], weight


def contract(left, right, sep, left_dropped, right_dropped):
    """Rows ``x[left] + sep <= x[right]`` of consecutive pairs in ranks (in rank order, each
    rank's pairs in order, a rank starting at a dropped node opened by a pair from a fixed 0)
    with the dropped nodes summed out.  Returns, per run of pairs joined by dropped nodes, its
    left and right variables, its separation in all and whether it has a right end (a rank's
    trailing bend points have none: no row), then per pair its run and the run's separation
    up to and including it."""
    start = ~left_dropped
    run = np.cumsum(start) - 1
    total = np.bincount(run, weights=sep)
    cum = np.cumsum(sep)
    first = np.flatnonzero(start)
    upto = cum - (cum[first] - sep[first])[run]                 # within the run, this pair included
    last = np.append(first[1:] - 1, len(sep) - 1)
    closed = ~right_dropped[last]
    return (left[first], right[last], total, closed), run, upto


def place(ideal, lower, upto, run, total, upper):
    """Centres of a rank's dropped bend points, in run order: each as near ``ideal`` as the
    run allows (``lower``: where the run's left end is, ``upper``: its right end or +inf),
    keeping every separation: at least ``lower + upto`` (the separations before it), at most
    ``upper - (total - upto)`` (those after it), in order.  A forward running maximum then a
    backward running minimum over ``y - upto``, per run (offset by run so runs do not mix)."""
    if len(ideal) == 0:
        return ideal
    w = np.maximum(ideal - upto, lower[run])
    finite = np.abs(upper[np.isfinite(upper)])
    big = 4.0 * (max(np.abs(w).max(), finite.max() if len(finite) else 0.0) + np.abs(upto).max() + 1.0)
    shift = run * big                                    # runs ascending: earlier ones smaller
    w = np.maximum.accumulate(w + shift) - shift
    cap = np.where(np.isfinite(upper), upper - total, np.inf)[run]
    w = np.minimum(w, cap)
    w = (np.minimum.accumulate((w + shift)[::-1]) - shift[::-1])[::-1]
    return w + upto
