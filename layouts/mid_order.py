"""Crossing minimisation of mid-size drawings (from ``order_stage.SMALL_GRAPH_NODES`` up to
``MID_GRAPH_NODES`` real nodes, past that up to ``MID_LARGE_NODES``: ``mid_size``; no clusters, no
earlier drawing) with many long edges: the
small drawings' search (``small_order``: two starts swept, the better polished), its polish
limited by a work budget that grows with the square of the layered nodes.

Why: there dot's time grows as the square of the layered nodes (its CPU time over the squared
layered nodes was 1.0-2.2e-7 s on 8 graphs of 576-7,152 layered nodes), and so does the time
we may take (issue 10: at most half of dot's).  The big drawings' order (``ordering``: a few
sweeps and one rerouting pass) left random expressions of 500-900 nodes 10-35 % above
graphlay's crossings; one round of rerouting and path moves (``path_moves``, the largest
gain: on an 860-node expression 5,024 -> 3,805 crossings) brings them below it.  Sifting,
transposition and exact windows, which gained 0-30 crossings there for up to a fifth of the
time, are left out.  MLP losses, which have few long edges (534-922 nodes, 576-1,036 layered),
are done in 40-70 ms where dot takes 70-270 ms: below ``MID_MIN_LAYERED`` layered nodes the big
drawings' order is kept (it already has 0.5-0.7x their crossings), with ``block_polish``'s moves.

The path and block moves go most crossings per table cell first until the budget is spent
(``block_moves._most_promising``, paths and blocks ranked together; fewest cells first, as
before, found 44 % of a pass's gain in the first half of its work on a 512-node expression,
this 84 %).  Rerouting passes are counted in the same budget.  Deterministic: work is
counted in table cells (~11-15 ns each here), not timed.  ``POLISH_WORK`` was set from the time
ratio alone: on a 509-node expression (3,467 layered nodes, the fewest of the development
graphs) and the 594-node one of ``bench.layout_ratio``, 3 cells per squared layered node
took 0.29 and 0.32 of dot's median CPU time (worst order 0.34), 2 cells 0.26 and 0.20.
Development graphs (random expressions of seeds 902-905, 509-860 nodes; drawn crossings,
ours / graphlay / dot's): 1,104 / 1,352 / 1,599; 1,621 / 1,897 / 2,068; 2,397 / 3,007 /
3,517; 3,794 / 4,239 / 5,057 (the big drawings' order: 1,321; 2,366; 3,462; 5,629).
With the ranking by crossings per cell and transposition ending each round (same budget):
seed 902 1,084; ``bench.layout_mid``'s 12 expressions and its inspected MLP(2,[7,7,1]) + L2
32,684 -> 31,599 (seed 1112: 4,332 -> 4,242, graphlay 4,277); ``bench.layout_mid2`` (held
out, measured before and after only) 12 expressions 31,780 -> 31,131.

Session 17 (load 6-11 on 2 cores; ratios of CPU time in the same process, 3 input orders):
the budget still ends the polish, mostly within the first round, but ``POLISH_WORK`` stays at
3.  Its time ratio is already near the bound where dot is fast: new seed 5002 (570 nodes)
0.24 median, 0.42 worst order (4 cells: 0.30 / 0.55; 5 cells: 0.33 / 0.60), seed 902 0.30 /
0.34 (4: 0.35 / 0.40), the inspected MLP(2,[7,7,1]) + L2 of ``bench.layout_mid`` 0.51-0.56
median (dot takes 1.4-1.8 s there; 2 cells: 0.49), ``bench.layout_ratio``'s 594-node
expression 0.20 / 0.22 (4: 0.24 / 0.26, 1,224 -> 1,172 crossings), seed 5000 0.21 / 0.35
(4: 0.25 / 0.42).  ``POLISH_WORK_MAX`` binds only from 14,142 layered nodes at 3 cells; the
development graphs of 900-940 nodes have 8,686-12,418.  After the first round the rerouting
is left out (``REROUTE_FIRST_ROUND_ONLY``): ``bench.layout_mid``'s 12 expressions 31,084 ->
30,882 (one worse: seed 1105 1,887 -> 1,898), ``bench.layout_mid2``'s (held out, measured
before and after only) 31,131 -> 30,996, none worse (seed 2204 2,530 -> 2,517, graphlay
2,341).  Tried and dropped (same budget): splitting the
budget over re-ranked passes (a half or 0.7 of what is left per pass: +27 to +113 and -28 to
+40 crossings on 5 expressions), a second rerouting pass in the first round (-10 and +24),
transposition after the rerouting or a sifting round after the moves (-3 to +5), a per-rank
term in the moves' work (``STAGE_WORK``: a move took ~15-28 us per rank it spans besides
~8-15 ns a cell; counted and ranked with 2,000 cells a rank and 4.3 cells per squared layered node, the same time on
expressions but +18 to +19 crossings on 3 of 4, and the inspected MLP 515 -> 541).  Noticed:
paths of two ranks (an edge with its ends in adjacent ranks) took a third of the first
round's work on 3 expressions for 3 crossings per million cells (others 9-20); ranked at a
third of their promise, 5 expressions -34 crossings but 0-0.14 s more CPU (their counted
work overstates their time), so left as is.

Session 20: MLP inspected samples with their L2 term are ordered here from 2,000 layered nodes
(the L2 term's long edges; its weights feed two nodes, so the drawing is not
``block_polish.tree_like`` and has no family start), and were over the time bound where dot
is fast: at 2,003-2,800 layered nodes (MLP(2,[6,6,1]) + L2, (4,9), (4,10), (5,8), (6,7), (7,6),
(5,9)) our CPU over dot's was 0.57-0.81 median (worst order 0.67-0.83), ~190 of ~410 ms of
MLP(2,[6,6,1]) + L2 in the two swept starts, ~160 ms in the moves.  Either start won about
half of them, and after the polish it did not matter: drawings with scopes
(``SCOPED_ONE_START``) sweep the DFS start alone.  Development samples (the same positions
where the DFS start won): 25 inspected MLP(2,[a,b,1]) + L2 of 597-994 nodes (2 <= a, b <= 10,
seeds 5000 + 10a + b, all those ordered here but the held-out (8,7)) 12,828 -> 12,810
crossings (graphlay 21,648); 30 of 3 hidden layers (every third of the 89 ordered here with
3-8 neurons a layer, seed 5100) 12,677 -> 12,622.  CPU over dot's (3 orders, load ~8):
MLP(2,[6,6,1]) + L2 seed 5007 0.81 -> 0.62 median (worst 0.83 -> 0.63), the others above
0.45-0.53 (worst 0.55-0.61): still over the bound at the low end.  Tried and dropped (the
same sets): no sweeps (transposition alone) and no sifting from the DFS start, 12,691 on
the first set but 12,677 -> 14,423 on the second (with 3.5 cells: 14,119); sweeps stopped
after 4 without a gain (``min_quit``): the same crossings, ~0.03 of dot's time; the block
polish for them (``block_polish``): 19,977 on the first.

Session 20 (load 6-10; 14 development expressions: seeds 5100-5121 of 150-330 ops and 5-40
leaves, 516-863 nodes, and an unseen 789-node one, 263 ops, 35 leaves, seed 45363; layered
crossings): no rerouting pass (``REROUTE_ROUNDS``), 32,591 -> 32,362; seed 45363 2,957 ->
2,912 (graphlay 2,867); ``bench.layout_mid``'s 12 expressions 30,882 -> 30,684 (4 worse, by
3-36), its losses and inspected samples the same or fewer; ``bench.layout_mid2``'s 12 (held
out, measured before and after only) 30,963 -> 30,529 (seed 2204 2,517 -> 2,439, graphlay
2,341; 3 worse, by 8-57), CPU over dot's 0.14-0.42 (2 orders, load 4-8).  Graphlay's order is a
better start: its real nodes' order (on our ranks, its long edges' bends interpolated) polished
here ends at 2,685 on seed 45363 (ours 2,957, graphlay 2,867) and 2,890 on seed 5100 (3,404);
it keeps ~78 % of the bends outside the span of their rank's real nodes (long edges routed
around), but that alone from our order does not do it (our two swept starts' real nodes, bends
outside, no sweeps after: 5100 3,364 / 3,510, 45363 2,821 / 2,977), nor sweeps over the short
edges alone (5100 3,145-3,177, but 5103 2,795 -> 3,128-3,176 and 5106 2,862 -> 3,104-3,127).
The result depends on the start more than its cost after the sweeps says: the three starts
each polished to the end differ by 5-10 % (the best of three would save ~2.7 %), but the
cheapest after the sweeps is the best polished in 4 of 7.  Tried and dropped (same budget):
polishing each start with a share of the budget and going on from the cheapest (0.5 each of
two: 32,591 -> 34,363; a quarter or 0.3 each of three: 35,062, 36,047); the third start
(``small_order``'s mirrored DFS) swept and kept where cheapest: 32,362 -> 32,302 for ~6 % more
CPU (4 graphs changed: -229, -53, +89, +133); ``POLISH_WORK`` 3.2 (the time the rerouting
saved): -2 to -13 on the first three.

Session 21 (measured and dropped; load 3-11): the swept start's real nodes kept in their order
and every long edge's bends put outside them, above or below by where its ends lie, longer
edges further out (as graphlay's orders mostly are), then the same polish.  39 development
expressions (seeds 5100-5140, 45363, 10049; layered crossings) 91,976 -> 91,118, the same
CPU, but per graph -246 to +111 (seed 10049 3,995 -> 3,834, 5136 2,245 -> 2,066, 45363 2,912
-> 2,934); it lost below 700 nodes (+117 on 16), and from 700 nodes gained on a first fresh
set (seeds 6000-6028, drawn crossings, -1,130 on 15, +521 below 700 on 13) but not on a
second (seeds 6030-6061: 51,781 -> 51,713 on 16, 8 worse, 6033 1,977 -> 2,110 above
graphlay's 2,069) nor on ``bench.layout_mid2`` (held out, measured before and after only:
30,529 -> 30,540, seed 2204 2,439 -> 2,510).  Variants within the same noise on 16 of them
(38,602 -> 38,043-38,250): bends of 3+ or 4+ rank edges only, other nestings; with a rerouting
pass first, 20 of them 48,202 -> 48,480 (12 worse).  The end is chaotic in the start: the same start polished with
its budget handed out in 5 % steps ends 1,135 -> 1,194 (seed 5111), and the cost after 40 %
of the budget ranked two starts wrongly there (1,378 / 1,409, ends 1,194 / 1,135); so no
cheap predictor was found.  The code is on branch ``expr21-outside``.  Noticed: fresh seed
6019 (153 ops, 39 leaves, 552 nodes) draws 1,140 crossings, graphlay 1,004; seed 6010
(235 ops, 18 leaves, 703 nodes) 2,539, graphlay 2,537.

Session 22: the moves made cheaper with the same results (``group_slots._row_ranges``, int32
sums in ``best_slots``, ``block_moves.OUTER_SHARE``): CPU over dot's on 5 fresh expressions of
589-911 nodes 0.22-0.38 -> 0.15-0.30 (the moves ~0.5x), but little at 544 nodes (seed 7010,
3,288 layered nodes: there the sweeps of two starts are ~70 % of our time and a move's numpy
calls, not its cells, most of the rest).  So the saving is spent where the drawing is large,
and the budget cut where it is small (``polish_work``: 2 cells up to 3,000 layered nodes, 3
at 4,000, 4.5 from 6,000, expressions only).  With
a flat budget, 15 development expressions (seeds 6019, 6010, 7010, 8000-8039; drawn
crossings) 31,860 at 3 cells, 31,184 at 4.5, 30,874 at 6, 30,687 at 9 (CPU in all 25 / 33 / 40
/ 48 s); with a ramp from 3 cells at 4,000 to 6 at 6,000, 31,024 (6019 1,140 -> 1,104, graphlay
1,004; 6010 2,539 -> 2,442, graphlay 2,537), but too slow where dot is fast (seed 8027, 745
nodes, 0.42 / 0.50 of dot's CPU, median / worse of 2 orders), so the top is 4.5; below 4,000
layered nodes 2 / 2.5 / 3 cells: seed 7010 973 / 958 / 955 crossings in 0.45 / 0.51 / 0.54 s,
8039 (3,788) 1,111 / 1,077 / 1,066 in 0.57 / 0.67 / 0.72 s; with the ramp's 2.3 cells 7010
draws 963 in 0.83 of main's CPU (same process, 5 runs each).  The ramp as merged (top 4.5):
development 31,860 -> 31,313 (7010 955 -> 963, 8039 1,066 -> 1,071 worse), 6019 1,111, 6010
2,500, 2204 (held out) 2,439 -> 2,400.  Not tuned on: 16 fresh expressions (seeds 8202-8218,
all from 4,000 layered nodes) 31,562 -> 30,660 with the ramp to 6, 30,860 with the top at
4.5, none worse; ``bench.layout_mid2``'s 12 expressions (held out) 30,529 -> 30,124, none worse.

Session 23 (load 4-10): expressions' chains cut 6 nodes past where they join a longer one
(``EXPR_CHAIN_TAIL``, as ``SCOPED_CHAIN_TAIL``), the CPU that saves spent on ``POLISH_RAMP``'s
upper points (3.45 cells at 4,000 layered nodes, 5.2 from 6,000).  The cut alone, same budget:
16 development expressions (the 15 above and seed 45363; drawn crossings) 34,162 -> 34,086,
15 fresh ones (seeds 8500-8516, ops 150-310 and leaves 5-40 drawn from the seed, 581-904
nodes) 40,108 -> 40,328, CPU ~11 % less (tails 4 / 8 / 12 with the ramp x1.15: 33,890 /
33,858 / 33,893 and 40,079 / 40,098 / 39,986; no cut with it: 33,938 and 39,905 for ~12 % more
CPU); as merged 33,912 (6019 1,111 -> 1,084, graphlay 1,004) and 40,082, CPU 0.93-1.02 of
main's (same process, 7 development expressions of 516-673 nodes); ``bench.layout_mid2``'s 12
expressions (held out, measured before and after only) 30,124 -> 29,812 (11 fewer, seed 2208
3,561 -> 3,594; seed 2204 2,400 -> 2,311, below graphlay's 2,341), CPU over dot's 0.14-0.32
(median of 2 orders, load 3-7).  Worst of 3 orders (load ~3, main / this): seed 6019 0.51 /
0.49, 7010 0.49 / 0.47, both where dot is fastest (1.5 and 0.84 s).  Tried and dropped: the
DFS start alone, without dot's BFS start (as ``SCOPED_ONE_START``): development 34,162 ->
34,392, fresh 40,108 -> 40,366 (per graph -212 to +474: 6010 2,500 -> 2,351, 8020 3,736 ->
4,210) for ~5 % less CPU; with the ramp x1.4, 33,954 and 40,010 for ~17 % more.

Session 39: past 1,000 real nodes the big drawings' order drew 5-60 % more crossings than graphlay
and up to 27 % more than dot (a probe of 19 fresh graphs of 1,000-2,000 nodes, now
``bench.layout_fresh --set large``), where dot takes 1-60 s.  Up to ``MID_LARGE_NODES`` real nodes
the mid-size orders now apply, chosen by the long edges (``MID_LONG_EDGE_SHARE``): here, with the
same budget and cap, or ``block_polish`` (not the tree-like drawings: forward passes and inspected
samples without L2 ended there with the same crossings).  Drawn crossings, big order -> now (one
shuffled order; dot's / graphlay's): batch losses + L2 MLP(2,[6,2,7,1]) on 4 samples, 1,211 nodes,
4,448 -> 3,609 (5,435 / -); MLP(3,[8,7,1]) on 2, 1,309 nodes, 5,133 -> 3,319 (5,083 / -);
MLP(1,[2,4,8,1]) on 6, 1,781 nodes, 15,269 -> 10,337 (21,152 / -); MLP(1,[9,6,1]) on 4 10,351 ->
7,409 (11,860 / 8,396); inspected MLP(2,[13,11,1]) + L2 4,738 -> 2,477 (4,240 / 5,630); random
expressions of 1,236 / 1,940 nodes 8,824 -> 6,129 (6,937 / 6,588) / 25,905 -> 19,664; losses without
L2 (``block_polish``) MLP(2,[9,10,1]) on 2 samples 3,915 -> 3,689 (5,222 / 2,820), MLP(4,[7,6,1]) on
4 7,272 -> 5,641 (9,786 / 5,914), MLP(2,[6,10,1]) on 5, 1,973 nodes, 18,873 -> 15,317 (26,268 /
16,639).  CPU over dot's (two input orders, one dot run each, load ~3): the batch losses + L2
0.05-0.12, those without 0.05-0.14 (10 fresh losses of 1,000-1,200 nodes, 3 orders each, quiet:
medians 0.14-0.27, worst order 0.29); the expressions take the polish's cap (~7 s,
``POLISH_WORK_MAX``) where dot takes ~60 s.  ``layered_layout(fast=True)`` skips these polishes as
below 1,000 (the app's quick layout, then the polished one swapped in).  Past 2,000 nothing changed
(the 5,000-node bound), nor past ``MID_LARGE_MAX_LAYERED`` layered nodes (a 1,804-node chain whose
ops each take one of 3 leaves: ``order_mid`` 18.9 s, the big order 2.3 s, the same crossings; a
1,503-node one whose results are reused too: ``block_polish`` 19.6 s and 0 crossings, the big order
1.1 s and 5).  In all, ``--set large`` (19, measured before and after only): 144,798 -> 102,437,
above the better of dot and graphlay 14 -> 1; 30 more of seed 3920 (16 batch losses, 6 inspected
samples, 4 forward passes, 4 expressions; ours alone) 216,370 -> 162,608, none higher.  Tried, not
taken: ``block_polish.BLOCK_WORK`` x4 there (-1 to -4 % for +30-60 % CPU); its pass of path moves
for long edges on the 11 losses without L2 of that set and the probe (4 cells: 72,306 -> 69,397 for
+88 % CPU, 3 of 11 higher).
"""

from __future__ import annotations

import numpy as np

from . import ordering
from .layering import LayeredGraph
from .small_order import SMALL_SWEEP_WORK, swept_starts

MID_GRAPH_NODES = 1000     # up to this many real nodes
MID_MIN_LAYERED = 2000     # and from this many layered nodes (real and virtual)
MID_LARGE_NODES = 2000     # past MID_GRAPH_NODES, up to this many real nodes: here if the long edges
MID_LONG_EDGE_SHARE = 1.5  # make this many layered nodes per real node or more (random expressions 3-10,
                           # MLP losses and inspected samples with their L2 term 1.7-5), else in
                           # ``block_polish`` (losses without L2, 1.0-1.25; tree-like drawings: the big
                           # drawings' order).  Dot took 0.6-4.6 s there on those without L2, 1.4-131 s
                           # on the others.  Session 39 (module docstring)
MID_LARGE_MAX_LAYERED = 50_000  # and there only up to this many layered nodes: random expressions of
                           # 1,500-2,000 nodes have 26-40k, but a leaf fed into every op of a long chain
                           # (without ``duplicate_leaves``) makes hundreds of thousands (a 1,804-node
                           # chain with 3 such leaves: 809k), where the polish's cap leaves it nothing to
                           # do and its two starts' sweeps took 18.9 s against the big order's 2.7 s for
                           # the same crossings
POLISH_WORK = 3.0          # table cells of rerouting, path and block moves per squared layered node
POLISH_WORK_MAX = 6e8      # and at most this many (~8 s; dot takes 20-60 s at 900 nodes). Was 2e8
                           # (~3 s), for the app's wait; the app now asks for layered_layout(fast=True).
                           # Raised: bench.layout_mid's seed 1110 (926 nodes, which the cap stopped)
                           # 4,455 -> 3,953 crossings (graphlay 4,073) in 5.0 s (dot 19.7 s)
POLISH_RAMP = ((3000, 2.0), (4000, 3.45), (6000, 5.2))
                           # drawings without scopes (expressions): cells of polish per squared layered
                           # node at these layered nodes, linear between them, flat past the ends
                           # (``polish_work``).  Why: our time is a part that grows as the layered nodes
                           # (the sweeps from two starts: ~70 % of it at 3,300 layered nodes) plus the
                           # polish (as their square), and dot's as their square: the room for the
                           # polish grows with the drawing.  Fitted (load ~5, CPU of 4 expressions at 3
                           # cells): ~1.1e-4 s per layered node besides ~4.9e-9 s per cell of the
                           # (cheaper, session 22) moves; dot's CPU per squared layered node 1.35-2.45e-7
                           # s, ~0.9e-7 at seed 7010's fastest input orders.  At 3,288 layered nodes (seed
                           # 7010, worst order 0.51-0.53 of dot's CPU at 3 cells) 2.3 cells; 4,000-5,000
                           # about 3-4.5 at dot's fastest.  6,000+: 4.5, not 6 (6 gained 1 % more on the
                           # development set, but seed 8027, 745 nodes, 9 leaves, took 0.42 of dot's
                           # CPU, 0.50 at the worse of 2 input orders).  Session 23: 3.45 at 4,000 and
                           # 5.2 from 6,000, paid for by ``EXPR_CHAIN_TAIL`` (module docstring)
POLISH_ROUNDS = 4
REROUTE_ROUNDS = 0         # polish rounds that start with a rerouting pass (see ``order_mid``). Was 1
                           # (the first round only; every round before: 6 development expressions
                           # of 594-926 nodes 17,303 -> 17,231).  None now: the pass took ~11 % of
                           # the budget for 86-466 crossings; the moves, given that budget, gain
                           # more.  14 development expressions of 516-863 nodes 32,591 -> 32,362
                           # layered crossings, CPU ~5 % less; 5 inspected samples + L2 (599-933
                           # nodes) 2,689 -> 2,687
SCOPED_ONE_START = True   # drawings with scopes (``order_stage.has_scopes``: an MLP's inspected
                          # sample with its L2 term) sweep the DFS start alone, not dot's BFS too:
                          # the polish evens out which start won (each won about half of them)
                          # and the second start's sweeps took ~95 of ~410 ms at 2,003 layered
                          # nodes.  More in the module docstring
SCOPED_CHAIN_TAIL = 6     # and move a chain that joins a longer one only up to this many nodes past
                          # where it joins (``path_moves.trunk_chains``): the L2 term's sum chain,
                          # fed by one square per weight, made ~110 chains of up to 140 ranks that
                          # all ran on to the loss (MLP(2,[6,6,1]) + L2 seed 5007: 8,500 of the
                          # 10,300 dynamic-programming stages, ~60 % of the moves' time).  25
                          # inspected MLP(2,[a,b,1]) + L2 (set 1 of session 20) 12,814 -> 12,724
                          # crossings, 30 of 3 hidden layers (set 2) 12,660 -> 12,679, CPU -20 %
                          # (tails of 0 / 4 / 8 / 12 / 16: 12,956 / 12,733 / 12,746 / 12,762 /
                          # 12,781 on set 1, - / 12,707 / 12,681 / 12,685 / 12,678 on set 2)
EXPR_CHAIN_TAIL = 6       # drawings without scopes (expressions) too (session 23): at the same budget
                          # ~11 % less CPU (a move's numpy calls per stage, not its cells, are much of
                          # its time at this size) for about the same crossings (15 development
                          # expressions + seed 45363: 34,162 -> 34,086; 15 fresh, seeds 8500-8516,
                          # 40,108 -> 40,328; tails 4 / 8 / 12 alike), so spent on ``POLISH_RAMP``
                          # (x1.15): 33,909 and 40,078 (20 of 31 better, 10 worse) for the same CPU
SCOPED_MIN_EDGE_NODES = 3  # and leave out the moves of edges of one segment (with their two ends): in 3
                          # of them (MLP(2,[6,6,1]), (9,4), (4,9) + L2) 126 such moves gained nothing
                          # for 14 % of the budget.  With the budget below, set 1 12,724 -> 12,571,
                          # set 2 12,679 -> 12,619 (the full budget: 12,509 and 12,575, but (6,6)
                          # + L2 at 0.47 of dot's CPU, (9,4)'s worst order 0.50)
SCOPED_SMALL_SHARE = 0.45  # and of that under MID_MIN_LAYERED layered nodes (``order_stage.SCOPED_MID``,
                          # where dot takes 0.1-0.5 s), after the big drawings' sweep budget
                          # (``ordering.SWEEP_WORK``: ~4-8 sweeps) instead of the full 24: at 500-545
                          # nodes those sweeps and the set-up of the moves, not the moves' budget, are
                          # most of the time.  6 development shapes (quiet machine, 5 orders):
                          # 1,599 crossings (block_polish, 0.17-0.30 of dot's CPU, median) -> 1,219 at
                          # 0.6 after 24 sweeps (0.36-0.53, worst order 0.65), 1,226 at 0.6 after
                          # the fewer sweeps (0.29-0.44, worst 0.53), 1,263 at 0.45 (0.28-0.40, worst
                          # 0.50), 1,343 at 0.3 (0.25-0.43)
SHARED_PATHS_FANOUT = 4    # drawings with scopes whose shared leaves feed this many consumers or more
                           # (median; an MLP loss over 3+ samples with its L2 term: each weight feeds
                           # a product per sample and its square) spend the polish on path moves alone
                           # (``move_paths``), not paths and blocks ranked together: the weights' long
                           # edges are the crossings, and an edge moved with its ends is what lowers
                           # them (as in ``block_polish``'s pass for long edges).  Session 35, the 57
                           # batch losses + L2 of ``bench.layout_fresh``'s batch sets ordered here
                           # (2,013-4,048 layered nodes): those with a median fan-out of 4+ 69,242 ->
                           # 63,333 crossings (22 of 23 lower; MLP(1,[5,5,1]) on 4 samples 3,494 ->
                           # 2,975, graphlay 2,805); of 2-3 (2 samples, 1 with L2) paths alone ended
                           # higher on 22 of 34 (+1.4 %), so they keep both.  The same budget and CPU.
                           # Session 37, tried on the 13 of seeds 9910-9930 (as ``block_polish``'s
                           # LONG_EDGE_SIFT): the swept start without its sifting round, 34,291 ->
                           # 34,803 crossings for 9 % less CPU; its time given to the path moves
                           # (budget x1.3 / x1.6): 34,182 / 33,627 for +6 / +20 % CPU.  Not taken
SHARED_PATHS_WORK = 1.5    # and those (path moves alone) get this many times the scoped budget: dot is
                           # slow on losses over 3+ samples with their L2 term (1.6-3.5e-7 s per squared
                           # layered node, 0.8-2 s here), where ours took 0.14-0.36 of it (median of 3
                           # input orders) and the moves still gained when the budget ran out.  Session
                           # 43, the 27 such losses of ``bench.layout_fresh``'s batch_more, batch,
                           # batch_heldout and seed 40100 sets, 3 input orders, dot back to back: x1 /
                           # 1.5 / 2: 74,453 / 72,402 / 71,468 layered crossings; our CPU over dot's,
                           # median over the graphs 0.25 / 0.31 / 0.35, the highest median 0.36 / 0.46 /
                           # 0.48 (MLP(2,[4,5,1]) + L2 on 4 samples, where dot is fastest for its size),
                           # single orders over 0.5 on 1 / 3 / 5 of 27 (load ~2); above the better of
                           # dot and graphlay on batch_more 4 -> 3.  The drawings with scopes that keep
                           # paths and blocks keep the budget: inspected samples are at the time bound
                           # already (``polish_work``)
SCOPED_WORK_SHARE = 0.85  # of ``POLISH_WORK`` (those moves took little time for the cells counted:
                          # the budget they left went to longer moves, which take more time a cell)


def many_long_edges(lg: LayeredGraph) -> bool:
    """Whether the long edges make ``MID_MIN_LAYERED`` layered nodes or more, and
    ``MID_LONG_EDGE_SHARE`` per real node or more (what sends a drawing of ``MID_GRAPH_NODES`` to
    ``MID_LARGE_NODES`` real nodes here rather than to ``block_polish``)."""
    return lg.n_nodes >= max(MID_MIN_LAYERED, MID_LONG_EDGE_SHARE * lg.n_real)


def mid_size(lg: LayeredGraph) -> bool:
    """Whether a drawing of at least ``SMALL_GRAPH_NODES`` real nodes is ordered here: from
    ``MID_MIN_LAYERED`` layered nodes, up to ``MID_GRAPH_NODES`` real nodes, and past that up to
    ``MID_LARGE_NODES`` those with ``many_long_edges`` and at most ``MID_LARGE_MAX_LAYERED``
    layered nodes."""
    if lg.n_real <= MID_GRAPH_NODES:
        return lg.n_nodes >= MID_MIN_LAYERED
    return lg.n_real <= MID_LARGE_NODES and many_long_edges(lg) and lg.n_nodes <= MID_LARGE_MAX_LAYERED


def polish_work(n_layered: int, scoped: bool) -> float:
    """Cells of polish per squared layered node: ``POLISH_WORK`` for drawings with scopes
    (inspected samples: at the time bound already), else ``POLISH_RAMP``'s at ``n_layered``."""
    if scoped:
        return POLISH_WORK
    at, work = zip(*POLISH_RAMP)
    return float(np.interp(n_layered, at, work))


def shared_fanout(lg: LayeredGraph) -> float:
    """The median number of consumers (out-segments) of the leaves (real nodes without an
    in-segment) that have two or more; 0 if none has."""
    real = lg.seg_src < lg.n_real
    out = np.bincount(lg.seg_src[real], minlength=lg.n_real)
    leaf = np.bincount(lg.seg_dst, minlength=lg.n_nodes)[:lg.n_real] == 0
    shared = out[leaf & (out >= 2)]
    return float(np.median(shared)) if len(shared) else 0.0


def moves_paths_alone(lg: LayeredGraph, scoped: bool) -> bool:
    """Whether ``order_mid`` polishes a drawing with path moves alone (``SHARED_PATHS_FANOUT``:
    scoped, its shared leaves feeding many; an MLP loss over 3+ samples with its L2 term)."""
    return scoped and shared_fanout(lg) >= SHARED_PATHS_FANOUT


def order_mid(lg: LayeredGraph, start_key: np.ndarray, rigid: np.ndarray,
              scoped: bool = False) -> tuple[np.ndarray, int]:
    """(pos, crossings): the cheaper of ``small_order.start_orders`` after their sweeps
    (``scoped``: ``start_key`` alone, see ``SCOPED_ONE_START``; no edge of one segment moved,
    ``SCOPED_WORK_SHARE`` of the budget; either way chains cut past where they join a longer
    one, ``SCOPED_CHAIN_TAIL`` / ``EXPR_CHAIN_TAIL``), then rounds of path and block moves
    (ranked together: ``move_groups``; paths alone where ``scoped`` and shared leaves feed many,
    ``SHARED_PATHS_FANOUT``, on ``SHARED_PATHS_WORK`` times the budget; no rerouting,
    ``REROUTE_ROUNDS``) and transposition while they gain and the budget (``polish_work`` cells
    per squared layered node) lasts."""
    small = scoped and lg.n_nodes < MID_MIN_LAYERED     # ``order_stage.SCOPED_MID``
    _, _, order = min(swept_starts(lg, start_key, rigid, starts=1 if scoped and SCOPED_ONE_START else None,
                                   sweep_work=ordering.SWEEP_WORK if small else SMALL_SWEEP_WORK),
                      key=lambda t: t[:2])
    order.work_left = min(polish_work(lg.n_nodes, scoped) * float(lg.n_nodes) ** 2, POLISH_WORK_MAX)
    paths_only = moves_paths_alone(lg, scoped)
    if scoped:
        order.chain_tail, order.min_edge_nodes = SCOPED_CHAIN_TAIL, SCOPED_MIN_EDGE_NODES
        order.work_left *= SCOPED_WORK_SHARE * (SCOPED_SMALL_SHARE if small else 1.0)
        if paths_only:
            order.work_left *= SHARED_PATHS_WORK
    else:
        order.chain_tail = EXPR_CHAIN_TAIL
    for round_ in range(POLISH_ROUNDS):
        # no rerouting pass: a path move (an edge with its ends, ranked with the other groups
        # by crossings per cell) can take every route a rerouting can, and a second rerouting
        # pass spent 0.3-0.9 s of the budget for 13-48 crossings on 760-920-node expressions,
        # where the moves gained more with it (``REROUTE_ROUNDS``)
        gained = order.reroute(rounds=1) if round_ < REROUTE_ROUNDS else 0
        gained += order.move_paths() if paths_only else order.move_groups()
        # transposition ends each round: a few ms here (~1 % of a round), exact, and the
        # moves leave neighbours that gain by a swap (13 development graphs of 509-942 nodes:
        # 32,000 -> 31,964); not above ordering's HUGE_LAYERED_NODES (sweeps only there)
        if lg.n_nodes <= ordering.HUGE_LAYERED_NODES:
            gained += order.transpose()
        if gained == 0 or order.work_left <= 0:
            break
    return order.pos.copy(), order.crossings()
