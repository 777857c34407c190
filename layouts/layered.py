"""Layered (Sugiyama) layout of a compute graph: rank, order, position, route.

Pipeline (each step a pure function in its own module):
0. ``layout_input``: the graph as arrays in a canonical order, with the edges' weights.
1. ``ranking``: optimal ranks (minimum weighted total edge span, exact LP); an op and its
   result are always in consecutive ranks; edges leaving leaves (constants, parameters) weigh
   less so that they bend rather than the chain.
2. ``layering``: virtual nodes on every rank a long edge crosses.
3. ``order_stage`` runs ``ordering``: depth-first initial order (``initial_order``),
   weighted-median sweeps both ways, transposition (``transposition``), best order kept,
   sifting (exact on small layers) up to ~1,000 nodes, long edges rerouted exactly
   (``rerouting``) and, below 500 nodes, paths moved (``path_moves``: edges with both
   their ends, chains) and blocks (``block_moves``: a node with its in-tree, such as a
   neuron); O(E log V) crossing counts; two op -> result segments crossing
   cost extra, and every op whose segment crosses no other sits on its result's line.
4. ``placement``: positions across the flow: ``coordinates`` (dot's LP, exact, up to
   ``LP_MAX_NODES``) or ``brandes_koepf`` (linear time) -- straight chains, no overlaps; and
   one column per rank along it.
5. ``routing``: polylines from border to border through the virtual nodes.

Determinism: nodes are canonicalised by (natural) sort of their ids and edges by endpoints;
all tie-breaks are structural (operand index, position), so insertion order never matters.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Hashable

import networkx as nx
import numpy as np

from .blas_threads import one_blas_thread
from .clusters import build_tree, virtual_edges
from .duplicates import split_far_leaves
from .frames import frame_boxes
from .layering import make_layered
from .layout_input import collapsed_path, is_acyclic, prepare_input
from .order_stage import order_nodes, skips_polish
from .placement import across_flow, along_flow, extents
from .ranking import rank_nodes
from .routing import route_edges
from .sizes import default_node_size

RANK_GAP = 40.0          # clear space between consecutive rank columns (along the flow)
NODE_GAP = 20.0          # clear space between neighbouring real nodes of a rank


@dataclass(frozen=True)
class Layout:
    """Result of ``layered_layout``.  All coordinates in plot units, y grows upward.

    positions : {node: (x, y)} centre of each node.
    sizes : {node: (w, h)} width and height of each node's box (op circles: w == h, the diameter).
    edges : {(u, v): [(x, y), ...]} polyline from the border of u to the border of v (the
        flow-side border: right/left sides for LR, bottom/top for TB), with a bend at every
        rank the edge crosses; monotone along the flow.
    width, height : extent of the drawing; every box lies within [0, width] x [0, height].
    ranks : {node: rank}; flow goes from rank 0 (left for LR, top for TB) upwards.
    crossings : number of edge crossings of the drawing (between consecutive ranks).
    direction : "LR" or "TB".
    clusters : {scope_path: (x0, y0, x1, y1)} frame of every cluster (``clusters=`` given):
        it holds all its members' boxes with a margin (more at the top, for a label) and no
        other node; two frames overlap only if one holds the other.
    collapsed : {scope_path: node} for nodes with a ``collapsed`` attribute (a collapsed
        cluster drawn as one node); ``previous=`` uses it to place the cluster's members.
    copies : {copy: leaf} with ``duplicate_leaves=True``: extra drawings of one leaf.
    refinable : True when ``fast=True`` skipped a polish that ``fast=False`` runs (the small
        drawings' from 150 real nodes, the mid-size ones'): the same call with ``fast=False``
        gives fewer crossings (the app shows this drawing first and swaps that one in).
    """

    positions: dict
    sizes: dict
    edges: dict
    width: float
    height: float
    ranks: dict = field(default_factory=dict)
    crossings: int = 0
    direction: str = "LR"
    clusters: dict = field(default_factory=dict)
    collapsed: dict = field(default_factory=dict)
    copies: dict = field(default_factory=dict)
    refinable: bool = False



def layered_layout(G: nx.DiGraph, direction: str = "LR",
                   node_size: Callable[[Hashable, dict], tuple[float, float]] | None = None,
                   rank_gap: float = RANK_GAP, node_gap: float = NODE_GAP,
                   coordinates: str = "auto", clusters: dict | None = None,
                   previous: "Layout | None" = None, duplicate_leaves: bool = False,
                   fast: bool = False) -> Layout:
    """Lay out a DAG (typically ``engine.to_graph``'s compute graph) in layers.

    Parameters
    ----------
    G : networkx.DiGraph, acyclic.  Compute-graph attributes are used when present: node
        ``kind`` ("value"/"op", for default sizes and edge weights), edge ``operands``
        (operand order, top to bottom / left to right), ``G.graph["output"]`` (the root).
    direction : "LR" (flow left to right) or "TB" (top to bottom).
    node_size : optional ``(node, attrs) -> (w, h)``; default ``sizes.default_node_size``
        (value box 40 high and 8 units per character of "label | data | grad"; op circles 30;
        any node with a ``size`` attribute ``(w, h)``, e.g. a collapsed cluster, that size).
    rank_gap, node_gap : clearances between ranks and between nodes of a rank.
    coordinates : "lp" (dot's linear program, solved exactly by HiGHS: the most compact
        and straight, but superlinear: ~30 ms at 700 nodes, seconds at 10k), "bk"
        (Brandes-Koepf, linear time, taller drawings) or "auto" (default): "lp" up to
        ``placement.LP_MAX_NODES`` nodes (virtual ones included), "bk" beyond.  Clusters need "lp"
        ("auto" picks it whenever clusters are given).
    clusters : optional {node: scope path}, a path being a tuple of names, outermost first
        (``()`` or a missing node: in no cluster).  Every prefix of a path is a cluster.  In
        every rank the members of each cluster are consecutive, and ``Layout.clusters``
        gives each cluster's frame.  A collapsed cluster is just a node (give it a ``size``,
        and a ``collapsed`` attribute: the scope path it stands for; an ``engine.collapse``
        box, ``kind="scope"`` with ``scope``, counts too) in its parent scope's cluster.
    previous : optional earlier ``Layout`` of a related graph (e.g. before a cluster was
        expanded): the order across the flow starts from it and only improves locally, so
        what did not change stays where it was.  Nodes new to it start where their deepest
        scope was (its frame, or the collapsed node that stood for it).
    duplicate_leaves : draw a leaf whose consumers lie far apart along the flow once per
        group of nearby consumers (see ``duplicates``): positions and sizes then also hold
        the copies ``(leaf, "copy", k)``, ``copies`` maps each to its leaf, and ``edges``
        stays keyed by G's edges (drawn from the copy that serves them).
    fast : from ``order_stage.SMALL_GRAPH_NODES`` to ``mid_order.MID_LARGE_NODES`` real nodes,
        order as the big drawings are (sweeps and one rerouting pass: ~0.3 s at 1,000 nodes)
        instead of the mid-size drawings' polish (``mid_order`` or ``block_polish``: fewer
        crossings, up to ~8 s); from
        ``order_stage.QUICK_FROM_NODES`` to 500, sweeps and sifting without the small
        drawings' polish (0.04-0.08 s instead of 0.5-2 s). For interactive use: the app's Apply of a
        1,000-node graph is to be painted within a second. Without clusters or ``previous``
        only; ``Layout.refinable`` says when it changed anything.

    Returns
    -------
    Layout
    """
    with one_blas_thread():     # see ``blas_threads``: OpenBLAS's spinning workers
        return _layered_layout(G, direction, node_size, rank_gap, node_gap, coordinates, clusters, previous,
                               duplicate_leaves, fast)


def _finite_length(x) -> bool:
    """Whether ``x`` is a real number, finite and not negative (a gap, a width or a height)."""
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) \
        and bool(np.isfinite(x)) and x >= 0


def _layered_layout(G, direction, node_size, rank_gap, node_gap, coordinates, clusters, previous,
                    duplicate_leaves, fast) -> Layout:
    if coordinates not in ("auto", "bk", "lp"):
        raise ValueError("coordinates must be 'auto', 'bk' or 'lp'")
    for name, gap in (("rank_gap", rank_gap), ("node_gap", node_gap)):
        if not _finite_length(gap):
            raise ValueError(f"{name} must be a finite number >= 0, got {gap!r}")
    if duplicate_leaves and nx.is_directed_acyclic_graph(G):
        return _with_copies(G, direction, node_size, rank_gap, node_gap, coordinates, clusters, previous, fast)
    if direction not in ("LR", "TB"):
        raise ValueError("direction must be 'LR' or 'TB'")
    if G.number_of_nodes() == 0:
        return Layout({}, {}, {}, 0.0, 0.0, {}, 0, direction)
    g = prepare_input(G, node_size or default_node_size, clusters or {})
    if not is_acyclic(g.n, g.src, g.dst):
        raise ValueError("layered_layout needs a directed acyclic graph")
    if g.clustered and coordinates == "bk":
        raise ValueError("clusters need coordinates='lp' (or 'auto')")
    rank = rank_nodes(g.n, g.src, g.dst, g.rank_weight, g.tight, g.groups)
    lg = make_layered(g.n, g.src, g.dst, rank)
    tree = None
    if g.clustered:
        tree, ph_layer, _ = build_tree(g.paths, g.node_cluster, lg.layer, g.src, g.dst, virtual_edges(lg, g.n))
        lg.layer = np.concatenate([lg.layer, ph_layer])   # placeholders: no segments
    pos, crossings, straight = order_nodes(G, g, lg, tree, previous, direction, fast)

    along, across, members = extents(g, lg, pos, direction)
    cross, cross_extent, frame_lo, frame_hi = across_flow(g, lg, tree, members, across, straight, node_gap,
                                                          coordinates, previous, direction)
    column, column_start, flow_extent, flow_lo, flow_hi = along_flow(g, lg, tree, along, rank_gap, direction)
    flow = (column_start + column / 2)[lg.layer]

    px, py = (flow, cross_extent - cross) if direction == "LR" else (cross, flow_extent - flow)
    positions = dict(zip(g.nodes, zip(px[:g.n].tolist(), py[:g.n].tolist())))
    edges = route_edges(lg, g.nodes, g.edge_list, along, cross, column, column_start, direction,
                        cross_extent, flow_extent)
    width, height = (flow_extent, cross_extent) if direction == "LR" else (cross_extent, flow_extent)
    frames = {}
    if g.clustered:
        frames = frame_boxes(tree, frame_lo, frame_hi, flow_lo, flow_hi, direction, cross_extent, flow_extent)
    collapsed = {tuple(path): v for v in g.nodes if (path := collapsed_path(G.nodes[v]))}
    refinable = bool(skips_polish(g.n, lg, tree, previous, fast))
    return Layout(positions, g.sizes, edges, width, height, dict(zip(g.nodes, rank.tolist())), int(crossings),
                  direction, frames, collapsed, refinable=refinable)


def _with_copies(G, direction, node_size, rank_gap, node_gap, coordinates, clusters, previous, fast):
    H, copy_of = split_far_leaves(G)
    if clusters:
        clusters = {**clusters, **{c: clusters.get(v, ()) for c, v in copy_of.items()}}
    lay = layered_layout(H, direction, node_size, rank_gap, node_gap, coordinates, clusters, previous, fast=fast)
    edges = {(copy_of.get(u, u), v): pts for (u, v), pts in lay.edges.items()}
    return replace(lay, edges=edges, copies=copy_of)


