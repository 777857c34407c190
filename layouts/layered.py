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

import re
from dataclasses import dataclass, field, replace
from typing import Callable, Hashable

import networkx as nx
import numpy as np

from .brandes_koepf import brandes_koepf
from .clusters import build_tree, cluster_paths
from .coordinates import assign_cross_coordinates
from .duplicates import split_far_leaves
from .frames import along_margins, clustered_cross_coordinates, rank_spans
from .layering import make_layered
from .ordering import crossed_rigid, dfs_order, forward_dfs_order, minimise_crossings
from .ranking import rank_nodes
from .sizes import default_node_size

RANK_GAP = 40.0          # clear space between consecutive rank columns (along the flow)
NODE_GAP = 20.0          # clear space between neighbouring real nodes of a rank
VIRTUAL_GAP = 8.0        # clear space next to a long edge's bend point
LEAF_EDGE_WEIGHT = 0.25  # relative weight of edges leaving leaves in positions: they bend, not the chain
LEAF_RANK_WEIGHT = 1.0   # ... and in ranking: full weight keeps a shared leaf's consumers together
                         # (inspected MLP(2,[8,8,1]) + L2 sample: 1,226 crossings, not 2,137 at 0.25)
TIGHT_EDGE_WEIGHT = 4.0  # op -> result edges: keep chains straight
LP_MAX_NODES = 500        # "auto" coordinates: exact LP up to here (~10 ms), Brandes-Koepf beyond
FIRST_OPERAND_BONUS = 0.01  # tie-break for positions: align an op with its operand 0
CLUSTER_SPAN_WEIGHT = 1.0  # ranking: cost per rank of a cluster's span along the flow
FRAME_MARGIN = 8.0       # room between a cluster's frame and what it holds
FRAME_LABEL = 16.0       # extra room on the frame's top side for its label (~12 px text)
FRAME_CLEARANCE = 8.0    # minimum room along the flow between frames of consecutive ranks


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
    size_of = node_size or default_node_size
    nodes = sorted(G.nodes, key=natural_key)
    n = len(nodes)
    if n == 0:
        return Layout({}, {}, {}, 0.0, 0.0, {}, 0, direction)
    paths, node_cluster = cluster_paths(nodes, clusters or {})
    clustered = len(paths) > 1
    if clustered and coordinates == "bk":
        raise ValueError("clusters need coordinates='lp' (or 'auto')")
    index = {v: i for i, v in enumerate(nodes)}
    node_attrs = G.nodes
    sizes = {v: tuple(float(s) for s in size_of(v, node_attrs[v])) for v in nodes}
    edge_list = sorted((index[u], index[v], _operand_key(d)) for u, v, d in G.edges(data=True))
    m = len(edge_list)
    edge_array = np.array(edge_list, dtype=np.int64).reshape(m, 3)
    src, dst, operand = edge_array[:, 0], edge_array[:, 1], edge_array[:, 2]

    indeg = np.bincount(dst, minlength=n)
    outdeg = np.bincount(src, minlength=n)
    is_op = np.array([node_attrs[v].get("kind") == "op" for v in nodes], dtype=bool)
    tight = is_op[src] & (outdeg[src] == 1) & (indeg[dst] == 1)
    from_leaf = indeg[src] == 0
    edge_weight = np.where(from_leaf, LEAF_EDGE_WEIGHT, 1.0) * np.where(tight, TIGHT_EDGE_WEIGHT, 1.0)
    # Among equal weights, operand 0 is the main line (e.g. x in x*0.99 when x is a leaf too).
    main_line = np.where(operand == 0, 1.0 + FIRST_OPERAND_BONUS, 1.0)
    # An op and its result drawn on one line must share their clusters' frames.
    rigid = tight & (node_cluster[src] == node_cluster[dst])

    groups = _rank_groups(paths, node_cluster) if clustered else None
    rank_weight = np.where(from_leaf, LEAF_RANK_WEIGHT, 1.0) * np.where(tight, TIGHT_EDGE_WEIGHT, 1.0)
    rank = rank_nodes(n, src, dst, rank_weight, tight, groups)
    lg = make_layered(n, src, dst, rank)
    tree = None
    if clustered:
        tree, ph_layer, _ = build_tree(paths, node_cluster, lg.layer, src, dst, _virtual_edges(lg, n))
        lg.layer = np.concatenate([lg.layer, ph_layer])   # placeholders: no segments

    # Initial order: a DFS back from the output fixes a canonical sequence (operand 0 first);
    # a DFS forward from the first rank's nodes, in that sequence, keeps inputs that feed the
    # same ops together (measured: ~2x fewer crossings than the backward order alone).
    output = G.graph.get("output")
    sinks = np.flatnonzero(outdeg == 0).tolist()
    roots = ([index[output]] if output in index else []) + sinks
    backward = dfs_order(lg, operand[lg.seg_edge], roots)
    by_backward = np.argsort(backward)
    first_rank = by_backward[lg.layer[by_backward] == 0]
    start_key = forward_dfs_order(lg, np.concatenate([first_rank, by_backward]).tolist())
    search = {}
    if previous is not None:
        start_key = _seed_from(previous, nodes, paths, node_cluster, start_key, direction)
        search = dict(local=True)   # stability: transposition and sifting only
    pos, crossings = minimise_crossings(lg, start_key, seg_rigid=rigid[lg.seg_edge], tree=tree, **search)
    # Op -> result segments are drawn straight unless the order had to let two of them cross
    # (a small penalty in the search: forbidding it cost ~12% more crossings on MLP graphs).
    straight = rigid[lg.seg_edge] & ~crossed_rigid(lg, pos, rigid[lg.seg_edge])

    # Extents along / across the flow (virtual nodes are points).
    w = np.array([sizes[v][0] for v in nodes])
    h = np.array([sizes[v][1] for v in nodes])
    along_real, across_real = (w, h) if direction == "LR" else (h, w)
    n_all = lg.n_nodes
    along = np.zeros(n_all); along[:n] = along_real
    across = np.zeros(n_all); across[:n] = across_real
    gap = np.full(n_all, VIRTUAL_GAP); gap[:n] = node_gap

    by_layer = np.lexsort((pos, lg.layer))
    bounds = np.searchsorted(lg.layer[by_layer], np.arange(lg.n_layers + 1))
    members = [by_layer[bounds[l]:bounds[l + 1]] for l in range(lg.n_layers)]

    seg_real = (lg.seg_src < n).astype(int) + (lg.seg_dst < n).astype(int)
    seg_weight = np.choose(seg_real, [8.0, 2.0, 1.0]) * (edge_weight * main_line)[lg.seg_edge]
    if coordinates == "auto":
        coordinates = "lp" if n_all <= LP_MAX_NODES or clustered else "bk"
    frame_lo = frame_hi = None
    if clustered:
        pad_lo, pad_hi = _cross_pads(tree.n_clusters, direction)
        anchor = None
        if previous is not None:
            anchor = np.full(n_all, np.nan)
            sign, axis = (-1.0, 1) if direction == "LR" else (1.0, 0)
            anchor[:n] = [sign * previous.positions[v][axis] if v in previous.positions else np.nan
                          for v in nodes]
        cross, frame_lo, frame_hi = clustered_cross_coordinates(
            members, across, gap, lg.seg_src, lg.seg_dst, seg_weight, straight, tree,
            pad_lo, pad_hi, cluster_gap=node_gap, anchor=anchor)
    elif coordinates == "lp":
        cross = assign_cross_coordinates(n_all, members, across, gap, lg.seg_src, lg.seg_dst, seg_weight,
                                         seg_rigid=straight)
    else:
        cross = brandes_koepf(n_all, n, members, across, gap, lg.seg_src, lg.seg_dst, seg_weight,
                              seg_priority=straight)
    cross = cross - float((cross - across / 2).min()) if frame_lo is None else cross
    cross_extent = float((cross + across / 2).max())
    if frame_hi is not None and tree.n_clusters > 1:
        cross_extent = max(cross_extent, float(frame_hi[1:].max()))

    column = np.zeros(lg.n_layers)
    np.maximum.at(column, lg.layer, along)
    flow_lo = flow_hi = None
    if clustered:
        column_start, flow_extent, flow_lo, flow_hi = _cluster_columns(tree, lg.layer, column, rank_gap,
                                                                       direction)
    else:
        column_start = np.concatenate([[0.0], np.cumsum(column + rank_gap)[:-1]])
        flow_extent = float(column_start[-1] + column[-1])
    flow = (column_start + column / 2)[lg.layer]

    if direction == "LR":
        px, py = flow, cross_extent - cross
    else:
        px, py = cross, flow_extent - flow
    px_list, py_list = px.tolist(), py.tolist()
    positions = {v: (px_list[i], py_list[i]) for i, v in enumerate(nodes)}
    edges = _route(lg, nodes, edge_list, along, cross, column, column_start, direction,
                   cross_extent, flow_extent)
    width, height = (flow_extent, cross_extent) if direction == "LR" else (cross_extent, flow_extent)
    ranks = {v: r for v, r in zip(nodes, rank.tolist())}
    frames = {}
    if clustered:
        frames = _frames(tree, frame_lo, frame_hi, flow_lo, flow_hi, direction, cross_extent, flow_extent)
    collapsed = {tuple(_collapsed_path(node_attrs[v])): v for v in nodes if _collapsed_path(node_attrs[v])}
    return Layout(positions, sizes, edges, width, height, ranks, int(crossings), direction, frames,
                  collapsed)


def _with_copies(G, direction, node_size, rank_gap, node_gap, coordinates, clusters, previous):
    H, copy_of = split_far_leaves(G)
    if clusters:
        clusters = {**clusters, **{c: clusters.get(v, ()) for c, v in copy_of.items()}}
    lay = layered_layout(H, direction, node_size, rank_gap, node_gap, coordinates, clusters, previous)
    edges = {(copy_of.get(u, u), v): pts for (u, v), pts in lay.edges.items()}
    return replace(lay, edges=edges, copies=copy_of)


def _seed_from(previous: Layout, nodes: list, paths: list, node_cluster: np.ndarray,
               start_key: np.ndarray, direction: str) -> np.ndarray:
    """Initial order key from an earlier layout: each node's old place across the flow (top
    to bottom / left to right); a new node takes its deepest scope's old place; nodes with
    neither (and bends) take the place of the node before them in the DFS order."""
    across = (lambda xy: -xy[1]) if direction == "LR" else (lambda xy: xy[0])
    anchors = {path: across(((x0 + x1) / 2, (y0 + y1) / 2))
               for path, (x0, y0, x1, y1) in previous.clusters.items()}
    anchors.update({path: across(previous.positions[v]) for path, v in previous.collapsed.items()
                    if v in previous.positions})
    known = np.full(len(start_key), np.nan)
    for i, v in enumerate(nodes):
        if v in previous.positions:
            known[i] = across(previous.positions[v])
            continue
        path = paths[node_cluster[i]]
        for k in range(len(path), 0, -1):
            if path[:k] in anchors:
                known[i] = anchors[path[:k]]
                break
    by_dfs = np.argsort(start_key, kind="stable")
    filled = known[by_dfs]
    last = np.where(np.isnan(filled), 0, np.arange(len(filled)))
    np.maximum.accumulate(last, out=last)
    filled = filled[last]
    filled[np.isnan(filled)] = -np.inf
    key = np.empty(len(start_key))
    key[by_dfs] = np.argsort(np.lexsort((np.arange(len(filled)), filled)))
    return key


def _rank_groups(paths: list, node_cluster: np.ndarray):
    """(member, group, weight) for ``rank_nodes``: every real node in each of its clusters.
    A cluster's span costs ``CLUSTER_SPAN_WEIGHT`` per rank.  (Weighing it by the edges
    crossing its border lines an MLP layer's neurons up side by side, but measured on
    engine.scopes' MLP graphs that doubles the crossings: 66 -> 162 on MLP(3,[4,4,1]) with
    one sample, 1,906 -> 3,050 with four.)"""
    index = {p: i for i, p in enumerate(paths)}
    member, group = [], []
    for v, c in enumerate(node_cluster.tolist()):
        path = paths[c]
        for k in range(1, len(path) + 1):
            member.append(v); group.append(index[path[:k]] - 1)
    return (np.array(member, dtype=np.int64), np.array(group, dtype=np.int64),
            np.full(len(paths) - 1, CLUSTER_SPAN_WEIGHT))


def _virtual_edges(lg, n: int) -> np.ndarray:
    """Original edge of every virtual node n, n+1, ..."""
    path_len = np.diff(lg.path_ptr)
    edge_of_slot = np.repeat(np.arange(len(path_len)), path_len)
    virtual = lg.path_nodes >= n
    out = np.empty(lg.n_nodes - n, dtype=np.int64)
    out[lg.path_nodes[virtual] - n] = edge_of_slot[virtual]
    return out


def _cross_pads(k: int, direction: str):
    """Room inside a frame across the flow: the label goes on top, which is across the flow's
    low side in LR drawings (and along the flow in TB ones)."""
    pad_lo = np.full(k, FRAME_MARGIN + (FRAME_LABEL if direction == "LR" else 0.0))
    pad_hi = np.full(k, FRAME_MARGIN)
    return pad_lo, pad_hi


def _cluster_columns(tree, layer, column, rank_gap, direction):
    """Column starts with room for frames: a gap between ranks r and r+1 holds the margins
    of the frames that end at r and of those that start at r+1.  Returns (column_start,
    flow_extent, frame_flow_lo, frame_flow_hi)."""
    margin_lo, margin_hi = along_margins(tree, FRAME_MARGIN, FRAME_LABEL, direction == "TB")
    first, last = rank_spans(tree, layer)
    n_layers = len(column)
    need_hi = np.zeros(n_layers); np.maximum.at(need_hi, last[1:], margin_hi[1:])
    need_lo = np.zeros(n_layers); np.maximum.at(need_lo, first[1:], margin_lo[1:])
    gaps = np.maximum(rank_gap, need_hi[:-1] + need_lo[1:] + FRAME_CLEARANCE)
    column_start = need_lo[0] + np.concatenate([[0.0], np.cumsum(column[:-1] + gaps)])
    flow_extent = float(column_start[-1] + column[-1] + need_hi[-1])
    flow_lo = column_start[first] - margin_lo
    flow_hi = column_start[last] + column[last] + margin_hi
    return column_start, flow_extent, flow_lo, flow_hi


def _frames(tree, cross_lo, cross_hi, flow_lo, flow_hi, direction, cross_extent, flow_extent) -> dict:
    """{scope path: (x0, y0, x1, y1)} in plot coordinates (y up)."""
    frames = {}
    for c in range(1, tree.n_clusters):
        if direction == "LR":
            box = (flow_lo[c], cross_extent - cross_hi[c], flow_hi[c], cross_extent - cross_lo[c])
        else:
            box = (cross_lo[c], flow_extent - flow_hi[c], cross_hi[c], flow_extent - flow_lo[c])
        frames[tree.paths[c]] = tuple(float(b) for b in box)
    return frames


def _route(lg, nodes, edge_list, along, cross, column, column_start, direction,
           cross_extent, flow_extent) -> dict:
    """Polylines border to border.  Along the flow an edge leaves its source's border, runs
    straight to the column's edge if the node is narrower than its column, then crosses each
    gap between columns as one straight segment (so crossings only happen in gaps, exactly
    as counted by the ordering) and passes each crossed column straight at its bend point."""
    layer = lg.layer
    flow_mid = column_start + column / 2
    # Flow coordinate of every node's two borders, and of its column's two edges.
    node_out = (flow_mid[layer] + along / 2).tolist()
    node_in = (flow_mid[layer] - along / 2).tolist()
    col_out = (column_start + column)[layer].tolist()
    col_in = column_start[layer].tolist()
    c = cross.tolist()
    path_nodes = lg.path_nodes.tolist()
    ptr = lg.path_ptr.tolist()
    edges = {}
    lr = direction == "LR"
    for e, (u, v, _) in enumerate(edge_list):
        path = path_nodes[ptr[e]:ptr[e + 1]]
        pts = [(node_out[u], c[u])]
        if col_out[u] > node_out[u]:
            pts.append((col_out[u], c[u]))
        for d in path[1:-1]:
            pts.append((col_in[d], c[d]))
            if col_out[d] > col_in[d]:
                pts.append((col_out[d], c[d]))
        if col_in[v] < node_in[v]:
            pts.append((col_in[v], c[v]))
        pts.append((node_in[v], c[v]))
        if lr:
            edges[(nodes[u], nodes[v])] = [(f, cross_extent - y) for f, y in pts]
        else:
            edges[(nodes[u], nodes[v])] = [(y, flow_extent - f) for f, y in pts]
    return edges


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
