"""Split edges that span several ranks into chains of virtual nodes (one per crossed rank)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LayeredGraph:
    """A proper layered graph: every segment joins consecutive layers.

    Nodes 0..n_real-1 are the real nodes; n_real..n_nodes-1 are virtual.
    ``layer[v]`` is the rank of node v.  Segment s joins ``seg_src[s]`` (layer l) to
    ``seg_dst[s]`` (layer l+1) and belongs to original edge ``seg_edge[s]``.
    ``path_nodes[path_ptr[e]:path_ptr[e+1]]`` is the node sequence of original edge e
    (its source, its virtual nodes, its target).
    """

    n_real: int
    layer: np.ndarray
    seg_src: np.ndarray
    seg_dst: np.ndarray
    seg_edge: np.ndarray
    path_nodes: np.ndarray
    path_ptr: np.ndarray

    @property
    def n_nodes(self) -> int:
        return len(self.layer)

    @property
    def n_layers(self) -> int:
        return int(self.layer.max()) + 1 if len(self.layer) else 0

    def path(self, e: int) -> np.ndarray:
        return self.path_nodes[self.path_ptr[e]:self.path_ptr[e + 1]]

    def virtual_edge(self) -> np.ndarray:
        """Per virtual node (index v - n_real): the original edge it lies on (virtual nodes
        are numbered edge by edge, in path order)."""
        return np.repeat(np.arange(len(self.path_ptr) - 1), np.diff(self.path_ptr) - 2)


def make_layered(n: int, src: np.ndarray, dst: np.ndarray, rank: np.ndarray) -> LayeredGraph:
    """Insert virtual nodes so that every edge src -> dst (rank[dst] > rank[src]) becomes a
    chain of segments between consecutive layers.  Runs in O(n + total span)."""
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    rank = np.asarray(rank, dtype=np.int64)
    m = len(src)
    span = rank[dst] - rank[src]
    if m and span.min() < 1:
        raise ValueError("every edge must go to a higher rank")
    n_virtual_per_edge = span - 1
    virtual_start = n + np.concatenate([[0], np.cumsum(n_virtual_per_edge)[:-1]]) if m else np.zeros(0, np.int64)
    n_virtual = int(n_virtual_per_edge.sum()) if m else 0
    edge_of_virtual = np.repeat(np.arange(m), n_virtual_per_edge)
    step_of_virtual = np.arange(n_virtual) - (virtual_start[edge_of_virtual] - n)  # 0-based along the edge
    layer = np.concatenate([rank, rank[src][edge_of_virtual] + step_of_virtual + 1])

    path_len = span + 1
    path_ptr = np.concatenate([[0], np.cumsum(path_len)]).astype(np.int64)
    edge_of_slot = np.repeat(np.arange(m), path_len)
    step = np.arange(int(path_ptr[-1])) - path_ptr[edge_of_slot]
    path_nodes = np.where(step == 0, src[edge_of_slot],
                          np.where(step == span[edge_of_slot], dst[edge_of_slot],
                                   virtual_start[edge_of_slot] + step - 1))
    is_last = np.zeros(len(path_nodes), dtype=bool)
    is_last[path_ptr[1:] - 1] = True
    seg_src = path_nodes[~is_last]
    seg_dst = path_nodes[np.roll(~is_last, 1)] if len(path_nodes) else path_nodes
    seg_edge = edge_of_slot[~is_last]
    return LayeredGraph(n, layer.astype(np.int64), seg_src.astype(np.int64),
                        seg_dst.astype(np.int64), seg_edge.astype(np.int64),
                        path_nodes.astype(np.int64), path_ptr)
