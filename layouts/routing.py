"""Edge routing of a layered drawing: polylines from border to border through the bends."""

from __future__ import annotations


def route_edges(lg, nodes, edge_list, along, cross, column, column_start, direction,
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
