"""Time of ``layouts.layered_layout`` against graphviz dot on graphs of 500-1,000 nodes (issue
10: at most half of dot's time from 500 nodes), in the same process.

    python -m bench.layout_ratio                # all graphs below, 5 input orders each
    python -m bench.layout_ratio --shuffles 3 --only MLP

Graphs: MLP losses of 3-5 samples (MLP(3,[4,4,1]), the smallest and hardest case: dot is
fastest on them), MLP(2,[8,8,1]) on 2 samples, inspected training samples, a random
expression and two chains (all time, no crossings).  Per graph and input order (nodes and
edges inserted in a seeded random order, ``bench.layout.shuffled``): the CPU time
(``time.process_time``: less sensitive to other processes than the wall clock) of ours and
of dot (pygraphviz, same node sizes and separations as ``bench.layout``), back to back.
Shown: both medians, the ratio of the medians, and the worst ratio of one order.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from bench.graphs import batch_loss_graph, chain_graph, inspected_sample_graph, mlp_loss_graph, random_expression_graph
from bench.layout import _dot_graph, _optional, shuffled
from bench.layout_mid import cpu
from layouts import layered_layout


def ratio_graphs() -> list:
    return [
        ("MLP(3,[4,4,1]) loss, 3 samples, seed 2", lambda: mlp_loss_graph(3, (4, 4, 1), 3, seed=2)),
        ("MLP(3,[4,4,1]) loss, 4 samples", lambda: mlp_loss_graph(3, (4, 4, 1), 4)),
        ("MLP(3,[4,4,1]) loss, 5 samples, seed 3", lambda: mlp_loss_graph(3, (4, 4, 1), 5, seed=3)),
        ("MLP(2,[8,8,1]) loss, 2 samples", lambda: mlp_loss_graph(2, (8, 8, 1), 2)),
        ("inspected sample MLP(2,[10,10,1]), seed 2", lambda: inspected_sample_graph((10, 10), False, seed=2)),
        ("inspected sample MLP(2,[8,8,1]) + L2", lambda: inspected_sample_graph((8, 8), True)),
        # 500 nodes under mid_order.MID_MIN_LAYERED layered ones (order_stage.SCOPED_MID), where
        # dot is fastest for its size
        ("inspected sample MLP(2,[3,4,5,1]) + L2", lambda: inspected_sample_graph((3, 4, 5), True)),
        ("random expression, 180 ops, seed 1", lambda: random_expression_graph(180, 25, seed=1)),
        # a narrow first layer (``order_stage.NARROW_PAIRS``: pair moves after the block polish)
        ("narrow MLP(5,[2,4,1]) loss, 4 samples, seed 7171", lambda: mlp_loss_graph(5, (2, 4, 1), 4, seed=7171)),
        ("narrow MLP(3,[2,6,1]) loss, 4 samples, seed 7171", lambda: mlp_loss_graph(3, (2, 6, 1), 4, seed=7171)),
        # micrograd's batch loss with its L2 term (``loss_start.AGGREGATE_LAST``; from 1,000 layered
        # nodes ``block_polish.LONG_EDGES_FROM``'s pass): 928 and 1,100+ layered nodes
        ("batch loss + L2, MLP(3,[4,1]), 5 samples", lambda: batch_loss_graph(3, (4,), 5, "mse", True, "tanh", seed=488916)),
        ("batch loss + L2, MLP(1,[7,1]), 6 samples", lambda: batch_loss_graph(1, (7,), 6, "mse", True, "tanh", seed=850935)),
        ("chain of 250 ops", lambda: chain_graph(250)),
        ("chain of 396 ops", lambda: chain_graph(396)),
    ]


def measure(G, shuffles: int, pygraphviz) -> tuple[list[float], list[float]]:
    """(ours, dot): CPU seconds per input order, each pair run back to back (no dot without
    ``pygraphviz``)."""
    ours, dot = [], []
    for seed in range(shuffles):
        H = shuffled(G, seed)
        ours.append(cpu(lambda: layered_layout(H))[1])
        if pygraphviz is not None:
            dot.append(cpu(lambda: _dot_graph(H, pygraphviz).layout(prog="dot"))[1])
    return ours, dot


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shuffles", type=int, default=5, help="input orders per graph")
    parser.add_argument("--only", default="", help="graphs whose name contains this")
    parser.add_argument("--no-dot", action="store_true", help="ours only (smoke test)")
    args = parser.parse_args(argv)
    pygraphviz = _optional("pygraphviz", args.no_dot)
    print(f"load average: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} CPUs")
    print("| graph | nodes | ours (median) | dot (median) | ours / dot | worst order |")
    print("|---|---|---|---|---|---|")
    for name, build in ratio_graphs():
        if args.only not in name:
            continue
        G = build()
        ours, dot = measure(G, max(1, args.shuffles), pygraphviz)
        cells = ["-", "-", "-"]
        if dot:
            cells = [f"{statistics.median(dot) * 1000:,.0f} ms", f"{statistics.median(ours) / statistics.median(dot):.2f}",
                     f"{max(a / b for a, b in zip(ours, dot)):.2f}"]
        print(f"| {name} | {G.number_of_nodes():,} | {statistics.median(ours) * 1000:,.0f} ms | "
              + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
