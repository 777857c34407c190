"""Horizontal compaction for ``brandes_koepf``: the blocks' distinct neighbour pairs, the
blocks placed by longest path and pulled towards their successors, and the balancing of the
four candidates."""

from __future__ import annotations

import numpy as np


def _horizontal_compaction(n, scan, layer_of, root, chosen, half, gap):
    """Longest-path placement of blocks, then pull each block towards its successors.
    ``chosen[v]``: the node v aligned with in the layer before (or -1)."""
    return _place_blocks(n, root, *_block_pairs(n, scan, layer_of, root, chosen, half, gap))


def _block_pairs(n, scan, layer_of, root, chosen, half, gap):
    """(a, b, s): the distinct pairs of blocks side by side (a before b in ``scan``) and the
    largest separation each needs."""
    u, v = scan[:-1], scan[1:]
    same = layer_of[u] == layer_of[v]
    u, v = u[same], v[same]
    s = half[u] + half[v] + np.maximum(gap[u], gap[v])
    # Two blocks side by side over many layers (long edges) give the same pair again and
    # again: a pair whose nodes' aligned predecessors are neighbours too, at least as far
    # apart, adds nothing (the compaction needs each pair once, with its largest separation).
    right_of = np.full(n, -1, dtype=np.int64)
    right_of[u] = v
    gap_of = np.zeros(n)
    gap_of[u] = s
    cu, cv = chosen[u], chosen[v]
    repeat = (cu >= 0) & (cv >= 0)
    repeat[repeat] = (right_of[cu[repeat]] == cv[repeat]) & (gap_of[cu[repeat]] >= s[repeat])
    u, v, s = u[~repeat], v[~repeat], s[~repeat]
    a, b = root[u], root[v]
    key = a * n + b                                # distinct block pairs, largest separation
    order = np.argsort(key)
    key = key[order]
    first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]])) if len(key) else key
    s = np.maximum.reduceat(s[order], first) if len(key) else s
    return key[first] // n, key[first] % n, s


def _place_blocks(n, root, a, b, s):
    """Coordinates of the blocks (``root``: every node's block) from the pairs a before b at
    separation s: longest-path placement (Kahn's order), then each block pulled towards its
    successors.  Any topological order gives the same coordinates.  The block graph is
    nearly a path (5k-node random expressions: 1.8k blocks, 4.2k pairs, 1,000 levels), so
    this stays a loop, over flat lists (dicts of lists of tuples took 3x as long)."""
    blocks = np.flatnonzero(root == np.arange(n))
    k = len(blocks)
    index = np.zeros(n, dtype=np.int64)
    index[blocks] = np.arange(k)
    a, b, s = index[a], index[b], np.asarray(s, dtype=float)
    by_a, by_b = np.argsort(a, kind="stable"), np.argsort(b, kind="stable")
    succ, succ_sep = b[by_a].tolist(), s[by_a].tolist()
    pred, pred_sep = a[by_b].tolist(), s[by_b].tolist()
    succ_ptr = np.searchsorted(a[by_a], np.arange(k + 1)).tolist()
    pred_ptr = np.searchsorted(b[by_b], np.arange(k + 1)).tolist()
    indeg = np.bincount(b, minlength=k)
    topo = np.flatnonzero(indeg == 0).tolist()
    indeg = indeg.tolist()
    for blk in topo:                # grows while it is walked
        for c in succ[succ_ptr[blk]:succ_ptr[blk + 1]]:
            indeg[c] -= 1
            if indeg[c] == 0:
                topo.append(c)
    x = [0.0] * k
    for blk in topo:
        best = 0.0
        for j in range(pred_ptr[blk], pred_ptr[blk + 1]):
            if x[pred[j]] + pred_sep[j] > best:
                best = x[pred[j]] + pred_sep[j]
        x[blk] = best
    for blk in reversed(topo):
        lo, hi = succ_ptr[blk], succ_ptr[blk + 1]
        if lo < hi:
            lim = min([x[succ[j]] - succ_sep[j] for j in range(lo, hi)])
            if lim > x[blk]:
                x[blk] = lim
    return np.asarray(x)[index[root]]


def _balance(candidates, extent):
    """The four candidates aligned to the narrowest one (left ones by their minima, right
    ones by their maxima), then every node at the mean of its two middle candidates.  When
    the alignments made the same blocks, candidates 0 and 2 (and 1 and 3) are one array:
    the middle two are then those two arrays, and their mean is the result without a sort
    of 4 x 200k coordinates."""
    half = extent / 2
    widths = [float((x + half).max() - (x - half).min()) for x in candidates]
    ref = candidates[int(np.argmin(widths))]
    lo, hi = (ref - half).min(), (ref + half).max()
    shifted = [x + (lo - (x - half).min() if i % 2 == 0 else hi - (x + half).max())
               for i, x in enumerate(candidates)]
    if candidates[0] is candidates[2] and candidates[1] is candidates[3]:
        return (shifted[0] + shifted[1]) / 2
    xs = np.vstack(shifted)  # (4, n)
    xs.sort(axis=0)
    return (xs[1] + xs[2]) / 2
