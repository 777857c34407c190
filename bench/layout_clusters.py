"""CPU of clustered layouts (what a scope's expand or collapse lays out in the Graph tab), against
the rank-by-rank regrouping and HiGHS's default pricing, run in the same process.

    python -m bench.layout_clusters [--runs 2] [--only NAME]

Graphs (``engine.scopes``' scopes, laid out as ``app.graph_page.scopes_display`` does it:
``duplicate_leaves``, ``fast``): the Train tab's inspected MLP(2,[16,16,1]) sample with and
without its L2 term, a 4-sample MLP(2,[8,8,1]) batch loss + L2, a forward pass of
MLP(4,[16,16,16,1]), each with every scope open, every scope but one inner one, and collapsed
to neurons.  Per graph: nodes, our CPU (the better of ``--runs``), the baseline's (the same
layout with ``sifting.sift_clusters`` regrouping rank by rank, as before session 41, and
``frames.LP_OPTIONS`` empty), their ratio, and whether both drew the same positions (the LP may
pick another optimal vertex with the other pricing: same cost, other coordinates).

Session 41 (load ~1-2, ``--runs 2``): ratios 0.27-0.48 on the drawings of 1,500-3,000 nodes
with their scopes open (the inspected sample + L2, every scope open, 3.49 -> 1.61 s; the batch
loss 6.45 -> 1.99 s), 0.71-0.83 on the forward pass (its LP is most of it), ~1 (0.8-1.2, noise
at 50 ms) collapsed to neurons; the same positions on all 12.
"""

from __future__ import annotations

import argparse
import contextlib
import sys

from bench.graphs import batch_loss_graph, inspected_sample_graph, mlp_forward_graph
from bench.layout_mid import cpu


def cluster_cases() -> list:
    """(name, make) -> (graph, clusters): the quotient graphs a reader's clicks lay out."""
    from engine.collapse import collapse, expanded_at
    from engine.scopes import scope_paths, scopes

    def states(make):
        def one(state):
            def build():
                G = make()
                sc = scopes(G)
                paths = scope_paths(sc)
                inner = [p for p in paths if not any(q != p and q[:len(p)] == p for q in paths)]
                expanded = {"all": expanded_at(sc, "all"), "neurons": expanded_at(sc, "neurons"),
                            "all but one": frozenset(paths) - {inner[len(inner) // 2]}}[state]
                Q = collapse(G, sc, expanded)
                return Q, {n: (a["scope"][:-1] if a["kind"] == "scope" else sc.get(n, ()))
                           for n, a in Q.nodes(data=True)}
            return build
        return [(state, one(state)) for state in ("all", "all but one", "neurons")]

    graphs = [("inspected MLP(2,[16,16,1]) + L2", lambda: inspected_sample_graph((16, 16), True)),
              ("inspected MLP(2,[16,16,1])", lambda: inspected_sample_graph((16, 16), False)),
              ("batch loss + L2, MLP(2,[8,8,1]), 4 samples", lambda: batch_loss_graph(2, (8, 8), 4, "mse", True, "tanh", seed=1)),
              ("forward MLP(4,[16,16,16,1])", lambda: mlp_forward_graph(4, (16, 16, 16, 1)))]
    return [(f"{name}, {state}", build) for name, make in graphs for state, build in states(make)]


@contextlib.contextmanager
def baseline():
    """The clustered layout as before session 41: every rank regrouped by itself per cost
    ``sift_clusters`` evaluates, the coordinate LP priced by HiGHS's default."""
    from layouts import frames
    from layouts.ordering import LayerOrder

    def rank_by_rank(self):
        for l in range(self.n_layers):
            self._regroup(l)

    old_regroup, old_options = LayerOrder.regroup_all, frames.LP_OPTIONS
    LayerOrder.regroup_all, frames.LP_OPTIONS = rank_by_rank, {}
    try:
        yield
    finally:
        LayerOrder.regroup_all, frames.LP_OPTIONS = old_regroup, old_options


def main(argv=None) -> int:
    from layouts import layered_layout

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--only", default="", help="only the graphs whose name contains this")
    args = parser.parse_args(argv)
    print("| graph | nodes | ours | before | ours / before | same positions |")
    print("|---|---|---|---|---|---|")
    for name, build in cluster_cases():
        if args.only not in name:
            continue
        Q, clusters = build()

        def lay():
            return layered_layout(Q, clusters=clusters, duplicate_leaves=True, fast=True)

        ours = [cpu(lay) for _ in range(args.runs)]
        with baseline():
            before = [cpu(lay) for _ in range(args.runs)]
        t, b = min(s for _, s in ours), min(s for _, s in before)
        same = ours[0][0].positions == before[0][0].positions
        print(f"| {name} | {Q.number_of_nodes():,} | {t:.2f} s | {b:.2f} s | {t / b:.2f} | {'yes' if same else 'no'} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
