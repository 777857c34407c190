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


def count_grouped_inversions(group: np.ndarray, seq: np.ndarray, weight: np.ndarray | None = None) -> int:
    """Number of pairs i < j with group[i] == group[j] and seq[i] > seq[j] (with ``weight``,
    the sum of weight[i] * weight[j] over those pairs).

    ``group`` must be sorted (non-decreasing); ``seq`` holds non-negative ints.
    O(len * log(max(seq))) numpy work, and no sorting: the elements are kept in buckets of
    equal (group, bits of seq above k), each in the input order, and every level splits each
    bucket stably by bit k (zeros first) -- a most-significant-digit radix sort.
    """
    n = len(seq)
    if n < 2:
        return 0
    g = np.array(group, dtype=np.int64)          # copies: the buffers are reused below
    s = np.array(seq, dtype=np.int64)
    w = np.ones(n, dtype=np.int64) if weight is None else np.array(weight, dtype=np.int64)
    nbits = max(int(s.max()).bit_length(), 1)
    index = np.arange(n)
    spare_g, spare_s, spare_w = np.empty_like(g), np.empty_like(s), np.empty_like(w)
    starts = np.empty(n, dtype=bool)
    total = 0
    for k in range(nbits - 1, -1, -1):
        # Pairs whose highest differing bit is k: same bucket, the earlier one has bit k set.
        high = s >> (k + 1)
        starts[0] = True
        np.not_equal(g[1:], g[:-1], out=starts[1:])
        starts[1:] |= high[1:] != high[:-1]
        start_index = np.maximum.accumulate(np.where(starts, index, 0))
        bit = (s >> k) & 1
        ones_before = np.cumsum(bit) - bit
        ones_before -= ones_before[start_index]      # within the bucket
        zero = bit == 0
        if weight is None:
            total += int(ones_before[zero].sum())
        else:
            heavy = np.cumsum(bit * w) - bit * w     # weight of the ones before, in the bucket
            total += int((w * (heavy - heavy[start_index]))[zero].sum())
        if k == 0:
            break
        bucket = np.cumsum(starts) - 1
        zeros = np.bincount(bucket[zero], minlength=int(bucket[-1]) + 1)[bucket]
        target = start_index + np.where(zero, index - start_index - ones_before, zeros + ones_before)
        spare_g[target] = g
        spare_s[target] = s
        spare_w[target] = w
        g, spare_g, s, spare_s, w, spare_w = spare_g, g, spare_s, s, spare_w, w
    return total


def count_bilayer_crossings(seg_layer: np.ndarray, pos_src: np.ndarray, pos_dst: np.ndarray,
                            single: np.ndarray | None = None) -> int:
    """Total crossings of segments between consecutive layers.

    ``seg_layer[s]`` is the layer of segment s's source; ``pos_src``/``pos_dst`` are the
    positions of its endpoints within their layers.  Segments sharing an endpoint never count.

    ``single`` (optional, per segment): the segment is its source's only segment down and its
    target's only segment up (a long edge's inner part, mostly).  Side by side such segments
    (sources and targets at consecutive positions) are parallel: they cross no other and every
    other segment crosses all of them or none, so each run of them counts as one item of
    weight its length.  Same total; the long edges of a 4.9k-node expression, 219k segments,
    make 6-10k items.
    """
    n = len(seg_layer)
    if n < 2:
        return 0
    tables = _gap_tables(seg_layer, pos_src, pos_dst)
    if tables is not None:
        return tables
    width = int(max(pos_src.max(), pos_dst.max())) + 1
    # Sources take width + 1 slots per layer: source + 1 never reaches the next layer's first.
    key = (np.asarray(seg_layer, dtype=np.int64) * (width + 1) + pos_src) * width + pos_dst
    order = np.argsort(key, kind="stable")       # by (layer, source, target): one int sort
    if single is None:
        return count_grouped_inversions(seg_layer[order], pos_dst[order])
    # Layer and target read off the sorted keys (not gathered again in random order: 9 -> 6
    # ms at 189k segments).  The next segment of a run has the next source (key + width)
    # and the next target (+ 1): key + width + 1 with target + 1 (a target wrapping from
    # width - 1 to 0 would add width + 1 too, with the source two on).
    key = key[order]
    seq = key % width
    one = np.asarray(single, dtype=bool)[order]
    joined = np.zeros(n, dtype=bool)   # continues the run of the segment before it
    joined[1:] = one[1:] & one[:-1] & (np.diff(key) == width + 1) & (np.diff(seq) == 1)
    first = np.flatnonzero(~joined)
    return count_grouped_inversions(key[first] // (width * (width + 1)), seq[first], np.diff(np.append(first, n)))


TABLE_CELLS_PER_SEGMENT = 32   # ``_gap_tables`` up to this many cells per segment and this many
TABLE_MAX_CELLS = 32_768       # cells in all (see there; past that the tables leave the cache:
                               # 9 ns a cell at 56k cells, 6 ns at 22k)


def _gap_tables(seg_layer: np.ndarray, pos_src: np.ndarray, pos_dst: np.ndarray) -> int | None:
    """``count_bilayer_crossings`` (without ``single``: the counts are the same) from one table
    per gap, if the tables have at most ``TABLE_CELLS_PER_SEGMENT`` cells per segment, else
    None.  Gap l's table H[a, b] counts its segments from position a to position b; a segment
    crosses those starting lower and ending higher: a running sum down the stacked rows, then
    one along them in memory order, give those all at once (the sum before column b of the
    gap's last row less that of the segment's own row).
    A dozen numpy calls on arrays of a few thousand cells instead of the bit by bit
    inversion count (~15 calls per bit, ~60 ns per segment and bit): on an inspected
    MLP(2,[9,8,1]) sample (560 nodes, 766 segments, 22k cells) 260-315 -> 140 us a count,
    ~14 counts per layout (~35 ms).  Its + L2 drawings (2,109 segments, 56k cells) 550 ->
    510 us: no gain, so not there.  Wide drawings (random expressions: 100+ cells per
    segment) keep the inversion count too.  The same counts (integers)."""
    gap = np.asarray(seg_layer, dtype=np.int64)
    a = np.asarray(pos_src, dtype=np.int64)
    b = np.asarray(pos_dst, dtype=np.int64)
    n_gap = int(gap.max()) + 1
    if n_gap > len(gap):    # more rows' bookkeeping than segments: not worth it
        return None
    rows = np.zeros(n_gap, dtype=np.int64)
    np.maximum.at(rows, gap, a + 1)
    n_col = int(b.max()) + 1
    first_row = np.zeros(n_gap + 1, dtype=np.int64)
    np.cumsum(rows, out=first_row[1:])
    n_row = int(first_row[-1])
    if n_row * n_col > min(TABLE_CELLS_PER_SEGMENT * len(gap), TABLE_MAX_CELLS):
        return None
    row = first_row[gap] + a
    H = np.bincount(row * n_col + b, minlength=n_row * n_col).reshape(n_row, n_col)
    np.cumsum(H, axis=0, out=H)     # segments of the rows up to this one (contiguous: fast)
    F = np.zeros(n_row * n_col + 1, dtype=np.int64)
    np.cumsum(H.ravel(), out=F[1:])  # row-major running sum: F[r C + b] - F[r C] sums row r before b
    last = (first_row[gap + 1] - 1) * n_col
    row *= n_col
    return int((F[last + b] - F[last] - F[row + b] + F[row]).sum())


def crossed_gaps(seg_layer: np.ndarray, pos_src: np.ndarray, pos_dst: np.ndarray, n_layers: int) -> np.ndarray:
    """Per gap (between layers l and l + 1), whether two of its segments cross: exactly where,
    the gap's segments sorted by (source, target) position, a target comes before the one
    before it."""
    out = np.zeros(n_layers, dtype=bool)
    if len(seg_layer) < 2:
        return out
    width = int(max(pos_src.max(), pos_dst.max())) + 1
    order = np.argsort((np.asarray(seg_layer, dtype=np.int64) * width + pos_src) * width + pos_dst)
    gap, b = seg_layer[order], pos_dst[order]
    out[gap[1:][(b[1:] < b[:-1]) & (gap[1:] == gap[:-1])]] = True
    return out


def count_polyline_crossings(polylines, flow_axis: int = 0) -> int:
    """Count the crossings between polylines (a drawing's edges).

    ``polylines`` is an iterable of sequences of (x, y) points.  ``flow_axis`` is the axis the
    drawing flows along: 0 = x (LR drawings), 1 or -1 = y (TB drawings; the sign does not
    matter).  Two polylines cross where their order across the flow flips: in the interior of
    segments, or at a point both pass through (e.g. a shared bend point).  Touching without
    flipping (shared endpoints, tangencies, collinear overlap) is not a crossing.  Segments of
    zero extent along the flow axis are ignored.

    Method: cut the flow axis at every segment end into slabs.  Inside a slab every segment
    spanning it is a straight piece, and two pieces cross iff their order just after the
    slab's start differs from their order just before its end; at a cut, two polylines that
    pass through it cross iff their order just before differs from just after.  Both are
    inversion counts, O(P log P) numpy work for P pieces.
    """
    segments = _flow_segments(polylines, flow_axis)
    if segments is None:
        return 0
    x0, y0, x1, y1, line, flip = segments
    n_seg = len(x0)
    seg = np.arange(n_seg)
    keep = x1 > x0
    if keep.sum() < 2:
        return 0
    cuts = np.unique(np.concatenate([x0[keep], x1[keep]]))
    first = np.searchsorted(cuts, x0)
    n_pieces = np.where(keep, np.searchsorted(cuts, x1) - first, 0)  # slabs spanned
    piece_seg = np.repeat(seg, n_pieces)
    piece_start = np.cumsum(n_pieces) - n_pieces
    piece_slab = first[piece_seg] + np.arange(int(n_pieces.sum())) - piece_start[piece_seg]
    slope = ((y1 - y0) / np.where(keep, x1 - x0, 1.0))[piece_seg]
    a, b = cuts[piece_slab], cuts[piece_slab + 1]
    ya = np.where(a == x0[piece_seg], y0[piece_seg], y0[piece_seg] + slope * (a - x0[piece_seg]))
    yb = np.where(b == x1[piece_seg], y1[piece_seg], y0[piece_seg] + slope * (b - x0[piece_seg]))
    # Inside slabs: order just after the start (ya, then slope) vs just before the end
    # (yb, then -slope).
    total = _order_flips(piece_slab, (slope, ya), (-slope, yb))
    # At cuts: pieces i (ending at the cut) and j (starting there) of one polyline passing
    # through.  Same segment in consecutive slabs, or consecutive segments of a polyline
    # running the same way along the flow.
    last_piece = piece_start + n_pieces - 1
    same_seg = np.flatnonzero(piece_seg[:-1] == piece_seg[1:])
    prev_i, next_j = [same_seg], [same_seg + 1]
    nxt = seg[:-1] + 1
    chain = (line[:-1] == line[1:]) & keep[:-1] & keep[nxt] & (flip[:-1] == flip[nxt])
    fw = chain & ~flip[:-1]
    prev_i.append(last_piece[:-1][fw]); next_j.append(piece_start[nxt][fw])
    bw = chain & flip[:-1]
    prev_i.append(last_piece[nxt][bw]); next_j.append(piece_start[:-1][bw])
    i = np.concatenate(prev_i); j = np.concatenate(next_j)
    if len(i) > 1:
        total += _order_flips(piece_slab[j], (-slope[i], yb[i]), (slope[j], ya[j]))
    return total


def _flow_segments(polylines, flow_axis: int):
    """Every segment of the polylines as ``(x0, y0, x1, y1, line, flip)`` arrays, x along the
    flow and each segment turned to run along it (``flip`` marks those drawn against it),
    ``line`` its polyline's index; None when there are none."""
    axis = 0 if flow_axis == 0 else 1
    x0s, y0s, x1s, y1s, line_ids = [], [], [], [], []
    for k, line in enumerate(polylines):
        pts = np.asarray(line, dtype=float)
        if len(pts) < 2:
            continue
        xs, ys = pts[:, axis], pts[:, 1 - axis]
        x0s.append(xs[:-1]); x1s.append(xs[1:]); y0s.append(ys[:-1]); y1s.append(ys[1:])
        line_ids.append(np.full(len(pts) - 1, k))
    if not x0s:
        return None
    x0 = np.concatenate(x0s); x1 = np.concatenate(x1s)
    y0 = np.concatenate(y0s); y1 = np.concatenate(y1s)
    line = np.concatenate(line_ids)
    flip = x1 < x0                                  # segments drawn against the flow
    x0, x1 = np.where(flip, x1, x0), np.where(flip, x0, x1)
    y0, y1 = np.where(flip, y1, y0), np.where(flip, y0, y1)
    return x0, y0, x1, y1, line, flip


def _order_flips(group: np.ndarray, before: tuple, after: tuple) -> int:
    """Pairs in the same group ordered strictly one way by the ``before`` keys and strictly
    the other way by the ``after`` keys (keys as for np.lexsort: last is primary)."""
    order = np.lexsort(before + (group,))
    after_keys = np.column_stack([k[order] for k in reversed(after)])
    _, rank_after = np.unique(after_keys, axis=0, return_inverse=True)
    rank_after = rank_after.ravel()
    # Ties in the before keys must not count: sort tied runs by their after rank first.
    before_keys = np.column_stack([group[order]] + [k[order] for k in reversed(before)])
    _, rank_before = np.unique(before_keys, axis=0, return_inverse=True)
    refine = np.lexsort((rank_after, rank_before.ravel()))
    return count_grouped_inversions(group[order][refine], rank_after[refine])
