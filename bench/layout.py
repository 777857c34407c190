"""Benchmark of ``layouts.layered_layout`` against graphviz dot (pygraphviz) and graphlay, when
installed (comparison only: neither is a dependency).

    python -m bench.layout                 # all graphs, every engine installed
    python -m bench.layout --no-dot --no-graphlay
    python -m bench.layout --quick         # skip the graphs of 5,000+ nodes
    python -m bench.layout --shuffles 5    # input orders per graph (default 5)

Each graph (built with ``engine``, see ``bench.graphs``) is laid out from ``--shuffles``
different input orders (nodes and edges inserted in a seeded random order; the first is the
order as built).  Per engine: crossings, median and worst over the orders; median time;
total edge length and longest edge (of the first order's drawing).  Same node sizes and
separations for all three.  Crossings are counted on the drawn polylines: ours and dot's with
``count_polyline_crossings`` (dot's B-splines sampled, 5 points per cubic piece); graphlay's
orthogonal routes with graphlay's own metric (proper intersections of segments; checked equal
to a brute-force count on the MLP graphs).  Graphs of 5,000+ nodes are run from one order.
Inspected training samples get a second row: ours with ``duplicate_leaves=True``.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import gc
import time

import networkx as nx

from bench.graphs import benchmark_graphs
from layouts import count_polyline_crossings, default_node_size, layered_layout
from layouts.layered import NODE_GAP, RANK_GAP

POINTS_PER_INCH = 72.0
BIG = 5000


def polyline_length(points) -> float:
    return sum(math.dist(a, b) for a, b in zip(points, points[1:]))


def shuffled(G: nx.DiGraph, seed: int) -> nx.DiGraph:
    """Same graph, nodes and edges inserted in a seeded random order (seed 0: as built)."""
    if seed == 0:
        return G
    rng = random.Random(seed)
    nodes, edges = list(G.nodes(data=True)), list(G.edges(data=True))
    rng.shuffle(nodes)
    rng.shuffle(edges)
    H = nx.DiGraph(**G.graph)
    H.add_nodes_from(nodes)
    H.add_edges_from(edges)
    return H


def timed(fn):
    """(result, seconds) of ``fn()``, after a full collection (see ``bench.layout_mid.cpu``)."""
    gc.collect()
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def ours(G, duplicate_leaves: bool = False) -> dict:
    lay, seconds = timed(lambda: layered_layout(G, direction="LR", duplicate_leaves=duplicate_leaves))
    lines = list(lay.edges.values())
    lengths = [polyline_length(p) for p in lines]
    return dict(crossings=count_polyline_crossings(lines), seconds=seconds,
                length=sum(lengths), longest=max(lengths, default=0.0))


def _dot_graph(G, pygraphviz):
    A = pygraphviz.AGraph(directed=True, strict=False)
    A.graph_attr.update(rankdir="LR", ranksep=str(RANK_GAP / POINTS_PER_INCH),
                        nodesep=str(NODE_GAP / POINTS_PER_INCH))
    A.edge_attr.update(arrowhead="none")
    for v, attrs in G.nodes(data=True):
        w, h = default_node_size(v, attrs)
        A.add_node(str(v), shape="circle" if attrs.get("kind") == "op" else "box", fixedsize="true",
                   width=str(w / POINTS_PER_INCH), height=str(h / POINTS_PER_INCH), label="")
    for u, v in G.edges:
        A.add_edge(str(u), str(v))
    return A


def _spline_points(pos: str):
    """Sample a dot edge 'pos' (cubic B-spline control points) into a polyline."""
    ctrl = []
    for token in pos.split():
        if token.startswith(("s,", "e,")):
            continue
        x, y = token.split(",")[:2]
        ctrl.append((float(x), float(y)))
    points = [ctrl[0]]
    for i in range(0, len(ctrl) - 3, 3):
        p0, p1, p2, p3 = ctrl[i:i + 4]
        for t in (0.25, 0.5, 0.75, 1.0):
            s = 1 - t
            points.append(tuple(s**3 * a + 3 * s * s * t * b + 3 * s * t * t * c + t**3 * d
                                for a, b, c, d in zip(p0, p1, p2, p3)))
    return points


def dot(G, pygraphviz) -> dict:
    def run():
        A = _dot_graph(G, pygraphviz)
        A.layout(prog="dot")
        return A
    A, seconds = timed(run)
    lines = [_spline_points(e.attr["pos"]) for e in A.edges()]
    lengths = [polyline_length(p) for p in lines]
    return dict(crossings=count_polyline_crossings(lines), seconds=seconds,
                length=sum(lengths), longest=max(lengths, default=0.0))


def graphlay_run(G, graphlay) -> dict:
    def run():
        g = graphlay.Graph()
        for v, attrs in G.nodes(data=True):
            w, h = default_node_size(v, attrs)
            g.node(str(v), width=w, height=h, shape="ellipse" if attrs.get("kind") == "op" else "box")
        for u, v in G.edges:
            g.edge(str(u), str(v))
        return graphlay.layout(g, options={"spacing": {"layer_gap": RANK_GAP, "node_gap": NODE_GAP}})
    lay, seconds = timed(run)
    metrics = lay.metrics()
    return dict(crossings=int(metrics["crossings"]), seconds=seconds,
                length=float(metrics["total_edge_length"]), longest=float(metrics["max_edge_length"]))


def summarise(runs: list[dict] | None) -> dict | None:
    """Median and worst crossings over the input orders, median time, first order's lengths."""
    if not runs:
        return None
    crossings = [r["crossings"] for r in runs]
    return dict(median=statistics.median(crossings), worst=max(crossings),
                seconds=statistics.median(r["seconds"] for r in runs),
                length=runs[0]["length"], longest=runs[0]["longest"])


def _cells(s: dict | None) -> list[str]:
    if s is None:
        return ["-"] * 4
    return [f"{s['median']:,.0f}", f"{s['worst']:,}", f"{s['seconds'] * 1000:,.0f} ms",
            f"{s['length']:,.0f} / {s['longest']:,.0f}"]


def _optional(name: str, skip: bool):
    if skip:
        return None
    try:
        return __import__(name)
    except ImportError:
        print(f"{name} not installed: its columns are skipped", file=sys.stderr)
        return None


def rows(name: str, G, shuffles: int, pygraphviz, graphlay) -> list[list[str]]:
    """One row per graph; inspected samples get a second row for ours with
    ``duplicate_leaves=True`` (same dot and graphlay figures)."""
    orders = [shuffled(G, seed) for seed in range(1 if G.number_of_nodes() >= BIG else shuffles)]
    theirs = summarise([dot(H, pygraphviz) for H in orders]) if pygraphviz else None
    rust = summarise([graphlay_run(H, graphlay) for H in orders]) if graphlay else None
    variants = [(name, False)] + ([(name + ", leaves duplicated", True)] if "inspected" in name else [])
    out = []
    for label, duplicate in variants:
        mine = summarise([ours(H, duplicate) for H in orders])
        best = [s["worst"] for s in (theirs, rust) if s is not None]
        verdict = "-" if not best else ("ok" if mine["worst"] <= min(best) else "MORE")
        ratio = "-" if theirs is None else f"{mine['seconds'] / theirs['seconds']:.2f}"
        out.append([label, f"{G.number_of_nodes():,}"] + _cells(mine) + _cells(theirs) + _cells(rust)
                   + [verdict, ratio])
    return out


HEADER = ["graph", "nodes",
          "ours crossings median", "worst", "time", "edge length total / longest",
          "dot crossings median", "worst", "time", "edge length total / longest",
          "graphlay crossings median", "worst", "time", "edge length total / longest",
          "ours worst <= best worst", "time / dot"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-dot", action="store_true", help="skip graphviz dot")
    parser.add_argument("--no-graphlay", action="store_true", help="skip graphlay")
    parser.add_argument("--quick", action="store_true", help=f"skip graphs of {BIG:,}+ nodes")
    parser.add_argument("--shuffles", type=int, default=5, help="input orders per graph")
    args = parser.parse_args(argv)
    pygraphviz = _optional("pygraphviz", args.no_dot)
    graphlay = _optional("graphlay", args.no_graphlay)
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER))
    for name, build in benchmark_graphs():
        G = build()
        if args.quick and G.number_of_nodes() >= BIG:
            continue
        for cells in rows(name, G, max(1, args.shuffles), pygraphviz, graphlay):
            print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
