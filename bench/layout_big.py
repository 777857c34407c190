"""Time of ``layouts.layered_layout`` at ~5,000 nodes (issue 10: under 1 s), per stage.

    python -m bench.layout_big                 # the graphs below, 2 runs each (the better kept)
    python -m bench.layout_big --seeds 1 2 3   # random expressions of 1,700 ops, these seeds

Graphs: random expressions of 1,700 ops over 40 leaves (4.8-4.9k nodes; long edges make
~220k virtual nodes: the hard case), the 2,000-op chain (5,001 nodes) and the MLP(2,[16,16,1])
4-sample loss (5.6k nodes).  Per graph: nodes, layered nodes (virtual included), crossings,
CPU time (``time.process_time``: less sensitive to other processes than the wall clock,
still not immune), and the stages' CPU: ranking, ordering, coordinates, routing.  Dot is not
run: it takes minutes on the random expressions.  Our layout is deterministic, so the
crossings are exact figures; times are the better of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from bench.graphs import chain_graph, mlp_loss_graph, random_expression_graph
from layouts import layered as layered_module
from layouts import layered_layout

STAGES = {"rank_nodes": "rank", "order_nodes": "order", "across_flow": "coordinates",
          "route_edges": "routing"}


def big_graphs(seeds) -> list:
    out = [(f"random expression, 1,700 ops, 40 leaves, seed {s}",
            lambda s=s: random_expression_graph(1700, 40, seed=s)) for s in seeds]
    out.append(("chain of 2,000 ops", chain_graph))
    out.append(("MLP(2,[16,16,1]) loss, 4 samples", lambda: mlp_loss_graph(2, (16, 16, 1), 4)))
    return out


def timed_layout(G) -> tuple[object, float, dict]:
    """(layout, CPU seconds, CPU seconds per stage): the stages are timed by wrapping
    ``layouts.layered``'s stage functions for this call only."""
    spent = {}
    saved = {name: getattr(layered_module, name) for name in STAGES}

    def wrap(name, fn):
        def run(*args, **kwargs):
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[STAGES[name]] = spent.get(STAGES[name], 0.0) + time.process_time() - t0
        return run
    try:
        for name, fn in saved.items():
            setattr(layered_module, name, wrap(name, fn))
        t0 = time.process_time()
        lay = layered_layout(G)
        return lay, time.process_time() - t0, spent
    finally:
        for name, fn in saved.items():
            setattr(layered_module, name, fn)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3, 4, 5])
    parser.add_argument("--runs", type=int, default=2, help="runs per graph (the fastest is shown)")
    args = parser.parse_args(argv)
    print(f"load average: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} CPUs")
    print("| graph | nodes | layered nodes | crossings | CPU | " + " | ".join(STAGES.values()) + " |")
    print("|---|---|---|---|---|" + "---|" * len(STAGES))
    total = 0.0
    for name, build in big_graphs(args.seeds):
        G = build()
        runs = [timed_layout(G) for _ in range(max(1, args.runs))]
        lay, cpu, spent = min(runs, key=lambda r: r[1])
        layered_nodes = G.number_of_nodes() + sum(lay.ranks[v] - lay.ranks[u] - 1 for u, v in G.edges)
        total += cpu
        print(f"| {name} | {G.number_of_nodes():,} | {layered_nodes:,} | {lay.crossings:,} | {cpu:.2f} s | "
              + " | ".join(f"{spent.get(s, 0.0):.2f}" for s in STAGES.values()) + " |", flush=True)
    print(f"\nall: {total:.2f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
