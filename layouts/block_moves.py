"""Moving groups of nodes, a polish of the crossing minimisation (see ``ordering``): the nodes
of a group move together, each rank's part of it kept together in its current order, to the
slots that cost least, the rest of the order held still.  Groups are paths (one node per
rank: an edge with its ends, a chain; see ``path_moves``) and blocks: a node with its
in-tree (every node all of whose outgoing segments lead into it: a neuron's tanh with its
sums, products and own weights, with the bends of their long edges).  A neuron has several
nodes per rank, and its products and sums only gain when they cross a bundle together.

The best slots are a shortest path over the group's ranks (dynamic programming, in
``group_slots``): every node of the group in a rank is after the same number of other nodes
there, so the cost of a slot is the crossings of the group's segments to outside nodes
(their far ends fixed), and the cost of a step the crossings of the group's own segments
between two ranks, times their number; the latter read off one table per gap of the other
segments between the group's ranks (how many start before s and end before t), the former
counted from the segments (``_outside_costs``: no tables of the gaps to the ranks around
the group, a sixth of the cells on mid-size expressions and two of three tables of a path
over two ranks).  What that leaves out (two of the
group's outside segments in one gap crossing each other, the penalty of two op -> result
segments crossing) is checked by recounting the pairs the move can change before it is
kept.  ``BlockMoves`` is mixed into ``ordering.LayerOrder``;
not used with clusters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .group_slots import best_slots, gap_shapes, gap_tables, node_costs
from .sifting import RIGID_PENALTY

MAX_BLOCK_SHARE = 0.5    # blocks up to this share of the drawing's nodes (the output's
                         # in-tree is the whole graph: moving it changes nothing)
GROUP_WORK = 42000       # a group's work besides its tables' cells, in cells: moves took ~0.36 ms
                         # each besides ~8.4 ns a cell (fitted on the moves of an 860-node expression,
                         # 1,406 moves / 120M cells, and an inspected sample, 828 / 9.5M; the
                         # 509-node expression's 719 / 16M within 20 %). At 20,000 (~0.25 ms a move,
                         # measured at 860 nodes alone) the inspected MLP(2,[7,7,1]) + L2 of
                         # bench.layout_mid took 0.67x dot's time; now 0.40 s, 600 crossings (dot 713)
HUB_SEGMENTS = 64        # a group with a node of more segments than this is not moved: each try
                         # recounts every pair of the hub's segments with the others of its gaps
                         # (the recount and the slot costs grow as its segments times the rank's
                         # width, which the table cells do not count) and moving a hub with one of
                         # its edges seldom gains.  The app's quotient of a 2-sample MLP(4,[10,10,1])
                         # loss drawn collapsed (190 shared weights into 2 boxes of 175 segments
                         # each, 198 nodes) took 10 s of path moves for no crossing gained
OUTER_SHARE = 8          # the first and last gaps' tables are left out (the outside segments' costs
                         # counted from the segments, ``_outside_costs``) where they hold at least an
                         # eighth of a group's cells: two of three tables of a path over two ranks,
                         # ~450 of ~35,000 cells of an L2 chain of an inspected sample (there the
                         # counting took longer than the tables: MLP(2,[6,6,1]) + L2 +3 % of CPU)
MAX_BLOCK_RANKS = 24     # and spanning fewer ranks: on 5 graphs of 180-420 nodes, blocks of
                         # 32+ ranks were tried 181 times and never gained (a third of the work)


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
    shapes: tuple          # the gap tables' (rows, cols, first_row, C), see ``group_slots.gap_shapes``
    local: np.ndarray      # every segment of the gaps l0 - 1 .. l0 + n - 1 (all a move changes)
    cells: int = 0         # the tables' cells (work: see ``move_clock.WorkBudget``)
    pairs: tuple | None = None   # (moving, other, weight): every pair a move can uncross, made on first use
    inner: tuple | None = None   # where the first and last gaps' tables are not made (``OUTER_SHARE``):
                                 # the other segments of the gaps between the group's ranks, src[i0:i1]
    inner_shapes: tuple = ()     # and their tables' shapes (else ``shapes``)
    outside: tuple | None = None  # (outside segment, other segment of its gap) pairs, made on first use


class BlockMoves:
    def move_blocks(self) -> float:
        """Move every block (a node with its in-tree) that has a crossing where that lowers
        the cost, smallest blocks first; returns the cost removed."""
        return self._move_groups(self.block_groups(), "block")

    def move_groups(self) -> float:
        """Move the paths (``path_moves``) and the blocks in one pass; returns the cost
        removed.  With a work budget both kinds are ranked together (``_most_promising``):
        the budget goes to the most crossings per cell of either.  (Paths first, then
        blocks, each ranked on its own, left the blocks of mid-size drawings little of the
        budget: together, 13 development graphs of 509-942 nodes 31,964 -> 31,599 crossings.)"""
        return self._move_groups(self.path_groups() + self.block_groups(), "group")

    def block_groups(self) -> list:
        if not hasattr(self, "_blocks"):
            self._blocks = in_tree_blocks(self.lg)
        return self._blocks

    def move_scope_groups(self, groups: list) -> float:
        """Move each of ``groups`` (``scope_groups``: a neuron over the samples) that has a
        crossing where that lowers the cost; returns the cost removed."""
        return self._move_groups(groups, "scope")

    def move_outer_blocks(self, extra: list = (), extra_first: bool = False) -> float:
        """Move every block in no other block (``in_tree_blocks(outermost=True)``), and the
        ``extra`` groups (those of the first call: the list is made once), that has a crossing
        where that lowers the cost; returns the cost removed.  ``extra_first``: with a work
        budget the ``extra`` groups go before the blocks (each most promising first)."""
        if not hasattr(self, "_outer_blocks"):
            self._outer_blocks = in_tree_blocks(self.lg, outermost=True) + list(extra)
        ahead = len(self._outer_blocks) - len(extra) if extra_first else None
        return self._move_groups(self._outer_blocks, "outer", ahead)

    def _move_groups(self, groups: list, kind: str, ahead: int | None = None) -> float:
        """Move each group (node arrays; their static data made on first use) where that
        lowers the cost; returns the cost removed.  With a work budget (``work_left``, see
        ``move_clock``) the groups go most promising first and stop when it is spent; with
        ``ahead``, the groups from that index on before the others."""
        seg_crossings = self.segment_crossings()
        # each move's change of the cost is exact (``_move_group``): counted from 0, not from a
        # count of the order's cost (~0.5 ms at 1,000 layered nodes)
        start = cost = 0.0
        self.tick()
        cache = self.__dict__.setdefault("_groups", {})
        budgeted = self.work_left is not None
        # A group without a crossing at its nodes, or whose ranks did not change since it was
        # last tried, is skipped before its static data is made (most groups, most passes:
        # making it for every group cost ~50 ms at ~900 layered nodes where nothing crossed)
        lg = self.lg
        crossed = (np.bincount(lg.seg_src, weights=seg_crossings, minlength=lg.n_nodes)
                   + np.bincount(lg.seg_dst, weights=seg_crossings, minlength=lg.n_nodes)) > 0
        first, last = self._group_ranks(groups, kind)
        hub = self._hubs()
        ranked = self._most_promising(groups, kind, seg_crossings) if budgeted else range(len(groups))
        if budgeted and ahead is not None:
            ranked = [k for k in ranked if k >= ahead] + [k for k in ranked if k < ahead]
        for k in ranked:
            if budgeted and self.work_left <= 0:
                break
            if not crossed[groups[k]].any() or self.stale((kind, k), first[k] - 1, last[k] + 1):
                continue
            if hub[groups[k]].any():
                continue
            group = cache.get((kind, k))
            if group is None:
                group = cache[(kind, k)] = self._group_data(groups[k])
            if budgeted:
                self.work_left -= group.cells + GROUP_WORK
            after = self._move_group(cost, group)
            if after != cost:
                cost = after
                self.tick()
            self.tried((kind, k))
        return start - cost

    def _hubs(self) -> np.ndarray:
        """Per node, whether it has more than ``HUB_SEGMENTS`` segments (groups with one are
        not moved)."""
        hub = self.__dict__.get("_hub")
        if hub is None:
            lg = self.lg
            degree = np.bincount(lg.seg_src, minlength=lg.n_nodes) + np.bincount(lg.seg_dst, minlength=lg.n_nodes)
            hub = self._hub = degree > HUB_SEGMENTS
        return hub

    def _most_promising(self, groups: list, kind: str, seg_crossings: np.ndarray) -> list:
        """Indices of ``groups``, most crossings per unit of work first: the crossings of the
        segments at each group's nodes now (those of its own segments counted twice) over its
        work (``_estimated_cells`` + ``GROUP_WORK``).  What a move can gain is at most the
        crossings of its segments, and with a budget what counts is the gain per cell: on a
        512-node random expression, ordered by this the first half of one pass's work found
        84 % of its gain, ordered by cells alone 44 %."""
        lg = self.lg
        n = lg.n_nodes
        at_node = (np.bincount(lg.seg_src, weights=seg_crossings, minlength=n)
                   + np.bincount(lg.seg_dst, weights=seg_crossings, minlength=n))
        flat, starts = self._flat_groups(groups, kind)
        crossings = np.add.reduceat(at_node[flat], starts) if len(flat) else np.zeros(0)
        promise = crossings / (self._estimated_cells(groups, kind) + GROUP_WORK)
        return np.argsort(-promise, kind="stable").tolist()

    def _flat_groups(self, groups: list, kind: str) -> tuple:
        """(every group's nodes one after another, where each group starts); cached."""
        key = ("flat", kind)
        out = self._elements.get(key)
        if out is None:
            sizes = np.array([len(g) for g in groups], dtype=np.int64)
            flat = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
            out = self._elements[key] = (flat, np.concatenate([[0], np.cumsum(sizes)[:-1]]))
        return out

    def _group_ranks(self, groups: list, kind: str) -> tuple:
        """(first, last): each group's lowest and highest rank (lists); cached."""
        key = ("ranks", kind)
        out = self._elements.get(key)
        if out is None:
            flat, starts = self._flat_groups(groups, kind)
            layer = self.lg.layer[flat]
            if len(flat):
                out = (np.minimum.reduceat(layer, starts).tolist(), np.maximum.reduceat(layer, starts).tolist())
            else:
                out = ([], [])
            self._elements[key] = out
        return out

    def _estimated_cells(self, groups: list, kind: str) -> np.ndarray:
        """The cells of each group's gap tables, estimated from the rank sizes (the widest
        ranks' own nodes not left out); cached."""
        key = ("cells", kind)
        cells = self._elements.get(key)
        if cells is None:
            size = self.layer_size + 1
            before = np.concatenate([[0], np.cumsum(size[:-1] * size[1:])])   # cells of the gaps before gap l
            first, last = (np.asarray(r, dtype=np.int64) for r in self._group_ranks(groups, kind))
            cells = before[np.minimum(last, self.n_layers - 2) + 1] - before[np.maximum(first - 1, 0)]
            self._elements[key] = cells
        return cells

    def _group_data(self, nodes: np.ndarray) -> Group:
        lg, layer = self.lg, self.lg.layer
        nodes = nodes[np.argsort(layer[nodes], kind="stable")]
        l0 = int(layer[nodes[0]])
        n = int(layer[nodes[-1]]) - l0 + 1
        rank = layer[nodes] - l0
        count = np.bincount(rank, minlength=n)
        in_group = np.zeros(lg.n_nodes, dtype=bool)
        in_group[nodes] = True
        lo, hi = max(l0 - 1, 0), min(l0 + n, self.n_layers - 1)
        # ranks' members and gaps' segments are runs of one array each: slices, not the
        # concatenation of one array per rank (~40 % of this call for paths over 50-140 ranks)
        offset, by_layer = self.layer_offset, self.by_layer
        near = by_layer[offset[lo]:offset[hi] + self.layer_size[hi]]
        # group nodes in lower ranks, per rank l0 - 1 .. l0 + n (the near nodes' ranks)
        below = np.zeros(n + 3, dtype=np.int64)
        np.cumsum(count, out=below[2:n + 2])
        below[n + 2] = below[n + 1]
        near_below = below[layer[near] - (l0 - 1)]
        below = below[1:n + 2]
        members = by_layer[offset[l0]:offset[l0 + n - 1] + self.layer_size[l0 + n - 1]]
        local = self.gap_run(lo, min(l0 + n, self.n_layers))
        # every segment with an end in the group is in these gaps: looked up there, not among
        # all the drawing's segments (moving sorted as before: the same arrays)
        src_in, dst_in = in_group[lg.seg_src[local]], in_group[lg.seg_dst[local]]
        touched = src_in | dst_in
        segs = local[~touched]
        order = np.argsort(local[touched])
        moving = local[touched][order]
        src_in, dst_in = src_in[touched][order], dst_in[touched][order]
        out = moving[src_in & ~dst_in]
        inc = moving[dst_in & ~src_in]
        own = moving[src_in & dst_in]
        others = self._others_around(l0, n, count)
        shapes = gap_shapes(others)
        gap = self.seg_layer[segs] - l0 + 1            # sorted: each gap's segments a run
        inner = np.searchsorted(gap, [1, n]).tolist()
        rows, cols = shapes[:2]
        if (rows[0] * cols[0] + rows[-1] * cols[-1]) * OUTER_SHARE >= rows @ cols:
            others[0] = others[-1] = 0                 # the tables between the group's ranks alone
        else:
            inner = None
        return Group(nodes, rank, l0, n, count, below[:-1], moving, near,
                     layer[near] * (lg.n_nodes + 1), near_below, members, layer[members] - l0,
                     in_group[members], lg.seg_src[segs], lg.seg_dst[segs], gap,
                     layer[lg.seg_src[out]] - l0, lg.seg_dst[out], layer[lg.seg_dst[inc]] - l0, lg.seg_src[inc],
                     np.bincount(self.seg_layer[own] - l0, minlength=n)[:n - 1],
                     shapes, local, int((shapes[0] * shapes[1]).sum()),
                     inner=None if inner is None else tuple(inner),
                     inner_shapes=shapes if inner is None else gap_shapes(others))

    def _others_around(self, l0: int, n: int, count: np.ndarray) -> np.ndarray:
        """Other nodes of each rank l0 - 1 .. l0 + n (none where a rank does not exist)."""
        size = np.zeros(n + 2, dtype=np.int64)
        lo, hi = max(l0 - 1, 0), min(l0 + n, self.n_layers - 1)
        size[lo - (l0 - 1):hi - (l0 - 1) + 1] = self.layer_size[lo:hi + 1]
        size[1:n + 1] -= count
        return size

    def _move_group(self, cost: float, g: Group) -> float:
        """Move one group to its best slots (``group_slots``) if that lowers the order's cost;
        returns ``cost`` (a running total) less the exact gain."""
        pos = self.pos
        # every node's index among the other nodes of its rank (the group left out)
        stride = self.lg.n_nodes + 1
        group_key = np.sort(self.lg.layer[g.nodes] * stride + pos[g.nodes])
        rel = getattr(self, "_rel", None)
        if rel is None:
            rel = self._rel = np.zeros(self.lg.n_nodes, dtype=np.int64)
        rel[g.near] = pos[g.near] - (np.searchsorted(group_key, g.near_key + pos[g.near]) - g.near_below)
        a, b = rel[g.src], rel[g.dst]
        if g.inner is None:
            P = gap_tables(g.gap, a, b, g.shapes)
            node_cost = node_costs(P, g.shapes, g.out_rank, rel[g.out_far], g.in_rank, rel[g.in_far], g.n)
        else:
            node_cost = self._outside_costs(g, a, b, rel[g.out_far], rel[g.in_far])
            i0, i1 = g.inner
            P = gap_tables(g.gap[i0:i1], a[i0:i1], b[i0:i1], g.inner_shapes)
        mine = rel[g.nodes]
        first = mine[g.starts]
        together = bool((np.maximum.reduceat(mine, g.starts) == first).all())   # each rank's part together
        # together, the move is only tried where its slots cost less than the current ones (and
        # so differ from them): no way back through the stages otherwise (``only_if_cheaper``)
        slots, least, current = best_slots(P, g.inner_shapes, node_cost, g.weight, first, only_if_cheaper=together)
        if together and least >= current:
            return cost
        if g.pairs is None:
            g.pairs = self._changing_pairs(g)
        before = self._pairs_cost(g.pairs)
        kept = pos[g.members]
        r = rel[g.members]
        at = slots[g.members_rank]
        pos[g.members] = np.where(g.members_in, at + kept - r, r + g.count[g.members_rank] * (r >= at))
        after = self._pairs_cost(g.pairs)      # only these pairs changed: the exact change
        if after >= before - 1e-9:
            pos[g.members] = kept
            return cost
        return cost - (before - after)

    @staticmethod
    def _outside_costs(g: Group, a: np.ndarray, b: np.ndarray, out_far: np.ndarray, in_far: np.ndarray) -> np.ndarray:
        """cost[r, t]: what ``group_slots.node_costs`` reads off the gap tables (the crossings
        of the group's outside segments at its rank r with the other segments when its nodes
        there take slot t; past the rank's slots, the cost of its last slot), counted from
        the segments instead: the first and last gaps' tables (to the ranks around the
        group) are then not made.  An outgoing segment from slot t to the far node f crosses
        the other segments (a, b) of its gap with a < t, b > f and with a >= t, b < f: the
        latter's number at t = 0, plus the running sum over a of sign(b - f) (incoming:
        mirrored).  The same integers."""
        n = g.n
        width = int(g.shapes[0][1:].max())             # the group's widest rank's slots
        if g.outside is None:
            bounds = np.searchsorted(g.gap, np.arange(n + 2))
            gaps = np.concatenate([g.out_rank + 1, g.in_rank])
            start, stop = bounds[gaps], bounds[gaps + 1]
            length = stop - start
            which = np.repeat(np.arange(len(gaps)), length)
            other = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length - start, length)
            g.outside = (which, other, len(g.out_rank), np.concatenate([g.out_rank, g.in_rank]))
        which, other, n_out, ranks = g.outside
        far = np.concatenate([out_far, in_far])[which]
        outgoing = which < n_out
        slot = np.where(outgoing, a[other], b[other])      # on the group's side
        end = np.where(outgoing, b[other], a[other])       # on the far node's side
        sign = (end > far).astype(np.int64) - (end < far)
        k = len(ranks)
        run = np.cumsum(np.bincount(which * width + slot + 1, weights=sign, minlength=k * width).reshape(k, width),
                        axis=1)
        run += np.bincount(which, weights=end < far, minlength=k)[:, None]
        cost = np.bincount((ranks[:, None] * width + np.arange(width)).ravel(), weights=run.ravel(),
                           minlength=n * width)
        return cost.astype(np.int64).reshape(n, width)

    def _changing_pairs(self, g: Group) -> tuple:
        """(moving, other, weight): every pair of segments of one gap with at least one end
        in the group (each pair once), and what their crossing costs (1, or 1 +
        ``RIGID_PENALTY`` for two rigid segments).  Only these pairs can cross or uncross
        when the group moves, so the change of their cost is the change of the order's:
        the recount of a move, exact, in O(pairs) instead of a count of every crossing of
        the group's gaps (at 860 nodes a path over 150 ranks has ~20k such pairs against
        ~10k segments to sort; the recount took 1/3 of the path moves' time)."""
        moving = g.moving
        gap = self.seg_layer[g.local]
        start = np.searchsorted(gap, self.seg_layer[moving])
        stop = np.searchsorted(gap, self.seg_layer[moving], side="right")
        length = stop - start
        m = np.repeat(moving, length)
        at = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length - start, length)
        k = g.local[at]
        is_moving = np.zeros(len(self.seg_layer), dtype=bool)
        is_moving[moving] = True
        keep = ~is_moving[k] | (k > m)
        m, k = m[keep], k[keep]
        return m, k, 1.0 + RIGID_PENALTY * (self.rigid[m] & self.rigid[k])

    def _pairs_cost(self, pairs: tuple) -> float:
        m, k, weight = pairs
        lg, pos = self.lg, self.pos
        crossed = (pos[lg.seg_src[m]] - pos[lg.seg_src[k]]) * (pos[lg.seg_dst[m]] - pos[lg.seg_dst[k]]) < 0
        return float(weight[crossed].sum())


def in_tree_blocks(lg, outermost: bool = False) -> list:
    """Every real node's in-tree (itself and every node all of whose outgoing segments lead
    into the in-tree) with nodes in two ranks or more and not a single path, up to
    ``MAX_BLOCK_SHARE`` of the nodes and ``MAX_BLOCK_RANKS`` ranks; each once, smallest
    first (ties: by root).

    A node's in-tree is the set of nodes it post-dominates (every path from them to a sink
    passes through it), so all in-trees are the subtrees of one post-dominator tree: a
    node's parent is its only successor, or the nearest common ancestor of its successors
    (sinks hang from an exit).  One pass from the sinks' side builds it, one from the
    sources' side sums the subtrees' sizes and lowest ranks, and a preorder makes each
    subtree a run of one array.  Same blocks as growing each in-tree from its root (checked
    on 45 graphs), which took 30-50 ms at 550-1,000 layered nodes (up to 0.7 s where
    in-trees were large), now 1-2 ms.

    ``outermost``: only the blocks in no other block (a neuron's whole in-tree, not the
    in-trees of its partial sums; see ``block_polish``)."""
    n = lg.n_nodes
    if n == 0 or lg.n_real == 0:
        return []
    src, dst, layer = lg.seg_src, lg.seg_dst, lg.layer
    outdeg = np.bincount(src, minlength=n)
    by_src = np.argsort(src, kind="stable")
    succ = dst[by_src].tolist()
    first_succ = np.concatenate([[0], np.cumsum(outdeg)]).tolist()
    parent = [n] * (n + 1)                     # n: the exit
    depth = [0] * (n + 1)
    descending = np.argsort(-layer, kind="stable")     # successors (next rank) first
    for v in descending.tolist():
        s = succ[first_succ[v]:first_succ[v + 1]]
        if s:
            a = s[0]
            for b in s[1:]:                    # nearest common ancestor of the successors
                while a != b:
                    if depth[a] >= depth[b]:
                        a = parent[a]
                    else:
                        b = parent[b]
            parent[v] = a
        depth[v] = depth[parent[v]] + 1
    children = [[] for _ in range(n + 1)]
    for v in range(n):
        children[parent[v]].append(v)
    preorder, stack = [], [n]                  # each subtree a run of it
    while stack:
        v = stack.pop()
        preorder.append(v)
        stack.extend(children[v])
    size = [1] * (n + 1)
    low = layer.tolist() + [0]                 # each subtree's lowest rank
    for v in reversed(preorder[1:]):           # children before their parents
        p = parent[v]
        size[p] += size[v]
        if low[v] < low[p]:
            low[p] = low[v]
    real = np.arange(lg.n_real)
    count = np.array(size[:lg.n_real], dtype=np.int64)
    span = layer[real] - np.array(low[:lg.n_real], dtype=np.int64)     # ranks below the root
    # two ranks or more and not one node per rank (a path: path moves), within the limits
    keep = (count >= 3) & (count <= MAX_BLOCK_SHARE * n) & (span < MAX_BLOCK_RANKS) & (count > span + 1)
    if outermost:                              # no ancestor is a block's root
        kept = np.concatenate([keep, np.zeros(n + 1 - lg.n_real, dtype=bool)]).tolist()
        inside = [False] * (n + 1)
        for v in preorder[1:]:                 # parents first
            p = parent[v]
            inside[v] = inside[p] or kept[p]
        keep &= ~np.array(inside[:lg.n_real], dtype=bool)
    roots = real[keep]
    if len(roots) == 0:
        return []
    at = np.empty(n + 1, dtype=np.int64)
    at[preorder] = np.arange(n + 1)
    preorder = np.array(preorder, dtype=np.int64)
    blocks = [np.sort(preorder[at[r]:at[r] + size[r]]) for r in roots.tolist()]
    return [blocks[i] for i in np.argsort(count[keep], kind="stable").tolist()]
