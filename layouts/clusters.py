"""Nested clusters (scopes) for the layered layout: which cluster every layered-graph node is
in, and the order constraint that keeps each cluster's members consecutive in every rank.

A cluster is a scope path (a tuple, outermost first); every prefix of a path is a cluster too,
and ``()`` is the root.  Each node of the layered graph gets its *chain*: the ids of the
clusters it is in, outermost first, padded with -1.  Virtual nodes (bends of long edges) are
in the deepest cluster holding both ends of their edge, so an edge inside a cluster stays
inside its frame and an edge entering a cluster only enters it in its last gap.  A cluster
present in ranks r0 and r1 but absent in between gets a *placeholder* node (a point, no
edges) in each such rank, so that its frame is a rectangle nothing foreign can enter.

Order constraint: in every rank the nodes are sorted by, level by level, the key of their
cluster at that level (the same in every rank, so sibling clusters keep one relative order
everywhere and their frames cannot interleave), and, for a node with no cluster at that
level, the node's own normalised position.  Members of a cluster then share their keys down
to that cluster's level: they are consecutive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

CLUSTER_SPAN_WEIGHT = 1.0  # ranking: cost per rank of a cluster's span along the flow


def path_key(path: tuple):
    return tuple((tuple(int(p) if i % 2 else p for i, p in enumerate(re.split(r"(\d+)", str(part)))),
                  str(type(part))) for part in path)


@dataclass
class ClusterTree:
    """The cluster hierarchy over a layered graph's nodes.

    paths[c] is cluster c's scope path (c >= 1; paths[0] == () is the root), parent[c] its
    parent cluster, depth[c] == len(paths[c]).  chain[v, i] is the cluster at depth i + 1
    that node v is in (-1 past v's innermost), inner[v] its innermost cluster (0: none),
    node_depth[v] how many clusters hold v.  key[c] is the order key of cluster c (see the
    module docstring), refreshed from the current order by ``refresh_keys``.
    """

    paths: list
    parent: np.ndarray
    depth: np.ndarray
    chain: np.ndarray
    inner: np.ndarray
    node_depth: np.ndarray
    key: np.ndarray

    @property
    def n_clusters(self) -> int:
        return len(self.paths)

    @property
    def levels(self) -> int:
        return self.chain.shape[1]


def cluster_paths(nodes: list, clusters: dict) -> tuple[list, np.ndarray]:
    """(paths, node_cluster): every cluster path (all prefixes included, root first, then in
    canonical order) and the innermost cluster id of each real node."""
    if not clusters:
        return [()], np.zeros(len(nodes), dtype=np.int64)
    node_paths = []
    for v in nodes:
        path = clusters.get(v, ())
        if path is None:
            path = ()
        if isinstance(path, (str, bytes)) or not hasattr(path, "__iter__"):
            raise ValueError(f"clusters[{v!r}] must be a scope path (a tuple), got {path!r}")
        node_paths.append(tuple(path))
    every = {p[:k] for p in node_paths for k in range(1, len(p) + 1)}
    paths = [()] + sorted(every, key=path_key)
    index = {p: i for i, p in enumerate(paths)}
    return paths, np.array([index[p] for p in node_paths], dtype=np.int64)


def build_tree(paths: list, node_cluster: np.ndarray, layer: np.ndarray, seg_edge_src: np.ndarray,
               seg_edge_dst: np.ndarray, virtual_edge: np.ndarray):
    """Chains for real nodes, virtual nodes (the lowest common cluster of their edge's ends),
    and the placeholders to add: returns (tree, placeholder_layers, placeholder_clusters).

    ``virtual_edge[k]`` is the original edge (as indices into seg_edge_src/dst, i.e. its
    source and target real nodes) of virtual node n_real + k.
    """
    index = {p: i for i, p in enumerate(paths)}
    parent = np.array([0] + [index[p[:-1]] for p in paths[1:]], dtype=np.int64)
    depth = np.array([len(p) for p in paths], dtype=np.int64)
    levels = max(1, int(depth.max()))
    cluster_chain = np.full((len(paths), levels), -1, dtype=np.int64)
    for c, p in enumerate(paths):
        for i in range(len(p)):
            cluster_chain[c, i] = index[p[:i + 1]]
    real_chain = cluster_chain[node_cluster]
    a, b = real_chain[seg_edge_src[virtual_edge]], real_chain[seg_edge_dst[virtual_edge]]
    common = np.cumprod(a == b, axis=1).astype(bool)
    virtual_chain = np.where(common, a, -1)
    chain = np.vstack([real_chain, virtual_chain])
    # Ranks each cluster spans (its whole subtree), and the ranks inside that span it misses.
    n_layers = int(layer.max()) + 1 if len(layer) else 0
    present = np.zeros((len(paths), max(n_layers, 1)), dtype=bool)
    for i in range(levels):
        held = chain[:, i] >= 0
        present[chain[held, i], layer[held]] = True
    present[0, :] = True
    span_lo = np.argmax(present, axis=1)
    span_hi = present.shape[1] - 1 - np.argmax(present[:, ::-1], axis=1)
    within = (np.arange(present.shape[1])[None, :] >= span_lo[:, None]) & \
             (np.arange(present.shape[1])[None, :] <= span_hi[:, None])
    missing = within & ~present
    # Only the innermost missing cluster needs a placeholder (its ancestors then see it).
    for c in range(len(paths) - 1, 0, -1):
        missing[parent[c]] &= ~(missing[c] | present[c])
    ph_cluster, ph_layer = np.nonzero(missing)
    chain = np.vstack([chain, cluster_chain[ph_cluster]])
    node_depth = (chain >= 0).sum(axis=1)
    inner = np.where(node_depth > 0, chain[np.arange(len(chain)), np.maximum(node_depth - 1, 0)], 0)
    tree = ClusterTree(paths, parent, depth, chain, inner, node_depth, np.zeros(len(paths)))
    return tree, ph_layer.astype(np.int64), ph_cluster.astype(np.int64)


def refresh_keys(tree: ClusterTree, pos: np.ndarray, layer_size: np.ndarray, layer: np.ndarray) -> None:
    """Cluster key := mean normalised position (0..1 across its rank) of its members."""
    q = _normalised(pos, layer_size, layer)
    total = np.zeros(tree.n_clusters)
    count = np.zeros(tree.n_clusters)
    for i in range(tree.levels):
        held = tree.chain[:, i] >= 0
        total += np.bincount(tree.chain[held, i], weights=q[held], minlength=tree.n_clusters)
        count += np.bincount(tree.chain[held, i], minlength=tree.n_clusters)
    tree.key = np.where(count > 0, total / np.maximum(count, 1), 0.5)


def _normalised(pos, layer_size, layer):
    return (pos + 0.5) / layer_size[layer]


def _unit_keys(tree: ClusterTree, nodes: np.ndarray, q: np.ndarray) -> list:
    """``np.lexsort`` keys (least significant first) that order ``nodes`` of one rank, at
    normalised positions ``q``, by their units from the outermost cluster in: a cluster's key,
    a node outside any deeper cluster by its own position (``q`` differs within a rank: no
    ties)."""
    chain = tree.chain[nodes]
    depth = tree.node_depth[nodes]
    keys = [q]
    n_c = tree.n_clusters
    for i in range(tree.levels - 1, -1, -1):
        c = chain[:, i]
        own = depth == i          # the node is its own unit at this level
        unit_key = np.where(c >= 0, tree.key[np.maximum(c, 0)], np.where(own, q, 0.0))
        unit_id = np.where(c >= 0, c, np.where(own, n_c + nodes, 0))
        keys += [unit_id, unit_key]
    return keys


def contiguous_ranks(tree: ClusterTree, nodes: np.ndarray, pos: np.ndarray, size: int) -> np.ndarray:
    """New positions (0..k-1) of ``nodes`` (one rank, current positions ``pos[nodes]``) that
    keep their order as far as the cluster keys allow and make every cluster consecutive."""
    order = np.lexsort(_unit_keys(tree, nodes, (pos[nodes] + 0.5) / max(size, 1)))
    out = np.empty(len(nodes), dtype=np.int64)
    out[order] = np.arange(len(nodes))
    return out


def contiguous_layers(tree: ClusterTree, pos: np.ndarray, layer: np.ndarray, layer_size: np.ndarray,
                      layer_offset: np.ndarray) -> np.ndarray:
    """``contiguous_ranks`` of every rank at once (one sort, the rank its most significant key):
    the new position of every node.  ``sift_clusters`` regroups all ranks per cost it
    evaluates, up to 400 times: rank by rank that was 70-85 % of a clustered layout's time
    (a 4-sample MLP loss + L2, 2,111 nodes, 89 clusters: 5.8 of 7.8 s)."""
    nodes = np.arange(len(pos))
    q = (pos + 0.5) / np.maximum(layer_size[layer], 1)
    order = np.lexsort(_unit_keys(tree, nodes, q) + [layer])
    out = np.empty(len(pos), dtype=np.int64)
    out[order] = nodes - layer_offset[layer[order]]
    return out


def sift_allowed(tree: ClusterTree, v: int, rest: np.ndarray) -> np.ndarray:
    """Insertion slots j (0..len(rest)) where node v may go in its rank (``rest``: the rank's
    other nodes in order) without breaking a cluster: inside its innermost cluster's block,
    never inside a sub-cluster's block.  If v is its cluster's only node in the rank, moving
    it would move the cluster: only its own slot is left to the caller."""
    d = int(tree.node_depth[v])
    k = len(rest)
    if d > 0:
        c = tree.chain[v, d - 1]
        in_c = tree.chain[rest, d - 1] == c
        if not in_c.any():
            return np.zeros(k + 1, dtype=bool)
    else:
        in_c = np.ones(k, dtype=bool)
    unit = tree.chain[rest, d] if d < tree.levels else np.full(k, -1)
    unit = np.where(in_c, unit, -2)
    left_in = np.concatenate([[False], in_c])
    right_in = np.concatenate([in_c, [False]])
    left_unit = np.concatenate([[-3], unit])
    right_unit = np.concatenate([unit, [-4]])
    splits = (left_unit == right_unit) & (left_unit >= 0)
    return (left_in | right_in) & ~splits


def rank_groups(paths: list, node_cluster: np.ndarray):
    """(member, group, weight) for ``rank_nodes``: every real node in each of its clusters.
    A cluster's span costs ``CLUSTER_SPAN_WEIGHT`` per rank.  (Weighing it by the edges
    crossing its border lines an MLP layer's neurons up side by side, but measured on
    engine.scopes' MLP graphs that doubles the crossings: 66 -> 162 on MLP(3,[4,4,1]) with
    one sample, 1,906 -> 3,050 with four.)"""
    index = {p: i for i, p in enumerate(paths)}
    member, group = [], []
    for v, c in enumerate(node_cluster.tolist()):
        path = paths[c]
        for k in range(1, len(path) + 1):
            member.append(v); group.append(index[path[:k]] - 1)
    return (np.array(member, dtype=np.int64), np.array(group, dtype=np.int64),
            np.full(len(paths) - 1, CLUSTER_SPAN_WEIGHT))


def virtual_edges(lg, n: int) -> np.ndarray:
    """Original edge of every virtual node n, n+1, ..."""
    path_len = np.diff(lg.path_ptr)
    edge_of_slot = np.repeat(np.arange(len(path_len)), path_len)
    virtual = lg.path_nodes >= n
    out = np.empty(lg.n_nodes - n, dtype=np.int64)
    out[lg.path_nodes[virtual] - n] = edge_of_slot[virtual]
    return out
