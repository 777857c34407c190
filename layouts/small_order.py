"""Crossing minimisation of small drawings (under ``order_stage.SMALL_GRAPH_NODES`` real nodes,
no clusters): two starts, each polished, then exact windows.

The median sweeps and the polish (``ordering.reroute_and_sift``: rerouting, path and block
moves, sifting) end in very different local optima from different starts, and the order
that is best after the sweeps is often not the best after the polish: on expression seed 47
of ``bench.layout_fresh``'s held-out set (251 nodes) the DFS start's sweeps end at cost 260
and its polish at 214, the BFS start's at 293 and 200.  So both starts (the DFS key and dot's
BFS back from the sinks) get one polish round, and the cheaper after it goes on polishing
(the ranking after one round rarely changes; polishing both to the end cost ~40 % more time
for the same result on the 45 graphs of ``bench.layout_fresh`` and ``bench.layout``).  More
starts (the DFS order without sweeps, or mirrored) found orders as much better as worse:
same total over those graphs, for up to 3x the time.  Last, ``window_order`` reorders
windows of three ranks exactly, and the polish goes on where that gained.

All deterministic: the starts, their order and the tie-breaks (cost, then start index) are
fixed, and HiGHS returns the same solution to the same program (built in the order of the
ranks).
"""

from __future__ import annotations

import numpy as np

from .initial_order import bfs_order
from .layering import LayeredGraph
from .ordering import LayerOrder, minimise_crossings, polish_round
from .window_order import improve_windows

FULL_SWEEPS = 24          # ordering.minimise_crossings' most iterations
SMALL_SWEEP_WORK = 24000  # its sweep budget: the full 24 up to 1,000 segments
POLISH_ROUNDS = 8
POLISH_BOTH_SEGMENTS = 2000  # above this many segments only the start cheaper after its sweeps is
                             # polished (time: a 490-node expression, 3,900 segments, took 3.7 s
                             # with one polish, 5.2 s with two, for the same crossings)
DENSE_SEGMENTS_PER_NODE = 2  # above this many segments per layered node, no path/block moves
                             # (see order_stage: their cost grows with the segments per move)


def start_orders(lg: LayeredGraph, start_key: np.ndarray) -> list[np.ndarray]:
    """The starts (a sort key per node): the DFS key (``order_stage``'s), then dot's second
    start, a BFS back from the sinks (in DFS key order)."""
    outdeg = np.bincount(lg.seg_src, minlength=lg.n_nodes)
    by_key = np.argsort(start_key, kind="stable")
    return [start_key, bfs_order(lg, by_key[outdeg[by_key] == 0], forward=False)]


def swept_starts(lg: LayeredGraph, start_key: np.ndarray, rigid: np.ndarray) -> list:
    """[(cost, index, LayerOrder)]: each of ``start_orders`` after up to 24 sweeps, no
    polish (``mid_order`` keeps the cheapest, ``order_small`` polishes them)."""
    swept = []
    for key in start_orders(lg, start_key):
        pos, _ = minimise_crossings(lg, key, seg_rigid=rigid, max_iterations=FULL_SWEEPS, sweep_work=SMALL_SWEEP_WORK,
                                    polish=False)
        order = LayerOrder(lg, pos, rigid)
        swept.append((order.cost(), len(swept), order))
    return swept


def order_small(lg: LayeredGraph, start_key: np.ndarray, rigid: np.ndarray,
                windows: bool = True) -> tuple[np.ndarray, int]:
    """(pos, crossings) of the best order found from ``start_orders``: each swept (up to
    24 sweeps), then polished one round; the cheapest (the first on a tie) polished on while
    that gains; then (``windows``) exact windows of three ranks, and polish again if they
    gained."""
    # Dense drawings (a collapsed network's boxes: several segments per node) skip the path
    # and block moves, whose cost grows with the segments each move counts against.
    paths = len(lg.seg_src) <= DENSE_SEGMENTS_PER_NODE * lg.n_nodes
    swept = swept_starts(lg, start_key, rigid)
    if len(lg.seg_src) > POLISH_BOTH_SEGMENTS:
        swept = [min(swept, key=lambda t: t[:2])]
    best = None
    for cost, index, order in swept:
        gained = polish_round(order, paths) if cost > 0 else 0
        if gained:
            cost = order.cost()
        if best is None or cost < best[0]:
            best = (cost, order, gained)
    cost, order, gained = best
    cost = _polish(order, cost, gained, paths, POLISH_ROUNDS - 1)
    if windows and cost > 0 and improve_windows(order):
        _polish(order, order.cost(), True, paths, POLISH_ROUNDS)
    return order.pos.copy(), order.crossings()


def _polish(order: LayerOrder, cost: float, gained: float, paths: bool, rounds: int) -> float:
    """Polish rounds while the last one gained (``gained``); returns the cost."""
    for _ in range(rounds):
        if not gained or cost == 0:
            break
        kept = order.pos.copy()
        gained = polish_round(order, paths)
        after = order.cost()
        if after > cost:        # a round never worsens the order; if it did, keep the old one
            order.pos[:] = kept
            break
        cost = after
    return cost
