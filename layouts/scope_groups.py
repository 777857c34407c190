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


def scope_groups(G, nodes: list, lg: LayeredGraph) -> list[np.ndarray]:
    """The nodes of every scope (a node's ``scope`` attribute; an op's is its result's) with
    ``MIN_COPIES`` outputs or more, with the bends of the long edges between two of its nodes;
    in two ranks or more.  Sorted by scope: the same groups from every input order."""
    scope_of = {}
    for i, v in enumerate(nodes):
        attrs = G.nodes[v]
        if attrs.get("kind") == "op":
            results = list(G.successors(v))
            scope = G.nodes[results[0]].get("scope") if len(results) == 1 else None
        else:
            scope = attrs.get("scope")
        if scope:
            scope_of[i] = tuple(scope)
    if not scope_of:
        return []
    members: dict = {}
    for i, scope in scope_of.items():
        members.setdefault(scope, []).append(i)
    index = {v: i for i, v in enumerate(nodes)}
    outputs = dict.fromkeys(members, 0)
    for i, scope in scope_of.items():
        if all(scope_of.get(index[w]) != scope for w in G.successors(nodes[i])):
            outputs[scope] += 1
    for e in range(len(lg.path_ptr) - 1):
        path = lg.path(e)
        if len(path) > 2:
            scope = scope_of.get(int(path[0]))
            if scope is not None and scope == scope_of.get(int(path[-1])):
                members[scope].extend(path[1:-1].tolist())
    groups = []
    for scope in sorted(members, key=lambda s: tuple(map(str, s))):
        group = np.array(sorted(members[scope]), dtype=np.int64)
        if outputs[scope] >= MIN_COPIES and len(np.unique(lg.layer[group])) >= 2:
            groups.append(group)
    return groups
