"""Layered (Sugiyama) layout of a compute graph: rank, order, position, route.

Pipeline (each step a pure function in its own module):
1. ``ranking``: optimal ranks (minimum weighted total edge span, exact LP); an op and its
   result are always in consecutive ranks; edges leaving leaves (constants, parameters) weigh
   less so that they bend rather than the chain.
2. ``layering``: virtual nodes on every rank a long edge crosses.
3. ``ordering``: depth-first initial order, weighted-median sweeps both ways, transposition,
   best order kept, sifting (exact on small layers) up to ~1,000 nodes; O(E log V) crossing
   counts; two op -> result segments crossing cost extra, and every op whose segment crosses
   no other sits on its result's line.
4. positions across the flow: ``coordinates`` (dot's LP, exact, up to ``LP_MAX_NODES``) or
   ``brandes_koepf`` (linear time) -- straight chains, no overlaps.
5. routing here: polylines from border to border through the virtual nodes.

Determinism: nodes are canonicalised by (natural) sort of their ids and edges by endpoints;
all tie-breaks are structural (operand index, position), so insertion order never matters.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Hashable

import networkx as nx
import numpy as np

from .brandes_koepf import brandes_koepf
from .clusters import build_tree, cluster_paths, rank_groups, virtual_edges
from .coordinates import assign_cross_coordinates
from .duplicates import split_far_leaves
from .frames import cluster_columns, clustered_cross_coordinates, cross_pads, frame_boxes
from .layering import make_layered
from .ordering import bfs_order, crossed_rigid, dfs_order, forward_dfs_order, minimise_crossings, order_cost
from .ranking import rank_nodes
from .routing import route_edges
from .sizes import default_node_size
from .stability import seed_from_previous

RANK_GAP = 40.0          # clear space between consecutive rank columns (along the flow)
NODE_GAP = 20.0          # clear space between neighbouring real nodes of a rank
VIRTUAL_GAP = 8.0        # clear space next to a long edge's bend point
LEAF_EDGE_WEIGHT = 0.25  # relative weight of edges leaving leaves in positions: they bend, not the chain
LEAF_RANK_WEIGHT = 1.0   # ... and in ranking: full weight keeps a shared leaf's consumers together
                         # (inspected MLP(2,[8,8,1]) + L2 sample: 1,226 crossings, not 2,137 at 0.25)
TIGHT_EDGE_WEIGHT = 4.0  # op -> result edges: keep chains straight
SMALL_GRAPH_NODES = 500  # below this, order from two starts with the full 24 sweeps (below, not
                         # at 500+, where the drawing must take at most half of dot's time)
SMALL_SWEEP_WORK = 24000  # ordering.minimise_crossings' sweep budget for those (4,000 otherwise)
LP_MAX_NODES = 500        # "auto" coordinates: exact LP up to here (~10 ms), Brandes-Koepf beyond
FIRST_OPERAND_BONUS = 0.01  # tie-break for positions: align an op with its operand 0


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


def natural_key(node: Hashable):
    """Sort key that orders "v2" before "v10"; used only for canonical tie-breaking."""
    parts = re.split(r"(\d+)", str(node))
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), str(type(node))


def layered_layout(G: nx.DiGraph, direction: str = "LR",
                   node_size: Callable[[Hashable, dict], tuple[float, float]] | None = None,
                   rank_gap: float = RANK_GAP, node_gap: float = NODE_GAP,
                   coordinates: str = "auto", clusters: dict | None = None,
                   previous: "Layout | None" = None, duplicate_leaves: bool = False) -> Layout:
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
        ``LP_MAX_NODES`` nodes (virtual ones included), "bk" beyond.  Clusters need "lp"
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

    Returns
    -------
    Layout
    """
    if coordinates not in ("auto", "bk", "lp"):
        raise ValueError("coordinates must be 'auto', 'bk' or 'lp'")
    if duplicate_leaves and nx.is_directed_acyclic_graph(G):
        return _with_copies(G, direction, node_size, rank_gap, node_gap, coordinates, clusters, previous)
    if direction not in ("LR", "TB"):
        raise ValueError("direction must be 'LR' or 'TB'")
    if not nx.is_directed_acyclic_graph(G):
        raise ValueError("layered_layout needs a directed acyclic graph")
    if G.number_of_nodes() == 0:
        return Layout({}, {}, {}, 0.0, 0.0, {}, 0, direction)
    g = _prepare(G, node_size or default_node_size, clusters or {})
    if g.clustered and coordinates == "bk":
        raise ValueError("clusters need coordinates='lp' (or 'auto')")
    rank = rank_nodes(g.n, g.src, g.dst, g.rank_weight, g.tight, g.groups)
    lg = make_layered(g.n, g.src, g.dst, rank)
    tree = None
    if g.clustered:
        tree, ph_layer, _ = build_tree(g.paths, g.node_cluster, lg.layer, g.src, g.dst, virtual_edges(lg, g.n))
        lg.layer = np.concatenate([lg.layer, ph_layer])   # placeholders: no segments
    pos, crossings, straight = _order(G, g, lg, tree, previous, direction)

    # Extents along / across the flow (virtual nodes are points).
    w = np.array([g.sizes[v][0] for v in g.nodes])
    h = np.array([g.sizes[v][1] for v in g.nodes])
    along_real, across_real = (w, h) if direction == "LR" else (h, w)
    along = np.zeros(lg.n_nodes); along[:g.n] = along_real
    across = np.zeros(lg.n_nodes); across[:g.n] = across_real
    by_layer = np.lexsort((pos, lg.layer))
    bounds = np.searchsorted(lg.layer[by_layer], np.arange(lg.n_layers + 1))
    members = [by_layer[bounds[l]:bounds[l + 1]] for l in range(lg.n_layers)]

    cross, cross_extent, frame_lo, frame_hi = _across_flow(g, lg, tree, members, across, straight, node_gap,
                                                           coordinates, previous, direction)
    column = np.zeros(lg.n_layers)
    np.maximum.at(column, lg.layer, along)
    flow_lo = flow_hi = None
    if g.clustered:
        column_start, flow_extent, flow_lo, flow_hi = cluster_columns(tree, lg.layer, column, rank_gap, direction)
    else:
        column_start = np.concatenate([[0.0], np.cumsum(column + rank_gap)[:-1]])
        flow_extent = float(column_start[-1] + column[-1])
    flow = (column_start + column / 2)[lg.layer]

    px, py = (flow, cross_extent - cross) if direction == "LR" else (cross, flow_extent - flow)
    positions = dict(zip(g.nodes, zip(px[:g.n].tolist(), py[:g.n].tolist())))
    edges = route_edges(lg, g.nodes, g.edge_list, along, cross, column, column_start, direction,
                        cross_extent, flow_extent)
    width, height = (flow_extent, cross_extent) if direction == "LR" else (cross_extent, flow_extent)
    frames = {}
    if g.clustered:
        frames = frame_boxes(tree, frame_lo, frame_hi, flow_lo, flow_hi, direction, cross_extent, flow_extent)
    collapsed = {tuple(_collapsed_path(G.nodes[v])): v for v in g.nodes if _collapsed_path(G.nodes[v])}
    return Layout(positions, g.sizes, edges, width, height, dict(zip(g.nodes, rank.tolist())), int(crossings),
                  direction, frames, collapsed)


@dataclass
class _Input:
    """The graph as arrays: nodes in canonical order, edges (src, dst, operand) sorted, and
    what the stages weigh them by."""
    nodes: list
    sizes: dict
    edge_list: list
    src: np.ndarray
    dst: np.ndarray
    operand: np.ndarray
    outdeg: np.ndarray
    tight: np.ndarray         # op -> result edges where the op has one use and the result one source
    rank_weight: np.ndarray   # ranking: tight op -> result edges weigh more
    edge_weight: np.ndarray   # positions: ... and edges leaving leaves less, so they bend
    rigid: np.ndarray         # op -> result edges drawn as one straight line
    paths: list
    node_cluster: np.ndarray
    groups: tuple | None

    @property
    def n(self) -> int:
        return len(self.nodes)

    @property
    def clustered(self) -> bool:
        return len(self.paths) > 1


def _prepare(G: nx.DiGraph, size_of, clusters: dict) -> _Input:
    nodes = sorted(G.nodes, key=natural_key)
    n = len(nodes)
    paths, node_cluster = cluster_paths(nodes, clusters)
    index = {v: i for i, v in enumerate(nodes)}
    sizes = {v: tuple(float(s) for s in size_of(v, G.nodes[v])) for v in nodes}
    edge_list = sorted((index[u], index[v], _operand_key(d)) for u, v, d in G.edges(data=True))
    edge_array = np.array(edge_list, dtype=np.int64).reshape(len(edge_list), 3)
    src, dst, operand = edge_array[:, 0], edge_array[:, 1], edge_array[:, 2]
    indeg = np.bincount(dst, minlength=n)
    outdeg = np.bincount(src, minlength=n)
    is_op = np.array([G.nodes[v].get("kind") == "op" for v in nodes], dtype=bool)
    tight = is_op[src] & (outdeg[src] == 1) & (indeg[dst] == 1)
    from_leaf = indeg[src] == 0
    tight_weight = np.where(tight, TIGHT_EDGE_WEIGHT, 1.0)
    groups = rank_groups(paths, node_cluster) if len(paths) > 1 else None
    return _Input(nodes, sizes, edge_list, src, dst, operand, outdeg, tight,
                  rank_weight=np.where(from_leaf, LEAF_RANK_WEIGHT, 1.0) * tight_weight,
                  edge_weight=np.where(from_leaf, LEAF_EDGE_WEIGHT, 1.0) * tight_weight,
                  # an op and its result drawn on one line must share their clusters' frames
                  rigid=tight & (node_cluster[src] == node_cluster[dst]),
                  paths=paths, node_cluster=node_cluster, groups=groups)


def _order(G, g: _Input, lg, tree, previous, direction):
    """(pos, crossings, straight): every node's index in its layer, the crossings of that
    order, and which segments are drawn straight (op -> result, unless two had to cross)."""
    # Initial order: a DFS back from the output fixes a canonical sequence (operand 0 first);
    # a DFS forward from the first rank's nodes, in that sequence, keeps inputs that feed the
    # same ops together (measured: ~2x fewer crossings than the backward order alone).
    output = G.graph.get("output")
    sinks = np.flatnonzero(g.outdeg == 0).tolist()
    roots = ([g.nodes.index(output)] if output in G else []) + sinks
    backward = dfs_order(lg, g.operand[lg.seg_edge], roots)
    by_backward = np.argsort(backward)
    first_rank = by_backward[lg.layer[by_backward] == 0]
    start_key = forward_dfs_order(lg, np.concatenate([first_rank, by_backward]).tolist())
    rigid = g.rigid[lg.seg_edge]
    if previous is not None:
        start_key = seed_from_previous(previous, g.nodes, g.paths, g.node_cluster, start_key, direction)
        # stability: transposition and sifting only
        pos, crossings = minimise_crossings(lg, start_key, seg_rigid=rigid, tree=tree, local=True)
    else:
        pos, crossings = _best_of_starts(lg, start_key, rigid, tree, small=g.n < SMALL_GRAPH_NODES)
    # Op -> result segments are drawn straight unless the order had to let two of them cross
    # (a small penalty in the search: forbidding it cost ~12% more crossings on MLP graphs).
    return pos, crossings, rigid & ~crossed_rigid(lg, pos, rigid)


def _best_of_starts(lg, start_key, rigid, tree, small: bool):
    """Order from the DFS key; on ``small`` graphs also from dot's second start (a BFS back
    from the sinks), each with up to 24 sweeps, keeping the cheaper (the first on a tie).
    The sweeps end in very different local optima from the two starts.  Measured on 16
    random expressions of 100-200 nodes: 1,908 crossings from the DFS start with the big
    graphs' sweep budget (4 sweeps there), 1,771 from the better of both starts, 1,700 with
    24 sweeps each (dot: 1,617; graphlay: 1,483)."""
    if not small:
        return minimise_crossings(lg, start_key, seg_rigid=rigid, tree=tree)
    outdeg = np.bincount(lg.seg_src, minlength=lg.n_nodes)
    by_key = np.argsort(start_key, kind="stable")
    sinks_first = bfs_order(lg, by_key[outdeg[by_key] == 0], forward=False)
    best = None
    for key in (start_key, sinks_first):
        own_tree = copy.deepcopy(tree)      # the search moves the clusters' keys
        pos, crossings = minimise_crossings(lg, key, seg_rigid=rigid, tree=own_tree, sweep_work=SMALL_SWEEP_WORK)
        cost = order_cost(lg, pos, rigid)
        if best is None or cost < best[0]:
            best = (cost, pos, crossings, own_tree)
    if tree is not None:
        tree.key[:] = best[3].key
    return best[1], best[2]


def _across_flow(g: _Input, lg, tree, members, across, straight, node_gap, coordinates, previous, direction):
    """(cross, cross_extent, frame_lo, frame_hi): coordinates across the flow of every node
    (and of every cluster's frame sides, when clustered)."""
    n_all = lg.n_nodes
    gap = np.full(n_all, VIRTUAL_GAP); gap[:g.n] = node_gap
    seg_real = (lg.seg_src < g.n).astype(int) + (lg.seg_dst < g.n).astype(int)
    # Among equal weights, operand 0 is the main line (e.g. x in x*0.99 when x is a leaf too).
    main_line = np.where(g.operand == 0, 1.0 + FIRST_OPERAND_BONUS, 1.0)
    seg_weight = np.choose(seg_real, [8.0, 2.0, 1.0]) * (g.edge_weight * main_line)[lg.seg_edge]
    if coordinates == "auto":
        coordinates = "lp" if n_all <= LP_MAX_NODES or g.clustered else "bk"
    frame_lo = frame_hi = None
    if g.clustered:
        pad_lo, pad_hi = cross_pads(tree.n_clusters, direction)
        anchor = None
        if previous is not None:
            anchor = np.full(n_all, np.nan)
            sign, axis = (-1.0, 1) if direction == "LR" else (1.0, 0)
            anchor[:g.n] = [sign * previous.positions[v][axis] if v in previous.positions else np.nan
                            for v in g.nodes]
        cross, frame_lo, frame_hi = clustered_cross_coordinates(
            members, across, gap, lg.seg_src, lg.seg_dst, seg_weight, straight, tree,
            pad_lo, pad_hi, cluster_gap=node_gap, anchor=anchor)
    elif coordinates == "lp":
        cross = assign_cross_coordinates(n_all, members, across, gap, lg.seg_src, lg.seg_dst, seg_weight,
                                         seg_rigid=straight)
    else:
        cross = brandes_koepf(n_all, g.n, members, across, gap, lg.seg_src, lg.seg_dst, seg_weight,
                              seg_priority=straight)
    cross = cross - float((cross - across / 2).min()) if frame_lo is None else cross
    cross_extent = float((cross + across / 2).max())
    if frame_hi is not None and tree.n_clusters > 1:
        cross_extent = max(cross_extent, float(frame_hi[1:].max()))
    return cross, cross_extent, frame_lo, frame_hi


def _with_copies(G, direction, node_size, rank_gap, node_gap, coordinates, clusters, previous):
    H, copy_of = split_far_leaves(G)
    if clusters:
        clusters = {**clusters, **{c: clusters.get(v, ()) for c, v in copy_of.items()}}
    lay = layered_layout(H, direction, node_size, rank_gap, node_gap, coordinates, clusters, previous)
    edges = {(copy_of.get(u, u), v): pts for (u, v), pts in lay.edges.items()}
    return replace(lay, edges=edges, copies=copy_of)


def _collapsed_path(attrs: dict):
    """The scope a node stands for: its ``collapsed`` attribute, or the ``scope`` of an
    ``engine.collapse`` box (``kind="scope"``)."""
    if attrs.get("collapsed"):
        return attrs["collapsed"]
    return attrs.get("scope") if attrs.get("kind") == "scope" else None


def _operand_key(attrs: dict) -> int:
    operands = attrs.get("operands")
    if operands:
        return int(min(operands))
    return 0
