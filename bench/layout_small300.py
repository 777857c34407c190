"""A development set of 27 graphs of 300-499 real nodes for ``layouts.small_order`` (issue 10:
the kicks above 300 nodes), seeds 5001-5020, used nowhere else in bench/, and no MLP shape of
``bench.layout_small2`` (held out: MLP losses of nin 3 on up to 4 samples share micrograd's
demo inputs, so one shape is one graph whatever the seed).

    python -m bench.layout_small300 --shuffles 5 [--cache /tmp/small300.json] [--orders 2]

Same table as ``bench.layout_fresh`` (its ``compare``).  MLP losses of one input on 3-5 samples
(seed 5020) and two forward passes were found above graphlay by a scan of MLP shapes of that
size (seed 5020) before any tuning.

Measured (5 shuffles for dot and graphlay, 2 input orders for ours, all identical; loads
~8-12): main (1c699b6/69c9a72) 9,875 crossings against 10,894 for the better median per graph,
above it on 10 (the 7 one-input losses, forward passes MLP(6,[6,5,1]) 70 vs 63 and
MLP(3,[8,6,1]) 129 vs 127, expression seed 5015 1,009 vs 984), our CPU 27.6 s; with the third
start and two starts polished to the end (``small_order.RESTART_FROM_NODES``) 9,695, above on
7 (the one-input losses: MLP(1,[2,5,1]) on 3 samples 308, graphlay 272), CPU 37.1 s.  Session
18 (load ~6-13): main 600b396 9,695, above on 7, CPU 34.6 s; with ``layouts.scope_groups``
moved in the polish 9,399, above on 2 (MLP(1,[2,3,1]) on 5 samples 330, graphlay 319;
MLP(1,[2,2,2,1]) on 5 samples 270, graphlay 268; MLP(1,[2,5,1]) on 3 samples 265), CPU 35.4 s.
"""

from __future__ import annotations

import sys

from bench.graphs import inspected_sample_graph, mlp_forward_graph, mlp_loss_graph, random_expression_graph
from bench.layout_fresh import set_main


def small300_graphs() -> list:
    out = []
    for nin, shape, samples in [(2, (4, 3, 1), 3), (3, (3, 3, 1), 3), (2, (5, 4, 1), 2), (4, (3, 4, 1), 2),
                                (2, (3, 3, 2, 1), 3), (3, (4, 2, 1), 3), (2, (6, 3, 1), 2), (2, (2, 3, 1), 5),
                                (2, (4, 4, 1), 3)]:
        out.append((f"MLP({nin},{list(shape)}) loss, {samples} samples, seed 5001",
                    lambda a=nin, b=shape, c=samples: mlp_loss_graph(a, b, c, seed=5001)))
    for shape, samples in [((2, 3, 1), 5), ((2, 4, 1), 4), ((2, 4, 1), 5), ((2, 5, 1), 3), ((2, 5, 1), 4),
                           ((2, 5, 1), 5), ((2, 2, 2, 1), 5)]:
        out.append((f"MLP(1,{list(shape)}) loss, {samples} samples, seed 5020",
                    lambda b=shape, c=samples: mlp_loss_graph(1, b, c, seed=5020)))
    for nin, shape in [(5, (6, 4, 1)), (6, (6, 5, 1)), (3, (8, 6, 1))]:
        out.append((f"MLP({nin},{list(shape)}) forward, seed 5003",
                    lambda a=nin, b=shape: mlp_forward_graph(a, b, seed=5003)))
    for hidden in [(7, 7), (8, 7)]:
        out.append((f"inspected MLP(2,{list(hidden) + [1]}), seed 5004",
                    lambda h=hidden: inspected_sample_graph(h, False, seed=5004)))
    for seed, n, k in [(5010, 110, 18), (5011, 125, 25), (5012, 140, 20), (5013, 100, 30),
                       (5014, 130, 15), (5015, 145, 35)]:
        out.append((f"expression, {n} ops, {k} leaves, seed {seed}",
                    lambda n=n, k=k, s=seed: random_expression_graph(n, k, seed=s)))
    return out


def main(argv=None) -> int:
    return set_main(small300_graphs, __doc__, argv, orders=2)


if __name__ == "__main__":
    sys.exit(main())
