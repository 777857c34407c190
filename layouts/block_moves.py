"""Moving groups of nodes, a polish of the crossing minimisation (see ``ordering``): the nodes
of a group move together, each rank's part of it kept together in its current order, to the
slots that cost least, the rest of the order held still.  Groups are paths (one node per
rank: an edge with its ends, a chain; see ``path_moves``) and blocks: a node with its
in-tree (every node all of whose outgoing segments lead into it: a neuron's tanh with its
sums, products and own weights, with the bends of their long edges).  A neuron has several
nodes per rank, and its products and sums only gain when they cross a bundle together.

The best slots are a shortest path over the group's ranks (dynamic programming): every node
of the group in a rank is after the same number of other nodes there, so the cost of a slot
is the crossings of the group's segments to outside nodes (their far ends fixed), and the
cost of a step the crossings of the group's own segments between two ranks, times their
number; both read off one table per gap of the other segments (how many start before s and
end before t).  What that leaves out (two of the group's outside segments in one gap
crossing each other, the penalty of two op -> result segments crossing) is checked by
recounting before a move is kept.  ``BlockMoves`` is mixed into ``ordering.LayerOrder``;
not used with clusters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .crossings import count_bilayer_crossings
from .sifting import RIGID_PENALTY

MAX_BLOCK_SHARE = 0.5    # blocks up to this share of the drawing's nodes (the output's
                         # in-tree is the whole graph: moving it changes nothing)
MAX_BLOCK_RANKS = 24     # and spanning fewer ranks: on 5 graphs of 180-420 nodes, blocks of
                         # 32+ ranks were tried 181 times and never gained (a third of the work)
LOCAL_PAIRS_MAX = 160    # a local recount of more segments sorts (O(k log k)), of fewer pairs them


@dataclass
class Group:
    """Static data of one group's move (see ``BlockMoves._group_data``)."""
    nodes: np.ndarray      # sorted by rank
    rank: np.ndarray       # each node's rank, counted from the group's first (l0)
    l0: int
    n: int                 # ranks spanned
    count: np.ndarray      # nodes per rank
    starts: np.ndarray     # where each rank's nodes start in ``nodes``
    moving: np.ndarray     # segments with an end in the group
    near: np.ndarray       # every node of the ranks l0 - 1 .. l0 + n
    near_key: np.ndarray   # their rank * stride
    near_below: np.ndarray  # group nodes in lower ranks than each of them
    members: np.ndarray    # nodes of the group's ranks, and their rank index / membership
    members_rank: np.ndarray
    members_in: np.ndarray
    src: np.ndarray        # the other segments of the gaps l0 - 1 .. l0 + n - 1
    dst: np.ndarray
    gap: np.ndarray        # 0: the gap before rank l0
    out_rank: np.ndarray   # outgoing outside segments: the group's rank, the far node
    out_far: np.ndarray
    in_rank: np.ndarray    # incoming outside segments
    in_far: np.ndarray
    weight: np.ndarray     # the group's own segments per gap between its ranks
    width: int             # more than any rank's size around the group
    local: np.ndarray      # every segment of the gaps l0 - 1 .. l0 + n - 1 (all a move changes)


class BlockMoves:
    def move_blocks(self) -> float:
        """Move every block (a node with its in-tree) that has a crossing where that lowers
        the cost, smallest blocks first; returns the cost removed."""
        if not hasattr(self, "_blocks"):
            self._blocks = in_tree_blocks(self.lg)
        return self._move_groups(self._blocks, "block")

    def _move_groups(self, groups: list, kind: str) -> float:
        """Move each group (node arrays; their static data made on first use) where that
        lowers the cost; returns the cost removed."""
        if not hasattr(self, "_gap_segments"):
            from .rerouting import _by_gap
            self._gap_segments = _by_gap(self.seg_layer, self.n_layers)
        crossed = self.segment_crossings() > 0
        start = cost = self.cost()
        self.tick()
        cache = self.__dict__.setdefault("_groups", {})
        for k, nodes in enumerate(groups):
            group = cache.get((kind, k))
            if group is None:
                group = cache[(kind, k)] = self._group_data(nodes)
            if not crossed[group.moving].any() or self.stale((kind, k), group.l0 - 1, group.l0 + group.n):
                continue
            after = self._move_group(cost, group)
            if after != cost:
                cost = after
                self.tick()
            self.tried((kind, k))
        return start - cost

    def _group_data(self, nodes: np.ndarray) -> Group:
        lg, layer = self.lg, self.lg.layer
        nodes = nodes[np.argsort(layer[nodes], kind="stable")]
        l0 = int(layer[nodes[0]])
        n = int(layer[nodes[-1]]) - l0 + 1
        rank = layer[nodes] - l0
        count = np.bincount(rank, minlength=n)
        in_group = np.zeros(lg.n_nodes, dtype=bool)
        in_group[nodes] = True
        src_in, dst_in = in_group[lg.seg_src], in_group[lg.seg_dst]
        moving = np.flatnonzero(src_in | dst_in)
        lo, hi = max(l0 - 1, 0), min(l0 + n, self.n_layers - 1)
        near = np.concatenate([self.members[l] for l in range(lo, hi + 1)])
        below = np.concatenate([[0], np.cumsum(count)])
        near_below = below[np.clip(layer[near] - l0, 0, n)]
        members = np.concatenate([self.members[l] for l in range(l0, l0 + n)])
        local = np.concatenate([self._gap_segments[l] for l in range(lo, min(l0 + n, self.n_layers))])
        segs = local[~(src_in[local] | dst_in[local])]
        out = moving[src_in[moving] & ~dst_in[moving]]
        inc = moving[dst_in[moving] & ~src_in[moving]]
        own = moving[src_in[moving] & dst_in[moving]]
        return Group(nodes, rank, l0, n, count, below[:-1], moving, near,
                     layer[near] * (lg.n_nodes + 1), near_below, members, layer[members] - l0,
                     in_group[members], lg.seg_src[segs], lg.seg_dst[segs], self.seg_layer[segs] - l0 + 1,
                     layer[lg.seg_src[out]] - l0, lg.seg_dst[out], layer[lg.seg_dst[inc]] - l0, lg.seg_src[inc],
                     np.bincount(self.seg_layer[own] - l0, minlength=n)[:n - 1],
                     int(self.layer_size[lo:hi + 1].max()) + 1, local)

    def _move_group(self, cost: float, g: Group) -> float:
        """Move one group to its best slots if that lowers ``cost`` (the order's cost);
        returns the cost after."""
        pos = self.pos
        # every node's index among the other nodes of its rank (the group left out)
        stride = self.lg.n_nodes + 1
        group_key = np.sort(self.lg.layer[g.nodes] * stride + pos[g.nodes])
        rel = getattr(self, "_rel", None)
        if rel is None:
            rel = self._rel = np.zeros(self.lg.n_nodes, dtype=np.int64)
        rel[g.near] = pos[g.near] - (np.searchsorted(group_key, g.near_key + pos[g.near]) - g.near_below)
        W, n = g.width, g.n
        H = np.bincount(((g.gap * (W + 1) + rel[g.src] + 1) * (W + 1) + rel[g.dst] + 1),
                        minlength=(n + 1) * (W + 1) ** 2).reshape(n + 1, W + 1, W + 1)
        P = H.cumsum(axis=1, dtype=np.int32).cumsum(axis=2)   # P[gap, s, t] = #(start < s and end < t)
        t = np.arange(W)
        node_cost = np.zeros((n, W))
        if len(g.out_rank):
            k, f = g.out_rank[:, None] + 1, rel[g.out_far][:, None]
            np.add.at(node_cost, g.out_rank, P[k, t, W] - P[k, t, f + 1] + P[k, W, f] - P[k, t, f])
        if len(g.in_rank):
            k, f = g.in_rank[:, None], rel[g.in_far][:, None]
            np.add.at(node_cost, g.in_rank, P[k, W, t] - P[k, f + 1, t] + P[k, f, W] - P[k, f, t])
        size = self.layer_size[g.l0:g.l0 + n] - g.count + 1       # slots among the others
        node_cost[t[None, :] >= size[:, None]] = np.inf
        Q = P[1:n]
        step = Q[:, :W, W:] + Q[:, W:, :W] - 2 * Q[:, :W, :W]
        if g.weight.max(initial=1) > 1:
            step = step * g.weight[:, None, None]
        best = node_cost[0]
        choice = []
        for i in range(n - 1):
            total = best[:, None] + step[i]
            arg = total.argmin(axis=0)
            choice.append(arg)
            best = total[arg, t] + node_cost[i + 1]
        route = [int(best.argmin())]
        for arg in reversed(choice):
            route.append(int(arg[route[-1]]))
        slots = np.array(route[::-1])
        mine = rel[g.nodes]
        first = mine[g.starts]
        if (np.maximum.reduceat(mine, g.starts) == first).all():   # each rank's part together
            if np.array_equal(first, slots):
                return cost
            current = node_cost[np.arange(n), first].sum() + step[np.arange(n - 1), first[:-1], first[1:]].sum()
            if best[route[0]] >= current - 1e-9:
                return cost
        before = self.local_cost(g.local)
        kept = pos[g.members]
        r = rel[g.members]
        at = slots[g.members_rank]
        pos[g.members] = np.where(g.members_in, at + kept - r, r + g.count[g.members_rank] * (r >= at))
        after = self.local_cost(g.local)      # only these gaps changed: the exact new cost
        if after >= before - 1e-9:
            pos[g.members] = kept
            return cost
        return cost - (before - after)


    def local_cost(self, segs: np.ndarray) -> float:
        """``cost`` restricted to the segments ``segs``, which must be every segment of the
        gaps they lie in (a move's recount: the other gaps' crossings do not change)."""
        lg = self.lg
        layer, a, b = self.seg_layer[segs], self.pos[lg.seg_src[segs]], self.pos[lg.seg_dst[segs]]
        if len(segs) > LOCAL_PAIRS_MAX:
            r = self.rigid[segs]
            return (count_bilayer_crossings(layer, a, b)
                    + RIGID_PENALTY * count_bilayer_crossings(layer[r], a[r], b[r]))
        crossed = ((a[:, None] - a[None, :]) * (b[:, None] - b[None, :]) < 0) & (layer[:, None] == layer[None, :])
        r = self.rigid[segs]
        return (int(crossed.sum()) + RIGID_PENALTY * int(crossed[r][:, r].sum())) / 2


def in_tree_blocks(lg) -> list:
    """Every real node's in-tree (itself and every node all of whose outgoing segments lead
    into the in-tree) with nodes in two ranks or more and not a single path, up to
    ``MAX_BLOCK_SHARE`` of the nodes and ``MAX_BLOCK_RANKS`` ranks; each once, smallest
    first."""
    n = lg.n_nodes
    succ = [[] for _ in range(n)]
    pred = [[] for _ in range(n)]
    for u, v in zip(lg.seg_src.tolist(), lg.seg_dst.tolist()):
        succ[u].append(v)
        pred[v].append(u)
    limit = MAX_BLOCK_SHARE * n
    layer = lg.layer.tolist()
    seen, blocks = set(), []
    for root in range(lg.n_real):
        tree = {root}
        frontier = [root]
        while frontier and len(tree) <= limit:
            nxt = []
            for v in frontier:
                for u in pred[v]:
                    if u not in tree and all(w in tree for w in succ[u]):
                        tree.add(u)
                        nxt.append(u)
            frontier = nxt
        if len(tree) > limit or len(tree) < 3:
            continue
        ranks = [layer[v] for v in tree]
        if max(ranks) - min(ranks) >= MAX_BLOCK_RANKS:
            continue
        if len(set(ranks)) == len(ranks):           # one node per rank: a path (path moves)
            continue
        key = frozenset(tree)
        if key not in seen:
            seen.add(key)
            blocks.append(np.array(sorted(tree), dtype=np.int64))
    blocks.sort(key=len)
    return blocks
