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

Runs in O(V + E) (pure Python loops over plain lists).  The result never has overlapping
nodes: every candidate keeps each layer's order with the separations, and so do per-node
order statistics of the four candidates.
"""

from __future__ import annotations

import numpy as np


def brandes_koepf(n_nodes: int, n_real: int, members_in_order: list[np.ndarray],
                  extent: np.ndarray, gap: np.ndarray, seg_src: np.ndarray,
                  seg_dst: np.ndarray, seg_weight: np.ndarray,
                  seg_priority: np.ndarray | None = None) -> np.ndarray:
    """Centre coordinate across the flow of every node (min centre 0 is not guaranteed;
    callers shift).  Parameters as ``coordinates.assign_cross_coordinates``; nodes
    ``>= n_real`` are virtual (bend points of long edges).  ``seg_priority`` marks segments
    that must come out straight (here op -> result), before the paper's inner segments
    (virtual -> virtual): segments crossing them never align."""
    layers = [m.tolist() for m in members_in_order]
    lengths = np.array([len(m) for m in members_in_order], dtype=np.int64)
    flat = np.concatenate(members_in_order) if len(members_in_order) else np.zeros(0, np.int64)
    pos = np.empty(n_nodes, dtype=np.int64)
    pos[flat] = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    reversed_pos = np.empty(n_nodes, dtype=np.int64)
    reversed_pos[flat] = np.repeat(lengths, lengths) - 1 - pos[flat]
    eligible = _alignable(n_nodes, n_real, pos, layers, seg_src, seg_dst, seg_weight, seg_priority)
    src_e, dst_e = seg_src[eligible], seg_dst[eligible]
    upper = _neighbour_lists(n_nodes, dst_e, src_e, pos)   # sorted by position
    lower = _neighbour_lists(n_nodes, src_e, dst_e, pos)
    pos_list = pos.tolist()
    reversed_list = reversed_pos.tolist()
    sep_extent = (np.asarray(extent, float) / 2).tolist()
    gap_list = np.asarray(gap, float).tolist()

    candidates = []
    for downward in (True, False):
        vertical = layers if downward else layers[::-1]
        neighbours = upper if downward else lower
        for leftward in (True, False):
            ordered = vertical if leftward else [layer[::-1] for layer in vertical]
            p = pos_list if leftward else reversed_list
            root = _vertical_alignment(n_nodes, ordered, neighbours, p, leftward)
            xs = _horizontal_compaction(n_nodes, ordered, root, sep_extent, gap_list)
            xs = np.asarray(xs)
            candidates.append(xs if leftward else -xs)
    return _balance(candidates, np.asarray(extent, float))


def _alignable(n_nodes, n_real, pos, layers, seg_src, seg_dst, seg_weight, seg_priority):
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
    if seg_priority is not None:
        first = np.asarray(seg_priority, dtype=bool)
        priority_or_inner |= first
        conflict = _type1_conflicts(first, pos, seg_src, seg_dst, layers)
        inner &= ~conflict
    conflict |= _type1_conflicts(inner, pos, seg_src, seg_dst, layers)
    eligible &= ~conflict
    # Only chains align: a value used many times (a parameter shared by samples, an input fed
    # to every neuron) lining up with one consumer stacks all its other consumers far away;
    # measured on the 698- and 13.5k-node MLP graphs, this halves the drawing's height and
    # still leaves more edges straight.
    fan_out = np.bincount(seg_src, minlength=n_nodes)
    chain = fan_out[seg_src] == 1
    eligible &= priority_or_inner | chain
    return eligible


def _neighbour_lists(n, here, there, pos):
    order = np.lexsort((pos[there], here))
    there_sorted = there[order].tolist()
    ptr = np.searchsorted(here[order], np.arange(n + 1)).tolist()
    return [there_sorted[ptr[v]:ptr[v + 1]] for v in range(n)]


def _type1_conflicts(inner, pos, seg_src, seg_dst, layers):
    """Mark segments that cross a priority ("inner") segment, so that those stay straight."""
    conflict = np.zeros(len(seg_src), dtype=bool)
    if not inner.any():
        return conflict
    # Incoming segments of every node, as plain lists.
    order = np.argsort(seg_dst, kind="stable")
    ptr = np.searchsorted(seg_dst[order], np.arange(len(pos) + 1)).tolist()
    order = order.tolist()
    src_list = seg_src.tolist()
    inner_list = inner.tolist()
    pos_list = pos.tolist()
    for l in range(1, len(layers)):
        layer = layers[l]
        prev_len = len(layers[l - 1])
        k0 = 0
        scan = 0
        last = len(layer) - 1
        for i, v in enumerate(layer):
            inner_pred = None
            for s in order[ptr[v]:ptr[v + 1]]:
                if inner_list[s]:
                    inner_pred = src_list[s]
            k1 = pos_list[inner_pred] if inner_pred is not None else prev_len
            if inner_pred is not None or i == last:
                for scan_node in layer[scan:i + 1]:
                    for s in order[ptr[scan_node]:ptr[scan_node + 1]]:
                        up = pos_list[src_list[s]]
                        if (up < k0 or k1 < up) and not inner_list[s]:
                            conflict[s] = True
                scan = i + 1
                k0 = k1
    return conflict


def _vertical_alignment(n, layers, neighbours, pos, leftward):
    root = list(range(n))
    align = list(range(n))
    for layer in layers:
        prev = -1
        for v in layer:
            ws = neighbours[v]
            if not ws:
                continue
            if not leftward:
                ws = ws[::-1]
            d = len(ws)
            for i in sorted({(d - 1) // 2, d // 2}):
                wn = ws[i]
                if align[v] == v and prev < pos[wn]:
                    align[wn] = v
                    root[v] = root[wn]
                    align[v] = root[v]
                    prev = pos[wn]
    return root


def _horizontal_compaction(n, layers, root, half, gap):
    """Longest-path placement of blocks, then pull each block towards its successors."""
    sep = {}
    for layer in layers:
        for u, v in zip(layer, layer[1:]):
            key = (root[u], root[v])
            s = half[u] + half[v] + (gap[u] if gap[u] > gap[v] else gap[v])
            if sep.get(key, -1.0) < s:
                sep[key] = s
    succ = {}
    pred = {}
    indeg = {}
    blocks = set(root)
    for (a, b), s in sep.items():
        succ.setdefault(a, []).append((b, s))
        pred.setdefault(b, []).append((a, s))
        indeg[b] = indeg.get(b, 0) + 1
    topo = [b for b in sorted(blocks) if indeg.get(b, 0) == 0]
    i = 0
    while i < len(topo):
        a = topo[i]
        i += 1
        for b, _ in succ.get(a, ()):
            indeg[b] -= 1
            if indeg[b] == 0:
                topo.append(b)
    x = {}
    for b in topo:
        best = 0.0
        for a, s in pred.get(b, ()):
            if x[a] + s > best:
                best = x[a] + s
        x[b] = best
    for b in reversed(topo):
        out = succ.get(b)
        if out:
            lim = min(x[c] - s for c, s in out)
            if lim > x[b]:
                x[b] = lim
    return [x[root[v]] for v in range(n)]


def _balance(candidates, extent):
    xs = np.vstack(candidates)  # (4, n)
    half = extent / 2
    widths = (xs + half).max(axis=1) - (xs - half).min(axis=1)
    ref = xs[int(np.argmin(widths))]
    lo, hi = (ref - half).min(), (ref + half).max()
    for i in range(4):
        if i % 2 == 0:   # left-aligned candidates: align minima
            xs[i] += lo - (xs[i] - half).min()
        else:            # right-aligned candidates: align maxima
            xs[i] += hi - (xs[i] + half).max()
    xs.sort(axis=0)
    return (xs[1] + xs[2]) / 2
