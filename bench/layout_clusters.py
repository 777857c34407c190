"""CPU of clustered layouts (what a scope's expand or collapse lays out in the Graph tab), against
the rank-by-rank regrouping and HiGHS's default pricing, run in the same process.

    python -m bench.layout_clusters [--runs 2] [--only NAME]

Graphs (``engine.scopes``' scopes, laid out as ``app.graph_page.scopes_display`` does it:
``duplicate_leaves``, ``fast``): the Train tab's inspected MLP(2,[16,16,1]) sample with and
without its L2 term, a 4-sample MLP(2,[8,8,1]) batch loss + L2, a forward pass of
MLP(4,[16,16,16,1]), each with every scope open, every scope but one inner one, and collapsed
to neurons; and the inspected MLP(2,[10,10,1]) sample + L2 collapsed to neurons with its L2
term open (long edges between clusters: ``layouts.bend_points``).  Per graph: nodes, our CPU (the better of ``--runs``), the baseline's (the same
layout with ``sifting.sift_clusters`` regrouping rank by rank, as before session 41,
``frames.LP_OPTIONS`` empty and every bend point in the LP, ``placement.CLUSTER_LP_MAX_NODES``), their ratio, and whether both drew the same positions (the LP may
pick another optimal vertex with the other pricing: same cost, other coordinates).

Session 41 (load ~1-2, ``--runs 2``): ratios 0.27-0.48 on the drawings of 1,500-3,000 nodes
with their scopes open (the inspected sample + L2, every scope open, 3.49 -> 1.61 s; the batch
loss 6.45 -> 1.99 s), 0.71-0.83 on the forward pass (its LP is most of it), ~1 (0.8-1.2, noise
at 50 ms) collapsed to neurons; the same positions on all 12.  Then ``layouts.bend_points``: the
(10,10) sample's L2 term open 5.26 -> 0.33 s (0.06; other positions: its bend points placed
after the LP); the (16,16) sample's (179k layered nodes, not run here) 80-220 s -> 1.1 s.
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

    def states(make, states_of=("all", "all but one", "neurons")):
        def one(state):
            def build():
                G = make()
                sc = scopes(G)
                paths = scope_paths(sc)
                inner = [p for p in paths if not any(q != p and q[:len(p)] == p for q in paths)]
                expanded = {"all": expanded_at(sc, "all"), "neurons": expanded_at(sc, "neurons"),
                            "all but one": frozenset(paths) - {inner[len(inner) // 2]},
                            "neurons, the L2 term open": expanded_at(sc, "neurons") | {("L2 term",)}}[state]
                Q = collapse(G, sc, expanded)
                return Q, {n: (a["scope"][:-1] if a["kind"] == "scope" else sc.get(n, ()))
                           for n, a in Q.nodes(data=True)}
            return build
        return [(state, one(state)) for state in states_of]

    graphs = [("inspected MLP(2,[16,16,1]) + L2", lambda: inspected_sample_graph((16, 16), True)),
              ("inspected MLP(2,[16,16,1])", lambda: inspected_sample_graph((16, 16), False)),
              ("batch loss + L2, MLP(2,[8,8,1]), 4 samples", lambda: batch_loss_graph(2, (8, 8), 4, "mse", True, "tanh", seed=1)),
              ("forward MLP(4,[16,16,16,1])", lambda: mlp_forward_graph(4, (16, 16, 16, 1)))]
    out = [(f"{name}, {state}", build) for name, make in graphs for state, build in states(make)]
    # many long edges between clusters (each neuron's weights squared all along the L2 term's
    # sum chain): 16.5k layered nodes, past ``placement.CLUSTER_LP_MAX_NODES``
    make = lambda: inspected_sample_graph((10, 10), True)     # noqa: E731
    return out + [(f"inspected MLP(2,[10,10,1]) + L2, {state}", build)
                  for state, build in states(make, ("neurons, the L2 term open",))]


@contextlib.contextmanager
def baseline():
    """The clustered layout as before session 41: every rank regrouped by itself per cost
    ``sift_clusters`` evaluates, the coordinate LP priced by HiGHS's default."""
    from layouts import frames, placement
    from layouts.ordering import LayerOrder

    def rank_by_rank(self):
        for l in range(self.n_layers):
            self._regroup(l)

    old = LayerOrder.regroup_all, frames.LP_OPTIONS, placement.CLUSTER_LP_MAX_NODES
    LayerOrder.regroup_all, frames.LP_OPTIONS, placement.CLUSTER_LP_MAX_NODES = rank_by_rank, {}, 10**12
    try:
        yield
    finally:
        LayerOrder.regroup_all, frames.LP_OPTIONS, placement.CLUSTER_LP_MAX_NODES = old


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
