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
    order = np.lexsort((seg_key, lg.seg_dst))
    return _preorder(lg.n_nodes, lg.seg_dst[order], lg.seg_src[order], roots)


def forward_dfs_order(lg: LayeredGraph, roots) -> np.ndarray:
    """Preorder index of every node in a depth-first search along the flow from ``roots``
    (successors in segment order).  Inputs that feed the same ops end up side by side."""
    order = np.argsort(lg.seg_src, kind="stable")
    return _preorder(lg.n_nodes, lg.seg_src[order], lg.seg_dst[order], roots)


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



def _preorder(n: int, here_sorted: np.ndarray, there_sorted: np.ndarray, roots) -> np.ndarray:
    nexts = there_sorted.tolist()
    ptr = np.searchsorted(here_sorted, np.arange(n + 1)).tolist()
    index = [-1] * n
    counter = 0
    for root in list(roots) + list(range(n)):
        if index[root] >= 0:
            continue
        stack = [root]
        while stack:
            v = stack.pop()
            if index[v] >= 0:
                continue
            index[v] = counter
            counter += 1
            stack.extend(reversed(nexts[ptr[v]:ptr[v + 1]]))
    return np.asarray(index, dtype=np.int64)

