"""Crossing minimisation of small drawings (under ``order_stage.SMALL_GRAPH_NODES`` real nodes,
no clusters): three starts, each polished, then exact windows.

The median sweeps and the polish (``ordering.reroute_and_sift``: rerouting, path and block
moves, sifting) end in very different local optima from different starts, and the order
that is best after the sweeps is often not the best after the polish: on expression seed 47
of ``bench.layout_fresh``'s held-out set (251 nodes) the DFS start's sweeps end at cost 260
and its polish at 214, the BFS start's at 293 and 200.  So both starts (the DFS key and dot's
BFS back from the sinks) get one polish round, and the cheaper after it goes on polishing
(the ranking after one round rarely changes; polishing both to the end cost ~40 % more time
for the same result on the 45 graphs of ``bench.layout_fresh`` and ``bench.layout``).  More
starts (the DFS order without sweeps, or mirrored) found orders as much better as worse:
same total over those graphs, for up to 3x the time; each fully polished (session 16) they
lower the least cost found, but slowly: a restart costs about a whole polish (8 restarts on
48 graphs under 500 nodes: 3.9 % fewer crossings for 6x the time).  Kicks cost less for
more: two ranks at a crossing scrambled and polished again, kept if cheaper
(``kick_and_polish``, iterated local search); the polish's move clock redoes only what the
scramble touched.  A fixed work budget over the drawing's size (``kick_budget``) gives small
drawings up to ``MAX_KICKS``, and from ``KICK_MAX_NODES`` real nodes ``BIG_KICKS`` (session
22, below).  Last,
``window_order`` reorders windows of three ranks exactly, and the polish goes on where that
gained (larger windows, up to five ranks or 1,200 pairs, gained nothing after the polish).

From ``RESTART_FROM_NODES`` (300) real nodes, where no kicks run, there is a third start (a
DFS back from the sinks visiting the last operand first: another basin, where forward passes
and the 400-500-node expressions end lower), and the two starts cheapest after one polish
round are both polished to the end (the MLP losses: after one round the DFS start led, the BFS
start ended lower).  Measured on ``bench.layout_small300`` (27 development graphs of 302-490
nodes, seeds 5001-5020; drawn crossings, load ~6-8): 9,875 -> 9,695 (-1.8 %), above the
better median of dot and graphlay on 10 -> 7 (forward passes MLP(6,[6,5,1]) 70 -> 62, graphlay
63, MLP(3,[8,6,1]) 129 -> 123, graphlay 127; expression seed 5015 1,009 -> 962, graphlay 984);
CPU +39 % (24.0 -> 33.3 s).  All three polished to the end: 9,664, +61 % CPU.  The third start
alone (one round each, the cheapest polished on) gained on the forward passes and
expressions only, for +23 % CPU; the two old starts both polished to the end, on the losses
only (-1 %), for +19 %.  Tried and dropped at 300-499 nodes:
the kicks (4 per drawing on 9 graphs above graphlay: 3,547 -> 3,461 crossings for 2.4x the
CPU, none brought below graphlay; 8: 2.9x), other starts (a BFS forward from the sources, a
forward DFS from the first rank in reverse: the same basins or worse).  Left: 7 MLP losses of
one input (MLP(1,[2,5,1]) on 3 samples: 308, graphlay 272) stay above graphlay; polished from
graphlay's own order (its real nodes' heights, long edges straight between) they end at 254,
so a start, not the polish, is what they lack.

Session 18: the polish also moves the scope groups (``scope_groups``: an MLP loss's neuron over
its samples, with its shared weights), which no block holds: development losses of 210-490
nodes 4,438 -> 4,238 crossings, ``bench.layout_small300`` 9,695 -> 9,399 (above the better of
dot and graphlay on 7 -> 2).

Session 20: MLP losses (drawings with scope groups) are also swept and polished from
``loss_start`` (each layer's neurons side by side, a neuron's copies together) alone, and the
cheaper of the two orders gets the kicks and windows (``LOSS_START``): 25 development losses of
210-412 nodes 6,224 -> 6,141 order crossings, CPU +27 %; ``bench.layout_small2`` (held out)
8,820 -> 8,777.

Session 21: also from ``loss_start``'s paired key (``PAIRED_START``; both loss keys swept, the
cheaper after one round polished on): 25 development losses 6,141 -> 6,080, 15 fresh 3,334 ->
3,315, CPU +24 %; ``bench.layout_small2`` (held out) 8,777 -> 8,769 (MLP(1,[4,4,1]) on 3
samples 411 -> 403), CPU 42.4 -> 45.8 s.

Session 22: kicks from 300 real nodes too (``BIG_KICKS``, 2 per drawing, whatever its
segments), where a kick gains most: a polish there leaves more to find (a kick's polish costs
~0.5-1 s at 350-490 nodes, about as much as the polish of the starts).  39 development graphs
of 300-499 nodes (fresh seeds 10000+: 25 expressions, 14 losses, inspected samples and a
forward pass; drawn crossings): 16,885 -> 16,409 (4 kicks 16,199), one higher (expression(143,22) seed
33364 593 -> 594: a kick keeps an order of lower cost, which counts rigid crossings; drawn
crossings may rise), expression(134,25) seed 15792 708 -> 667 (graphlay 700, the only one above);
CPU 58 -> ~111 s at load ~6-9 (4 kicks: 144 s).  20 fresh graphs of 304-489 nodes (not tuned
on): 10,088 -> 9,741 (4 kicks: 9,586), CPU 46.5 -> 63.0 s (dot 28.3 s; 4 kicks 90.3 s); the
one above stays (MLP(3,[2,3,1]) on 4 samples, 221, graphlay 212).  ``bench.layout_small2``
(held out, ``--shuffles 5 --orders 3``): 8,769 -> 8,676, 12 of 42 changed, one higher
(MLP(4,[6,1]) on 2 samples 18 -> 19, dot 51, graphlay 54), above the better median on 1 as
before (MLP(3,[2,3,1]) on 4 samples, 221); our CPU 43.8 s (load ~4) -> 61.4 s (load ~9),
the 300-499-node expressions ~1.5-2.8x.  Paired, the same load (~6), one process each, CPU of
ours / dot's: expressions (100,31) 18107 0.63 -> 1.84, (137,25) 12171 1.24 -> 2.30, (161,23)
77725 0.66 -> 1.47, (110,3) 19371 2.65 -> 5.10; MLP(1,[5,4,1]) on 3 samples 5.7 -> 7.5 (our
seconds 0.8-2.5 -> 2.3-4.6; the app shows the quick order from 150 nodes and polishes in the
background).  Tried and dropped: more
kicks under 300 nodes (35 development graphs of 122-296 nodes: the kicks as they are gain 2,546
-> 2,540 for +47 % CPU, 12 per drawing 2,540 -> 2,535 for 2x; no graph brought below graphlay),
a work budget per kick (``move_clock.work_left``, 4 cells per squared layered node: 16,484,
the losses gain nothing as their polish is spent in the budget's first moves), a window of a
rank scrambled instead of two whole ranks, rerouting, sifting and transposition before the
kick's polish, kicks that keep an order of equal cost (each within +-10 crossings of the
others), and on one-sample losses and forward passes the loss keys as further starts (21
graphs 1,022 -> 1,021, +60 % CPU).  Left: the one-sample loss MLP(3,[3,6,1]) seed 44660 (211
nodes) at 39 (graphlay 38; 16 kicks or another kick seed reach 38).

Session 23: the loss starts include ``loss_start``'s loose key (``LOOSE_START``: the products of
a narrow layer's outputs at their neighbours' mean, where ``block_polish`` starts from 500
nodes). On MLP(3,[2,3,1]) on 4 samples (seed 29489, the structure of ``bench.layout_small2``'s)
graphlay's order puts the first layer's second neuron's outputs between the second layer's
neurons, next to the products they feed, and keeps each of those neurons' nodes of a rank
together; ours ended with every neuron's products of a rank before all their sums (ranks 14-15:
66 crossings against graphlay's 31). Polished from graphlay's own order ours ends at 205; from
the side-by-side key with other sample orders (12 permutations) 212-229, other neuron orders per
layer (12, side by side or paired) 212-292: chaotic in the order, no rule found. Order
crossings, ``/tmp/loss23/dev.py``: 30 development losses of 98-442 nodes (seeds 5301-5326 and
the shapes around MLP(3,[2,3,1])) 5,301 -> 5,257, none higher (MLP(3,[2,3,1]) on 4 samples 221
-> 212, graphlay 212; MLP(2,[2,3,1]) on 4 215 -> 196); fresh, not tuned on: 20 losses (seeds
5401-5420) 3,781 -> 3,780, 20 more (5501-5520) 2,189 -> 2,176 (one higher: MLP(2,[2,6,1]) on 2
samples 143 -> 148); CPU +8 / +11 / +13 %. ``bench.layout_small2``'s 10 losses (held out,
measured before and after only): 1,064 -> 1,055, above the better of dot and graphlay on 1 -> 0
(MLP(3,[2,3,1]) on 4 samples 221 -> 212, graphlay 212), CPU 13.0 -> 13.7 s (load ~7). Tried and
dropped: a regrouping kick (each scope's nodes of a rank, or of every band of 2-3 ranks,
gathered at their mean place, polished, kept if cheaper): 221 stays. Left: the one-sample loss
MLP(3,[3,6,1]) seed 44660 at 39 (graphlay 38; no loss keys without copies).

Session 26: the third start (the mirrored DFS) under 300 real nodes too (``MIRRORED_FROM_NODES``;
three starts get one polish round, the cheapest is polished on, as before).  35 development
graphs of 91-465 nodes (expressions of seeds 9101-9120, losses and forward passes of seed 91,
inspected samples of seeds 91-95): 7,826 -> 7,797 drawn crossings, 2 lower (expression(70,22)
seed 9103 168 -> 163, expression(90,17) seed 9111 281 -> 257), none higher, CPU +3 %.
``bench.layout_small2`` (held out; ours alone, one input order): 8,667 -> 8,603, 6 of 42 lower
(expression seed 304 304 -> 269, seed 308 119 -> 108, seed 320 113 -> 104), none higher, CPU
44.6 -> 44.9 s.  The one-sample loss MLP(3,[3,6,1]) seed 44660 stays at 39 (graphlay 38).

All deterministic: the starts, their order and the tie-breaks (cost, then start index) are
fixed, and HiGHS returns the same solution to the same program (built in the order of the
ranks).
"""

from __future__ import annotations

import numpy as np

from .initial_order import bfs_order, dfs_order
from .layering import LayeredGraph
from .ordering import LayerOrder, minimise_crossings, polish_round
from .window_order import crossed_segments_per_gap, improve_windows

FULL_SWEEPS = 24          # ordering.minimise_crossings' most iterations
SMALL_SWEEP_WORK = 24000  # its sweep budget: the full 24 up to 1,000 segments
POLISH_ROUNDS = 8
POLISH_BOTH_SEGMENTS = 2000  # above this many segments only the start cheaper after its sweeps is
                             # polished (time: a 490-node expression, 3,900 segments, took 3.7 s
                             # with one polish, 5.2 s with two, for the same crossings)
KICK_WORK = 3000          # kicks (see ``kick_and_polish``): KICK_WORK // (segments + 2 * real nodes),
MAX_KICKS = 4             # at most MAX_KICKS; none above POLISH_BOTH_SEGMENTS segments; from
KICK_MAX_NODES = 300      # this many real nodes BIG_KICKS instead
MIRRORED_FROM_NODES = 0   # the third start (mirrored DFS) from this many real nodes: was
                          # RESTART_FROM_NODES until session 26; on every size since (module docstring)
RESTART_FROM_NODES = 300  # from here (where no kicks run) the two starts cheapest
FULL_POLISH_STARTS = 2    # after one round each polished to the end: bench.layout_small300 9,875 ->
                          # 9,695 crossings, CPU +39 % (all three: 9,664, +61 %); module docstring
BIG_KICKS = 2             # kicks from KICK_MAX_NODES real nodes, whatever the segments (none before
                          # session 22): 39 development graphs of 300-499 nodes 16,885 -> 16,409
                          # crossings, 20 fresh 10,088 -> 9,741; CPU ~1.3-2.8x per drawing there
                          # (4 kicks: 16,199 and 9,586 for ~1.9-3.5x); module docstring
KICK_BAND = 2             # ranks scrambled per kick
KICK_SEED = 10
SCOPE_MOVES = True        # scope groups (``scope_groups``) moved in every polish round: 14
                          # development MLP losses of 210-490 nodes 4,438 -> 4,238 crossings, CPU +6 %
LOSS_START = True         # MLP losses: also polished from ``loss_start`` alone, the cheaper kept (then
                          # the kicks): 25 development losses of 210-412 nodes 6,224 -> 6,141 order
                          # crossings, CPU +27 % (module docstring)
PAIRED_START = True       # with it, ``loss_start``'s paired key (a family's neurons 2k and 2k + 1
                          # in one span, their copies interleaved) is swept too, the cheaper after one
                          # round polished on: 25 development losses of 210-412 nodes 6,141 -> 6,080
                          # (MLP(1,[2,3,1]) on 5 samples 330 -> 308, graphlay 319; one +1), 15 fresh
                          # (seed 5230) 3,334 -> 3,315, none worse; CPU +24 % (module docstring)
LOOSE_START = True        # and its loose key (``copy_places``' ``loose``) as a third:
                          # 30 development losses of 98-442 nodes 5,301 -> 5,257 order
                          # crossings, none higher (MLP(3,[2,3,1]) on 4 samples 221 -> 212,
                          # graphlay 212), 20 + 20 fresh 3,781 -> 3,780 and 2,189 -> 2,176
                          # (one +5), CPU +8-13 % (module docstring)
DENSE_SEGMENTS_PER_NODE = 2  # above this many segments per layered node, no path/block moves
                             # (see order_stage: their cost grows with the segments per move)


def start_orders(lg: LayeredGraph, start_key: np.ndarray, mirrored: bool = False) -> list[np.ndarray]:
    """The starts (a sort key per node): the DFS key (``order_stage``'s), then dot's second
    start, a BFS back from the sinks (in DFS key order); with ``mirrored`` a third, a DFS
    back from the sinks visiting each node's predecessors last key first."""
    outdeg = np.bincount(lg.seg_src, minlength=lg.n_nodes)
    by_key = np.argsort(start_key, kind="stable")
    sinks = by_key[outdeg[by_key] == 0]
    starts = [start_key, bfs_order(lg, sinks, forward=False)]
    if mirrored:
        starts.append(dfs_order(lg, -start_key[lg.seg_src], sinks.tolist()))
    return starts


def swept_starts(lg: LayeredGraph, start_key: np.ndarray, rigid: np.ndarray, mirrored: bool = False,
                 starts: int | None = None, sweep_work: int = SMALL_SWEEP_WORK) -> list:
    """[(cost, index, LayerOrder)]: each of ``start_orders`` (the first ``starts`` of them) after
    up to 24 sweeps (``sweep_work``: ``minimise_crossings``' sweep budget), no polish
    (``mid_order`` keeps the cheapest, ``order_small`` polishes them)."""
    return [_swept(lg, key, rigid, i, sweep_work)
            for i, key in enumerate(start_orders(lg, start_key, mirrored)[:starts])]


def order_small(lg: LayeredGraph, start_key: np.ndarray, rigid: np.ndarray,
                windows: bool = True, groups: list | None = None,
                loss_keys=None) -> tuple[np.ndarray, int]:
    """(pos, crossings) of the best order found from ``start_orders``: each swept (up to
    24 sweeps), then polished one round; the cheapest (the first on a tie) polished on while
    that gains (from ``RESTART_FROM_NODES`` real nodes the ``FULL_POLISH_STARTS`` cheapest,
    and the cheapest of them kept); then (``windows``) exact windows of three ranks, and
    polish again if they gained.  ``groups`` (``scope_groups``): moved together in every
    polish round (``SCOPE_MOVES``).  ``loss_keys`` (``loss_start.LossKeys``, an MLP loss's):
    its side-by-side, paired and loose keys alone swept and polished too (``LOSS_START``; the
    paired one with ``PAIRED_START``, the loose one with ``LOOSE_START``), the cheapest of
    those orders against the order from ``start_key``, the cheaper kept (the first on a tie)
    for the kicks and windows."""
    paths = len(lg.seg_src) <= DENSE_SEGMENTS_PER_NODE * lg.n_nodes
    order, cost = _order_from(lg, swept_starts(lg, start_key, rigid, lg.n_real >= MIRRORED_FROM_NODES),
                              groups, paths)
    if LOSS_START and loss_keys is not None and cost > 0:
        keys = [loss_keys.side_by_side] + ([loss_keys.paired] if PAIRED_START else [])
        if LOOSE_START and (loose := loss_keys.loose) is not None:
            keys.append(loose)
        other, other_cost = _order_from(lg, [_swept(lg, key, rigid, i) for i, key in enumerate(keys)], groups, paths)
        if other_cost < cost:
            order, cost = other, other_cost
    if cost > 0:
        cost = kick_and_polish(order, cost, paths, kick_budget(lg))
    if windows and cost > 0 and improve_windows(order):
        _polish(order, order.cost(), True, paths, POLISH_ROUNDS)
    return order.pos.copy(), order.crossings()


def _swept(lg: LayeredGraph, key: np.ndarray, rigid: np.ndarray, index: int,
           sweep_work: int = SMALL_SWEEP_WORK) -> tuple:
    """(cost, index, LayerOrder) of ``key`` after up to 24 sweeps."""
    pos, _ = minimise_crossings(lg, key, seg_rigid=rigid, max_iterations=FULL_SWEEPS, sweep_work=sweep_work,
                                polish=False)
    order = LayerOrder(lg, pos, rigid)
    return order.cost(), index, order


def _order_from(lg: LayeredGraph, swept: list, groups: list | None, paths: bool) -> tuple:
    """(LayerOrder, cost): ``order_small``'s polish of the swept starts ``swept``, before the
    kicks.  ``paths``: path and block moves (not on dense drawings, a collapsed network's
    boxes: several segments per node, where their cost grows with the segments each move
    counts against)."""
    restarts = lg.n_real >= RESTART_FROM_NODES
    if groups and paths and SCOPE_MOVES:
        for _, _, order in swept:
            order.scope_groups = groups
    # A start the sweeps left without crossings cannot be beaten (and wins a tie as the first):
    # polishing the others only costs.  The app's 110-line chain drawn collapsed (405 nodes):
    # one start 0, the other 71, whose polish took 0.47 s of the layout's 0.58 s of CPU.
    if len(lg.seg_src) > POLISH_BOTH_SEGMENTS or min(t[0] for t in swept) == 0:
        swept = [min(swept, key=lambda t: t[:2])]
    rounded = []
    for cost, index, order in swept:
        gained = _round(order, paths) if cost > 0 else 0
        if gained:
            cost = order.cost()
        rounded.append((cost, index, order, gained))
    if restarts:    # the cheapest FULL_POLISH_STARTS after one round each polished to the end
        rounded = [(_polish(order, cost, gained, paths, POLISH_ROUNDS - 1), index, order, 0)
                   for cost, index, order, gained in sorted(rounded, key=lambda t: t[:2])[:FULL_POLISH_STARTS]]
    cost, _, order, gained = min(rounded, key=lambda t: t[:2])
    return order, _polish(order, cost, gained, paths, POLISH_ROUNDS - 1)


def _polish(order: LayerOrder, cost: float, gained: float, paths: bool, rounds: int) -> float:
    """Polish rounds while the last one gained (``gained``); returns the cost."""
    for _ in range(rounds):
        if not gained or cost == 0:
            break
        kept = order.pos.copy()
        gained = _round(order, paths)
        after = order.cost()
        if after > cost:        # a round never worsens the order; if it did, keep the old one
            order.pos[:] = kept
            break
        cost = after
    return cost


def _round(order: LayerOrder, paths: bool) -> float:
    """``ordering.polish_round``, then the scope groups' moves (``scope_groups``; transposition
    after them if they gained); returns what the round's moves gained."""
    gained = polish_round(order, paths)
    groups = getattr(order, "scope_groups", None)
    if groups:
        moved = order.move_scope_groups(groups)
        if moved:
            order.transpose()
        gained += moved
    return gained


def kick_budget(lg: LayeredGraph) -> int:
    """How many kicks a drawing gets: under ``KICK_MAX_NODES`` real nodes a fixed work
    (``KICK_WORK``) over its size (a polish costs about in proportion to segments + 2 * real
    nodes), so a kick budget that shrinks with size and none where a polish is already long;
    from there ``BIG_KICKS`` (where a kick gains the most: session 22, module docstring)."""
    segments = len(lg.seg_src)
    if lg.n_real >= KICK_MAX_NODES:
        return BIG_KICKS
    if segments > POLISH_BOTH_SEGMENTS:
        return 0
    return min(MAX_KICKS, KICK_WORK // (segments + 2 * lg.n_real))


def kick_and_polish(order: LayerOrder, cost: float, paths: bool, kicks: int) -> float:
    """Iterated local search: ``kicks`` times, scramble ``KICK_BAND`` consecutive ranks at a
    gap with crossings (a seeded draw, each gap as likely as the segments there that cross),
    polish, and keep the new order if it is cheaper, else restore the old one.  Returns the
    cost.  The polish's moves each change one node, path or block, and end where no single
    move gains; a scrambled band lets them rebuild those ranks together."""
    rng = np.random.default_rng(KICK_SEED)
    for _ in range(kicks):
        if cost == 0:
            break
        crossed = crossed_segments_per_gap(order)
        gap = int(rng.choice(order.n_layers, p=crossed / crossed.sum()))
        first = max(0, min(gap - (KICK_BAND - 2) // 2, order.n_layers - KICK_BAND))
        kept = order.pos.copy()
        for l in range(first, min(order.n_layers, first + KICK_BAND)):
            order.pos[order.members[l]] = rng.permutation(len(order.members[l]))
        order.untangle_rigid()
        after = _polish(order, order.cost(), True, paths, POLISH_ROUNDS)
        if after < cost:
            cost = after
        else:
            order.pos[:] = kept
    return cost

