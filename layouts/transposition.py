"""Transposition, dot's local step of the crossing minimisation (see ``ordering``): swap
adjacent nodes of a layer where that removes crossings.  Vectorised over every layer of one
parity at once: swapping nodes in layer l only changes crossings with layers l-1 and l+1, so
all even layers, then all odd layers, can be improved together.  ``Transposition`` is mixed
into ``ordering.LayerOrder`` (it uses that class's arrays: ``lg``, ``pos``, ``layer_size``,
``layer_offset``, ``rigid``/``rigid_up``/``rigid_down``, ``tree``, ``_elements``).

Session 23, the same swaps at less cost: a phase packs each segment end's pair, side,
neighbour's position and role into one integer key (its static part and a lookup from the
node's position cached per phase kind), so one ``np.sort`` of the keys replaces the argsort
and its gathers, and the counts are per pair of the phase (about a quarter of the layered
nodes) instead of per global slot and side (four times the layered nodes: on seed 7010's
3,288 layered nodes those bincounts and products were a third of the old count); the crossings
as they stand are counted only where ``reverse`` needs them, and the node at each slot is kept
up to date by the swaps instead of rebuilt per phase.  Replaying the transpositions recorded in
whole layouts (old and new code in one process, alternated): inspected MLP(2,[6,6,1]) + L2
(12 calls, 216 phases) 58.6 -> 35.6 ms, expression seed 7010 (544 nodes, 13 calls) 122.5 ->
53.0 ms; the same positions and gains on every call.  Why the phases are many: in the
``reverse`` calls (after the sweeps that keep their order on ties) 40-110 pairs per phase
swap on a tie with crossings, back and forth each round, while a few real gains keep the
rounds going to the cap of 8: ~3/4 of the counted segment ends are in rounds 2-8.  Tried and
dropped: dirty flags per pair (a pair looked at again only once one of its nodes or their
neighbours moved) left 1,100-1,400 of ~2,000 segment ends per phase in those rounds (the
tie swaps keep their neighbourhoods moving) and, with the test per segment end they need,
saved nothing (1.01x main's CPU on the whole layout).  With ``STALE_SHARE``, whole layouts
(session 22's code in the same process, 3 runs of 3 input orders, load 5-7): CPU 0.87-0.97 of
it (inspected MLP(2,[6,6,1]) + L2 0.885, (9,4) + L2 0.93, (4,9) + L2 0.97, expressions seeds
7010 0.88, 6019 0.93, 6010 0.93, MLP(3,[4,4,1]) 4-sample loss 0.89), and over dot's, median /
worst order, (6,6) + L2 0.46 / 0.46 -> 0.40 / 0.40, 7010 0.37 / 0.42 -> 0.32 / 0.37, 6019
0.41 / 0.49 -> 0.38 / 0.45."""

from __future__ import annotations

import numpy as np

from .crossings import crossed_gaps
from .sifting import RIGID_PENALTY

HUGE_LAYERED_NODES = 50_000
STALE_SHARE = 0.75    # the segment ends of layers left as they were (or with no crossing near) are
                      # dropped from a phase only where the rest are fewer than this share of them:
                      # looking at such a layer again swaps nothing, and dropping costs about a
                      # quarter of counting per segment end.  Replayed transpositions of the
                      # inspected MLP(2,[6,6,1]) + L2 / expression seed 7010, CPU over main's
                      # (the old count, always dropping): always dropping 0.57 / 0.48, from 0.5
                      # 0.55 / 0.46, 0.75 0.55 / 0.44, never 0.69 / 0.51 (noise ~0.03)


def pair_gains(key: np.ndarray, n_pairs: int, group_shift: int, side_bits: int,
               with_now: bool = True) -> tuple[np.ndarray | None, np.ndarray]:
    """Crossings of each adjacent pair as it stands (only ``with_now``, else None), and what
    swapping it removes, per pair (``n_pairs`` entries).  One key per segment end: ((pair <<
    side_bits | side) << group_shift) + neighbour's position * 2 + role, role 0 for the
    pair's first node, 1 for its second (sides: the layer above or below, and with
    ``side_bits`` 2 the rigid segments' copies of those, sides 2 and 3, whose crossings count
    ``RIGID_PENALTY``).  In each group (pair and side), sorted: a first node's entry crosses
    the second's entries before it (smaller positions) now; once swapped, a second's entry
    crosses the first's before it, less ties (a common neighbour: an entry next to one of
    the same group and position).  Sums of multiples of 1/4: exact in any order, so the same
    values as the old way (pairs of the group, less those crossing now, less ties)."""
    k = np.sort(key)      # equal keys are equal entries: all that is needed is in the key
    n = len(k)
    role = k & 1
    seconds = np.cumsum(role)
    seconds -= role                                  # seconds before each entry
    group = k >> group_shift
    starts = np.empty(n, dtype=bool)
    starts[0] = True
    np.not_equal(group[1:], group[:-1], out=starts[1:])
    run = np.cumsum(starts)
    run -= 1
    begin = np.flatnonzero(starts)[run]              # where each entry's group begins
    before = seconds - seconds[begin]                # seconds before it, in its group
    # a first's entry: the seconds before it cross it now; a second's: the firsts before
    # it (at its position or smaller) cross it once swapped
    counted = np.where(role == 0, before, before - (np.arange(n) - begin))
    tie = np.flatnonzero((k[1:] ^ k[:-1]) <= 1)      # same group and position, role aside
    # per group, then the sides added (one bincount over the groups, not a weight per entry)
    n_groups = n_pairs << side_bits
    gain = np.bincount(group, weights=counted, minlength=n_groups)
    gain += np.bincount(group[tie], minlength=n_groups)
    now = np.bincount(group, weights=before * (1 - role), minlength=n_groups) if with_now else None
    if side_bits == 1:
        return (now[0::2] + now[1::2] if with_now else None), gain[0::2] + gain[1::2]
    side_weight = np.array([1.0, 1.0, RIGID_PENALTY, RIGID_PENALTY])
    gain = gain.reshape(-1, 4) @ side_weight
    return (now.reshape(-1, 4) @ side_weight if with_now else None), gain


class Transposition:
    def transpose(self, reverse: bool = False, max_rounds: int | None = None) -> float:
        """Swap adjacent nodes that lower crossings (dot's transpose step); with ``reverse``
        also swap pairs whose crossings tie (and are not 0).  Rounds repeat while they gain.
        Returns the cost removed (exact: the swaps of one phase change disjoint sets of
        crossings).

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
        self._at = np.empty(len(self.pos), dtype=np.int64)      # the node at each global slot
        self._at[self.layer_offset[self.lg.layer] + self.pos] = np.arange(len(self.pos))
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

    def _transpose_elements(self, layer_parity: int, pair_parity: int):
        """Static part of a transposition phase: every segment end in a layer of the given
        parity (with rigid segments, those again as sides 2 and 3): its node and neighbour
        (``ends``, 2 rows), the static part of its key (``pair_gains``) and its layer; the
        key's part per position of the node; per pair of the phase, the global slot of its
        first node and whether it has two nodes; the key's group shift and side bits."""
        cache = self._elements.get(("transpose", layer_parity, pair_parity))
        if cache is None:
            lg = self.lg
            at_dst = (lg.layer[lg.seg_dst] % 2) == layer_parity
            at_src = (lg.layer[lg.seg_src] % 2) == layer_parity
            node = np.concatenate([lg.seg_dst[at_dst], lg.seg_src[at_src]])
            nbr = np.concatenate([lg.seg_src[at_dst], lg.seg_dst[at_src]])
            side = np.concatenate([np.zeros(int(at_dst.sum()), np.int64), np.ones(int(at_src.sum()), np.int64)])
            side_bits = 1
            if self.rigid.any():   # rigid segments again, as sides 2 and 3: RIGID_PENALTY each
                rigid = np.concatenate([self.rigid[at_dst], self.rigid[at_src]])
                node, nbr = np.concatenate([node, node[rigid]]), np.concatenate([nbr, nbr[rigid]])
                side = np.concatenate([side, side[rigid] + 2])
                side_bits = 2
            layer = lg.layer[node]
            # The layer's pairs: local pair j holds slots 2j - pair_parity and the next one
            # (j = (slot + pair_parity) // 2; a slot alone at either end is a pair of one).
            size = self.layer_size
            in_phase = np.arange(self.n_layers) % 2 == layer_parity
            n_pairs = np.where(in_phase, (size + pair_parity + 1) // 2, 0)
            pair_base = np.concatenate([[0], np.cumsum(n_pairs)[:-1]])
            value_bits = int(size.max()).bit_length() + 1            # neighbour's position, role
            group_shift = value_bits
            pair_shift = value_bits + side_bits
            static_key = (pair_base[layer] << pair_shift) + (side << group_shift)
            # the key's part from the node's position p: local pair (p + pair_parity) >> 1,
            # role (p + pair_parity) & 1, looked up (one gather instead of four operations)
            q = np.arange(int(size.max()) + 1) + pair_parity
            from_pos = ((q >> 1) << pair_shift) + (q & 1)
            pair_layer = np.repeat(np.arange(self.n_layers), n_pairs)
            local = np.arange(int(n_pairs.sum())) - pair_base[pair_layer]
            first = 2 * local - pair_parity
            two = (first >= 0) & (first + 1 < size[pair_layer])
            pair_slot = self.layer_offset[pair_layer] + first
            ends = np.stack([node, nbr, static_key])
            per_layer = np.bincount(layer, minlength=self.n_layers)
            cache = (ends, layer, per_layer, from_pos, pair_slot, two, group_shift, side_bits)
            self._elements[("transpose", layer_parity, pair_parity)] = cache
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
        ends, layer, per_layer, from_pos, pair_slot, two, group_shift, side_bits = \
            self._transpose_elements(layer_parity, pair_parity)
        n_ends = ends.shape[1]
        if n_ends == 0:
            return 0
        stale = self._stale_layers(layer_parity, pair_parity)
        if stale is not None:
            looked = int(per_layer @ stale)
            if looked == 0:
                return 0
            if looked < STALE_SHARE * n_ends:
                ends = ends[:, stale[layer]]
        p, v = self.pos[ends[:2]]            # the node's position, its neighbour's
        key = ends[2] + from_pos[p] + (v << 1)
        crossings_now, gain = pair_gains(key, len(pair_slot), group_shift, side_bits, reverse)
        if reverse:
            better = np.flatnonzero((gain > 0) | ((gain == 0) & (crossings_now > 0)))
        else:
            better = np.flatnonzero(gain > 0)
        better = better[two[better]]
        if len(better) == 0:     # about half the phases of the inspected samples' order
            return 0
        return self._swap(pair_slot[better], gain[better])

    def _swap(self, slots: np.ndarray, gain: np.ndarray) -> int:
        """Swap the pairs whose first node is at the global ``slots`` (within one innermost
        cluster only); returns the crossings removed (``gain`` per pair)."""
        pos, at = self.pos, self._at
        if self.tree is not None:  # only neighbours in the same innermost cluster swap
            inner = self.tree.inner
            same = inner[at[slots]] == inner[at[slots + 1]]
            slots, gain = slots[same], gain[same]
            if len(slots) == 0:
                return 0
        u, w = at[slots], at[slots + 1]
        swapped = self.lg.layer[u]
        self._swapped_at[swapped] = self._phase
        self._near_crossing[np.maximum(swapped - 1, 0)] = True      # gaps next to it changed
        self._near_crossing[np.minimum(swapped + 1, self.n_layers - 1)] = True
        pos[u] += 1
        pos[w] -= 1
        at[slots], at[slots + 1] = w, u
        return float(gain.sum())
