"""Brandes-Koepf coordinate assignment ("Fast and Simple Horizontal Coordinate Assignment",
2001; as in dagre and ELK), for nodes of different sizes, with edge priorities.

Four alignments (neighbours above/below x processed left/right) each put nodes into vertical
blocks aligned with a median neighbour, then compact the blocks; the final coordinate is the
mean of the two middle candidates.  Changes from the paper:

* A node only aligns with neighbours over its heaviest segments on that side, and only if the
  segment is also the heaviest on the neighbour's side.  Chains (op -> result and
  value -> op) outweigh edges leaving leaf constants and parameters, so the chain stays
  straight and the leaves hang off it (plain median alignment zig-zags between them).
* Only chain links align: priority segments (op -> result), long edges, and segments that
  are their source's only outgoing one.  Values with many consumers stay free.
* Separations are per node pair: (extent_u + extent_v) / 2 + max(gap_u, gap_v).

Vectorised over all layers at once: the paper's per-layer scans are independent of each
other (only a block's root passes from layer to layer, found afterwards by pointer jumping),
and a node with one median candidate aligns iff it lies beyond every candidate before it in
its layer (a prefix maximum); only nodes with two candidates (even degree) are scanned in
Python.  A long edge's virtual nodes thus cost numpy work, not Python loops: a 4,883-node
random expression (217k virtual nodes) went 1.9 s -> ~0.1 s, same coordinates.
Compaction (``bk_compaction``) runs on the blocks' distinct neighbour pairs (a long edge is
one block), once per distinct set of blocks and side: alignments that make the same blocks
share it, and when the first alignment takes every alignable segment the other three are
not run (on the 5k-node random expressions, where median sweeps alone keep long edges
parallel: seeds 1 and 3, 188k and 217k layered nodes, 0.20 -> 0.05 s CPU, same coordinates).  The
result never has overlapping nodes: every candidate keeps each layer's order with the
separations, and so do per-node order statistics of the four candidates.
"""

from __future__ import annotations

import numpy as np

from .bk_compaction import _balance, _block_pairs, _horizontal_compaction, _place_blocks  # noqa: F401


def brandes_koepf(n_nodes: int, n_real: int, members_in_order: list[np.ndarray],
                  extent: np.ndarray, gap: np.ndarray, seg_src: np.ndarray,
                  seg_dst: np.ndarray, seg_weight: np.ndarray,
                  seg_priority: np.ndarray | None = None) -> np.ndarray:
    """Centre coordinate across the flow of every node (min centre 0 is not guaranteed;
    callers shift).  Parameters as ``coordinates.assign_cross_coordinates``; nodes
    ``>= n_real`` are virtual (bend points of long edges).  ``seg_priority`` marks segments
    that must come out straight (here op -> result), before the paper's inner segments
    (virtual -> virtual): segments crossing them never align."""
    seg_src = np.asarray(seg_src, dtype=np.int64)
    seg_dst = np.asarray(seg_dst, dtype=np.int64)
    lengths = np.array([len(m) for m in members_in_order], dtype=np.int64)
    flat = (np.concatenate(members_in_order).astype(np.int64) if len(members_in_order)
            else np.zeros(0, np.int64))
    layer_of = np.zeros(n_nodes, dtype=np.int64)
    layer_of[flat] = np.repeat(np.arange(len(lengths)), lengths)
    pos = np.zeros(n_nodes, dtype=np.int64)
    pos[flat] = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    reversed_pos = np.zeros(n_nodes, dtype=np.int64)
    reversed_pos[flat] = np.repeat(lengths, lengths) - 1 - pos[flat]
    eligible = _alignable(n_nodes, n_real, pos, layer_of, lengths, flat, seg_src, seg_dst,
                          seg_weight, seg_priority)
    src_e, dst_e = seg_src[eligible], seg_dst[eligible]
    half = np.asarray(extent, float) / 2
    gap = np.asarray(gap, float)
    width = int(lengths.max()) + 1 if len(lengths) else 1

    layer_start = np.repeat(np.cumsum(lengths) - lengths, lengths)
    mirrored = flat[2 * layer_start + np.repeat(lengths, lengths) - 1 - np.arange(len(flat))]
    candidates = []
    partitions = []     # (down-links, root, block pairs) of each distinct set of blocks
    placed = {}         # (partition, leftward) -> coordinates
    shared = False      # every alignment makes the first one's blocks
    for downward in (True, False):
        here, there = (dst_e, src_e) if downward else (src_e, dst_e)
        if not shared:
            degree, lo, hi = _medians(n_nodes, here, there, pos, width)
        for leftward in (True, False):
            k = 0
            if not shared:
                p, scan = (pos, flat) if leftward else (reversed_pos, mirrored)   # layer by layer, in increasing p
                # scanned from the right, a node's neighbours come in reverse: the two medians swap
                root, chosen = _align(n_nodes, scan, layer_of, degree, lo if leftward else hi,
                                      hi if leftward else lo, p, width)
                k = _partition(partitions, n_nodes, root, chosen, downward, flat, layer_of, half, gap)
                shared = downward and leftward and _all_aligned(partitions[0][0], src_e, dst_e, n_nodes)
            if (k, leftward) not in placed:
                _, block_root, (a, b, s) = partitions[k]
                xs = _place_blocks(n_nodes, block_root, *((a, b) if leftward else (b, a)), s)
                placed[k, leftward] = xs if leftward else -xs
            candidates.append(placed[k, leftward])
    return _balance(candidates, np.asarray(extent, float))


def _all_aligned(link, src, dst, n) -> bool:
    """Whether the blocks ``link`` (see ``_partition``) hold every eligible segment src ->
    dst, each node having at most one of them up and one down.  Then no two of them cross
    (a crossing one would have been left out), and each of the four alignments takes all of
    them: the same blocks, without aligning again."""
    if len(src) == 0:
        return True
    return (int((link >= 0).sum()) == len(src) and np.bincount(src, minlength=n).max() <= 1
            and np.bincount(dst, minlength=n).max() <= 1)


def _partition(partitions, n, root, chosen, downward, flat, layer_of, half, gap) -> int:
    """Index in ``partitions`` of the blocks of one alignment, added if new.  The compaction
    depends only on which nodes share a block (the longest-path placement is the same in any
    topological order, and a block's id is just a label), so alignments that make the same
    blocks share it: on the 5k-node random expressions all four do (no two alignable
    segments cross there: the median sweeps keep long edges parallel), and the four
    compactions become two (one from each side)."""
    if downward:        # a block as links to the node below it, whichever way it was aligned
        link = np.full(n, -1, dtype=np.int64)
        linked = chosen >= 0
        link[chosen[linked]] = np.flatnonzero(linked)
    else:
        link = chosen
    for k, (other, _, _) in enumerate(partitions):
        if np.array_equal(link, other):
            return k
    partitions.append((link, root, _block_pairs(n, flat, layer_of, root, chosen, half, gap)))
    return len(partitions) - 1


def _alignable(n_nodes, n_real, pos, layer_of, lengths, flat, seg_src, seg_dst, seg_weight, seg_priority):
    """Which segments may be aligned (drawn straight): each node's heaviest up and down,
    none crossing a priority or inner segment, and (priority and inner apart) only chains."""
    w = np.asarray(seg_weight, dtype=float)
    heaviest_down = np.zeros(n_nodes)
    np.maximum.at(heaviest_down, seg_src, w)
    heaviest_up = np.zeros(n_nodes)
    np.maximum.at(heaviest_up, seg_dst, w)
    eligible = (w >= heaviest_down[seg_src] * (1 - 1e-9)) & (w >= heaviest_up[seg_dst] * (1 - 1e-9))
    # Segments crossing a priority segment never align; priority segments crossing each other
    # are settled first in favour of the caller's (op -> result), then long edges.
    inner = (seg_src >= n_real) & (seg_dst >= n_real)
    conflict = np.zeros(len(w), dtype=bool)
    priority_or_inner = inner.copy()
    geometry = (pos, layer_of, lengths, flat, seg_src, seg_dst)
    if seg_priority is not None:
        first = np.asarray(seg_priority, dtype=bool)
        priority_or_inner |= first
        conflict = _type1_conflicts(first, *geometry)
        inner &= ~conflict
    conflict |= _type1_conflicts(inner, *geometry)
    eligible &= ~conflict
    # Only chains align: a value used many times (a parameter shared by samples, an input fed
    # to every neuron) lining up with one consumer stacks all its other consumers far away;
    # measured on the 698- and 13.5k-node MLP graphs, this halves the drawing's height and
    # still leaves more edges straight.
    fan_out = np.bincount(seg_src, minlength=n_nodes)
    chain = fan_out[seg_src] == 1
    eligible &= priority_or_inner | chain
    return eligible


def _type1_conflicts(inner, pos, layer_of, lengths, flat, seg_src, seg_dst):
    """Mark segments that cross a priority ("inner") segment, so that those stay straight.

    The paper's scan of each layer, for all layers at once: the layer's nodes fall into runs,
    each ending at a node with an inner segment from above (or at the layer's end); a
    non-inner segment into a run's node is marked when its upper end lies outside the upper
    ends of the inner segments closing the previous run (k0, or 0) and its own run (k1, or the
    upper layer's size).  A node with several inner segments uses the last one's.  The
    closing nodes are found by binary search among them, for the non-inner segments only
    (no pass over every node: 217k on a 4.9k-node expression, ~10 -> ~5 ms a call)."""
    conflict = np.zeros(len(seg_src), dtype=bool)
    if not inner.any():
        return conflict
    inner_seg = np.flatnonzero(inner)
    last_inner = np.full(len(pos), -1, dtype=np.int64)
    np.maximum.at(last_inner, seg_dst[inner_seg], inner_seg)
    closing = np.flatnonzero(last_inner[flat] >= 0)       # flat indices, in order
    closing_node = flat[closing]
    closing_layer = layer_of[closing_node]
    closing_up = pos[seg_src[last_inner[closing_node]]]
    other = np.flatnonzero(~inner)
    v = seg_dst[other]
    layer_v = layer_of[v]
    at = np.cumsum(lengths)[layer_v] - lengths[layer_v] + pos[v]     # v's flat index
    j = np.searchsorted(closing, at)                      # the run's closing node, if in v's layer
    nxt = np.minimum(j, len(closing) - 1)
    has_next = (j < len(closing)) & (closing_layer[nxt] == layer_v)
    upper_size = np.concatenate([[0], lengths])[layer_v]
    k1 = np.where(has_next, closing_up[nxt], upper_size)
    before = np.maximum(j - 1, 0)                         # the previous run's closing node
    k0 = np.where((j >= 1) & (closing_layer[before] == layer_v), closing_up[before], 0)
    up = pos[seg_src[other]]
    conflict[other] = (up < k0) | (k1 < up)
    return conflict


def _vertical_alignment(n, scan, layer_of, here, there, p, width):
    """Root of every node's block for one of the four alignments: ``here`` -> ``there`` are
    the eligible segments seen from the aligning side, ``scan`` all nodes layer by layer in
    increasing ``p``.  As the paper: a node tries its median neighbour(s) in increasing
    ``p``, and aligns with one beyond the last aligned in its layer."""
    degree, lo, hi = _medians(n, here, there, p, width)
    return _align(n, scan, layer_of, degree, lo, hi, p, width)


def _medians(n, here, there, p, width):
    """(degree, lo, hi): every node's number of eligible neighbours and its lower and upper
    median neighbour by ``p`` (-1: none).  Only nodes with two or more neighbours need a
    sort (none on the 5k-node random expressions, where a sort of all 215k segments took
    ~10 ms per alignment)."""
    degree = np.bincount(here, minlength=n)
    lo = np.full(n, -1, dtype=np.int64)
    many = degree[here] > 1
    lo[here[~many]] = there[~many]
    hi = lo.copy()
    if many.any():
        h, t = here[many], there[many]
        order = np.argsort(h * width + p[t])           # by node, then neighbour position
        nodes, first = np.unique(h[order], return_index=True)
        t = t[order]
        lo[nodes] = t[first + (degree[nodes] - 1) // 2]
        hi[nodes] = t[first + degree[nodes] // 2]
    return degree, lo, hi


def _align(n, scan, layer_of, degree, lo, hi, p, width):
    """``_vertical_alignment`` from the medians (see ``_medians``)."""
    # one candidate: aligns iff beyond every earlier candidate (one or two) of its layer
    d = degree[scan]
    single = (d % 2 == 1)
    double = (d > 0) & (d % 2 == 0)
    base = layer_of[scan] * (width + 1)
    value = np.where(single, p[np.maximum(lo[scan], 0)] + 1, 0) + base
    prefix = np.maximum.accumulate(value)
    before = np.maximum(np.concatenate([[0], prefix[:-1]]), base) - base - 1  # reach so far
    taken = np.full(len(scan), -1, dtype=np.int64)     # p reached by two-candidate nodes
    chosen = np.full(n, -1, dtype=np.int64)
    if double.any():
        at = np.flatnonzero(double)
        reach, layer_now = -1, -1
        p_lo, p_hi = p[lo[scan[at]]].tolist(), p[hi[scan[at]]].tolist()
        layers = layer_of[scan[at]].tolist()
        for k, i in enumerate(at.tolist()):
            if layers[k] != layer_now:
                reach, layer_now = -1, layers[k]
            r = max(before[i], reach)
            if p_lo[k] > r:
                reach = p_lo[k]; chosen[scan[i]] = lo[scan[i]]
            elif p_hi[k] > r:
                reach = p_hi[k]; chosen[scan[i]] = hi[scan[i]]
            taken[i] = reach
        doubles_before = np.maximum.accumulate(np.where(taken >= 0, taken + 1, 0) + base)
        doubles_before = np.maximum(np.concatenate([[0], doubles_before[:-1]]), base) - base - 1
        before = np.maximum(before, doubles_before)
    ok = single & (p[np.maximum(lo[scan], 0)] > before)
    chosen[scan[ok]] = lo[scan[ok]]
    root = np.where(chosen >= 0, chosen, np.arange(n))
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            return root, chosen
        root = nxt
