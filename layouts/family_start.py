"""A start order for tree-like drawings (``block_polish.tree_like``: forward passes, inspected
samples) that splits each family of parallel scopes around the nodes that feed it.

A family: the scopes (a node's ``scope`` attribute; an op's is its result's, a long edge's
bends inside a scope are in it) with one parent scope whose nodes begin in one rank, two or
more of them (an MLP layer's neurons: each a chain of products and sums, all fed by every
output of the layer before).  The DFS start (``order_stage``) keeps the neurons' chains
interleaved rank by rank (a neuron's sum, then the next's ...: its nodes grouped by role),
but the values feeding them (the previous layer's outputs, each feeding one product of
every neuron) sit beside the whole bundle, so each feeds across all of it, and the polish
ends with a neuron or two left as a band.  Here, per rank: the first half of the family's
scopes (in start order) as they were, then the nodes feeding the family, then the second
half mirrored (roles in reverse order, so a neuron's product meets the feeder on either
side), then everything else in start order.  This is graphlay's arrangement of these
drawings (observed on its orders: a neuron's chain runs through the middle of the next
layer's neurons, which are grouped by role).

Where it is used (``order_stage.order_nodes``): tree-like drawings from 500 real nodes, and
the quick order of tree-like drawings (``fast``), start from it instead of the DFS key.

Measured (development graphs of seeds 5000-5015, our drawn crossings; the same from three
input orders, checked): 17 forward passes and inspected samples of 520-997 nodes 7,195 ->
6,464 (graphlay 7,612; with ``block_polish.REROUTE_TREE``, which gains only from here),
none worse, above graphlay 6 -> 0 (MLP(5,[8,8,1]) forward 273 -> 241, graphlay 243;
MLP(3,[6,12,1]) 463 -> 398, graphlay 430; MLP(2,[12,12,1]) 975 -> 828, graphlay 939;
inspected MLP(2,[10,8,1]) 433 -> 369); 6 of 1,293-1,950 nodes (the big drawings' order)
15,572 -> 12,098 (MLP(4,[14,14,1]) 3,056 -> 1,367, graphlay 1,682).  The quick order
(``fast``), the same 17 and 11 of 183-457 nodes: 8,842 -> 7,469, one worse (MLP(5,[5,5,1])
60 -> 64).  CPU over dot's at 589-997 nodes (7 graphs, median of 5 orders, load ~5): 0.32-0.48
before, 0.32-0.46 after.

Tried and dropped: for the small drawings, polished (under 500 nodes, two starts each
polished, ``small_order``): in place of the DFS start (tree-like: MLP(4,[6,6,1]) forward 89
-> 95, MLP(2,[6,8,1]) 164 -> 170), in place of dot's BFS (11 tree-like the same but one,
30 -> 28; 25 MLP losses of 210-490 nodes, whose scopes are a neuron over all samples, 8,493
-> 8,407 but 4 worse, MLP(3,[3,3,1]) on 3 samples 177 -> 192 and MLP(1,[2,4,1]) on 4 318 ->
349, above graphlay's 342), as a third start (the same, +15 % CPU: a start is kept after one
polish round); from 500 nodes on the losses (the block polish's sweeps from it: 4 of 5
worse, MLP(1,[2,3,1]) on 8 samples 1,062 -> 1,226).  Other starts for the forward
passes (9 of 583-997 nodes, ``block_polish``'s order crossings: 3,777 from the DFS start,
3,417 from this one): a DFS back from the output entering a shared value at its median
consumer (the feeders land mid-bundle, but each neuron a band: 5,236; with the forward DFS
after it: 3,795, the DFS start's basin), the bundle split without the mirrored roles
(4,537), families found from the in-tree blocks' rank profiles instead of scopes (3,462: a
neuron's block can hold the output's partial sums, and misses its family).
"""

from __future__ import annotations

import numpy as np

from .layering import LayeredGraph
from .scope_groups import layered_scopes

MIN_FAMILY = 2      # scopes in a family (one scope: nothing to split)


def scope_families(G, g, lg: LayeredGraph) -> tuple[np.ndarray, np.ndarray] | None:
    """(family, scope) per layered node (-1: in none), or None where no family has
    ``MIN_FAMILY`` scopes.  ``g``: the ``LayoutInput`` of ``G``, whose edges ``lg`` layers.
    Scopes and families are numbered in sorted order: the same from every input order."""
    names, _sid, full, _inside = layered_scopes(G, g, lg)
    if len(names) < MIN_FAMILY:
        return None
    scoped = np.flatnonzero(full >= 0)
    lowest = np.full(len(names), np.iinfo(np.int64).max)
    np.minimum.at(lowest, full[scoped], lg.layer[scoped])
    families: dict = {}
    for s in np.flatnonzero(lowest < np.iinfo(np.int64).max).tolist():
        families.setdefault((names[s][:-1], int(lowest[s])), []).append(s)
    fid = np.full(len(names), -1, dtype=np.int64)
    k = 0
    for members in families.values():
        if len(members) >= MIN_FAMILY:
            fid[members] = k
            k += 1
    if k == 0:
        return None
    family = np.where(full >= 0, fid[np.maximum(full, 0)], -1)
    return family, np.where(family >= 0, full, -1)


def family_start(lg: LayeredGraph, start_key: np.ndarray, family: np.ndarray, scope: np.ndarray) -> np.ndarray:
    """The start key with each family split (see the module docstring): per rank, the first
    half of each family's scopes (by their first node in ``start_key``), the nodes feeding a
    family, the second half with its roles reversed, then the rest; otherwise in
    ``start_key`` order."""
    n = lg.n_nodes
    layer = lg.layer
    key = np.asarray(start_key, dtype=np.float64)
    member = np.flatnonzero(scope >= 0)
    n_scopes = int(scope.max()) + 1
    first = np.full(n_scopes, np.inf)
    np.minimum.at(first, scope[member], key[member])
    right = np.zeros(n_scopes, dtype=bool)
    for f in np.unique(family[member]).tolist():
        scopes = np.unique(scope[member[family[member] == f]])
        ordered = scopes[np.argsort(first[scopes], kind="stable")]
        right[ordered[len(ordered) // 2:]] = True
    on_right = np.zeros(n, dtype=bool)
    on_right[member] = right[scope[member]]
    feeds = np.zeros(n, dtype=bool)
    into = (family[lg.seg_src] < 0) & (family[lg.seg_dst] >= 0)
    feeds[lg.seg_src[into]] = True
    cls = np.where(scope >= 0, np.where(on_right, 2, 0), np.where(feeds, 1, 3))
    # role: a node's index among its scope's nodes of its rank (in start order)
    by = np.lexsort((key, scope, layer))
    run_start = np.ones(n, dtype=bool)
    run_start[1:] = (layer[by][1:] != layer[by][:-1]) | (scope[by][1:] != scope[by][:-1])
    starts = np.flatnonzero(run_start)
    role = np.empty(n, dtype=np.int64)
    role[by] = np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))
    # the right half: roles reversed, scopes in start order within a role
    secondary = key.copy()
    secondary[on_right] = first[scope[on_right]] - role[on_right] * (np.abs(key).max() * 2 + 2)
    out = np.empty(n, dtype=np.float64)
    out[np.lexsort((secondary, cls, layer))] = np.arange(n)
    return out
