"""Sifting, the polish of small drawings after the median sweeps (see ``ordering``): each
node moves to its best slot in its layer given the neighbouring layers, small layers are
ordered exactly, and sibling clusters move as wholes.  ``Sifting`` is mixed into
``ordering.LayerOrder`` (it uses that class's arrays: ``members``, ``pos``, ``up``/``down``,
``rigid_up``/``rigid_down``, ``tree``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .clusters import refresh_keys, sift_allowed
from .crossings import crossed_gaps

if TYPE_CHECKING:
    from .ordering import LayerOrder

EXACT_LAYER_MAX = 7     # layers this small are ordered exactly when sifting
RIGID_PENALTY = 0.25    # one rigid-rigid crossing (op -> result) costs this much more than a
                        # crossing: at equal crossings fewer ops leave their result's line, but
                        # no crossing is kept to save one.  At 3 (the old value: no op ever left
                        # its line) ten small graphs had 783 crossings, at 0.25 690 (MLP(3,[4,4,1])
                        # 26 -> 22) with 81 of 860 ops off their result's line


class Sifting:
    def sift(self, rounds: int = 4, only: set | None = None) -> float:
        """Layer-by-layer sifting: move each node to its best slot in its layer, given the
        neighbouring layers (exact per move, via the layer's pairwise crossing matrix).
        O(k^2 * m) per layer of k nodes next to layers of m nodes: for small graphs.
        Returns the cost removed (exact).  ``only``: sift these layers alone."""
        total = 0.0
        # A layer whose sifting left it as it was, with it and its two neighbours unchanged
        # since, would be left as it is again: skipped (``move_clock``; without clusters,
        # whose keys depend on other ranks).  Lossless: the same orders, less work.
        clocked = self.tree is None and callable(getattr(self, "tick", None))
        # A layer with no crossing in the gaps on either side is left as it is (only nodes
        # with a crossing move; a small layer's exact order costs 0 already): skipped, and
        # the gaps' flags (``layers_near_crossings``) redone around each layer that changed.
        # Lossless; 40-70 % of the layers of MLP drawings of 500-1,000 nodes.
        crossed = self._crossed_gaps()
        for r in range(rounds):
            gained = 0
            layers = range(self.n_layers) if r % 2 == 0 else range(self.n_layers - 1, -1, -1)
            for l in layers:
                if not (crossed[l - 1] or crossed[l]):      # crossed[-1]: no gap before layer 0
                    continue
                if only is not None and l not in only:
                    continue
                members = self.members[l]
                before = self.pos[members].copy()
                if not clocked:
                    gained += self._sift_layer(l)
                else:
                    self.tick()
                    if self.stale(("sift", l), l - 1, l + 1):
                        continue
                    gained += self._sift_layer(l)
                if np.array_equal(before, self.pos[members]):
                    if clocked:
                        self.tried(("sift", l))
                else:
                    crossed[l - 1] = l > 0 and self._gap_crossed(l - 1)
                    crossed[l] = self._gap_crossed(l)
            total += gained
            if gained == 0:
                break
        return total

    def _crossed_gaps(self) -> list:
        """Per gap (between layers l and l + 1), whether two of its segments cross, and a
        last False (read as the gap before layer 0)."""
        lg, pos = self.lg, self.pos
        return crossed_gaps(lg.layer[lg.seg_src], pos[lg.seg_src], pos[lg.seg_dst], self.n_layers).tolist() + [False]

    def _gap_crossed(self, l: int) -> bool:
        """Whether two segments of the gap between layers l and l + 1 cross."""
        if l >= self.n_layers - 1:
            return False
        nbr, loc = self.up[l]
        if len(nbr) < 2:
            return False
        a, b = self.pos[self.members[l][loc]], self.pos[nbr]
        b = b[np.lexsort((b, a))]
        return bool((b[1:] < b[:-1]).any())

    def _pair_crossings(self, l: int, ordered: np.ndarray) -> np.ndarray:
        """C[i, j]: crossings between the edges of ordered[i] and ordered[j] when i is
        placed before j (both sides of layer l)."""
        local = self.local[ordered]
        return (self.side_pairs(l, True) + self.side_pairs(l, False))[np.ix_(local, local)]

    def side_pairs(self, l: int, down: bool) -> np.ndarray:
        """(k, k) over layer l's members in their fixed (``members``) order: the crossings of
        a's and b's segments to layer l - 1 (``down``) or l + 1 with a before b, plus
        ``RIGID_PENALTY`` where both are rigid; kept while that layer's order stays (pair
        moves ask for the same layers again)."""
        other = l - 1 if down else l + 1
        k = len(self.members[l])
        if other < 0 or other >= self.n_layers:
            return np.zeros((k, k))
        cache = self.__dict__.setdefault("_side_pairs", {})
        key = self.pos[self.members[other]].tobytes()
        hit = cache.get((l, down))
        if hit is not None and hit[0] == key:
            return hit[1]
        nbr, loc = (self.down if down else self.up)[l]
        total = np.zeros((k, k))
        if len(nbr):
            H = np.zeros((k, int(self.layer_size[other])))
            np.add.at(H, (loc, self.pos[nbr]), 1.0)
            deg = H.sum(axis=1)
            total += np.outer(deg, deg) - np.cumsum(H, axis=1) @ H.T
        t = (self.rigid_up if down else self.rigid_down)[self.members[l]]
        has = t >= 0
        if has.sum() > 1:
            pt = np.where(has, self.pos[np.maximum(t, 0)], -1)
            total += RIGID_PENALTY * (has[:, None] & has[None, :] & (pt[:, None] > pt[None, :]))
        cache[(l, down)] = (key, total)
        return total

    def _sift_layer(self, l: int) -> int:
        members = self.members[l]
        k = len(members)
        if k < 2:
            return 0
        ordered = members[np.argsort(self.pos[members])]
        C = self._pair_crossings(l, ordered)
        if k <= EXACT_LAYER_MAX and self.tree is None:
            return self._exact_layer(ordered, C)
        order = np.arange(k)  # indices into ordered / C
        # Only nodes with a crossing can gain by moving (nodes without any are skipped: most
        # of a compute graph's layers are crossing-free).
        now = np.triu(C, 1)       # crossings of the current order, pair by pair
        involved = (now.sum(axis=0) + now.sum(axis=1)) > 0
        if self.tree is None:
            return self._sift_free(ordered, C, np.flatnonzero(involved).tolist())
        gained = 0
        for v in np.flatnonzero(involved).tolist():
            i = int(np.flatnonzero(order == v)[0])
            rest = np.delete(order, i)
            before = np.cumsum(C[rest, v])          # cost if nodes of rest come before v
            after = np.cumsum(C[v, rest[::-1]])      # ... or after it
            cost = np.zeros(k)
            cost[1:] += before
            cost[:-1] += after[::-1]
            allowed = sift_allowed(self.tree, int(ordered[v]), ordered[rest])
            allowed[i] = True
            cost = np.where(allowed, cost, np.inf)
            j = int(np.argmin(cost))
            if cost[j] < cost[i] - 1e-9:
                gained += float(cost[i] - cost[j])
                order = np.insert(rest, j, v)
        self.pos[ordered[order]] = np.arange(k)
        return gained

    def _sift_free(self, ordered: np.ndarray, C: np.ndarray, involved: list) -> int:
        """Sifting of one layer without clusters: each node of ``involved`` (indices into
        ``ordered`` and C) in turn moves to the first of its cheapest slots.  With v's own
        entries zeroed, the cost of v just before order[t] is (what comes before it, t
        nodes) + (what comes after, from t on): one prefix and one suffix sum; slots t and
        t + 1 around v's own place are the same slot, so no node is taken out first.

        The next ``SIFT_BATCH`` nodes are costed at once against the current order: those
        before the first that moves would have been costed against that same order, so
        they stay; after a move the batch restarts behind the mover.  Same result as one
        node at a time; most nodes do not move."""
        k = len(ordered)
        order = np.arange(k)
        gained = 0
        todo = np.asarray(involved, dtype=np.int64)
        start = 0
        while start < len(todo):
            V = todo[start:start + SIFT_BATCH]
            where = np.empty(k, dtype=np.int64)
            where[order] = np.arange(k)
            i = where[V]
            r = np.arange(len(V))
            col = C[order][:, V].T            # col[a, t]: cost of order[t] before V[a]
            row = C[V][:, order]              # row[a, t]: ... after it
            col[r, i] = 0.0
            row[r, i] = 0.0
            cost = np.zeros((len(V), k + 1))
            np.cumsum(col, axis=1, out=cost[:, 1:])
            cost[:, :k] += np.cumsum(row[:, ::-1], axis=1)[:, ::-1]
            m = cost.argmin(axis=1)
            now = cost[r, i]
            movers = np.flatnonzero(cost[r, m] < now - 1e-9)
            if len(movers) == 0:
                start += len(V)
                continue
            a = int(movers[0])
            ia, ma = int(i[a]), int(m[a])
            gained += float(now[a] - cost[a, ma])
            j = ma if ma < ia else ma - 1      # the mover's new index
            lo, hi = min(ia, j), max(ia, j)
            order[lo:hi + 1] = np.roll(order[lo:hi + 1], 1 if j < ia else -1)
            start += a + 1
        self.pos[ordered[order]] = np.arange(k)
        return gained

    def _exact_layer(self, ordered: np.ndarray, C: np.ndarray) -> int:
        """Best order of one small layer given its neighbours (dynamic programming over
        subsets: the cost of placing v right after the set S is sum_{u in S} C[u, v]);
        ties keep the current order.  O(2^k k^2)."""
        k = len(ordered)
        current = float(np.triu(C, 1).sum())
        full = (1 << k) - 1
        best, choice = (_subset_dp_small if k <= 4 else _subset_dp)(C, k)
        if best[full] >= current - 1e-9:
            return 0
        order, S = [], full
        while S:
            v = int(choice[S]); order.append(v); S ^= 1 << v
        self.pos[ordered[order[::-1]]] = np.arange(k)
        return float(current - best[full])


SIFT_BATCH = 32   # nodes costed at once by ``_sift_free``


def _subset_dp_small(C: np.ndarray, k: int):
    """(best, choice) of the subset DP: best[T] the least cost of ordering the set T first,
    choice[T] its last node; subsets in increasing order, nodes in increasing order, the
    first candidate kept on ties."""
    full = (1 << k) - 1
    best = np.full(1 << k, np.inf)
    best[0] = 0.0
    choice = np.zeros(1 << k, dtype=np.int64)
    bits = [1 << v for v in range(k)]
    Cl = C.tolist()
    for S in range(full):
        base = best[S]
        members = [u for u in range(k) if S & bits[u]]
        for v in range(k):
            if S & bits[v]:
                continue
            cost = base + sum(Cl[u][v] for u in members)
            T = S | bits[v]
            if cost < best[T] - 1e-9:
                best[T], choice[T] = cost, v
    return best, choice


def _subset_dp(C: np.ndarray, k: int):
    """``_subset_dp_small`` for all subsets of one size at once.  Same choices: for a set T
    the loop above meets its candidates (T without v, v) by increasing T without v, that is
    by decreasing v, and keeps the first of the cheapest: the largest such v.  (Costs are
    sums of multiples of 1/4, exact in floating point, so the order of the sums does not
    matter.)"""
    n = 1 << k
    subsets = np.arange(n)
    member = ((subsets[:, None] >> np.arange(k)) & 1).astype(bool)
    W = member.astype(float) @ C          # W[S, v] = sum_{u in S} C[u, v]
    best = np.full(n, np.inf)
    best[0] = 0.0
    choice = np.zeros(n, dtype=np.int64)
    size = member.sum(axis=1)
    nodes = np.arange(k)
    for c in range(1, k + 1):
        T = subsets[size == c]
        S = T[:, None] ^ (1 << nodes)       # T without v (T with v, for v not in T: masked)
        cand = np.where(member[T], best[S] + W[S, nodes], np.inf)
        last = k - 1 - cand[:, ::-1].argmin(axis=1)
        best[T] = cand[np.arange(len(T)), last]
        choice[T] = last
    return best, choice


CLUSTER_SIFT_EVALUATIONS = 400  # cost evaluations allowed to reorder sibling clusters


def sift_clusters(order: "LayerOrder", budget: int = CLUSTER_SIFT_EVALUATIONS) -> int:
    """Move whole clusters among their siblings (in every rank at once: their relative order
    is global), each to the place that costs least; returns the cost of the final order."""
    tree = order.tree
    refresh_keys(tree, order.pos, order.layer_size, order.lg.layer)
    best = order.cost()
    for p in range(tree.n_clusters):
        children = [c for c in np.flatnonzero(tree.parent == p).tolist() if c != 0]
        if len(children) < 2:
            continue
        for c in sorted(children, key=lambda c: tree.key[c]):
            others = np.sort(tree.key[[o for o in children if o != c]])
            candidates = np.concatenate([[others[0] - 1e-3], (others[:-1] + others[1:]) / 2,
                                         [others[-1] + 1e-3]])
            if budget < len(candidates):
                return best
            budget -= len(candidates)
            keep_pos, keep_key = order.pos.copy(), tree.key[c]
            choice = None
            for k in candidates:
                tree.key[c] = k
                order.regroup_all()
                cost = order.cost()
                if cost < best:
                    best, choice = cost, (order.pos.copy(), k)
                order.pos[:] = keep_pos
            tree.key[c] = keep_key
            if choice is not None:
                order.pos[:], tree.key[c] = choice
    return best
