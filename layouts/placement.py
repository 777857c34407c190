"""Positions across the flow (``across_flow``: dot's LP, Brandes-Koepf, or the clustered LP
with frames) and along it (``along_flow``: one column per rank), for ``layered``."""

from __future__ import annotations

import numpy as np

from .brandes_koepf import brandes_koepf
from .coordinates import assign_cross_coordinates
from .frames import cluster_columns, clustered_cross_coordinates, cross_pads
from .layout_input import LayoutInput

VIRTUAL_GAP = 8.0        # clear space next to a long edge's bend point
LP_MAX_NODES = 500        # "auto" coordinates: exact LP up to here (~10 ms), Brandes-Koepf beyond
CLUSTER_LP_MAX_NODES = 8_000  # clustered drawings of more layered nodes leave the long edges' bend
                              # points in no cluster out of their coordinate LP (``bend_points``):
                              # the LP grows faster than its size (inspected MLP(2,[h,h,1]) samples
                              # + L2, collapsed to neurons, the L2 term open: 7.7k / 16.5k / 31k
                              # layered nodes 1.05 / 3.7 / 9.3 s, without those points 0.30 /
                              # 0.32 / 0.61 s, 0-25 % taller; (16,16): 179k, 80-220 s -> 1.1 s)
FIRST_OPERAND_BONUS = 0.01  # tie-break for positions: align an op with its operand 0


def extents(g: LayoutInput, lg, pos, direction):
    """(along, across, members): every node's extent along and across the flow (virtual
    nodes are points), and each layer's nodes in the order ``pos``."""
    w = np.array([g.sizes[v][0] for v in g.nodes])
    h = np.array([g.sizes[v][1] for v in g.nodes])
    along_real, across_real = (w, h) if direction == "LR" else (h, w)
    along = np.zeros(lg.n_nodes); along[:g.n] = along_real
    across = np.zeros(lg.n_nodes); across[:g.n] = across_real
    # pos numbers each layer 0..size-1: the nodes in layer order are a scatter, not a sort
    size = np.bincount(lg.layer, minlength=lg.n_layers)
    bounds = np.concatenate([[0], np.cumsum(size)])
    slot = bounds[lg.layer] + pos
    by_layer = np.zeros(lg.n_nodes, dtype=np.int64)
    by_layer[slot] = np.arange(lg.n_nodes)
    if not (np.bincount(slot, minlength=lg.n_nodes) == 1).all():   # not a permutation: sort
        by_layer = np.lexsort((pos, lg.layer))
    bounds = bounds.tolist()
    members = [by_layer[bounds[l]:bounds[l + 1]] for l in range(lg.n_layers)]
    return along, across, members


def along_flow(g: LayoutInput, lg, tree, along, rank_gap, direction):
    """(column, column_start, flow_extent, flow_lo, flow_hi): each rank's column width and
    start along the flow, the drawing's length, and (clustered) the frames' sides along it."""
    column = np.zeros(lg.n_layers)
    np.maximum.at(column, lg.layer, along)
    flow_lo = flow_hi = None
    if g.clustered:
        column_start, flow_extent, flow_lo, flow_hi = cluster_columns(tree, lg.layer, column, rank_gap, direction)
    else:
        column_start = np.concatenate([[0.0], np.cumsum(column + rank_gap)[:-1]])
        flow_extent = float(column_start[-1] + column[-1])
    return column, column_start, flow_extent, flow_lo, flow_hi


def across_flow(g: LayoutInput, lg, tree, members, across, straight, node_gap, coordinates, previous, direction):
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
        drop = None
        if n_all > CLUSTER_LP_MAX_NODES:    # the long edges' bend points in no cluster: placed after
            touched = np.bincount(lg.seg_src, minlength=n_all) + np.bincount(lg.seg_dst, minlength=n_all)
            drop = (np.arange(n_all) >= g.n) & (touched > 0) & (tree.inner == 0)
        cross, frame_lo, frame_hi = clustered_cross_coordinates(
            members, across, gap, lg.seg_src, lg.seg_dst, seg_weight, straight, tree,
            pad_lo, pad_hi, cluster_gap=node_gap, anchor=anchor, drop=drop, layer=lg.layer)
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

