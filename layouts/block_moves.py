"""Moving blocks, a polish of the crossing minimisation (see ``ordering``): a node with its
in-tree (every node all of whose outgoing segments lead into it: a neuron's tanh with its
sums, products and own weights, with the bends of their long edges) moves as one block, the
rest of the order held still.  In each rank the block's nodes go together, in their current
order, to one slot among the other nodes.  Path moves (``path_moves``) carry one node per
rank; a neuron has several per rank, and its products and sums only gain when they cross a
bundle together.

The best slots are a shortest path over the block's ranks (dynamic programming, as for path
moves): every node of the block in a rank is after the same number of other nodes there, so
the cost of a slot is the crossings of the block's segments to outside nodes (their far ends
fixed), and the cost of a step the crossings of the block's own segments between two ranks,
times their number.  What that leaves out (two of the block's outside segments in one gap
crossing each other, the penalty of two op -> result segments crossing) is checked by
recounting before a move is kept.  ``BlockMoves`` is mixed into ``ordering.LayerOrder``; not
used with clusters."""

from __future__ import annotations

import numpy as np

from .rerouting import _from_fixed, _gap_costs

MAX_BLOCK_SHARE = 0.5    # blocks up to this share of the drawing's nodes (the output's
                         # in-tree is the whole graph: moving it changes nothing)


class BlockMoves:
    def move_blocks(self) -> int:
        """Move every block (a node with its in-tree) that has a crossing where that lowers
        the cost, smallest blocks first; returns the cost removed."""
        if not hasattr(self, "_gap_segments"):
            from .rerouting import _by_gap
            self._gap_segments = _by_gap(self.seg_layer, self.n_layers)
        if not hasattr(self, "_blocks"):
            self._blocks = in_tree_blocks(self.lg)
            self._block_segments = [_touching(self.lg, b) for b in self._blocks]
        crossed = self.segment_crossings() > 0
        start = cost = self.cost()
        self.tick()
        layer = self.lg.layer
        for k, (block, (moving, internal)) in enumerate(zip(self._blocks, self._block_segments)):
            lo, hi = int(layer[block].min()) - 1, int(layer[block].max()) + 1
            if not crossed[moving].any() or self.stale(("block", k), lo, hi):
                continue
            after = self._move_block(cost, block, moving, internal)
            if after != cost:
                cost = after
                self.tick()
            self.tried(("block", k))
        return start - cost

    def _move_block(self, cost: int, block: np.ndarray, moving: np.ndarray, internal: np.ndarray) -> int:
        """Move one block to its best slots if that lowers ``cost`` (the order's cost);
        returns the cost after."""
        lg, pos = self.lg, self.pos
        layer = lg.layer
        l0 = int(layer[block].min())
        n = int(layer[block].max()) - l0 + 1
        in_block = np.zeros(lg.n_nodes, dtype=bool)
        in_block[block] = True
        # every node's index among the other nodes of its rank (the block left out)
        rel = pos.copy()
        lower = np.array([l for l in range(max(l0 - 1, 0), min(l0 + n + 1, self.n_layers))])
        for l in lower:
            members = self.members[l]
            mine = members[in_block[members]]
            if len(mine):
                before = np.sort(pos[mine])
                rel[members] = pos[members] - np.searchsorted(before, pos[members])
        gaps = range(max(l0 - 1, 0), min(l0 + n, self.n_layers))
        segs = np.concatenate([self._gap_segments[l] for l in gaps])
        segs = segs[~np.isin(segs, moving)]
        gap = self.seg_layer[segs] - l0                  # -1: the gap before the first rank
        a, b = rel[lg.seg_src[segs]], rel[lg.seg_dst[segs]]
        count = np.bincount(layer[block] - l0, minlength=n)
        size = self.layer_size[l0:l0 + n] - count + 1    # slots among the others
        width = int(size.max())
        node_cost = np.zeros((n, width))
        for s in moving[~internal].tolist():
            u, v = int(lg.seg_src[s]), int(lg.seg_dst[s])
            outgoing = in_block[u]
            k = int(layer[u]) - l0
            sel = gap == k
            if outgoing:
                node_cost[k] += _from_fixed(b[sel], a[sel], int(rel[v]), width)
            else:
                node_cost[k + 1] += _from_fixed(a[sel], b[sel], int(rel[u]), width)
        node_cost[np.arange(width)[None, :] >= size[:, None]] = np.inf
        weight = np.bincount(self.seg_layer[moving[internal]] - l0, minlength=n)[:n - 1]
        middle = (gap >= 0) & (gap < n - 1)
        step = _gap_costs(gap[middle], a[middle], b[middle], n - 1, width) * weight[:, None, None]
        best = node_cost[0]
        choice = []
        for i in range(n - 1):
            total = best[:, None] + step[i]
            arg = total.argmin(axis=0)
            choice.append(arg)
            best = total[arg, np.arange(width)] + node_cost[i + 1]
        route = [int(best.argmin())]
        for arg in reversed(choice):
            route.append(int(arg[route[-1]]))
        kept = pos.copy()
        for i, t in enumerate(reversed(route)):
            self._place_block(l0 + i, in_block, rel, t)
        if np.array_equal(kept, pos):
            return cost
        after = self.cost()
        if after >= cost:
            pos[:] = kept
            return cost
        return after

    def _place_block(self, l: int, in_block: np.ndarray, rel: np.ndarray, slot: int) -> None:
        """Put the block's nodes of rank ``l``, in their order, after ``slot`` other nodes."""
        members = self.members[l]
        mine = in_block[members]
        block = members[mine]
        block = block[np.argsort(self.pos[block])]
        others = members[~mine]
        r = rel[others]
        self.pos[others] = r + len(block) * (r >= slot)
        self.pos[block] = slot + np.arange(len(block))


def in_tree_blocks(lg) -> list:
    """Every real node's in-tree (itself and every node all of whose outgoing segments lead
    into the in-tree) with nodes in two ranks or more and not a single path, up to
    ``MAX_BLOCK_SHARE`` of the nodes; each once, smallest first."""
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
        if len(set(ranks)) == len(ranks):           # one node per rank: a path (path moves)
            continue
        key = frozenset(tree)
        if key not in seen:
            seen.add(key)
            blocks.append(np.array(sorted(tree), dtype=np.int64))
    blocks.sort(key=len)
    return blocks


def _touching(lg, block: np.ndarray):
    """(segments with an end in the block, which of them have both ends in it)."""
    in_block = np.zeros(lg.n_nodes, dtype=bool)
    in_block[block] = True
    src_in, dst_in = in_block[lg.seg_src], in_block[lg.seg_dst]
    moving = np.flatnonzero(src_in | dst_in)
    return moving, (src_in & dst_in)[moving]
