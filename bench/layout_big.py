"""Time of ``layouts.layered_layout`` at ~5,000 nodes (issue 10: under 1 s), per stage.

    python -m bench.layout_big                 # the graphs below, 2 runs each (the better kept)
    python -m bench.layout_big --seeds 1 2 3   # random expressions of 1,700 ops, these seeds
    python -m bench.layout_big --untuned       # also graphs the speed-ups were not measured on

Graphs: random expressions of 1,700 ops over 40 leaves (4.8-4.9k nodes; long edges make
~220k virtual nodes: the hard case), the 2,000-op chain (5,001 nodes) and the MLP(2,[16,16,1])
4-sample loss (5.6k nodes).  Per graph: nodes, layered nodes (virtual included), crossings,
CPU time (``time.process_time``: less sensitive to other processes than the wall clock,
still not immune), and the stages' CPU: ranking, ordering, coordinates, routing, the rest
(input, layering, extents, the result's dicts).  Dot is not run: it takes minutes on the
random expressions.  Our layout is deterministic, so the crossings are exact figures; times
are the better of ``--runs`` runs.

On a loaded machine CPU times still grow (shared caches and cores): ``networkx`` is the CPU
of a fixed job of networkx's on the same graph in the same process (a copy, a topological
sort, the longest path), and ``ratio`` our CPU over it, steadier across loads than either.
``--untuned`` adds an MLP loss of 5.6k nodes with other shapes, the inspected (16, 16)
training sample with L2, a 5,000-op chain and random expressions of seeds 11-15.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import networkx as nx

from bench.graphs import chain_graph, inspected_sample_graph, mlp_loss_graph, random_expression_graph
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


def untuned_graphs() -> list:
    """Graphs of ~5,000+ nodes that the speed-ups were not measured on while they were made."""
    out = [("MLP(3,[16,16,1]) loss, 6 samples", lambda: mlp_loss_graph(3, (16, 16, 1), 6, seed=5)),
           ("inspected sample MLP(2,[16,16,1]) + L2", lambda: inspected_sample_graph((16, 16), True)),
           ("chain of 5,000 ops", lambda: chain_graph(5000))]
    out += [(f"random expression, 1,700 ops, 40 leaves, seed {s}",
             lambda s=s: random_expression_graph(1700, 40, seed=s)) for s in range(11, 16)]
    return out


def networkx_cpu(G) -> float:
    """CPU seconds of a fixed networkx job on ``G``: the yardstick of the ``ratio`` column."""
    t0 = time.process_time()
    nx.DiGraph(G)
    list(nx.topological_sort(G))
    nx.dag_longest_path_length(G)
    return time.process_time() - t0


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
    parser.add_argument("--untuned", action="store_true", help="also the graphs of untuned_graphs()")
    args = parser.parse_args(argv)
    print(f"load average: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} CPUs")
    columns = list(STAGES.values()) + ["rest", "networkx", "ratio"]
    print("| graph | nodes | layered nodes | crossings | CPU | " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|" + "---|" * len(columns))
    total = 0.0
    for name, build in big_graphs(args.seeds) + (untuned_graphs() if args.untuned else []):
        G = build()
        runs = [timed_layout(G) for _ in range(max(1, args.runs))]
        lay, cpu, spent = min(runs, key=lambda r: r[1])
        reference = min(networkx_cpu(G) for _ in range(max(1, args.runs)))
        layered_nodes = G.number_of_nodes() + sum(lay.ranks[v] - lay.ranks[u] - 1 for u, v in G.edges)
        total += cpu
        cells = [spent.get(s, 0.0) for s in STAGES.values()] + [cpu - sum(spent.values()), reference]
        print(f"| {name} | {G.number_of_nodes():,} | {layered_nodes:,} | {lay.crossings:,} | {cpu:.2f} s | "
              + " | ".join(f"{c:.2f}" for c in cells) + f" | {cpu / max(reference, 1e-9):.1f}x |", flush=True)
    print(f"\nall: {total:.2f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
