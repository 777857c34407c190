"""Crossing minimisation for a proper layered graph (the "order" phase of Sugiyama).

Start from a depth-first order (planar for trees), then alternate barycenter sweeps down and
up the layers with rounds of adjacent transpositions, keeping the best order seen.  All
crossing counts are exact and O(E log V) (see ``crossings``); transposition is vectorised
over every layer of one parity at once (swapping nodes in layer l only changes crossings
with layers l-1 and l+1, so all even layers, then all odd layers, can be improved together).
"""

from __future__ import annotations

import numpy as np

from .crossings import count_bilayer_crossings
from .layering import LayeredGraph


def dfs_order(lg: LayeredGraph, seg_key: np.ndarray, roots) -> np.ndarray:
    """Preorder index of every node in a depth-first search backwards from ``roots``.

    Predecessors are visited by increasing ``seg_key`` (e.g. operand index), so operand 0's
    subtree comes before operand 1's: a tree gets a crossing-free order.
    """
    n = lg.n_nodes
    order = np.lexsort((seg_key, lg.seg_dst))
    preds_sorted = lg.seg_src[order].tolist()
    ptr = np.searchsorted(lg.seg_dst[order], np.arange(n + 1)).tolist()
    index = [-1] * n
    counter = 0
    for root in list(roots) + list(range(n)):
        if index[root] >= 0:
            continue
        stack = [root]
        while stack:
            v = stack.pop()
            if index[v] >= 0:
                continue
            index[v] = counter
            counter += 1
            stack.extend(reversed(preds_sorted[ptr[v]:ptr[v + 1]]))
    return np.asarray(index, dtype=np.int64)


class LayerOrder:
    """Mutable node order of a layered graph: ``pos[v]`` is v's index within its layer."""

    def __init__(self, lg: LayeredGraph, rank_key: np.ndarray):
        self.lg = lg
        layer = lg.layer
        self.n_layers = lg.n_layers
        by_layer = np.lexsort((rank_key, layer))  # nodes grouped by layer, in key order
        self.layer_size = np.bincount(layer, minlength=self.n_layers)
        self.layer_offset = np.concatenate([[0], np.cumsum(self.layer_size)[:-1]])
        self.pos = np.empty(lg.n_nodes, dtype=np.int64)
        self.pos[by_layer] = np.arange(lg.n_nodes) - self.layer_offset[layer[by_layer]]
        # Fixed per-layer membership and the segments entering / leaving each layer.
        self.members = [by_layer[o:o + s] for o, s in zip(self.layer_offset, self.layer_size)]
        self.local = np.empty(lg.n_nodes, dtype=np.int64)
        self.local[by_layer] = self.pos[by_layer]
        self.seg_layer = layer[lg.seg_src]
        self.down = self._group(lg.seg_dst, lg.seg_src)  # per layer: (neighbour, local index)
        self.up = self._group(lg.seg_src, lg.seg_dst)

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
        return count_bilayer_crossings(self.seg_layer, self.pos[lg.seg_src], self.pos[lg.seg_dst])

    # ------------------------------------------------------------------ sweeps
    def sweep(self, downward: bool) -> None:
        """One barycenter sweep; nodes without neighbours on the fixed side keep their slot."""
        groups = self.down if downward else self.up
        layers = range(1, self.n_layers) if downward else range(self.n_layers - 2, -1, -1)
        pos = self.pos
        for l in layers:
            nbr, loc = groups[l]
            if len(nbr) == 0:
                continue
            size = int(self.layer_size[l])
            members = self.members[l]
            degree = np.bincount(loc, minlength=size)
            total = np.bincount(loc, weights=pos[nbr], minlength=size)
            current = pos[members]
            movable = np.flatnonzero(degree)
            bary = total[movable] / degree[movable]
            slots = np.sort(current[movable])
            ranked = movable[np.lexsort((current[movable], bary))]
            pos[members[ranked]] = slots

    # ------------------------------------------------------------------ transposition
    def transpose(self, max_rounds: int = 8) -> None:
        """Swap adjacent nodes while that strictly lowers crossings (dot's transpose step)."""
        for _ in range(max_rounds):
            swapped = 0
            for layer_parity in (0, 1):
                for pair_parity in (0, 1):
                    swapped += self._transpose_phase(layer_parity, pair_parity)
            if not swapped:
                break

    def _transpose_phase(self, layer_parity: int, pair_parity: int) -> int:
        lg = self.lg
        layer = lg.layer
        pos = self.pos
        rel = pos - pair_parity
        size = self.layer_size[layer]
        active = (layer % 2 == layer_parity) & (rel >= 0)
        first = active & (rel % 2 == 0) & (pos + 1 < size)
        second = active & (rel % 2 == 1)
        paired = first | second
        pair_id = np.where(paired, self.layer_offset[layer] + pos - second, -1)
        role = second.astype(np.int64)
        src, dst = lg.seg_src, lg.seg_dst
        # Elements: (pair, side, neighbour position, role).
        m_dst = paired[dst]
        m_src = paired[src]
        pair = np.concatenate([pair_id[dst[m_dst]], pair_id[src[m_src]]])
        if len(pair) == 0:
            return 0
        side = np.concatenate([np.zeros(int(m_dst.sum()), np.int64), np.ones(int(m_src.sum()), np.int64)])
        value = np.concatenate([pos[src[m_dst]], pos[dst[m_src]]])
        who = np.concatenate([role[dst[m_dst]], role[src[m_src]]])
        group = pair * 2 + side
        n_slots = len(layer)
        cur = self._pairs_before(group, value, who, 0, 1, pair, n_slots)    # first's nbr > second's
        swp = self._pairs_before(group, value, who, 1, 0, pair, n_slots)    # first's nbr < second's
        gain = cur - swp
        better = np.flatnonzero(gain > 0)
        if len(better) == 0:
            return 0
        at = np.empty(n_slots, dtype=np.int64)
        at[self.layer_offset[layer] + pos] = np.arange(n_slots)
        u, v = at[better], at[better + 1]
        pos[u] += 1
        pos[v] -= 1
        return len(better)

    @staticmethod
    def _pairs_before(group, value, who, counted, counter, pair, n_slots):
        """Per pair: number of (counted-role, counter-role) element pairs in the same group
        where the counter element has a strictly smaller value.  Ties sort the counted role
        first, so equal values never count."""
        tie = who if counted == 0 else 1 - who
        order = np.lexsort((tie, value, group))
        g = group[order]
        is_counter = (who[order] == counter).astype(np.int64)
        before = np.cumsum(is_counter) - is_counter
        starts = np.empty(len(g), dtype=bool)
        starts[0] = True
        np.not_equal(g[1:], g[:-1], out=starts[1:])
        start_index = np.maximum.accumulate(np.where(starts, np.arange(len(g)), 0))
        within = before - before[start_index]
        sel = who[order] == counted
        return np.bincount(pair[order][sel], weights=within[sel], minlength=n_slots)


def minimise_crossings(lg: LayeredGraph, initial_key: np.ndarray, max_iterations: int = 24,
                       patience: int = 4) -> tuple[np.ndarray, int]:
    """Order the nodes of each layer to reduce crossings.

    Returns (pos, crossings): ``pos[v]`` is v's index within its layer in the best order found.
    """
    order = LayerOrder(lg, initial_key)
    best = order.crossings()
    best_pos = order.pos.copy()
    if best == 0:
        return best_pos, 0
    order.transpose()
    stale = 0
    for it in range(max_iterations):
        order.sweep(downward=(it % 2 == 0))
        order.transpose()
        c = order.crossings()
        if c < best:
            best, best_pos = c, order.pos.copy()
            stale = 0
            if best == 0:
                break
        else:
            stale += 1
            if stale >= patience:
                break
    return best_pos, best
