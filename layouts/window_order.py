"""Exact reordering of windows of three consecutive ranks, a last polish of small drawings
(see ``small_order``): the ranks around the window held still, the window's order that
crosses least is found by an integer program (HiGHS, via scipy), and kept if it is cheaper.

The other moves each change one node, one path or one block at a time, and none of them
gains where several nodes of neighbouring ranks must move together, e.g. where two op ->
result segments must cross so that the sums they feed cross less (MLP(2,[2,2,2,1])'s
two-sample loss: 29 crossings after every other move, 27 after this).

The program (Juenger-Mutzel style): per window rank, one binary x_uv per pair of its nodes (u
before v), with the 3-cycle constraints that make them an order; two segments between ranks
cross iff their ends are in opposite orders, which is linear in the x when one rank is held
still, and an extra variable c >= |x_ab - x_cd| when both move.  Costs as in ``ordering``:
one per crossing, ``RIGID_PENALTY`` more for two rigid (op -> result) segments.

Windows with no crossing between two of their ranks, unchanged since they were last solved,
or with more than ``MAX_WINDOW_PAIRS`` pairs are skipped (time), and at most ``MAX_SOLVES``
programs are solved.  Measured on the 45 graphs of ``bench.layout_fresh`` and
``bench.layout`` under 500 nodes: 3 crossings fewer in all (MLP(2,[2,2,2,1]) 29 -> 27) for
~60 ms more per graph.  Deterministic: no time limit, and HiGHS's MIP solver returns the same
solution to the same program.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from .sifting import RIGID_PENALTY

WIDTH = 3                # ranks per window (two: never gained on the benchmark graphs)
MAX_WINDOW_PAIRS = 110   # ordering variables per window (node pairs within its ranks)
ROUNDS = 2
MAX_SOLVES = 24          # programs per drawing (each takes ~5 ms, most of it HiGHS's setup)


def improve_windows(order, width: int = WIDTH, rounds: int = ROUNDS, max_pairs: int = MAX_WINDOW_PAIRS) -> float:
    """Solve every window of ``width`` ranks exactly (those with a crossing between two of
    its ranks, small enough), top to bottom, ``rounds`` times at most and ``MAX_SOLVES``
    programs in all; returns the cost removed."""
    pairs = order.layer_size * (order.layer_size - 1) // 2
    tried = {}
    total = 0.0
    solves = 0
    for _ in range(rounds):
        gained = 0.0
        crossed = crossed_segments_per_gap(order)
        for a in range(0, order.n_layers - width + 1):
            b = a + width - 1
            if not crossed[a:b].any() or pairs[a:b + 1].sum() > max_pairs:
                continue
            if tried.get(a) == _window_order(order, a, b):
                continue
            if solves == MAX_SOLVES:
                return total + gained
            solves += 1
            gain = solve_window(order, a, b)
            if gain:
                gained += gain
                crossed = crossed_segments_per_gap(order)
            tried[a] = _window_order(order, a, b)
        total += gained
        if not gained:
            break
    return total


def crossed_segments_per_gap(order) -> np.ndarray:
    """Per gap between ranks, how many of its segments have a crossing."""
    return np.bincount(order.seg_layer, weights=order.segment_crossings() > 0, minlength=order.n_layers)


def _window_order(order, a: int, b: int) -> bytes:
    """The positions of ranks a - 1 .. b + 1 (what a window's solution depends on)."""
    return order.pos[np.concatenate(order.members[max(a - 1, 0):b + 2])].tobytes()


def solve_window(order, a: int, b: int) -> float:
    """Reorder ranks a..b to the order that costs least with ranks a - 1 and b + 1 held
    still (gaps a - 1 .. b); returns the cost removed (0: the current order is optimal)."""
    lg, pos = order.lg, order.pos
    ranks = range(a, b + 1)
    nodes = [order.members[l][np.argsort(pos[order.members[l]])] for l in ranks]
    var_of = []            # per window rank: k x k matrix of pair variables (i < j), -1 elsewhere
    n_var = 0
    for m in nodes:
        k = len(m)
        V = np.full((k, k), -1, dtype=np.int64)
        i, j = np.triu_indices(k, 1)
        V[i, j] = n_var + np.arange(len(i))
        var_of.append(V)
        n_var += len(i)
    local = np.full(lg.n_nodes, -1, dtype=np.int64)
    for m in nodes:
        local[m] = np.arange(len(m))

    def before(l, u, v):
        """[u before v] for nodes u, v of window rank l as (const, coef, var) arrays."""
        i, j = local[u], local[v]
        V = var_of[l - a]
        forward = i < j
        var = V[np.minimum(i, j), np.maximum(i, j)]
        return np.where(forward, 0, 1), np.where(forward, 1, -1), var

    cost = np.zeros(n_var)
    offset = current = 0.0
    aux = []                # (weight, p, q) for gaps between two window ranks
    for g in range(max(a - 1, 0), min(b, order.n_layers - 2) + 1):
        segs = order.gap_segments[g]
        if len(segs) < 2:
            continue
        s, d = lg.seg_src[segs], lg.seg_dst[segs]
        i, j = np.triu_indices(len(segs), 1)
        keep = (s[i] != s[j]) & (d[i] != d[j])
        i, j = i[keep], j[keep]
        rigid = order.rigid[segs]
        w = 1.0 + RIGID_PENALTY * (rigid[i] & rigid[j])
        p_now, q_now = pos[s[i]] < pos[s[j]], pos[d[i]] < pos[d[j]]
        current += float(w[p_now != q_now].sum())
        src_moves, dst_moves = a <= g <= b, a <= g + 1 <= b
        if src_moves and dst_moves:
            aux.append((w, before(g, s[i], s[j]), before(g + 1, d[i], d[j])))
            continue
        const = (p_now if not src_moves else q_now).astype(np.int64)     # the still side
        c0, c1, var = before(g, s[i], s[j]) if src_moves else before(g + 1, d[i], d[j])
        # |moving - const|: the moving side itself when const is 0, one minus it when 1
        sign = np.where(const == 0, 1, -1)
        offset += float((w * (sign * c0 + const)).sum())
        np.add.at(cost, var, w * sign * c1)
    if current == 0:
        return 0.0
    rows, cols, vals, lo = [], [], [], []
    n_aux = 0
    r = 0
    for w, (p0, p1, pv), (q0, q1, qv) in aux:
        m = len(w)
        idx = n_var + n_aux + np.arange(m)
        for s_ in (1, -1):    # c - s (p - q) >= 0 with p = p0 + p1 x_p, q = q0 + q1 x_q
            rr = r + np.arange(m)
            rows += [rr, rr, rr]
            cols += [idx, pv, qv]
            vals += [np.ones(m), -s_ * p1.astype(float), s_ * q1.astype(float)]
            lo.append(s_ * (p0 - q0).astype(float))
            r += m
        n_aux += m
    cost = np.concatenate([cost] + [w for w, _, _ in aux])
    n = n_var + n_aux
    up = []
    for V in var_of:          # x_ij + x_jk - x_ik in [0, 1]
        k = len(V)
        if k < 3:
            continue
        i, j, t = _triples(k)
        rr = r + np.arange(len(i))
        rows += [rr, rr, rr]
        cols += [V[i, j], V[j, t], V[i, t]]
        vals += [np.ones(len(i)), np.ones(len(i)), -np.ones(len(i))]
        lo.append(np.zeros(len(i)))
        up.append((r, r + len(i)))
        r += len(i)
    lower = np.concatenate(lo) if lo else np.zeros(0)
    upper = np.full(r, np.inf)
    for start, stop in up:
        upper[start:stop] = 1.0
    constraints = []
    if r:
        A = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, n))
        constraints = [LinearConstraint(A, lower, upper)]
    integrality = np.concatenate([np.ones(n_var), np.zeros(n_aux)])
    res = milp(cost, constraints=constraints, integrality=integrality, bounds=Bounds(np.zeros(n), np.ones(n)),
               options={"presolve": True})
    if res.x is None or res.fun + offset >= current - 1e-6:
        return 0.0
    x = np.round(res.x[:n_var]).astype(bool)
    for m, V in zip(nodes, var_of):
        k = len(m)
        i, j = np.triu_indices(k, 1)
        after = np.zeros(k, dtype=np.int64)      # how many of the rank's nodes come before
        np.add.at(after, j, x[V[i, j]])
        np.add.at(after, i, ~x[V[i, j]])
        pos[m[np.argsort(after, kind="stable")]] = np.arange(k)
    return current - (res.fun + offset)


def _triples(k: int):
    i, j, t = np.meshgrid(np.arange(k), np.arange(k), np.arange(k), indexing="ij")
    keep = (i < j) & (j < t)
    return i[keep], j[keep], t[keep]
