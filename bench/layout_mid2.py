"""A second held-out set of 500-1,000-node graphs for ``bench.layout_mid``'s table (crossings
and CPU time against graphviz dot and graphlay; issue 10).  Written and measured on main once
before the mid-size order was tuned again (session 16), then only measured after it: no
setting was chosen on these graphs.  Seeds used nowhere else in bench/: random expressions of
seeds 2201-2212, MLP losses of seeds 41-45, inspected samples of seeds 41, 42 and 44, forward
passes of seeds 41 and 43.

    python -m bench.layout_mid2                  # 3 input orders per graph
    python -m bench.layout_mid2 --shuffles 2 --only inspected

Measured (30 Nov, --shuffles 2, load 1-9): main at 40012ea, 21 graphs 38,178 crossings (the 12
expressions 31,780); above the better median of dot and graphlay: expression seed 2204 (2,497
vs graphlay 2,341) and MLP(8,[10,8,1]) forward (667 vs 403, the big drawings' order); above
half of dot's CPU: inspected MLP(2,[9,8,1]) seed 41 (0.60: 50 vs 90 ms, the big drawings'
order).  After the ranking by crossings per cell (``layouts.block_moves._most_promising``):
37,502 (expressions 31,131; seed 2204 2,530, still above; the others as before), our CPU
within the noise of the load.  Session 17, rerouting in the first polish round only
(``layouts.mid_order.REROUTE_FIRST_ROUND_ONLY``): expressions 31,131 -> 30,996 (seed 2204
2,517, still above; none worse).  Session 18, tree-like drawings without median sweeps
(``layouts.block_polish.tree_like``), --only MLP --shuffles 2, load ~11: MLP(8,[10,8,1])
forward 569 -> 348 (graphlay 403), CPU over dot's 0.42 -> 0.35; inspected MLP(2,[9,8,1]) 0.57
-> 0.47 and MLP(2,[11,9,1]) 0.55 -> 0.53 (same crossings); the losses unchanged.  Then
``layouts.scope_groups`` ranked with ``block_polish``'s blocks (``--only loss --shuffles 2``,
main 600b396 -> loss18): MLP(3,[5,5,1]) on 4 samples 1,796 -> 1,774, MLP(2,[7,7,1]) on 2 1,063
-> 1,040, MLP(4,[6,4,1]) on 3 794 -> 794, MLP(5,[6,1]) on 4 367 -> 362; CPU over dot's
0.37-0.47 -> 0.38-0.48 (load ~6).
"""

from __future__ import annotations

import sys

from bench.graphs import inspected_sample_graph, mlp_forward_graph, mlp_loss_graph, random_expression_graph
from bench.layout_mid import main as mid_main

EXPRESSIONS = [(190, 20), (210, 12), (230, 40), (250, 22), (270, 30), (290, 15), (300, 42), (315, 24),
               (200, 35), (240, 10), (260, 50), (285, 26)]    # (ops, leaves) of seeds 2201, 2202, ...: 583-971 nodes


def mid2_graphs() -> list:
    out = [(f"expression, {ops} ops, {leaves} leaves, seed {2201 + i}",
            lambda o=ops, k=leaves, s=2201 + i: random_expression_graph(o, k, seed=s))
           for i, (ops, leaves) in enumerate(EXPRESSIONS)]
    for nin, shape, samples, seed in [(3, (5, 5, 1), 4, 41), (2, (7, 7, 1), 2, 42), (4, (6, 4, 1), 3, 43),
                                      (5, (6, 1), 4, 45)]:
        out.append((f"MLP({nin},{list(shape)}) loss, {samples} samples, seed {seed}",
                    lambda a=nin, b=shape, c=samples, s=seed: mlp_loss_graph(a, b, c, seed=s)))
    for hidden, l2, seed in [((9, 8), False, 41), ((8, 7), True, 42), ((11, 9), False, 44)]:
        out.append((f"inspected MLP(2,{list(hidden) + [1]}){' + L2' if l2 else ''}, seed {seed}",
                    lambda h=hidden, l=l2, s=seed: inspected_sample_graph(h, l, seed=s)))
    for nin, shape, seed in [(6, (16, 1), 43), (8, (10, 8, 1), 41)]:
        out.append((f"MLP({nin},{list(shape)}) forward, seed {seed}",
                    lambda a=nin, b=shape, s=seed: mlp_forward_graph(a, b, seed=s)))
    return out


if __name__ == "__main__":
    sys.exit(mid_main(graphs=mid2_graphs, doc=__doc__))
