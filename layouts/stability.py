"""Stable relayout: the initial order of a new drawing taken from an earlier one, so that
what did not change stays where it was (e.g. when a cluster is expanded)."""

from __future__ import annotations

import numpy as np


def seed_from_previous(previous, nodes: list, paths: list, node_cluster: np.ndarray,
               start_key: np.ndarray, direction: str) -> np.ndarray:
    """Initial order key from an earlier layout: each node's old place across the flow (top
    to bottom / left to right); a new node takes its deepest scope's old place; nodes with
    neither (and bends) take the place of the node before them in the DFS order."""
    across = (lambda xy: -xy[1]) if direction == "LR" else (lambda xy: xy[0])
    anchors = {path: across(((x0 + x1) / 2, (y0 + y1) / 2))
               for path, (x0, y0, x1, y1) in previous.clusters.items()}
    anchors.update({path: across(previous.positions[v]) for path, v in previous.collapsed.items()
                    if v in previous.positions})
    known = np.full(len(start_key), np.nan)
    for i, v in enumerate(nodes):
        if v in previous.positions:
            known[i] = across(previous.positions[v])
            continue
        path = paths[node_cluster[i]]
        for k in range(len(path), 0, -1):
            if path[:k] in anchors:
                known[i] = anchors[path[:k]]
                break
    by_dfs = np.argsort(start_key, kind="stable")
    filled = known[by_dfs]
    last = np.where(np.isnan(filled), 0, np.arange(len(filled)))
    np.maximum.accumulate(last, out=last)
    filled = filled[last]
    filled[np.isnan(filled)] = -np.inf
    key = np.empty(len(start_key))
    key[by_dfs] = np.argsort(np.lexsort((np.arange(len(filled)), filled)))
    return key
