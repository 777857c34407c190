"""Moving paths, a polish of the crossing minimisation (see ``ordering``): the nodes of a path
(one per rank) move together to their best slots, the rest of the order held still.  The
paths are every edge with both its ends (its source, the virtual nodes of its bends, its
target) and every chain (a node with one outgoing segment, its successor, and so on: a sum
chain, a long edge with the ops around it).  Sifting moves one node and ``rerouting`` one long
edge with its ends fixed; an op and its result, or a neuron's chain of sums, often only gain
when they move together.

The best slots are a shortest path over the path's ranks (dynamic programming): the cost of a
slot is the crossings of the node's other segments (their far ends fixed) and the cost of a
step the crossings of the path's own segment.  What that leaves out (two of the moving
nodes' other segments crossing each other; the penalty of two op -> result segments
crossing) is checked by recounting before a move is kept.  ``PathMoves`` is mixed into
``ordering.LayerOrder``; not used with clusters."""

from __future__ import annotations

import numpy as np

from .rerouting import _from_fixed, _gap_costs


class PathMoves:
    def move_paths(self) -> int:
        """Move every path (edge with its ends, chain) that has a crossing where that lowers
        the cost; returns the cost removed."""
        lg = self.lg
        if not hasattr(self, "_path_moves"):
            paths = [lg.path(e) for e in range(len(lg.path_ptr) - 1)] + _chains(lg)
            self._path_moves = [self._path_move_data(p) for p in paths]
        crossed = self.segment_crossings() > 0
        start = cost = self.cost()
        self.tick()
        for k, data in enumerate(self._path_moves):
            nodes, l0 = data[0], data[1]
            if not crossed[data[3]].any() or self.stale(("path", k), l0 - 1, l0 + len(nodes)):
                continue
            after = self._move_path(cost, *data)
            if after != cost:
                cost = after
                self.tick()
            self.tried(("path", k))
        return start - cost

    def _path_move_data(self, nodes: np.ndarray):
        """Static data of one edge's move: (nodes, first rank, extras, the segments it moves,
        others): ``extras`` (node index, segment, outgoing) are its nodes' other segments;
        ``others`` (segments, gap) every other segment in the gaps it touches, the gap
        counted from the one before its first rank (-1)."""
        lg = self.lg
        if not hasattr(self, "_segments_at"):
            self._segments_at = _incident_segments(lg)
            if not hasattr(self, "_gap_segments"):
                from .rerouting import _by_gap
                self._gap_segments = _by_gap(self.seg_layer, self.n_layers)
        l0 = int(lg.layer[nodes[0]])
        own = set()
        for u, v in zip(nodes[:-1].tolist(), nodes[1:].tolist()):
            own.update(s for s in self._segments_at[u] if lg.seg_dst[s] == v)
        extras = [(i, s, bool(lg.seg_src[s] == v)) for i, v in enumerate(nodes.tolist())
                  for s in self._segments_at[v] if s not in own]
        moving = np.array(sorted(own | {s for _, s, _ in extras}), dtype=np.int64)
        gaps = range(max(l0 - 1, 0), min(l0 + len(nodes), self.n_layers))
        segs = np.concatenate([self._gap_segments[l] for l in gaps])
        gap = np.concatenate([np.full(len(self._gap_segments[l]), l - l0) for l in gaps])
        keep = ~np.isin(segs, moving)
        return nodes, l0, extras, moving, segs[keep], gap[keep]

    def _move_path(self, cost, nodes, l0, extras, moving, segs, gap) -> int:
        """Move one edge (``_path_move_data``) if that lowers ``cost``, the order's cost;
        returns the cost after."""
        lg, pos = self.lg, self.pos
        n = len(nodes)
        slot = pos[nodes]
        a, b = pos[lg.seg_src[segs]], pos[lg.seg_dst[segs]]
        # positions among the others: the moving node left out of each of its ranks
        in_a, in_b = (gap >= 0) & (gap < n), gap + 1 < n
        a[in_a] -= a[in_a] > slot[gap[in_a]]
        b[in_b] -= b[in_b] > slot[gap[in_b] + 1]
        size = self.layer_size[l0:l0 + n]
        width = int(size.max())
        node_cost = np.zeros((n, width))
        for i, s, outgoing in extras:
            far = lg.seg_dst[s] if outgoing else lg.seg_src[s]
            k = i if outgoing else i - 1                 # the extra segment's gap
            f = int(pos[far])
            if 0 <= k + (1 if outgoing else 0) < n:
                f -= f > slot[k + (1 if outgoing else 0)]
            sel = gap == k
            node_cost[i] += (_from_fixed(b[sel], a[sel], f, width) if outgoing
                             else _from_fixed(a[sel], b[sel], f, width))
        node_cost[np.arange(width)[None, :] >= size[:, None]] = np.inf
        middle = (gap >= 0) & (gap < n - 1)
        step = _gap_costs(gap[middle], a[middle], b[middle], n - 1, width)
        current = node_cost[np.arange(n), slot].sum() + step[np.arange(n - 1), slot[:-1], slot[1:]].sum()
        best = node_cost[0]
        choice = []
        for i in range(n - 1):
            total = best[:, None] + step[i]
            arg = total.argmin(axis=0)
            choice.append(arg)
            best = total[arg, np.arange(width)] + node_cost[i + 1]
        end = int(best.argmin())
        if best[end] >= current:
            return cost
        route = [end]
        for arg in reversed(choice):
            route.append(int(arg[route[-1]]))
        kept = pos.copy()
        for v, layer, new in zip(nodes, range(l0, l0 + n), reversed(route)):
            self._move(v, layer, new)
        after = self.cost()
        if after >= cost:
            pos[:] = kept
            return cost
        return after


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


def _incident_segments(lg) -> list:
    out = [[] for _ in range(lg.n_nodes)]
    for s, (u, v) in enumerate(zip(lg.seg_src.tolist(), lg.seg_dst.tolist())):
        out[u].append(s)
        out[v].append(s)
    return out
