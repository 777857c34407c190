"""Moving paths, a polish of the crossing minimisation (see ``ordering``): the nodes of a path
(one per rank) move together to their best slots, the rest of the order held still.  The
paths are every edge with both its ends (its source, the virtual nodes of its bends, its
target) and every chain (a node with one outgoing segment, its successor, and so on: a sum
chain, a long edge with the ops around it).  Sifting moves one node and ``rerouting`` one long
edge with its ends fixed; an op and its result, or a neuron's chain of sums, often only gain
when they move together.  A path is a group of one node per rank: its best slots are found
as for any group, by ``block_moves``.  ``PathMoves`` is mixed into ``ordering.LayerOrder``;
not used with clusters."""

from __future__ import annotations

import numpy as np


class PathMoves:
    # Chains that join a longer chain end this many nodes past the node where they join it
    # (``trunk_chains``); None: every chain runs to its end.  ``mid_order`` sets it
    # (``SCOPED_CHAIN_TAIL`` with scopes, ``EXPR_CHAIN_TAIL`` without).
    chain_tail: int | None = None
    # Edges with fewer nodes (their ends and bends) are not moved; 2: all are.  ``mid_order``
    # leaves out those of one segment on drawings with scopes (``mid_order.SCOPED_MIN_EDGE_NODES``).
    min_edge_nodes: int = 2

    def move_paths(self) -> float:
        """Move every path (edge with its ends, chain) that has a crossing where that lowers
        the cost; returns the cost removed."""
        return self._move_groups(self.path_groups(), "path")

    def path_groups(self) -> list:
        """Every edge with its ends (of ``min_edge_nodes`` nodes or more), then every chain
        (node arrays; with ``chain_tail``, cut by ``trunk_chains``); made once."""
        if not hasattr(self, "_path_moves"):
            lg = self.lg
            chains = _chains(lg)
            if self.chain_tail is not None:
                chains = trunk_chains(lg.n_nodes, chains, self.chain_tail)
            edges = np.flatnonzero(np.diff(lg.path_ptr) >= self.min_edge_nodes).tolist()
            self._path_moves = [lg.path(e) for e in edges] + chains
        return self._path_moves


def _chains(lg) -> list:
    """Maximal chains of three nodes or more: from a node with one outgoing segment that no
    such node leads to, follow single outgoing segments (the last node may have any)."""
    n = lg.n_nodes
    outdeg = np.bincount(lg.seg_src, minlength=n)
    successor = np.full(n, -1, dtype=np.int64)
    successor[lg.seg_src] = lg.seg_dst          # the successor where outdeg == 1
    single = outdeg == 1
    led_to = np.zeros(n, dtype=bool)
    led_to[successor[single]] = True
    chains = []
    for start in np.flatnonzero(single & ~led_to).tolist():
        chain = [start]
        while single[chain[-1]]:
            chain.append(int(successor[chain[-1]]))
        if len(chain) > 2:
            chains.append(np.array(chain, dtype=np.int64))
    return chains


def trunk_chains(n: int, chains: list, tail: int) -> list:
    """``chains`` (of a graph of ``n`` nodes) cut where they join a longer one: the chains
    that lead into one node share everything after it (a sum chain fed by single-use
    products, an L2 term's squares), and each of them moved that shared trunk again.  The
    longest chain through a node keeps it (longest first, ties in their order); any other
    ends ``tail`` nodes past the first node it shares, and is left out if that leaves fewer
    than three nodes.  In their order."""
    claimed = np.zeros(n, dtype=bool)
    out = list(chains)
    for i in sorted(range(len(chains)), key=lambda i: -len(chains[i])):
        chain = chains[i]
        shared = np.flatnonzero(claimed[chain])
        if len(shared):
            join = int(shared[0])
            claimed[chain[:join]] = True
            out[i] = chain[:join + 1 + tail]
        else:
            claimed[chain] = True
    return [c for c in out if len(c) > 2]
