"""Crossing minimisation of drawings from ``order_stage.SMALL_GRAPH_NODES`` to
``mid_order.MID_GRAPH_NODES`` real nodes with few long edges (under ``mid_order.MID_MIN_LAYERED``
layered nodes: MLP forward passes, losses and inspected samples; past that, up to
``mid_order.MID_LARGE_NODES``, those not tree-like: ``block_polished``), no clusters, no earlier
drawing, not ``fast``: the big drawings' order (sweeps, transposition, one round of sifting;
no rerouting, which gained 0-6 crossings on 22 development graphs), then one pass of block
moves over the outermost blocks only, under a work budget.

Why: dot's CPU time on these graphs is small (60-180 ms at 550-1,050 layered nodes), our time
may be at most half of it, and the big drawings' order already takes ~0.4-0.5 of it; the
sweeps leave MLP forward passes ~1.7x above graphlay's crossings (a neuron's products, sums
and weights split from the neuron's chain) and inspected samples ~5-10 % above.  Moving a
whole neuron (a block: a node with its in-tree, ``block_moves``) across the others gains
most; the in-trees of a neuron's partial sums (nested in the neuron's) gained 1-3 crossings
each for the same work.  So only blocks in no other block are moved
(``in_tree_blocks(outermost=True)``: 16-32 per graph instead of 200-580), most crossings per
cell first (``block_moves._most_promising``) until ``BLOCK_WORK`` cells per squared layered
node are spent (dot's time grows with that square too).  Counted, not timed: deterministic.

Measured (development graphs only: forward passes MLP(9,[9,8,1]), (8,[8,8,1]), (7,[9,9,1]),
(9,[10,7,1]), (7,[8,8,1]) of seed 5000; inspected samples (2,[9,9,1]) seed 31 and (10,8),
(8,9), (10,9), (10,10), (8,8), (9,10) seed 5000; 8 MLP losses of bench.layout_ratio,
bench.layout_mid and seed 5000), drawn crossings: budget 0 / 0.25 / 0.5 / 1 cells per squared
layered node: forward passes 557 / 450 / 407 / 349, 454 / 393 / 345 / 315, 638 / 519 / 446
/ 441, 493 / 306 / 301 / 296 (graphlay 320, 255, 434, 284); inspected samples all at or below
graphlay from 0.25 except (8,8) (344 -> 334, graphlay 318); losses (already 0.5-0.95x
graphlay's) within +-1 % except MLP(2,[8,8,1]) 1,645 -> 1,618.  CPU over dot's (median of 3
orders, load ~6): +0.02-0.06 at 0.25, +0.04-0.10 at 0.5; the set-up (in-trees, crossings per
segment) ~2 ms.  Bought back by lossless cuts in the big drawings' order (transposition and
sifting skip layers without a crossing next to them: 10-20 % of its time here).

Session 18: tree-like drawings (``tree_like``: at most ``TREE_LIKE_BRANCHING`` of the real
nodes feed two or more others; forward passes and inspected samples, not losses) skip the
median sweeps: the DFS start keeps each neuron's in-tree together, and transposition, sifting
and the block moves from there end lower than from the sweeps' order (which is cheaper when
the sweeps end but pulls the neurons apart, so the moves start in a worse basin).  Drawn
crossings, 12 development forward passes (seed 5000, 609-938 nodes; graphlay 3,855): 4,055 ->
3,388, above graphlay 6 -> 1 (MLP(5,[8,8,1]) 399 -> 273, graphlay 243); 22 more shapes
(2-4 hidden layers, 505-997 nodes) 8,077 -> 7,195, none worse.  Inspected samples: the same
crossings (8 graphs), the order ~25 % faster.  CPU over dot's (3 orders, load ~5):
MLP(3,[9,9,1]) 0.58 -> 0.44 median (worst 0.66 -> 0.49), (6,[9,9,1]) 0.54 -> 0.42, (7,[9,9,1])
0.47 -> 0.32.  Losses keep the sweeps: without them 7 losses of 534-922 nodes ended 7-17 %
higher (e.g. MLP(3,[4,4,1]) on 4 samples 898 -> 1,053).  Held out (``bench.layout_mid2``,
measured before and after only): MLP(8,[10,8,1]) forward 569 -> 348 (graphlay 403).  Tried
and dropped (forward passes, no sweeps): a start with each neuron's in-tree contiguous
(ordered by its DFS keys' mean, min or median) before the sweeps, 5,856 -> 6,190-6,569 on 14
graphs, or without them 6,220-6,639 (the block moves then gain nothing); other starts without
sweeps (dot's BFS, the DFS back from the output, mirrored): 15,669-18,978 against 11,899 on
36; more budget (0.5, 1 cell, several passes): -0.2 %; the in-trees of partial sums or paths
moved too: -0.1 %.  Left: some neurons stay a band (all their nodes together in each rank)
where graphlay interleaves every neuron (its nodes grouped by role, neurons split around
each shared input): MLP(5,[8,8,1]) 273, MLP(3,[6,12,1]) 463 (graphlay 243, 430); merging
a band into a neighbour's interleaving, polished again, gained nothing.

Session 23: the scope groups go first (``SCOPES_FIRST``; ``move_outer_blocks``'
``extra_first``). On MLP losses the budget is spent on 3-5 groups of 50-80 nodes, most promising
first; on MLP(1,[4,7,1]) on 3 samples and three development losses of 588-708 nodes the one move
that gained (34-43 crossings) was a scope group ranked 4th-5th, reached only on twice the
budget. Order crossings, development (session 21's shapes of 530-922 nodes,
``/tmp/loss23/big.py``): 96 losses 100,330 -> 100,108, none higher (MLP(1,[4,7,1]) on 3 samples
1,386 -> 1,340, graphlay 1,377; MLP(1,[2,8,1]) on 4 1,460 -> 1,425; MLP(3,[6,6,1]) on 2 644 ->
606); 16 fresh shapes (not tuned on) 18,444, unchanged; ``bench.layout_mid2``'s 4 losses (held
out) unchanged. The same CPU (paired runs, 8 losses, within +-1 %: the budget is the same).
Forward passes and inspected samples have no scope groups: unchanged. Tried and dropped: the
losses' budget doubled (0.5 cells): 99,891 on the 96 (MLP(2,[4,5,1]) on 4 samples 1,332 -> 1,276
too), fresh 18,409, but CPU +2-10 % where nothing is gained (MLP(1,[2,4,1]) on 7 samples 0.42 ->
0.45 of dot's CPU median, worst order 0.45 -> 0.47, load ~6; the held-out losses at 0.40-0.50,
main 0.37-0.46).

Session 38, the losses without an L2 term (35 of ``bench.layout_fresh --set batch_more`` ordered
here, one shuffled order; 8 above graphlay, e.g. MLP(2,[3,5,8,1]) on 2 samples 1,284, graphlay
1,093): 52,695 drawn crossings.  Their basin is not out of reach: ``small_order``'s polish finds
1,000 there (and below graphlay on the 6 tried) but in ~100x the CPU; one unbudgeted round of
``reroute_and_sift``'s moves after this order 48,029, ~10x the CPU, most of it from moving the
one-segment edges with their ends (1,576 of 27,274 tries gained, 3,387 crossings, ~0.3 ms a
try).  Cheaper forms of it, all tried and not taken (CPU over this order's): path moves on a
budget of 0.5 / 1 / 2 cells 52,225 / 52,110 / 51,851 (+11 / +18 / +30 %; 1 cell without the
one-segment edges and with ``SCOPED_CHAIN_TAIL`` 51,083, +23 %); ``pair_moves`` on every such
loss with 5 / 20 / unlimited batches 52,341 / 51,605 / 51,180 (+2 / +23 / +49 %); the best of
four starts (the DFS key and the three loss keys) 52,369 (3x).  Nor cuts: no sifting round 55,891
(-18 %; with the block budget doubled 55,255), the reverse transpositions capped at 3 rounds
53,372 or the first transposition at 2 52,561 (no CPU saved in either).  The time bound is
tightest here: these losses of 500-650 nodes take 0.41-0.55 of dot's CPU (median of 3 orders;
MLP(1,[3,4,3,1]) on 3 samples 0.62 over 5), worst on the order as built, where dot is fastest
(MLP(3,[4,3,6,1]) on 2 samples: dot 76 ms as built, 97-111 ms shuffled, ours 53 ms on each: the
order 43 ms, of it transposition 11, sifting 11, pair moves 6, block moves 5; ranking 6, the
loss keys 4, the input 3, the placement 3).
"""

from __future__ import annotations

import numpy as np

from .layering import LayeredGraph
from .mid_order import (MID_GRAPH_NODES, MID_LARGE_NODES, MID_MIN_LAYERED, SCOPED_CHAIN_TAIL,
                        SCOPED_MIN_EDGE_NODES, many_long_edges)
from .ordering import minimise_crossings

TREE_LIKE_BRANCHING = 0.04   # at most this share of real nodes with 2+ consumers: no median sweeps
                              # (see ``tree_like``): forward passes 0.009-0.020, inspected samples
                              # 0.016-0.020, MLP losses (weights shared by the samples) 0.071-0.131
BLOCK_WORK = 0.25   # table cells of block moves per squared layered node (~4 moves of a neuron
                    # at 1,000 layered nodes); 0.5 gained 5-15 % more on forward passes for
                    # ~0.04 more of dot's time, where the drawings were at 0.45-0.55 already

SCOPES_FIRST = True   # the scope groups (an MLP loss's neurons over their samples) are tried before
                      # the blocks, each most promising first: 96 development losses of 530-922
                      # nodes 100,330 -> 100,108 order crossings, none higher, the same CPU
                      # (module docstring)

PAIR_EVALUATIONS = 5    # with ``pairs`` (MLP losses with a narrow layer, ``order_stage.NARROW_PAIRS``):
                        # then the ends of segments moved in pairs (``pair_moves``), at most this
                        # many batches (4: MLP(3,[2,5,1]) on 5 samples 949, graphlay 947), the gaps
                        # with most crossings first, and a round of sifting around them (on
                        # losses with a narrow layer: 12 of 502-922 nodes 9,789 -> 9,614 drawn
                        # crossings, none higher)

LONG_EDGES_FROM = 1.5   # drawings with more layered nodes than this many per real node (many long
                        # edges: an MLP loss over a batch with its L2 term, 1.7-2.4; the other losses
                        # of 500-1,000 nodes 1.01-1.25) get a pass of moves on a budget of
                        # LONG_EDGE_WORK cells per squared layered node (LONG_EDGE_SMALL_WORK under
                        # LONG_EDGE_FULL_LAYERED; times LONG_EDGE_COPIES_WORK over several samples;
                        # path moves since session 35, LONG_EDGE_PATHS; until
                        # then a rerouting pass, charged per rank, ``rerouting.BUDGETED_RANK_WORK``,
                        # then path and block moves, ``move_groups``, most promising first):
                        # dot takes 0.3-2.3 s there and ours was at 0.11-0.29 of it.  Session 33, the
                        # 16 batch losses with L2 of ``bench.layout_fresh --set batch`` and
                        # ``batch_heldout`` ordered here (after ``order_stage.AGGREGATE_SHARE``):
                        # 26,824 crossings -> 24,728 (graphlay 26,125); an unbudgeted rerouting and 2
                        # cells of moves reached 23,229, but +0.10-0.27 of dot's CPU where dot is fast
                        # (MLP(3,[4,1]) on 5 samples, 530 nodes, 928 layered: 0.40 -> 0.67).  Now the
                        # median ratio is at most 0.37 on those 16 (3 input orders, worst 0.41) but
                        # for MLP(1,[2,2,2,1]) on 6 samples (543 nodes, 0.45-0.51 in three runs: not
                        # touched by the pass, where main took 0.45).  Session 37, the pass for drawings
                        # with fewer long edges (no L2 term but that one, 1.35 layered per real node: 747
                        # -> 669, graphlay 579): the losses of the batch sets and ``batch_more`` ordered
                        # here with 1.5 or fewer, threshold 1.3 / 1.2: 69,129 -> 68,956 / 67,997
                        # crossings, above the better of dot and graphlay 9 -> 9 / 8, CPU +2 / +9 % (some
                        # higher, e.g. MLP(1,[3,6,1]) on 4 samples 1,318 -> 1,403); 0 (every such drawing)
                        # on the 21 of seeds 9910-9930: 33,573 -> 33,371, above 5 -> 5, CPU +12 %.  Not
                        # taken
LONG_EDGE_WORK = 1.8   # session 37: 1.0 -> 1.8 with LONG_EDGE_SIFT off, which pays for it (below)
LONG_EDGE_SIFT = False  # drawings that take that pass skip the sifting round of the big drawings' order
                        # (``minimise_crossings``' ``sift_max_nodes``): per unit of CPU the path moves
                        # gain more there, so its time goes to their budget.  Session 36, the 66 batch
                        # losses with L2 of ``--set batch_more`` that take the pass (one shuffled order,
                        # min of 3 CPU runs): 91,062 -> 88,497 crossings, above the better of dot and
                        # graphlay 16 -> 7, CPU 6.98 -> 6.93 s (session 36); ``--set batch`` 8,043 ->
                        # 7,793 and ``batch_heldout`` 13,902 -> 13,436 (above 2 -> 0); two fresh seeds
                        # not tuned on 40,852 -> 39,616 (above 1 -> 0, CPU median 0.30 -> 0.28 of dot's,
                        # worst 0.48 -> 0.36).  Tried: no sifting with 1.3 / 1.6 / 2.0 cells (90,631 /
                        # 89,330 / 87,732, above 12 / 10 / 6, 2.0 +3 % CPU); sifting kept but no block
                        # moves (93,565).
                        # Session 37, all 150 of ``batch_more``: 221,677 -> 219,112, above 34 -> 25; 68
                        # inspected samples + L2 of 500-1,000 nodes (shapes (4..10, 4..10), (3..6, 3..6,
                        # 3..5), seed 0) 23,909 -> 23,753, the same CPU (median 0.27 -> 0.26 of dot's)
LONG_EDGE_PATHS = True  # that pass spends its budget on path moves alone (``move_paths``, most promising
                        # first), not a rerouting pass and then paths and blocks ranked together
                        # (``move_groups``): the outermost blocks have had their moves already, and per
                        # cell a path (an edge with its ends, a chain cut past where it joins the L2
                        # sum) gains most here.  Session 35, the 58 batch losses with L2 of ``--set
                        # batch_more`` that take the pass (1,017-1,997 layered nodes): 94,123 -> 89,759
                        # crossings, above the better of dot and graphlay 25 -> 16, the same CPU (median
                        # 0.24 -> 0.25 of dot's, worst 0.39 -> 0.43, one order each).  Twice the budget
                        # gained as much again (85,469, above 2) but took up to 0.54 of dot's CPU where
                        # dot is fastest (MLP(4,[5]) on 3 samples, 1,259 layered nodes, dot ~300 ms)
LONG_EDGE_FULL_LAYERED = 1000   # (where dot's time, growing as their square, leaves room for it); below
LONG_EDGE_SMALL_WORK = 1.0      # that many layered nodes the pass takes this budget instead, where the
                                # rest of the order already takes more of dot's time.  Until session 37
                                # there was no pass below 1,000 (session 35: with sifting kept, 0.36-0.47
                                # of dot's CPU median against 0.29-0.37 without the pass).  Without the
                                # sifting round (LONG_EDGE_SIFT) it costs about what sifting did: the 9
                                # batch losses + L2 under 1,000 layered nodes of ``--set batch`` and
                                # ``batch_more`` (802-976 layered; one shuffled order, min of 3 CPU runs)
                                # 9,788 -> 8,976 crossings, above the better of dot and graphlay 6 -> 1
                                # (MLP(2,[2,3,3,1]) on 3 samples 604, graphlay 581), CPU median 0.35 ->
                                # 0.36 of dot's, worst 0.48 -> 0.46 (0.7 cells: 9,109, 0.35 / 0.43; 1.8
                                # cells: 8,796 at a worst of 0.47-0.51).  Held out (seeds 10030-10060,
                                # measured once): 3 such, 3,095 -> 2,665, above 2 -> 1 (MLP(1,[7,1]) on 5
                                # samples 945 -> 641, graphlay 1,055); no inspected sample + L2 of 500-
                                # 1,000 nodes has under 1,000 layered nodes (68 shapes: all unchanged)

LONG_EDGE_COPIES_WORK = 1.5     # with scope groups (``scope_groups``: a loss over several samples, whose
                                # shared weights each send a long edge to every sample's product and to
                                # the L2 term) the pass gets this many times those cells.  Session 40:
                                # those losses were at 0.29 of dot's CPU (median) where the rest of
                                # 500-650 nodes are at 0.41-0.55, and the pass was still gaining when
                                # its budget ran out (20 of the 29 path moves of MLP(2,[2,7,1]) + L2 on
                                # 3 samples gained).  1.5x the cells for every drawing that takes the
                                # pass, the 70 batch losses + L2 of ``--set batch_more`` whose crossings
                                # it changed (one shuffled order, min of 2 CPU runs): 95,924 -> 92,715,
                                # above the better of dot and graphlay 8 -> 3, median CPU over dot's 0.29
                                # -> 0.33 (2x: 90,794, above 1, but median 0.38 and 13 of 70 over 0.45);
                                # but on one sample, or an inspected sample (no scope groups: each
                                # weight feeds one product and its square), it gained little for the
                                # most time: MLP(4,[3,7,2,1]) + L2 on 1 sample 193 -> 184 crossings, 0.28
                                # -> 0.45 of dot's CPU (median of 3 input orders); 8 inspected samples +
                                # L2 of 500-1,000 nodes 1,836 -> 1,810, median 0.27 -> 0.33.  So
                                # only where there are scope groups: ``--set batch_more`` 218,390 ->
                                # 215,204, above 20 -> 15.  Held out (seed 40100, the first 12 losses +
                                # L2 of 500-1,000 nodes whose crossings it changes, measured once):
                                # 18,577 -> 18,161, median of dot's CPU (3 input orders) 0.29 -> 0.36,
                                # the highest 0.36 -> 0.50 under the test suite's load (MLP(3,[2,4,1]) on
                                # 6 samples; 0.32 -> 0.41 on a quiet machine)

REROUTE_TREE = True   # tree-like drawings end with one pass of rerouting (~1-2 ms here): from the
                      # family start (``order_stage.FAMILY_START``) 16 development forward passes
                      # and inspected samples of 521-997 nodes 6,044 -> 5,967 crossings, none
                      # worse (MLP(7,[9,9,1]) 376 -> 367); from the DFS start it gained nothing


def block_polished(lg: LayeredGraph) -> bool:
    """Whether a drawing of at least ``SMALL_GRAPH_NODES`` real nodes is ordered here: up to
    ``MID_GRAPH_NODES`` real nodes under ``MID_MIN_LAYERED`` layered ones, and past that up to
    ``MID_LARGE_NODES`` those without ``mid_order.many_long_edges``, but for the tree-like ones
    (else as the big drawings are: 4 forward passes and 6 inspected samples without L2 of
    1,032-1,881 nodes ended with the same crossings here, so the app would wait for a polish
    that changes nothing)."""
    if lg.n_real <= MID_GRAPH_NODES:
        return lg.n_nodes < MID_MIN_LAYERED
    return lg.n_real <= MID_LARGE_NODES and not many_long_edges(lg) and not tree_like(lg)


def long_edge_pass(lg: LayeredGraph, tree: bool | None = None) -> bool:
    """Whether ``order_blocks`` ends with the pass of path moves for many long edges
    (``LONG_EDGES_FROM``: a batch loss or an inspected sample with its L2 term).  ``tree``:
    ``tree_like(lg)`` where the caller has it already."""
    if lg.n_nodes <= LONG_EDGES_FROM * lg.n_real:
        return False
    return not (tree_like(lg) if tree is None else tree)


def tree_like(lg: LayeredGraph) -> bool:
    """Whether at most ``TREE_LIKE_BRANCHING`` of the real nodes have two or more consumers
    (out-segments): the graph is nearly an in-forest, whose DFS start is crossing-free but for
    the few shared values (a forward pass's neuron outputs)."""
    real_src = lg.seg_src[lg.seg_src < lg.n_real]
    return np.count_nonzero(np.bincount(real_src, minlength=lg.n_real) > 1) <= TREE_LIKE_BRANCHING * lg.n_real


def order_blocks(lg: LayeredGraph, start_key: np.ndarray, rigid: np.ndarray,
                 work: float | None = None, groups: list = (), sweeps: int = 24,
                 pairs: bool = False) -> tuple[np.ndarray, int]:
    """(pos, crossings): the big drawings' order without its rerouting (without its median
    sweeps where ``tree_like``), then the outermost blocks moved
    (``BlockMoves.move_outer_blocks``) while ``work`` (default ``BLOCK_WORK`` cells per
    squared layered node) lasts, ranked with ``groups`` (``scope_groups``: an MLP loss's
    neurons over its samples; 8 development losses of 530-834 nodes 11,849 -> 11,650
    crossings, the same time; a pass of their own after the blocks: 11,510, +0.06-0.15 of
    dot's time, which was at 0.32-0.52 already).  Tree-like drawings end with a pass of
    rerouting (``REROUTE_TREE``).  ``sweeps``: the median sweeps' most iterations (not where
    tree-like; ``order_stage.LOSS_SWEEPS`` from the losses' start).  No move raises the cost."""
    kept = []
    tree = tree_like(lg)
    long_edges = long_edge_pass(lg, tree)
    sift = {} if not long_edges or LONG_EDGE_SIFT else {"sift_max_nodes": 0}
    pos, crossings = minimise_crossings(lg, start_key, seg_rigid=rigid, polish=False, keep=kept,
                                        max_iterations=0 if tree else sweeps, **sift)
    if crossings == 0:
        return pos, crossings
    order = kept[0]
    order.work_left = BLOCK_WORK * float(lg.n_nodes) ** 2 if work is None else work
    gained = order.move_outer_blocks(groups, extra_first=SCOPES_FIRST)
    if pairs:
        moved = order.move_pairs(PAIR_EVALUATIONS)
        if moved:
            # the ranks around those the pairs moved (a whole round: the same crossings on 12
            # losses of 502-922 nodes, ~4 ms more)
            moved += order.sift(rounds=1, only={r + d for r in order.pair_moved_ranks for d in (-1, 0, 1)})
            moved += order.transpose()
        gained += moved
    if long_edges:
        # many long edges (an L2 term's): what the path moves are for (LONG_EDGE_PATHS)
        work = LONG_EDGE_WORK if lg.n_nodes >= LONG_EDGE_FULL_LAYERED else LONG_EDGE_SMALL_WORK
        if groups:       # a loss over several samples (LONG_EDGE_COPIES_WORK)
            work *= LONG_EDGE_COPIES_WORK
        order.work_left = work * float(lg.n_nodes) ** 2
        order.chain_tail, order.min_edge_nodes = SCOPED_CHAIN_TAIL, SCOPED_MIN_EDGE_NODES
        if LONG_EDGE_PATHS:
            moved = order.move_paths()
        else:
            moved = order.reroute(rounds=1, budgeted=True)
            moved += order.move_groups() if order.work_left > 0 else 0
        if moved > 0:
            moved += order.transpose()
        gained += moved
    if gained > 0 and tree:
        # tree-like: a moved neuron leaves neighbours that gain by a swap (exact, ~0.7 ms):
        # 36 development forward passes 12,004 -> 11,899 crossings (a sifting round after it:
        # 0 more), inspected samples 3,369 -> 3,341; on 7 losses 1 gained (MLP(2,[8,8,1]) 1,618
        # -> 1,593), where the time bound is tightest (MLP(3,[4,4,1]) on 3 samples: +0.7 ms)
        gained += order.transpose()
    if tree and REROUTE_TREE:
        gained += order.reroute(rounds=1)
    if gained > 0:
        return order.pos.copy(), order.crossings()
    return pos, crossings
