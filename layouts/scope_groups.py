"""Scope groups, a polish move of small drawings (``small_order``) and of ``block_polish``'s: the
nodes of one scope that has several copies (a neuron of an MLP loss over several samples: each sample's products,
sums and tanh, with the neuron's shared weights and bias) moved together by ``block_moves``'
group move (each rank's part kept together, to the slots that cost least).

Why: on MLP losses of one or few inputs the polish ends in local optima that graphlay's order
avoids.  Started from graphlay's own order (its node heights) our polish ended at 254, 302,
316 and 496 crossings on development losses where it ends at 308, 334, 366 and 560 from our
starts: there a first-layer neuron's chain (its weights, every sample's product, sum and
tanh) runs through the middle of the next layer's neurons, whose products it feeds, and not
along their edge.  No single move of ours takes it there: a block (a node's in-tree,
``block_moves``) is one sample's copy of the neuron, and the shared weights, which feed every
copy, are in none of them.  A scope of one copy (a forward pass, an inspected sample) is a
block already and gets no group here.

Measured (development losses of seeds 5020 and 5100-5114, 14 graphs of 210-490 nodes; our
drawn crossings): 4,438 -> 4,238 with the scope groups moved in every polish round (none
worse; MLP(1,[2,5,1]) on 3 samples 308 -> 265, graphlay 272; MLP(1,[2,4,1]) on 6 samples 848
-> 776, graphlay 920), CPU +6 %; moved only after the polish, before the kicks: 4,389.  (One
of the 14, MLP(1,[4,4,1]) on 3 samples, was found afterwards to be ``bench.layout_small2``'s
held-out graph: a loss's drawing depends on its shape and samples, not on the seed; 436 with
and without.  It was left out of every later comparison.)
``bench.layout_small300`` (development; 5 shuffles for dot and graphlay, 2 orders for ours):
9,695 -> 9,399 crossings, above the better median of dot and graphlay on 7 -> 2 (MLP(1,[2,3,1])
on 5 samples 330, graphlay 319; MLP(1,[2,2,2,1]) on 5 samples 270, graphlay 268).  From 500
real nodes (``block_polish``) they are ranked with the outermost blocks under the same work
budget: 8 development losses of 530-834 nodes 11,849 -> 11,650 (MLP(1,[8,8,1]) on 2 samples
1,636 -> 1,583, graphlay 1,548), CPU over dot's as before (0.36-0.56 median at load ~8).
Held out (measured before and after only): ``bench.layout_small2`` 8,825 -> 8,820 (MLP(3,[3,5,1])
on 2 samples 190 -> 185; MLP(3,[2,3,1]) on 4 samples stays 221, graphlay 212);
``bench.layout_mid2 --only loss`` 4,020 -> 3,970 (all 4 equal or lower).

Tried and dropped (development losses above): the scope groups' parts up to or from each rank
with a shared input (a neuron's partial sums over the samples): 6,073 -> 6,071 on 19 graphs;
groups of a whole layer over the samples: no change, +10 % CPU; a fourth start with every
scope group together (each at its nodes' mean DFS key): 6,081, +22 % CPU (alone: 6,413); at
500+ nodes a pass of scope moves of their own after the blocks: 11,510, but +0.06-0.15 of
dot's time.  Left: the one-input losses of a 2-neuron first layer (MLP(1,[2,3,1]) on 3-5
samples) stay 3-4 % above graphlay; polished from graphlay's order they end ~6-9 % below it.
"""

from __future__ import annotations

import numpy as np

from .clusters import path_key
from .layering import LayeredGraph

MIN_COPIES = 2      # a scope's nodes whose every successor is outside it (a copy's output): a
                    # group only with this many (one copy is a block, ``block_moves``)


def layered_scopes(G, g, lg: LayeredGraph) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """``(names, sid, full, inside)``: the scopes (a node's ``scope`` attribute, as tuples, in
    natural order as ``clusters``' frames are: the same numbering from every input order); each
    real node's scope number (-1: none; an op's is its result's); the same per layered node,
    the bends of a long edge between two nodes of one scope in it; and, per edge of ``g``,
    whether both its ends are in one scope.  ``g``: the ``LayoutInput`` of ``G``, whose edges
    ``lg`` layers.  Made once per ``lg`` (``loss_start``'s keys and ``scope_groups`` each ask:
    ~1 ms a time at 500-600 nodes)."""
    cached = lg.__dict__.get("_layered_scopes")
    if cached is not None and cached[0] is G and cached[1] is g:
        return cached[2]
    out = _layered_scopes(G, g, lg)
    for a in out[1:]:
        a.setflags(write=False)     # shared by every caller
    lg.__dict__["_layered_scopes"] = (G, g, out)
    return out


def _layered_scopes(G, g, lg: LayeredGraph) -> tuple:
    scopes = [G.nodes[v].get("scope") for v in g.nodes]
    names = sorted({tuple(s) for s in scopes if s}, key=path_key)   # "neuron 2" before "neuron 10"
    number = {s: k for k, s in enumerate(names)}
    sid = np.array([number[tuple(s)] if s else -1 for s in scopes], dtype=np.int64)
    src, dst = g.src, g.dst
    is_op = np.array([G.nodes[v].get("kind") == "op" for v in g.nodes], dtype=bool)
    one_result = is_op[src] & (g.outdeg[src] == 1)
    sid[src[one_result]] = sid[dst[one_result]]          # an op: its result's scope
    inside = (sid[src] >= 0) & (sid[src] == sid[dst])
    full = np.full(lg.n_nodes, -1, dtype=np.int64)
    full[:g.n] = sid
    edge = lg.virtual_edge()
    full[g.n:] = np.where(inside[edge], sid[src[edge]], -1)
    return names, sid, full, inside


def scope_groups(G, g, lg: LayeredGraph) -> list[np.ndarray]:
    """The nodes of every scope (a node's ``scope`` attribute; an op's is its result's) with
    ``MIN_COPIES`` outputs or more (nodes none of whose successors is in the scope), where a
    source with a scope feeds two nodes or more (shared weights), with the
    bends of the long edges between two of its nodes; in two ranks or more.  ``g``: the
    ``LayoutInput`` of ``G``, whose edges ``lg`` layers.  Sorted by scope: the same groups
    from every input order."""
    # a source of a scope feeding several nodes (a loss's weight, shared by the samples), or no
    # group is looked for: forward passes and inspected samples return here (~1.5 ms saved at
    # 560-670 nodes)
    shared = (np.bincount(g.dst, minlength=g.n) == 0) & (g.outdeg >= MIN_COPIES)
    if not any(G.nodes[g.nodes[i]].get("scope") for i in np.flatnonzero(shared).tolist()):
        return []
    names, sid, full, inside = layered_scopes(G, g, lg)
    if not names:
        return []
    feeds_own = np.bincount(g.src[inside], minlength=g.n) > 0
    outputs = np.bincount(sid[(sid >= 0) & ~feeds_own], minlength=len(names))
    order = np.argsort(full, kind="stable")
    bounds = np.searchsorted(full[order], np.arange(len(names) + 1))
    groups = []
    for k in np.flatnonzero(outputs >= MIN_COPIES).tolist():
        group = order[bounds[k]:bounds[k + 1]]
        if len(np.unique(lg.layer[group])) >= 2:
            groups.append(group)
    return groups

