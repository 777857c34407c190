"""Transposition, dot's local step of the crossing minimisation (see ``ordering``): swap
adjacent nodes of a layer where that removes crossings.  Vectorised over every layer of one
parity at once: swapping nodes in layer l only changes crossings with layers l-1 and l+1, so
all even layers, then all odd layers, can be improved together.  ``Transposition`` is mixed
into ``ordering.LayerOrder`` (it uses that class's arrays: ``lg``, ``pos``, ``layer_size``,
``layer_offset``, ``rigid``/``rigid_up``/``rigid_down``, ``tree``, ``_elements``)."""

from __future__ import annotations

import numpy as np

from .crossings import crossed_gaps
from .sifting import RIGID_PENALTY

HUGE_LAYERED_NODES = 50_000


def pair_crossings(group: np.ndarray, value: np.ndarray, role: np.ndarray, n_slots: int,
                   width: int, weight: np.ndarray | None = None,
                   side_weight: tuple = (1.0, 1.0)) -> tuple[np.ndarray, np.ndarray]:
    """Crossings of each adjacent pair as it stands and once swapped, per slot of the pair's
    first node (``n_slots`` entries).  One entry per segment end: ``group`` = slot * sides +
    side (``len(side_weight)`` sides: the layer above or below, and the rigid segments' copies
    of those), ``value`` the neighbour's position, ``role`` 0 for the pair's first node, 1 for
    its second; ``width`` exceeds every position.  A crossing within a group counts its side's
    weight (``weight``: the same per entry)."""
    sides = len(side_weight)
    # Equal keys are equal entries (side, and so weight, is part of the group): any sort will do.
    order = np.argsort((group * width + value) * 2 + role)
    g = group[order]; v = value[order]; r = role[order]
    second = r
    before = np.cumsum(second) - second
    n_el = len(g)
    starts = np.empty(n_el, dtype=bool)
    starts[0] = True
    np.not_equal(g[1:], g[:-1], out=starts[1:])
    start_index = np.maximum.accumulate(np.where(starts, np.arange(n_el), 0))
    within = before - before[start_index]  # seconds before, in the group: smaller values
    slot_sorted = g // sides
    first = r == 0
    w = None if weight is None else weight[order]
    counted = within if w is None else within * w
    crossings_now = np.bincount(slot_sorted[first], weights=counted[first], minlength=n_slots)
    tie = np.zeros(n_el, dtype=bool)
    tie[:-1] = (g[1:] == g[:-1]) & (v[1:] == v[:-1])   # a common neighbour
    # pairs per group in integers (bincounts without weights, sides added by hand: the
    # float bincounts and the row sums took a third of the call; the same integer values)
    n_all = np.bincount(g, minlength=sides * n_slots)
    n_first = np.bincount(g[first], minlength=sides * n_slots)
    pairs = (n_first * (n_all - n_first)).reshape(-1, sides)
    if w is None:
        products = (pairs[:, 0] + pairs[:, 1]).astype(np.float64)
    else:
        products = pairs @ np.asarray(side_weight)
    ties = np.bincount(slot_sorted[tie], weights=None if w is None else w[tie], minlength=n_slots)
    return crossings_now, products - crossings_now - ties


class Transposition:
    def transpose(self, reverse: bool = False, max_rounds: int | None = None) -> float:
        """Swap adjacent nodes that lower crossings (dot's transpose step); with ``reverse``
        also swap pairs whose crossings tie.  Rounds repeat while they gain.  Returns the
        cost removed (exact: the swaps of one phase change disjoint sets of crossings).

        A layer's pairs of one parity are only looked at again once that layer or a layer
        next to it changed since they were last looked at: the outcome is otherwise known
        (nothing swaps), so skipping them changes no result.  After the first round few
        layers still change (MLP(3,[4,4,1]) 4-sample loss: ~1/3 of the segment ends left in
        round 2, a few % from round 4)."""
        if max_rounds is None:
            max_rounds = 8 if len(self.pos) <= HUGE_LAYERED_NODES else 2
        self._swapped_at = np.zeros(self.n_layers, dtype=np.int64)     # phase of last change
        # A layer with no crossing in the gaps on either side has no swap that gains (nor a
        # tie with a crossing): left out until a swap next to it may have made one (the
        # layers around a swapped one are marked again).  Lossless; in MLP drawings of
        # 500-1,000 nodes 40-70 % of the layers have none after the sweeps.
        self._near_crossing = self.layers_near_crossings()
        self._pairs_looked_at = np.full((2, self.n_layers), -1, dtype=np.int64)  # per pair parity
        self._phase = 0
        total = 0.0
        for _ in range(max_rounds):
            gained = 0
            for layer_parity in (0, 1):
                for pair_parity in (0, 1):
                    gained += self._transpose_phase(layer_parity, pair_parity, reverse)
                    self._phase += 1
            total += gained
            if gained < 1:
                break
        return total

    def layers_near_crossings(self) -> np.ndarray:
        """Per layer, whether two segments cross in the gap before it or the one after it."""
        lg, pos = self.lg, self.pos
        near = crossed_gaps(self.seg_layer, pos[lg.seg_src], pos[lg.seg_dst], self.n_layers)
        near[1:] = near[1:] | near[:-1]      # the gap before layer l is gap l - 1
        return near

    def _transpose_elements(self, layer_parity: int):
        """Static part of a transposition phase: every segment end in a layer of the given
        parity, as (node, neighbour, side), plus the node's layer size, offset and layer, and
        with rigid segments, those again (sides 2 and 3) and every entry's weight."""
        cache = self._elements.get(layer_parity)
        if cache is None:
            lg = self.lg
            at_dst = (lg.layer[lg.seg_dst] % 2) == layer_parity
            at_src = (lg.layer[lg.seg_src] % 2) == layer_parity
            node = np.concatenate([lg.seg_dst[at_dst], lg.seg_src[at_src]])
            nbr = np.concatenate([lg.seg_src[at_dst], lg.seg_dst[at_src]])
            side = np.concatenate([np.zeros(int(at_dst.sum()), np.int64), np.ones(int(at_src.sum()), np.int64)])
            weight = None
            if self.rigid.any():   # rigid segments again, as sides 2 and 3: RIGID_PENALTY each
                rigid = np.concatenate([self.rigid[at_dst], self.rigid[at_src]])
                node, nbr = np.concatenate([node, node[rigid]]), np.concatenate([nbr, nbr[rigid]])
                side = np.concatenate([side, side[rigid] + 2])
                weight = np.where(side >= 2, RIGID_PENALTY, 1.0)
            layer = lg.layer[node]
            cache = (node, nbr, side, self.layer_size[layer], self.layer_offset[layer], layer, weight)
            self._elements[layer_parity] = cache
        return cache

    def _stale_layers(self, layer_parity: int, pair_parity: int) -> np.ndarray | None:
        """Per layer, whether its pairs of ``pair_parity`` must be looked at in this phase
        (it or a neighbouring layer changed since they last were); None: all of them."""
        changed = self._swapped_at
        near = changed.copy()
        near[1:] = np.maximum(near[1:], changed[:-1])
        near[:-1] = np.maximum(near[:-1], changed[1:])
        looked = self._pairs_looked_at[pair_parity]
        stale = (near >= looked) & self._near_crossing
        stale[(layer_parity + 1) % 2::2] = False
        looked[stale] = self._phase
        return None if stale[layer_parity::2].all() else stale

    def _transpose_phase(self, layer_parity: int, pair_parity: int, reverse: bool = False) -> int:
        """Swap, in all layers of one parity at once, the disjoint adjacent pairs starting at
        positions of one parity, where that lowers (or, with ``reverse``, ties) crossings.
        Returns the number of crossings removed."""
        node, nbr, side, size, offset, layer, weight = self._transpose_elements(layer_parity)
        if len(node) == 0:
            return 0
        stale = self._stale_layers(layer_parity, pair_parity)
        if stale is not None:
            looked = stale[layer]
            if not looked.any():
                return 0
            node, nbr, side, size, offset = node[looked], nbr[looked], side[looked], size[looked], offset[looked]
            weight = None if weight is None else weight[looked]
        pos = self.pos
        p = pos[node]
        rel = p - pair_parity
        role = rel & 1                       # 0: first of its pair, 1: second
        keep = (rel >= 0) & ((role == 1) | (p + 1 < size))
        if not keep.any():
            return 0
        slot = (offset + p - role)[keep]     # global slot of the pair's first node
        n_slots = len(pos)
        sides = 2 if weight is None else 4
        crossings_now, crossings_swapped = pair_crossings(
            slot * sides + side[keep], pos[nbr[keep]], role[keep], n_slots,
            int(self.layer_size.max()) + 1, None if weight is None else weight[keep],
            (1.0, 1.0) if weight is None else (1.0, 1.0, RIGID_PENALTY, RIGID_PENALTY))
        gain = crossings_now - crossings_swapped
        if reverse:
            better = np.flatnonzero((gain > 0) | ((gain == 0) & (crossings_now > 0)))
        else:
            better = np.flatnonzero(gain > 0)
        if len(better) == 0:     # about half the phases of the inspected samples' order
            return 0
        at = np.empty(n_slots, dtype=np.int64)    # the node at each global slot
        at[self.layer_offset[self.lg.layer] + pos] = np.arange(n_slots)
        return self._swap(better, gain, at)

    def _swap(self, better: np.ndarray, gain: np.ndarray, at: np.ndarray) -> int:
        """Swap the pairs whose first node is at the global slots ``better`` (within one
        innermost cluster only; ``at``: the node at each slot); returns the crossings
        removed (``gain`` per slot)."""
        if len(better) == 0:
            return 0
        pos = self.pos
        if self.tree is not None:  # only neighbours in the same innermost cluster swap
            inner = self.tree.inner
            better = better[inner[at[better]] == inner[at[better + 1]]]
            if len(better) == 0:
                return 0
        u, w = at[better], at[better + 1]
        swapped = self.lg.layer[u]
        self._swapped_at[swapped] = self._phase
        self._near_crossing[np.maximum(swapped - 1, 0)] = True      # gaps next to it changed
        self._near_crossing[np.minimum(swapped + 1, self.n_layers - 1)] = True
        pos[u] += 1
        pos[w] -= 1
        return float(gain[better].sum())
