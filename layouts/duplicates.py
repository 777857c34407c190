"""Leaves drawn more than once: a leaf (weight, input) whose consumers lie far apart along the
flow gets one drawing per group of nearby consumers, so no edge spans the drawing (e.g. a
weight used by the forward pass and, hundreds of ranks later, by the L2 term ``p*p``).

The copies are nodes ``(leaf, "copy", k)`` (k = 1, 2, ...; the first group keeps the leaf
itself) with the leaf's attributes; ``Layout.copies`` maps each copy to its leaf, so a view
can say "same node" on hover, and ``Layout.edges`` stays keyed by the graph's own edges.
"""

from __future__ import annotations

import networkx as nx

DUPLICATE_SPAN = 8   # consumers further apart than this many levels get separate drawings


def split_far_leaves(G: nx.DiGraph, span: int = DUPLICATE_SPAN):
    """(H, copy_of): ``G`` with far-used leaves split, and {copy: leaf}.  A consumer's level
    is minus its longest path to a sink (as late as possible: an op whose operands are all
    leaves, like ``p*p``, sits where its result is used, as the ranking puts it)."""
    level = {}
    for v in reversed(list(nx.topological_sort(G))):
        level[v] = min((level[w] - 1 for w in G.successors(v)), default=0)
    H = G.copy()
    copy_of = {}
    for leaf in [v for v in G if G.in_degree(v) == 0 and G.out_degree(v) > 1]:
        users = sorted(G.successors(leaf), key=lambda w: (level[w], str(w)))
        groups, start = [[users[0]]], level[users[0]]
        for w in users[1:]:
            if level[w] - start > span:
                groups.append([])
                start = level[w]
            groups[-1].append(w)
        for k, group in enumerate(groups[1:], start=1):
            copy = (leaf, "copy", k)
            H.add_node(copy, **G.nodes[leaf])
            copy_of[copy] = leaf
            for w in group:
                H.add_edge(copy, w, **G.edges[leaf, w])
                H.remove_edge(leaf, w)
    return H, copy_of
