"""Rerouting long edges, a polish of the crossing minimisation (see ``ordering``): every edge
that spans several ranks is a chain of virtual nodes, and with everything else held still the
chain's best route (its slot in each rank it crosses) is a shortest path over those ranks,
found exactly by dynamic programming.  Sifting moves one node at a time and so cannot move a
whole chain that lies on the wrong side of a bundle; this can.  The gain it reports is exact
(only the chain's own crossings change), so no recount is needed.  ``Rerouting`` is mixed
into ``ordering.LayerOrder`` (it uses that class's arrays: ``lg``, ``pos``, ``members``,
``layer_size``, ``seg_layer``); not used with clusters (a chain's slots would also have to
keep every cluster consecutive).  The route's dynamic programme is ``group_slots``' (the chain's
virtual nodes are a group whose first and last nodes have one outside segment each, to the
fixed ends), with a table per gap sized to its own ranks: at 860 nodes (random expression)
a rerouting pass took 1.35 s with one table per chain padded to its widest rank, 0.6 s now,
same routes."""

from __future__ import annotations

import numpy as np

from .group_slots import best_slots, gap_shapes, gap_tables

CHAIN_WORK = 10000   # a chain's work besides its tables' cells, in cells (see ``block_moves.GROUP_WORK``)
BUDGETED_RANK_WORK = 2000   # and per rank it spans where ``reroute(budgeted=True)`` (``block_polish``'s
                            # long-edge pass): ~20 us of numpy calls a rank at ~10 ns a cell.  Without
                            # it a budget of 0.5 cells per squared layered node took 0.13 of dot's CPU
                            # on a batch loss of 760 nodes (L2 edges of ~100 ranks)


class Rerouting:
    @property
    def gap_segments(self) -> list:
        """The segments of each gap between ranks (``_by_gap``), made on first use."""
        if not hasattr(self, "_gap_segments"):
            self._gap_segments = _by_gap(self.seg_layer, self.n_layers)
        return self._gap_segments

    def gap_run(self, lo: int, hi: int) -> np.ndarray:
        """The segments of gaps lo .. hi - 1, concatenated (as ``gap_segments[lo:hi]`` would
        be): one slice of one array."""
        if not hasattr(self, "_gap_flat"):
            self._gap_flat = np.argsort(self.seg_layer, kind="stable")
            self._gap_bounds = np.searchsorted(self.seg_layer[self._gap_flat], np.arange(self.n_layers + 1)).tolist()
        return self._gap_flat[self._gap_bounds[lo]:self._gap_bounds[hi]]

    def reroute(self, rounds: int = 4, budgeted: bool = False) -> int:
        """Move every long edge that has a crossing to its best route, in edge order, until a
        round gains nothing; returns the crossings removed.  ``budgeted``: stop once the work
        budget (``work_left``, cells of the routes' tables) is spent."""
        lg = self.lg
        if not hasattr(self, "_chains"):
            self._others = {}
            first_seg = np.concatenate([[0], np.cumsum(np.diff(lg.path_ptr) - 1)])
            self._chains = [(lg.path(e), int(first_seg[e])) for e in range(len(lg.path_ptr) - 1)
                            if lg.path_ptr[e + 1] - lg.path_ptr[e] > 2]
        total = 0
        for _ in range(rounds):
            crossed = self.segment_crossings() > 0
            gained = 0
            self.tick()
            for path, first in self._chains:
                if budgeted and self.work_left <= 0:
                    break
                l0 = int(lg.layer[path[0]])
                if not crossed[first:first + len(path) - 1].any() or self.stale(("chain", first), l0, l0 + len(path) - 1):
                    continue
                gain = self._reroute_chain(path, first)
                if budgeted:    # its time is mostly numpy calls per rank, not its tables' cells
                    self.work_left -= BUDGETED_RANK_WORK * (len(path) - 1)
                if gain:
                    gained += gain
                    self.tick()
                self.tried(("chain", first))
            total += gained
            if gained == 0:
                break
        return total

    def segment_crossings(self) -> np.ndarray:
        """Crossings of each segment with the other segments of its gap."""
        out = np.zeros(len(self.lg.seg_src), dtype=np.int64)
        for l, segs in enumerate(self.gap_segments):
            if len(segs) >= 2:
                out[segs] = self.gap_crossings(l)
        return out

    def gap_crossings(self, l: int) -> np.ndarray:
        """Crossings of each segment of gap l with the others of the gap (in
        ``gap_segments[l]``'s order)."""
        segs = self.gap_segments[l]
        a, b = self.pos[self.lg.seg_src[segs]], self.pos[self.lg.seg_dst[segs]]
        return (((a[:, None] - a[None, :]) * (b[:, None] - b[None, :])) < 0).sum(axis=1)

    def _chain_others(self, path: np.ndarray, first: int):
        """(segments, gap): every other segment in the gaps the chain crosses, and the index
        (0 = the gap after the source) of the gap each lies in.  Static: cached."""
        cache = self._others.get(first)
        if cache is None:
            l0 = int(self.lg.layer[path[0]])
            gaps = self.gap_segments[l0:l0 + len(path) - 1]
            segs = np.concatenate(gaps)
            gap = np.repeat(np.arange(len(gaps)), [len(g) for g in gaps])
            keep = (segs < first) | (segs >= first + len(path) - 1)
            cache = self._others[first] = (segs[keep], gap[keep])
        return cache

    def _reroute_chain(self, path: np.ndarray, first: int) -> int:
        """Best route of one long edge (``path``: source, virtual nodes, target; its segments
        are ``first``, ``first + 1``, ...) given every other segment; applied when it has
        fewer crossings than the current one.  Returns the crossings removed."""
        lg, pos = self.lg, self.pos
        virtual = path[1:-1]
        n = len(virtual)
        l0 = int(lg.layer[path[0]])
        segs, gap = self._chain_others(path, first)
        a, b = pos[lg.seg_src[segs]], pos[lg.seg_dst[segs]]
        # positions among the others: the chain's own node left out of each rank
        slot = pos[virtual]
        inner_a, inner_b = gap > 0, gap < n
        a[inner_a] -= a[inner_a] > slot[gap[inner_a] - 1]
        b[inner_b] -= b[inner_b] > slot[gap[inner_b]]
        size = self.layer_size[l0 + 1:l0 + 1 + n]
        first_gap, last_gap = gap == 0, gap == n
        middle = ~(first_gap | last_gap)
        # the tables between the chain's own ranks (as ``block_moves``' groups, whose first
        # and last tables, to the ranks of the fixed ends, are left empty here)
        shapes = gap_shapes(np.concatenate([[0], size - 1, [0]]))
        P = gap_tables(gap[middle], a[middle], b[middle], shapes)
        if self.work_left is not None:          # a budgeted polish (``mid_order``) counts it
            self.work_left -= int((shapes[0] * shapes[1]).sum()) + CHAIN_WORK
        ends = np.zeros((n, int(size.max())), dtype=np.int64)   # the segments to the fixed ends
        ends[0, :size[0]] = _from_fixed(a[first_gap], b[first_gap], int(pos[path[0]]), int(size[0]))
        ends[-1, :size[-1]] += _from_fixed(b[last_gap], a[last_gap], int(pos[path[-1]]), int(size[-1]))
        route, least, current = best_slots(P, shapes, ends, np.ones(n - 1, dtype=np.int64), slot,
                                           only_if_cheaper=True)
        if least >= current:
            return 0
        for v, layer, new in zip(virtual, range(l0 + 1, l0 + 1 + n), route.tolist()):
            self._move(v, layer, new)
        return current - least

    def _move(self, v: int, layer: int, new: int) -> None:
        pos = self.pos
        old = pos[v]
        if old == new:
            return
        members = self.members[layer]
        p = pos[members]
        if old < new:
            pos[members[(p > old) & (p <= new)]] -= 1
        else:
            pos[members[(p >= new) & (p < old)]] += 1
        pos[v] = new


def _by_gap(seg_layer: np.ndarray, n_layers: int) -> list:
    order = np.argsort(seg_layer, kind="stable")
    bounds = np.searchsorted(seg_layer[order], np.arange(n_layers + 1))
    return [order[bounds[l]:bounds[l + 1]] for l in range(n_layers)]


def _from_fixed(here: np.ndarray, there: np.ndarray, fixed: int, slots: int) -> np.ndarray:
    """Crossings of a segment from a fixed node at ``fixed`` (one side) to slot t of ``slots``
    (other side) with segments (``here``, ``there``), for every t.  Segments sharing the
    fixed node never cross it."""
    before = np.bincount(there[here < fixed], minlength=slots)
    after = np.bincount(there[here > fixed], minlength=slots)
    at_or_past = np.cumsum(before[::-1])[::-1][:slots]        # before it, ending at t or later
    below = np.concatenate([[0], np.cumsum(after)])[:slots]   # after it, ending before t
    return at_or_past + below
