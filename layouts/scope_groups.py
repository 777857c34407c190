"""Scope groups, a polish move of small drawings (``small_order``): the nodes of one scope that
has several copies (a neuron of an MLP loss over several samples: each sample's products,
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
-> 776, graphlay 920), CPU +6 %; moved only after the polish, before the kicks: 4,389.
"""

from __future__ import annotations

import numpy as np

from .layering import LayeredGraph

MIN_COPIES = 2      # a scope's nodes whose every successor is outside it (a copy's output): a
                    # group only with this many (one copy is a block, ``block_moves``)


def scope_groups(G, g, lg: LayeredGraph) -> list[np.ndarray]:
    """The nodes of every scope (a node's ``scope`` attribute; an op's is its result's) with
    ``MIN_COPIES`` outputs or more (nodes none of whose successors is in the scope), with the
    bends of the long edges between two of its nodes; in two ranks or more.  ``g``: the
    ``LayoutInput`` of ``G``, whose edges ``lg`` layers.  Sorted by scope: the same groups
    from every input order."""
    scopes = [G.nodes[v].get("scope") for v in g.nodes]
    names = sorted({tuple(s) for s in scopes if s}, key=lambda s: tuple(map(str, s)))
    if not names:
        return []
    number = {s: k for k, s in enumerate(names)}
    sid = np.array([number[tuple(s)] if s else -1 for s in scopes], dtype=np.int64)
    src, dst = g.src, g.dst
    is_op = np.array([G.nodes[v].get("kind") == "op" for v in g.nodes], dtype=bool)
    one_result = is_op[src] & (g.outdeg[src] == 1)
    sid[src[one_result]] = sid[dst[one_result]]          # an op: its result's scope
    inside = (sid[src] >= 0) & (sid[src] == sid[dst])
    feeds_own = np.bincount(src[inside], minlength=g.n) > 0
    outputs = np.bincount(sid[(sid >= 0) & ~feeds_own], minlength=len(names))
    full = np.full(lg.n_nodes, -1, dtype=np.int64)
    full[:g.n] = sid
    ptr = lg.path_ptr
    bends = ptr[1:] - ptr[:-1] - 2
    long_inside = np.flatnonzero(inside & (bends > 0))
    if len(long_inside):
        at = np.concatenate([np.arange(ptr[e] + 1, ptr[e + 1] - 1) for e in long_inside.tolist()])
        full[lg.path_nodes[at]] = np.repeat(sid[src[long_inside]], bends[long_inside])
    order = np.argsort(full, kind="stable")
    bounds = np.searchsorted(full[order], np.arange(len(names) + 1))
    groups = []
    for k in np.flatnonzero(outputs >= MIN_COPIES).tolist():
        group = order[bounds[k]:bounds[k + 1]]
        if len(np.unique(lg.layer[group])) >= 2:
            groups.append(group)
    return groups

