"""Benchmark of ``layouts.layered_layout`` (and graphviz dot, when pygraphviz is installed).

    python -m bench.layout            # all graphs, dot included when available
    python -m bench.layout --no-dot   # ours only
    python -m bench.layout --quick    # skip the 13.5k-node graph

For each graph (built with ``engine``, see ``bench.graphs``) prints: nodes, crossings counted
on the returned polylines (segment against segment), drawing width x height, total edge
length, time (median of several runs), and the same figures for dot on the same graph with
the same node sizes and separations.  dot's edges are its B-splines, sampled into polylines
(5 points per cubic piece) before counting.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time

from bench.graphs import benchmark_graphs
from layouts import count_polyline_crossings, layered_layout
from layouts.layered import NODE_GAP, RANK_GAP

POINTS_PER_INCH = 72.0


def polyline_length(points) -> float:
    return sum(math.dist(a, b) for a, b in zip(points, points[1:]))


def measure(fn, repeats: int):
    """(result of the last run, median seconds)."""
    times = []
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, statistics.median(times)


def ours(G, repeats: int) -> dict:
    lay, seconds = measure(lambda: layered_layout(G, direction="LR"), repeats)
    lines = list(lay.edges.values())
    return dict(crossings=count_polyline_crossings(lines), width=lay.width, height=lay.height,
                length=sum(polyline_length(p) for p in lines), seconds=seconds)


def _dot_graph(G, pygraphviz):
    from layouts import default_node_size
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


def dot(G, repeats: int, pygraphviz) -> dict:
    def run():
        A = _dot_graph(G, pygraphviz)
        A.layout(prog="dot")
        return A
    A, seconds = measure(run, repeats)
    lines = [_spline_points(e.attr["pos"]) for e in A.edges()]
    xs, ys = [], []
    for n in A.nodes():
        x, y = (float(c) for c in n.attr["pos"].split(","))
        w = float(n.attr["width"]) * POINTS_PER_INCH
        h = float(n.attr["height"]) * POINTS_PER_INCH
        xs += [x - w / 2, x + w / 2]; ys += [y - h / 2, y + h / 2]
    return dict(crossings=count_polyline_crossings(lines), width=max(xs) - min(xs),
                height=max(ys) - min(ys), length=sum(polyline_length(p) for p in lines),
                seconds=seconds)


def _fmt(r: dict | None) -> tuple[str, str, str, str]:
    if r is None:
        return ("-", "-", "-", "-")
    return (f"{r['crossings']:,}", f"{r['width']:,.0f} x {r['height']:,.0f}",
            f"{r['length']:,.0f}", f"{r['seconds'] * 1000:,.0f} ms")


def _ratios(mine: dict, theirs: dict | None) -> tuple[str, str]:
    if theirs is None:
        return ("-", "-")
    crossings = ("-" if theirs["crossings"] == 0 else f"{mine['crossings'] / theirs['crossings']:.2f}")
    return (crossings, f"{mine['seconds'] / theirs['seconds']:.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-dot", action="store_true", help="skip graphviz dot")
    parser.add_argument("--quick", action="store_true", help="skip the 13.5k-node graph")
    parser.add_argument("--repeats", type=int, default=5, help="runs per timing (median)")
    args = parser.parse_args(argv)
    pygraphviz = None
    if not args.no_dot:
        try:
            import pygraphviz  # noqa: F401  (optional comparison only)
        except ImportError:
            print("pygraphviz not installed: dot columns skipped", file=sys.stderr)
    header = ("graph", "nodes", "crossings", "width x height", "edge length", "time",
              "dot crossings", "dot width x height", "dot edge length", "dot time",
              "crossings / dot", "time / dot")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, build in benchmark_graphs():
        if args.quick and "16,16" in name:
            continue
        G = build()
        big = G.number_of_nodes() > 5000
        repeats = 1 if big else args.repeats
        mine = ours(G, max(repeats, 3 if big else repeats))
        theirs = dot(G, repeats, pygraphviz) if pygraphviz is not None else None
        row = (name, f"{G.number_of_nodes():,}") + _fmt(mine) + _fmt(theirs) + _ratios(mine, theirs)
        print("| " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
