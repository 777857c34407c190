"""The starting orders of the crossing minimisation (see ``ordering``): a node's index in a
depth-first search against the flow (operand 0's subtree first: a tree starts crossing-free),
along the flow, or breadth-first (dot's second initial order)."""

from __future__ import annotations

from collections import deque

import numpy as np

from .layering import LayeredGraph


def dfs_order(lg: LayeredGraph, seg_key: np.ndarray, roots) -> np.ndarray:
    """Preorder index of every node in a depth-first search backwards from ``roots``.

    Predecessors are visited by increasing ``seg_key`` (e.g. operand index), so operand 0's
    subtree comes before operand 1's: a tree gets a crossing-free order.
    """
    into_real = np.flatnonzero(lg.seg_dst < lg.n_real)     # the search reads no others
    order = into_real[np.lexsort((seg_key[into_real], lg.seg_dst[into_real]))]
    return _preorder(lg, lg.seg_dst[order], lg.seg_src[order], roots, forward=False)


def forward_dfs_order(lg: LayeredGraph, roots) -> np.ndarray:
    """Preorder index of every node in a depth-first search along the flow from ``roots``
    (successors in segment order).  Inputs that feed the same ops end up side by side."""
    from_real = np.flatnonzero(lg.seg_src < lg.n_real)     # the search reads no others
    order = from_real[np.argsort(lg.seg_src[from_real], kind="stable")]
    return _preorder(lg, lg.seg_src[order], lg.seg_dst[order], roots, forward=True)


def bfs_order(lg: LayeredGraph, seeds, forward: bool = True) -> np.ndarray:
    """Visit index of every node in a breadth-first search from ``seeds`` (then any node not
    reached), along the flow or, with ``forward=False``, against it: dot's second initial
    order (``build_ranks`` walking back from the sinks).  Neighbours in segment order."""
    here, there = (lg.seg_src, lg.seg_dst) if forward else (lg.seg_dst, lg.seg_src)
    order = np.argsort(here, kind="stable")
    nexts = there[order].tolist()
    ptr = np.searchsorted(here[order], np.arange(lg.n_nodes + 1)).tolist()
    index = [-1] * lg.n_nodes
    counter = 0
    for seed in list(seeds) + list(range(lg.n_nodes)):
        if index[seed] >= 0:
            continue
        index[seed] = counter
        counter += 1
        queue = deque([seed])
        while queue:
            v = queue.popleft()
            for w in nexts[ptr[v]:ptr[v + 1]]:
                if index[w] < 0:
                    index[w] = counter
                    counter += 1
                    queue.append(w)
    return np.asarray(index, dtype=np.int64)



def _preorder(lg: LayeredGraph, here_sorted: np.ndarray, there_sorted: np.ndarray, roots,
              forward: bool) -> np.ndarray:
    """Preorder index of every node, successors in the given order.  A long edge's virtual
    nodes each have one successor, so the search numbers them consecutively: it takes the
    rest of a chain in one step (list slices, not a loop per virtual node; a 4.8k-node
    random expression has 217k of them).  Only real nodes' segments are read (sorted: 6.5k
    of its 189k), a chain's end is looked up when the search enters it."""
    n, n_real = lg.n_nodes, lg.n_real
    ptr = np.searchsorted(here_sorted, np.arange(n_real + 1)).tolist()   # real nodes only
    nexts = there_sorted[:ptr[-1]].tolist()
    last, ends = _chains(lg, forward)
    chain_end = n_real + len(last)      # beyond: a cluster's placeholders (no segments)
    step = 1 if forward else -1
    index = [-1] * n
    counter = 0

    def visit(root):
        nonlocal counter
        stack = [root]
        while stack:
            v = stack.pop()
            if index[v] >= 0:
                continue
            if v < n_real or v >= chain_end:
                index[v] = counter
                counter += 1
                if v < n_real:
                    stack.extend(reversed(nexts[ptr[v]:ptr[v + 1]]))
                continue
            k = v - n_real      # the chain from v on: v .. last (ids step by +1 or -1)
            stop, end = int(last[k]), int(ends[k])
            lo, hi = (v, stop) if forward else (stop, v)
            if max(index[lo:hi + 1]) < 0:
                length = hi - lo + 1
                index[lo:hi + 1] = (range(counter, counter + length) if forward
                                    else range(counter + length - 1, counter - 1, -1))
                counter += length
                stack.append(end)
                continue
            while index[v] < 0:     # a root started this chain further on: up to there
                index[v] = counter
                counter += 1
                v += step

    for root in roots:
        if index[root] < 0:
            visit(root)
    if counter < n:                 # some not reached: in id order
        for root in np.flatnonzero(np.fromiter(index, dtype=np.int64, count=n) < 0).tolist():
            if index[root] < 0:
                visit(root)
    return np.fromiter(index, dtype=np.int64, count=n)


def _chains(lg: LayeredGraph, forward: bool):
    """Per virtual node (index v - n_real): the last virtual node of its long edge in the
    search's direction, and the real node after it (arrays: the search reads them only
    where it enters a chain)."""
    ptr = lg.path_ptr
    n_virtual = (ptr[1:] - ptr[:-1] - 2).clip(min=0)
    if forward:
        last = lg.path_nodes[ptr[1:] - 2]
        end = lg.path_nodes[ptr[1:] - 1]
    else:
        last = lg.path_nodes[ptr[:-1] + 1]
        end = lg.path_nodes[ptr[:-1]]
    return np.repeat(last, n_virtual), np.repeat(end, n_virtual)
