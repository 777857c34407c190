"""Moving pairs, a polish of the crossing minimisation (see ``ordering``): the two ends of one
segment (an op and its result, a value and the op it feeds) move together to their best
slots in their two ranks, the rest of the order held still.

Sifting moves one node; an op and its result only gain when they cross a bundle together
(moving either alone first bends the segment between them across it).  ``path_moves`` moves
such pairs too, as paths of two nodes, through ``block_moves``' general group machinery,
which costs ~0.4 ms a move; here the one case is costed directly: with u (rank l) at slot
i and w (rank l + 1) at slot j (i, j: how many other nodes of the rank come before it),

    cost(i, j) = A(i) + B(j) + X(i, j)

A: u's segments into rank l - 1 and its other segments into rank l + 1 against the other
segments of those gaps (a prefix and a suffix sum over the others' slots, as sifting
does); B the same for w; X the pair's own segment against the other segments of gap l (a
2-d prefix sum of those segments' ends), plus, for each of u's other segments up and w's
other segments down, whether the two cross.  Weighted as ``LayerOrder.cost`` weighs
crossings (``RIGID_PENALTY`` more for two op -> result segments), so the gain is exact
and nothing is recounted.  ``PairMoves`` is mixed into ``ordering.LayerOrder``; not used
with clusters.

Session 32, written for the MLP losses of 500-650 nodes with a narrow first layer that
``block_polish`` leaves 1-4 % above graphlay (``bench.layout_fresh --set narrow``): there
one unlimited pass after ``block_polish``, then a round of sifting and transposition, ends
below graphlay on all three (MLP(5,[2,4,1]) on 4 samples 427 -> 397, graphlay 417;
MLP(3,[2,5,1]) on 5 957 -> 894, 947; MLP(3,[2,6,1]) on 4 823 -> 770, 792), nearly all of it
from pairs in the second hidden layer's ranks, but takes 60-100 ms where dot takes 130-180
(the ``block_polish`` order is at 0.41-0.47 of dot's time already).  Five batches over
the segments that cross, the gaps with most crossings first, then a sifting round around
the ranks they moved: 405 / 942 / 784, on 12 development losses none higher (four batches:
949 on the second).  With a median sweep less before them (``order_stage.NARROW_SWEEPS``) that
costs +9-13 ms: 0.42-0.49 of dot's time, inside the bound by little (a batch is ~2 ms: ~60
numpy calls on small arrays, the tables' cells a fifth of it)."""

from __future__ import annotations

import numpy as np

from .sifting import RIGID_PENALTY


PAIR_WINDOW = 3   # slots tried: within this many of each end's own (None: the whole rank).  After
                  # ``block_polish`` on three MLP losses of 502-590 nodes, of the 160 ends that
                  # 80 gaining moves moved, 152 went 0-4 slots, 1 went 5, 7 went 8-10; 3 and 5
                  # ended with the same crossings on 12 losses (5: +5-10 % of the batches' time)


class PairMoves:
    def move_pairs(self, evaluations: int | None = None) -> float:
        """Move the ends of every segment that crosses another to their best slots where
        that lowers the cost, gap by gap (the gaps with crossings, most crossings
        first); returns the cost removed (exact).  A gap's segments are costed at once against
        the current order (``_pair_tables``); the first that gains moves, and the segments
        after it are costed again from the new order (as ``sifting``'s batches: most do not
        move).  ``evaluations``: at most that many such batches (None: no limit).  The ranks
        where nodes moved are added to ``pair_moved_ranks``."""
        if not hasattr(self, "pair_moved_ranks"):
            self.pair_moved_ranks = set()
        lg = self.lg
        src, dst = lg.seg_src, lg.seg_dst
        total = 0.0
        seg_crossings = self.segment_crossings()      # kept up to date around each move
        per_gap = np.bincount(self.seg_layer, weights=seg_crossings, minlength=self.n_layers)
        gaps = [l for l in np.argsort(-per_gap[:self.n_layers - 1], kind="stable").tolist() if per_gap[l] > 0]
        left = evaluations
        for l in gaps:
            segs = self.gap_segments[l]
            # the segments that cross another: a pair whose own segment crosses nothing seldom
            # gains (12 development losses: the same crossings as with every segment at a crossing
            # node but on 2, one lower, one higher; ~15 % less time)
            todo = segs[seg_crossings[segs] > 0]
            while len(todo):
                if left is not None:
                    if left <= 0:
                        return total
                    left -= 1
                gain, best = self._pair_tables(l, todo)
                movers = np.flatnonzero(gain > 1e-9)
                if len(movers) == 0:
                    break
                c = int(movers[0])
                i, j = divmod(int(best[c]), int(self.layer_size[l + 1]))
                s = int(todo[c])
                _reinsert(self.pos, self.members[l], int(src[s]), int(self.pos[src[s]]), i)
                _reinsert(self.pos, self.members[l + 1], int(dst[s]), int(self.pos[dst[s]]), j)
                total += float(gain[c])
                self.pair_moved_ranks.update((l, l + 1))
                todo = todo[c + 1:]
                for gap in range(max(l - 1, 0), min(l + 2, self.n_layers - 1)):
                    seg_crossings[self.gap_segments[gap]] = self.gap_crossings(gap)
        return total

    def _pair_tables(self, l: int, segs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(gain, best) for each of gap l's segments ``segs`` (u -> w): what moving u and w to
        their cheapest slots would remove from the cost, and those slots (i * k2 + j, i
        and j counted among the other nodes of u's and w's ranks; k2: w's rank's size).

        The change of the cost with u at slot i and w at j is dU(i) + dW(j) (each moved
        alone, from sifting's pair matrices of the two ranks) plus what only moving both
        changes: the pair's own segment against the gap's segments at neither end
        (-2 (N(i, j) - N(i, pw) - N(pu, j) + N(pu, pw)), N(i, j): the weight of those that
        start before slot i and end before slot j), and u's other segments up against w's
        other segments down (they cross where u is before the far end of the one and w
        before the far end of the other, or after both)."""
        lg, pos, rigid = self.lg, self.pos, self.rigid
        src, dst = lg.seg_src, lg.seg_dst
        k1, k2 = int(self.layer_size[l]), int(self.layer_size[l + 1])
        u, w = src[segs], dst[segs]
        pu, pw = pos[u], pos[w]
        m = len(segs)
        # the gap's segments by their ends' positions, all and rigid ones: N[I, J] the weight
        # of those from a position < I to one < J (I, J full positions 0 .. k)
        g = self.gap_segments[l]
        x, t, rg = pos[src[g]], pos[dst[g]], rigid[g]
        N_all = _prefix2(x, t, None, k1, k2)
        N_rig = _prefix2(x, t, rg, k1, k2)
        r_s = RIGID_PENALTY * rigid[segs]                        # (m,): s against rigid ones
        if PAIR_WINDOW is None:
            slot_i = np.broadcast_to(np.arange(k1), (m, k1))
            slot_j = np.broadcast_to(np.arange(k2), (m, k2))
        else:
            span = np.arange(-PAIR_WINDOW, PAIR_WINDOW + 1)
            slot_i = np.clip(pu[:, None] + span[None, :], 0, k1 - 1)
            slot_j = np.clip(pw[:, None] + span[None, :], 0, k2 - 1)
        I = slot_i + (slot_i > pu[:, None])                      # others' slot -> full slot
        J = slot_j + (slot_j > pw[:, None])
        d_u = _alone(self, l, pu, slot_i)      # each end moved alone
        d_w = _alone(self, l + 1, pw, slot_j)
        N = N_all[I[:, :, None], J[:, None, :]] + r_s[:, None, None] * N_rig[I[:, :, None], J[:, None, :]]
        # leave out the segments at u (row pu) or at w (column pw); s is in both
        u_row = (N_all[pu[:, None] + 1, J] - N_all[pu[:, None], J]
                 + r_s[:, None] * (N_rig[pu[:, None] + 1, J] - N_rig[pu[:, None], J]))     # (m, nj)
        w_col = (N_all[I, pw[:, None] + 1] - N_all[I, pw[:, None]]
                 + r_s[:, None] * (N_rig[I, pw[:, None] + 1] - N_rig[I, pw[:, None]]))     # (m, ni)
        past_u = I > pu[:, None]
        past_w = J > pw[:, None]
        # the interaction (N(i, j) - N(i, pw) - N(pu, j) + N(pu, pw)) of N less those: the
        # row's and column's parts are outer products, zero at pu (past_u) or pw (past_w)
        N0 = N_all[pu, pw] + r_s * N_rig[pu, pw]
        Ni = N_all[I, pw[:, None]] + r_s[:, None] * N_rig[I, pw[:, None]]        # N(i, pw)
        Nj = N_all[pu[:, None], J] + r_s[:, None] * N_rig[pu[:, None], J]        # N(pu, j)
        inter = N - Ni[:, :, None] - Nj[:, None, :] + N0[:, None, None]
        u_row0 = u_row - np.take_along_axis(u_row, np.argmax(slot_j == pw[:, None], axis=1)[:, None], axis=1)
        w_col0 = w_col - np.take_along_axis(w_col, np.argmax(slot_i == pu[:, None], axis=1)[:, None], axis=1)
        inter -= past_u[:, :, None] * u_row0[:, None, :]
        inter -= past_w[:, None, :] * w_col0[:, :, None]
        inter += (past_u[:, :, None] & past_w[:, None, :]) * (1.0 + r_s)[:, None, None]
        table = d_u[:, :, None] + d_w[:, None, :] - 2.0 * inter
        if PAIR_WINDOW is not None:       # slots clipped at a rank's ends: not twice
            dup_i = np.zeros_like(slot_i, dtype=bool)
            dup_i[:, 1:] = slot_i[:, 1:] == slot_i[:, :-1]
            dup_j = np.zeros_like(slot_j, dtype=bool)
            dup_j[:, 1:] = slot_j[:, 1:] == slot_j[:, :-1]
            table[dup_i[:, :, None] | dup_j[:, None, :]] = np.inf
        _add_cross_pairs(self, l, segs, pu, pw, slot_i, slot_j, table)
        flat = table.reshape(m, -1)
        best = flat.argmin(axis=1)
        ni = slot_j.shape[1]
        bi, bj = np.divmod(best, ni)
        return -flat[np.arange(m), best], slot_i[np.arange(m), bi] * k2 + slot_j[np.arange(m), bj]


def _alone(order, l: int, p: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """(len(p), slots): the change of the cost with the node at index p of rank l moved alone
    to each of its ``slots`` among the others: sum over the nodes x it passes of C[x, a] -
    C[a, x], C the crossings of a's and x's segments with a before x (``Sifting.side_pairs``)."""
    members = order.members[l]
    C = order.side_pairs(l, True) + order.side_pairs(l, False)          # members' local order
    ordered = np.argsort(order.pos[members])
    C = C[np.ix_(ordered, ordered)]                                     # rank order
    rows, back = np.unique(p, return_inverse=True)
    D = C[:, rows].T - C[rows, :]
    D[np.arange(len(rows)), rows] = 0.0
    cum = np.zeros((len(rows), len(ordered) + 1))
    np.cumsum(D, axis=1, out=cum[:, 1:])
    cum = cum[back]
    full = slots + (slots > p[:, None])
    return np.take_along_axis(cum, full, axis=1) - cum[np.arange(len(p)), p][:, None]


def _prefix2(x: np.ndarray, t: np.ndarray, weight, k1: int, k2: int) -> np.ndarray:
    """(k1 + 1, k2 + 1): N[I, J], the weight (1 each, or ``weight``) of the segments with
    x < I and t < J."""
    H = np.bincount(x * k2 + t, weights=weight, minlength=k1 * k2).reshape(k1, k2)
    N = np.zeros((k1 + 1, k2 + 1))
    np.cumsum(np.cumsum(H, axis=0), axis=1, out=N[1:, 1:])
    return N


def _add_cross_pairs(order, l, segs, pu, pw, slot_i, slot_j, table) -> None:
    """Add to ``table`` what moving both ends changes between u's other segments up (to y)
    and w's other segments down (from z): such a pair crosses where u is before z and w
    before y, or after both; its cost is c (1 - a - b + 2 a b) with a = [i <= z], b = [j <= y]
    (others' slots) and c its weight, of which only 2 c a b depends on both, so the part
    moving both changes is 2 c (a(i) - a(pu)) (b(j) - b(pw))."""
    seg_of, up, down = _cross_pairs(order, l)
    if len(up) == 0:
        return
    where = np.full(len(order.lg.seg_src), -1, dtype=np.int64)
    where[segs] = np.arange(len(segs))
    cand = where[seg_of]
    keep = cand >= 0
    if not keep.any():
        return
    cand, up, down = cand[keep], up[keep], down[keep]
    lg, pos, rigid = order.lg, order.pos, order.rigid
    y = pos[lg.seg_dst[up]]
    y = y - (y > pw[cand])
    z = pos[lg.seg_src[down]]
    z = z - (z > pu[cand])
    weight = 2.0 * (1.0 + RIGID_PENALTY * (rigid[up] & rigid[down]))
    a = (slot_i[cand] <= z[:, None]).astype(float) - (pu[cand] <= z)[:, None]
    b = (slot_j[cand] <= y[:, None]).astype(float) - (pw[cand] <= y)[:, None]
    # a sum of outer products per candidate: one batched product, each candidate's pairs
    # padded to the most any has (``cand`` does not decrease: the gap's segments in order)
    starts = np.flatnonzero(np.concatenate([[True], cand[1:] != cand[:-1]]))
    run = np.arange(len(cand)) - np.repeat(starts, np.diff(np.concatenate([starts, [len(cand)]])))
    depth = int(run.max()) + 1
    A = np.zeros((len(starts), depth, a.shape[1]))
    B = np.zeros((len(starts), depth, b.shape[1]))
    group = np.repeat(np.arange(len(starts)), np.diff(np.concatenate([starts, [len(cand)]])))
    A[group, run] = a * weight[:, None]
    B[group, run] = b
    table[cand[starts]] += np.matmul(A.transpose(0, 2, 1), B)


def _cross_pairs(order, l: int) -> tuple:
    """(s, up, down) for gap l, made once: for each of its segments s = u -> w, every pair
    of u's other segment up and w's other segment down."""
    cache = order.__dict__.setdefault("_cross_pairs", {})
    out = cache.get(l)
    if out is None:
        lg = order.lg
        g = order.gap_segments[l]
        gs, gd = lg.seg_src[g], lg.seg_dst[g]
        by_src, by_dst = np.argsort(gs, kind="stable"), np.argsort(gd, kind="stable")
        a0 = np.searchsorted(gs[by_src], gs)                 # each segment's source's run ...
        na = np.searchsorted(gs[by_src], gs, side="right") - a0
        b0 = np.searchsorted(gd[by_dst], gd)                 # ... and its target's
        nb = np.searchsorted(gd[by_dst], gd, side="right") - b0
        has = np.flatnonzero((na > 1) & (nb > 1))
        count = na[has] * nb[has]                             # every (up, down) pair, s's own too
        k = np.repeat(np.arange(len(has)), count)
        step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        seg = g[has][k]
        up = g[by_src[a0[has][k] + step // nb[has][k]]]
        down = g[by_dst[b0[has][k] + step % nb[has][k]]]
        keep = (up != seg) & (down != seg)
        out = cache[l] = (seg[keep], up[keep], down[keep])
    return out


def _reinsert(pos: np.ndarray, members: np.ndarray, v: int, old: int, new: int) -> None:
    """Move node v of a rank (``members``) from index ``old`` to slot ``new`` (how many of
    the others come before it), the others in their order."""
    if new == old:
        return
    p = pos[members]
    p = p - (p > old)
    pos[members] = np.where(members == v, new, p + (p >= new))
