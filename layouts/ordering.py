"""Crossing minimisation for a proper layered graph (the "order" phase of Sugiyama).

Start from a depth-first order, then alternate weighted-median sweeps down and up the layers,
each followed by adjacent transpositions to a local optimum, keeping the best order seen
(dot's ``mincross``); small drawings are then polished by sifting.  All crossing counts are
exact and O(E log V) (see ``crossings``).  The starting orders are in ``initial_order``, the
transposition step in ``transposition`` and sifting in ``sifting`` (both mixed into
``LayerOrder``).
"""

from __future__ import annotations

import numpy as np

from .block_moves import BlockMoves
from .clusters import ClusterTree, contiguous_layers, contiguous_ranks, refresh_keys
from .crossings import count_bilayer_crossings
from .layering import LayeredGraph
from .move_clock import MoveClock
from .pair_moves import PairMoves
from .path_moves import PathMoves
from .rerouting import Rerouting
from .sifting import RIGID_PENALTY, Sifting, sift_clusters
from .transposition import HUGE_LAYERED_NODES, Transposition

SIFT_MAX_NODES = 3000   # sifting is quadratic in layer sizes: drawings up to ~1,000 real nodes
SIFT_FULL_NODES = 400   # beyond this, one sifting round (time; measured: about the same crossings)
REROUTE_MAX_NODES = 6000  # long edges rerouted up to here (inspected MLP(2,[8,8,1]) + L2: 4,661 with virtual ones)
PATH_MOVES_MAX_NODES = 500  # below this many real nodes, full polish (path moves, sifting)
SWEEP_WORK = 4000       # iterations = SWEEP_WORK // segments, at least MIN_ITERATIONS
MIN_ITERATIONS = 4
# Above HUGE_LAYERED_NODES layered nodes, sweeps only: there transposition removed 0.3-2 % of
# the crossings per pass for 3x a sweep's time. Measured on 5 random expressions of 1,700 ops
# (4.8k nodes, ~220k virtual): 4 sweeps with transposition 852k crossings in 15.6 s, 6 sweeps
# without 846k in 9.1 s (all five; load ~5).
HUGE_ITERATIONS = 6
# From REJECT_FROM_NODES real nodes (and up to HUGE_LAYERED_NODES), a sweep that leaves more
# than SWEEP_REJECT times the best cost is undone without transposing it (its transposition
# took ~1/6 of the time of MLP(3,[4,4,1])'s 4-sample loss and never recovered the best there);
# the next sweep starts from the best order.  On MLP losses of 534-922 nodes the upward sweeps
# doubled the crossings; with the rule 3 of them end with 2-4 % fewer crossings (928 -> 896,
# 1,688 -> 1,645, 508 -> 492), 12-17 % less CPU.  Below 500 nodes nothing changes.
REJECT_FROM_NODES = 500
SWEEP_REJECT = 1.4


def order_cost(lg: LayeredGraph, pos: np.ndarray, seg_rigid: np.ndarray) -> float:
    """What ``minimise_crossings`` minimises, for the order ``pos``: crossings, plus
    ``RIGID_PENALTY`` per crossing of two rigid segments."""
    layer = lg.layer[lg.seg_src]
    a, b = pos[lg.seg_src], pos[lg.seg_dst]
    r = np.asarray(seg_rigid, dtype=bool)
    return int(count_bilayer_crossings(layer, a, b)) + RIGID_PENALTY * int(count_bilayer_crossings(layer[r], a[r], b[r]))


def rank_positions(lg: LayeredGraph, rank_key: np.ndarray) -> tuple:
    """(by_layer, layer_size, layer_offset, pos) of the order ``rank_key`` gives: the nodes
    grouped by layer in key order, each layer's size and first index in ``by_layer``, and
    each node's index in its layer."""
    by_layer = np.lexsort((rank_key, lg.layer))
    layer_size = np.bincount(lg.layer, minlength=lg.n_layers)
    layer_offset = np.concatenate([[0], np.cumsum(layer_size)[:-1]])
    pos = np.empty(lg.n_nodes, dtype=np.int64)
    pos[by_layer] = np.arange(lg.n_nodes) - layer_offset[lg.layer[by_layer]]
    return by_layer, layer_size, layer_offset, pos


class LayerOrder(Sifting, Transposition, Rerouting, PairMoves, PathMoves, BlockMoves, MoveClock):
    """Mutable node order of a layered graph: ``pos[v]`` is v's index within its layer."""

    def __init__(self, lg: LayeredGraph, rank_key: np.ndarray, seg_rigid: np.ndarray | None = None,
                 tree: ClusterTree | None = None):
        """``seg_rigid`` marks segments that should never cross each other (op -> result:
        the two are drawn on one line, so crossing rigid segments would bend one of them);
        such a crossing costs ``RIGID_PENALTY`` ordinary ones.  With a cluster ``tree``
        every move keeps each cluster consecutive in every rank (see ``clusters``)."""
        self.lg = lg
        self.tree = tree
        layer = lg.layer
        self.n_layers = lg.n_layers
        by_layer, self.layer_size, self.layer_offset, self.pos = rank_positions(lg, rank_key)
        # Fixed per-layer membership and the segments entering / leaving each layer.
        self.members = [by_layer[o:o + s] for o, s in zip(self.layer_offset, self.layer_size)]
        self.by_layer = by_layer      # ranks l..m's members, concatenated: one slice of it
        self.local = np.empty(lg.n_nodes, dtype=np.int64)
        self.local[by_layer] = self.pos[by_layer]
        self.seg_layer = layer[lg.seg_src]
        self.down = self._group(lg.seg_dst, lg.seg_src)  # per layer: (neighbour, local index)
        self.up = self._group(lg.seg_src, lg.seg_dst)
        self._elements = {}
        n = lg.n_nodes
        self.rigid_up = np.full(n, -1, dtype=np.int64)    # source of the rigid segment into v
        self.rigid_down = np.full(n, -1, dtype=np.int64)  # target of the rigid segment out of v
        self.rigid = np.zeros(len(lg.seg_src), dtype=bool) if seg_rigid is None else np.asarray(seg_rigid, bool)
        if self.rigid.any():
            rs, rd = lg.seg_src[self.rigid], lg.seg_dst[self.rigid]
            self.rigid_up[rd] = rs
            self.rigid_down[rs] = rd
        if tree is not None:
            self.make_contiguous()

    # ------------------------------------------------------------------ clusters
    def make_contiguous(self) -> None:
        """Refresh the cluster keys from the current order and regroup every rank."""
        tree = self.tree
        refresh_keys(tree, self.pos, self.layer_size, self.lg.layer)
        self.regroup_all()

    def regroup_all(self) -> None:
        """Make every cluster consecutive in every rank, by the cluster keys as they stand."""
        self.pos[:] = contiguous_layers(self.tree, self.pos, self.lg.layer, self.layer_size, self.layer_offset)

    def _regroup(self, l: int) -> None:
        members = self.members[l]
        if len(members) > 1:
            self.pos[members] = contiguous_ranks(self.tree, members, self.pos, int(self.layer_size[l]))

    def _group(self, here: np.ndarray, there: np.ndarray):
        layer_here = self.lg.layer[here]
        order = np.argsort(layer_here, kind="stable")
        bounds = np.searchsorted(layer_here[order], np.arange(self.n_layers + 1))
        groups = []
        for l in range(self.n_layers):
            sel = order[bounds[l]:bounds[l + 1]]
            groups.append((there[sel], self.local[here[sel]]))
        return groups

    # ------------------------------------------------------------------ crossings
    def crossings(self) -> int:
        lg = self.lg
        single = self._elements.get("single")
        if single is None:   # a segment that is its source's only one down, its target's only one up
            n = lg.n_nodes
            single = ((np.bincount(lg.seg_src, minlength=n) == 1)[lg.seg_src]
                      & (np.bincount(lg.seg_dst, minlength=n) == 1)[lg.seg_dst])
            self._elements["single"] = single
        return count_bilayer_crossings(self.seg_layer, self.pos[lg.seg_src], self.pos[lg.seg_dst], single)

    def rigid_crossings(self) -> int:
        if not self.rigid.any():
            return 0
        lg, r = self.lg, self.rigid
        return count_bilayer_crossings(self.seg_layer[r], self.pos[lg.seg_src[r]], self.pos[lg.seg_dst[r]])

    def cost(self) -> float:
        """What the search minimises: crossings, plus ``RIGID_PENALTY`` per rigid-rigid crossing.
        (The crossings alone are kept in ``last_crossings``.)"""
        self.last_crossings = self.crossings()
        return self.last_crossings + RIGID_PENALTY * self.rigid_crossings()

    def untangle_rigid(self) -> None:
        """Make rigid segments pairwise non-crossing: in each layer, the targets of rigid
        segments take their own slots in the order of their sources.  (Rigid segments are
        op -> result: no node is both a source and a target, so one pass is exact.)  A node
        that is the target of several rigid segments (not made by ``layout_input``) takes one
        slot, placed by its first such segment: ``pos`` stays a permutation of each layer."""
        if not self.rigid.any():
            return
        lg = self.lg
        src, dst = lg.seg_src[self.rigid], lg.seg_dst[self.rigid]
        _, first = np.unique(dst, return_index=True)
        src, dst = src[first], dst[first]
        layer_of = lg.layer[dst]
        if self.tree is not None:  # permute targets only among their own cluster's slots
            layer_of = layer_of * self.tree.n_clusters + self.tree.inner[dst]
        stride = int(self.pos.max()) + 1
        wanted = dst[np.lexsort((self.pos[src], layer_of))]               # grouped by layer
        slots = np.sort(self.pos[dst] + layer_of * stride) - np.sort(layer_of) * stride
        self.pos[wanted] = slots

    # ------------------------------------------------------------------ sweeps
    def sweep(self, downward: bool, reverse: bool = False) -> None:
        """One weighted-median sweep (dot's ``medians``/``reorder``): each layer is sorted by
        the median position of its neighbours in the layer just placed.  Nodes without such
        neighbours keep their slots.  Equal medians keep their order, or swap it when
        ``reverse`` (lets repeated sweeps walk across plateaus).

        Per layer, numpy calls on a few hundred nodes (a 4.8k-node random expression has 919
        layers, swept 6 times): where no median is weighted, twice the median is an integer
        and one argsort of ``2 * median * size + slot`` replaces the lexsort; where every
        node has one neighbour it is that neighbour's position; where every node has
        neighbours the slots are 0..size-1, unsorted.  Same orders (the keys are distinct)."""
        plan = self._median_plan(downward)
        nbr, base, node, i_left, i_right, i_first, i_last, weighted, seg_bounds, run_bounds, sort, any_weighted = plan[:12]
        single, full = plan[12:]
        layers = range(1, self.n_layers) if downward else range(self.n_layers - 2, -1, -1)
        pos = self.pos
        sizes = self.layer_size.tolist()
        slots_of = np.arange(max(sizes, default=0))
        if self.tree is not None:
            refresh_keys(self.tree, pos, self.layer_size, self.lg.layer)
        for l in layers:
            a, b = seg_bounds[l], seg_bounds[l + 1]
            if a == b:
                continue
            ra, rb = run_bounds[l], run_bounds[l + 1]
            p = pos[nbr[a:b]]
            if sort[l]:      # some node has 3+ neighbours: their positions in order
                p = p[np.argsort(base[a:b] + p)]
            nodes = node[ra:rb]
            cur = pos[nodes]
            if any_weighted[l]:
                order = np.lexsort((-cur if reverse else cur, self._weighted_medians(plan, p, ra, rb)))
            else:
                size = sizes[l]
                tie = (size - 1) - cur if reverse else cur
                if single[l]:
                    order = np.argsort(p * (2 * size) + tie)
                else:
                    order = np.argsort((p[i_left[ra:rb]] + p[i_right[ra:rb]]) * size + tie)
            pos[nodes[order]] = slots_of[:rb - ra] if full[l] else np.sort(cur)
            if self.tree is not None:
                self._regroup(l)

    @staticmethod
    def _weighted_medians(plan, p, ra, rb):
        """dot's weighted median of each node of a layer (``p``: its neighbours' positions,
        grouped by node): for an even count above 2, the middle two weighted towards the
        side whose neighbours lie closer together."""
        i_left, i_right, i_first, i_last, weighted = plan[3:8]
        left, right = p[i_left[ra:rb]], p[i_right[ra:rb]]
        median = (left + right) / 2
        w = np.flatnonzero(weighted[ra:rb])
        lw, rw = left[w], right[w]
        lspan = lw - p[i_first[ra:rb][w]]
        rspan = p[i_last[ra:rb][w]] - rw
        spans = lspan + rspan
        ok = spans > 0
        median[w[ok]] = ((lw * rspan + rw * lspan)[ok]) / spans[ok]
        return median

    def _median_plan(self, downward: bool):
        """The sweep's fixed part, for all layers at once (a layer's part is a slice): the
        neighbours on the placed side grouped by node, and per node with neighbours the
        indices of its first, middle two and last neighbour once they are sorted."""
        key = ("plan", downward)
        plan = self._elements.get(key)
        if plan is not None:
            return plan
        lg = self.lg
        here, there = (lg.seg_dst, lg.seg_src) if downward else (lg.seg_src, lg.seg_dst)
        layer, loc = lg.layer[here], self.local[here]
        width = int(self.layer_size.max()) + 1
        order = np.argsort(layer * width + loc, kind="stable")
        layer, loc, node_of = layer[order], loc[order], here[order]
        n_seg = len(order)
        seg_bounds = np.searchsorted(layer, np.arange(self.n_layers + 1))
        run_start = np.flatnonzero(np.concatenate([[True], (layer[1:] != layer[:-1]) | (loc[1:] != loc[:-1])])) \
            if n_seg else np.zeros(0, np.int64)
        d = np.diff(np.concatenate([run_start, [n_seg]]))
        run_layer = layer[run_start]
        first = run_start - seg_bounds[run_layer]             # within the layer's slice
        run_bounds = np.searchsorted(run_layer, np.arange(self.n_layers + 1))
        big = np.bincount(run_layer[d > 2], minlength=self.n_layers) > 0
        weighted = (d > 2) & (d % 2 == 0)
        any_weighted = np.bincount(run_layer[weighted], minlength=self.n_layers) > 0
        runs = np.diff(run_bounds)
        plan = (there[order], loc * width, node_of[run_start], first + (d - 1) // 2, first + d // 2,
                first, first + d - 1, weighted, seg_bounds.tolist(), run_bounds.tolist(), big.tolist(),
                any_weighted.tolist(),
                (runs == np.diff(seg_bounds)).tolist(),          # every node one neighbour
                (runs == self.layer_size).tolist())              # every node some neighbour
        self._elements[key] = plan
        return plan


def minimise_crossings(lg: LayeredGraph, initial_key: np.ndarray, seg_rigid: np.ndarray | None = None,
                       max_iterations: int = 24, min_quit: int = 8, sweep_work: int = SWEEP_WORK,
                       sift_max_nodes: int = SIFT_MAX_NODES,
                       tree: ClusterTree | None = None, local: bool = False,
                       polish: bool = True, keep: list | None = None) -> tuple[np.ndarray, int]:
    """Order the nodes of each layer to reduce crossings.

    From the order of ``initial_key`` (per-node sort key): transposition, then up to
    ``max_iterations`` (fewer on big graphs: ``sweep_work // segments``, at least 4) median
    sweeps alternating down/up, each followed by transposition (above
    ``HUGE_LAYERED_NODES``: 6 sweeps, no transposition; from ``REJECT_FROM_NODES`` real
    nodes a sweep far worse than the best is undone instead, see ``SWEEP_REJECT``); equal costs are accepted
    (plateau moves) and the best order is kept; stop after ``min_quit`` iterations without a
    0.5 % gain.  Graphs of at most ``sift_max_nodes`` nodes are then sifted.  With ``polish``
    (no clusters, not ``local``): below ``PATH_MOVES_MAX_NODES`` real nodes, long edges
    rerouted, paths moved (edges with their ends, chains) and blocks (in-trees), alternating
    with sifting, while that gains
    (``reroute_and_sift``); from there up to ``REROUTE_MAX_NODES`` layered nodes, one pass
    of rerouting.  Segments marked
    in ``seg_rigid`` (op -> result) start untangled and each crossing of two of them costs
    ``RIGID_PENALTY`` crossings (see ``crossed_rigid`` for those left).

    ``local`` (stability: the initial order comes from an earlier drawing) keeps to
    transposition and sifting, which only move nodes within their neighbourhood.  ``keep``:
    a list that gets the ``LayerOrder`` (in the order returned).

    Returns (pos, crossings): ``pos[v]`` is v's index within its layer in the best order, and
    the number of crossings between consecutive layers in that order.
    """
    order = LayerOrder(lg, initial_key, seg_rigid, tree)
    order.untangle_rigid()
    best = order.cost()
    best_pos, best_crossings = order.pos.copy(), order.last_crossings   # no recount at the end
    huge = lg.n_nodes > HUGE_LAYERED_NODES and not local
    reject = lg.n_real >= REJECT_FROM_NODES and not huge and not local
    # Transposition and sifting return the exact cost they removed (sums of multiples of
    # 1/4): no recount after them (the crossings alone are then counted once at the end).
    if best > 0 and not huge:
        best -= order.transpose()
        best_pos, best_crossings = order.pos.copy(), None
    least = HUGE_ITERATIONS if huge else MIN_ITERATIONS
    iterations = min(max_iterations, max(least, sweep_work // max(1, len(lg.seg_src))))
    if local:
        iterations = 0
    trying = 0
    for it in range(iterations):
        if trying >= min_quit or best == 0:
            break
        trying += 1
        reverse = it % 4 < 2
        order.sweep(downward=(it % 2 == 0), reverse=reverse)
        if reject:
            cur = order.cost()
            if cur > SWEEP_REJECT * best:
                order.pos[:] = best_pos     # a failed iteration: the next sweep starts from the best
                continue
            cur -= order.transpose(reverse=not reverse)
            crossings = None
        else:
            if not huge:
                order.transpose(reverse=not reverse)
            cur = order.cost()
            crossings = order.last_crossings
        if cur <= best:
            if cur < 0.995 * best:
                trying = 0
            best, best_pos, best_crossings = cur, order.pos.copy(), crossings
    if 0 < best and lg.n_nodes <= sift_max_nodes:
        order.pos[:] = best_pos
        gained = order.sift(rounds=4 if lg.n_nodes <= SIFT_FULL_NODES else 1)
        gained += order.transpose()
        if gained > 0:
            best, best_pos, best_crossings = best - gained, order.pos.copy(), None
    if polish and tree is None and 0 < best and lg.n_nodes <= REROUTE_MAX_NODES and not local:
        order.pos[:] = best_pos
        # from 500 nodes, one pass of rerouting (inspected MLP(2,[8,8,1]) + L2: 1,226 ->
        # 1,002 crossings in ~0.2 s, where dot takes seconds; a round of sifting after it
        # would take MLP(3,[4,4,1]) 4 samples past half of dot's time)
        small = lg.n_real < PATH_MOVES_MAX_NODES
        best, best_pos = reroute_and_sift(order, best, rounds=8 if small else 1, paths=small)
        best_crossings = None
    if tree is not None and 0 < best and lg.n_nodes <= sift_max_nodes and not local:
        order.pos[:] = best_pos
        cur = sift_clusters(order)
        if cur < best:
            best, best_pos, best_crossings = cur, order.pos.copy(), None
    order.pos[:] = best_pos
    if keep is not None:        # the caller polishes on (``block_polish``): its caches reused
        keep.append(order)
    return order.pos.copy(), order.crossings() if best_crossings is None else best_crossings


def reroute_and_sift(order: LayerOrder, cost: int, rounds: int = 8, paths: bool = True) -> tuple[int, np.ndarray]:
    """Alternate rerouting the long edges (each to its exact best route) and, with
    ``paths``, moving every edge with both its ends and every chain (``path_moves``) and
    every node with its in-tree (``block_moves``), with a round of sifting and
    transposition, while that gains; returns (cost, pos).  No step worsens the order; a
    move whose ranks did not change since it was last tried is skipped (``move_clock``).
    ``rounds=1``: one pass of rerouting only (big drawings: time)."""
    if rounds == 1:
        return cost - order.reroute(rounds=1), order.pos.copy()
    for _ in range(rounds):
        if cost == 0:
            break
        if polish_round(order, paths) == 0:
            break
        cost = order.cost()
    return cost, order.pos.copy()


def polish_round(order: LayerOrder, paths: bool) -> float:
    """One round of ``reroute_and_sift``: reroute the long edges, with ``paths`` move the
    paths and blocks, then (if that gained) sift and transpose once; returns what the
    rerouting and moves gained."""
    gained = order.reroute(rounds=1)
    if paths:
        gained += order.move_paths()
        gained += order.move_blocks()
    if gained:
        order.sift(rounds=1)
        order.transpose()
    return gained


def crossed_rigid(lg: LayeredGraph, pos: np.ndarray, seg_rigid: np.ndarray) -> np.ndarray:
    """Rigid segments that cross another rigid segment in the order ``pos`` (those cannot
    all be drawn straight)."""
    rigid = np.flatnonzero(seg_rigid)
    out = np.zeros(len(seg_rigid), dtype=bool)
    if len(rigid) < 2:
        return out
    layer = lg.layer[lg.seg_src[rigid]]
    a, b = pos[lg.seg_src[rigid]], pos[lg.seg_dst[rigid]]
    order = np.lexsort((a, layer))
    # All layers at once: shifted by layer * stride, a later layer's targets exceed every
    # earlier one's, so running maxima (minima from the end) never leak across layers.
    stride = int(b.max()) + 1
    shifted = b[order] + layer[order] * stride
    before = np.maximum.accumulate(shifted)          # some earlier source ends lower
    after = np.minimum.accumulate(shifted[::-1])[::-1]
    crossed = np.zeros(len(shifted), dtype=bool)
    crossed[1:] |= before[:-1] > shifted[1:]
    crossed[:-1] |= after[1:] < shifted[:-1]
    out[rigid[order][crossed]] = True
    return out
