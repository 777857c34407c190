"""Tests of layouts.layered_layout on compute graphs built directly with networkx (the
engine.to_graph contract: value nodes and op nodes, operand edges, G.graph["output"])."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layouts import count_polyline_crossings, default_node_size, layered_layout, value_text
from layouts.sizes import CHAR_WIDTH


class GraphBuilder:
    """Builds a compute graph the way engine.to_graph does (value ids vK, op ids oK)."""

    def __init__(self):
        self.G = nx.DiGraph()
        self.k = 0

    def _value(self, label, data, role):
        vid = f"v{self.k}"
        self.k += 1
        self.G.add_node(vid, kind="value", label=label, data=float(data), grad=0.0, role=role)
        return vid

    def leaf(self, data, label=""):
        return self._value(label, data, "leaf")

    def op(self, op, *operands, label="", data=0.0):
        out = self._value(label, data, "intermediate")
        oid = "o" + out[1:]
        self.G.add_node(oid, kind="op", op=op)
        self.G.add_edge(oid, out)
        for i, a in enumerate(operands):
            if self.G.has_edge(a, oid):
                self.G.edges[a, oid]["operands"].append(i)
            else:
                self.G.add_edge(a, oid, operands=[i])
        return out

    def finish(self, output):
        self.G.nodes[output]["role"] = "output"
        self.G.graph["output"] = output
        return self.G


def lecture_graph():
    """L = (a*b + c) * f."""
    g = GraphBuilder()
    a, b, c = g.leaf(2, "a"), g.leaf(-3, "b"), g.leaf(10, "c")
    e = g.op("*", a, b, label="e", data=-6)
    d = g.op("+", e, c, label="d", data=4)
    f = g.leaf(-2, "f")
    return g.finish(g.op("*", d, f, label="L", data=-8))


def neuron_graph():
    """o = tanh(x1*w1 + x2*w2 + b)."""
    g = GraphBuilder()
    x1, x2, w1, w2 = g.leaf(2, "x1"), g.leaf(0, "x2"), g.leaf(-3, "w1"), g.leaf(1, "w2")
    b = g.leaf(6.8813735870195432, "b")
    s = g.op("+", g.op("*", x1, w1, label="x1*w1"), g.op("*", x2, w2, label="x2*w2"))
    n = g.op("+", s, b, label="n", data=0.8814)
    return g.finish(g.op("tanh", n, label="o", data=0.7071))


def mlp_graph(nin=3, nouts=(4, 4, 1), samples=2, seed=0):
    """Squared-error loss of a tanh MLP over a few samples: shared weights, fan-out, long edges."""
    rng = random.Random(seed)
    g = GraphBuilder()
    sizes = [nin, *nouts]
    weights = [[[g.leaf(rng.uniform(-1, 1), f"w{l}{j}{i}") for i in range(sizes[l])]
                for j in range(sizes[l + 1])] for l in range(len(nouts))]
    biases = [[g.leaf(0, f"b{l}{j}") for j in range(sizes[l + 1])] for l in range(len(nouts))]
    losses = []
    for _ in range(samples):
        xs = [g.leaf(rng.uniform(-1, 1)) for _ in range(nin)]
        for l in range(len(nouts)):
            outs = []
            for j in range(sizes[l + 1]):
                act = biases[l][j]
                for i, x in enumerate(xs):
                    act = g.op("+", act, g.op("*", weights[l][j][i], x))
                outs.append(g.op("tanh", act) if l < len(nouts) - 1 else act)
            xs = outs
        diff = g.op("-", xs[0], g.leaf(1.0))
        losses.append(g.op("**2", diff))
    total = losses[0]
    for term in losses[1:]:
        total = g.op("+", total, term)
    return g.finish(total)


def chain_graph(ops=2000):
    """x = tanh(x * 0.99), repeated: a chain with a constant leaf hanging off every other op."""
    g = GraphBuilder()
    x = g.leaf(0.5, "x")
    chain = [x]
    for i in range(ops // 2):
        m = g.op("*", x, g.leaf(0.99))
        x = g.op("tanh", m)
        chain += [m, x]
    return g.finish(x), chain


def shared_operand_graph():
    """b = a + a; c = b * b; d = c - a: edges with operands [0, 1] and a long edge."""
    g = GraphBuilder()
    a = g.leaf(3, "a")
    b = g.op("+", a, a, label="b")
    c = g.op("*", b, b, label="c")
    return g.finish(g.op("-", c, a, label="d"))


GRAPHS = {
    "lecture": lecture_graph,
    "neuron": neuron_graph,
    "mlp": lambda: mlp_graph(samples=2),
    "shared": shared_operand_graph,
}


def shuffled_copy(G, seed):
    """Same graph, nodes and edges inserted in a random order."""
    rng = random.Random(seed)
    nodes = list(G.nodes(data=True))
    edges = list(G.edges(data=True))
    rng.shuffle(nodes)
    rng.shuffle(edges)
    H = nx.DiGraph(**G.graph)
    H.add_nodes_from(nodes)
    H.add_edges_from(edges)
    return H


def box_overlaps(lay, eps=1e-6):
    """Pairs of nodes whose boxes overlap (touching edges are fine)."""
    ids = list(lay.positions)
    xy = np.array([lay.positions[v] for v in ids])
    wh = np.array([lay.sizes[v] for v in ids])
    dx = np.abs(xy[:, None, 0] - xy[None, :, 0]) - (wh[:, None, 0] + wh[None, :, 0]) / 2
    dy = np.abs(xy[:, None, 1] - xy[None, :, 1]) - (wh[:, None, 1] + wh[None, :, 1]) / 2
    bad = (dx < -eps) & (dy < -eps)
    np.fill_diagonal(bad, False)
    return [(ids[i], ids[j]) for i, j in zip(*np.nonzero(bad)) if i < j]


def brute_force_crossings(polylines):
    """Proper crossings between segments of different polylines, checked pair by pair."""
    segs = [(np.array(a, float), np.array(b, float), k)
            for k, line in enumerate(polylines) for a, b in zip(line, line[1:])]

    def orient(p, q, r):
        v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return int(v > 1e-9) - int(v < -1e-9)

    count = 0
    for i in range(len(segs)):
        for j in range(i + 1, len(segs)):
            (p, q, ki), (r, s, kj) = segs[i], segs[j]
            if ki == kj:
                continue
            if orient(p, q, r) * orient(p, q, s) < 0 and orient(r, s, p) * orient(r, s, q) < 0:
                count += 1
    return count


# ---------------------------------------------------------------------------- geometry


@pytest.mark.parametrize("coordinates", ["lp", "bk"])
@pytest.mark.parametrize("direction", ["LR", "TB"])
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_no_two_boxes_overlap(name, direction, coordinates):
    lay = layered_layout(GRAPHS[name](), direction=direction, coordinates=coordinates)
    assert box_overlaps(lay) == []
    for v, (x, y) in lay.positions.items():
        w, h = lay.sizes[v]
        assert -1e-6 <= x - w / 2 and x + w / 2 <= lay.width + 1e-6
        assert -1e-6 <= y - h / 2 and y + h / 2 <= lay.height + 1e-6


def test_auto_coordinates_pick_the_lp_for_small_graphs_and_brandes_koepf_for_big_ones():
    small = mlp_graph(samples=1)
    assert layered_layout(small).positions == layered_layout(small, coordinates="lp").positions
    big, _ = chain_graph(400)
    assert layered_layout(big).positions == layered_layout(big, coordinates="bk").positions
    with pytest.raises(ValueError):
        layered_layout(small, coordinates="spring")


@pytest.mark.parametrize("direction", ["LR", "TB"])
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_edges_run_border_to_border_and_monotone_along_the_flow(name, direction):
    G = GRAPHS[name]()
    lay = layered_layout(G, direction=direction)
    assert set(lay.edges) == set(G.edges)
    for (u, v), pts in lay.edges.items():
        pts = np.array(pts)
        (xu, yu), (wu, hu) = lay.positions[u], lay.sizes[u]
        (xv, yv), (wv, hv) = lay.positions[v], lay.sizes[v]
        if direction == "LR":
            flow = pts[:, 0]
            assert np.allclose(pts[0], (xu + wu / 2, yu)) and np.allclose(pts[-1], (xv - wv / 2, yv))
        else:
            flow = -pts[:, 1]
            assert np.allclose(pts[0], (xu, yu - hu / 2)) and np.allclose(pts[-1], (xv, yv + hv / 2))
        assert np.all(np.diff(flow) >= -1e-9), (u, v, pts)
        assert flow[-1] > flow[0]


@pytest.mark.parametrize("name", ["lecture", "neuron", "shared"])
def test_small_graphs_have_no_crossings(name):
    lay = layered_layout(GRAPHS[name]())
    lines = list(lay.edges.values())
    assert count_polyline_crossings(lines) == 0
    assert brute_force_crossings(lines) == 0
    assert lay.crossings == 0


def test_reported_crossings_are_the_drawings_crossings():
    lay = layered_layout(mlp_graph(samples=2))
    lines = list(lay.edges.values())
    assert lay.crossings > 0  # this graph cannot be drawn without crossings in these ranks
    assert count_polyline_crossings(lines) == lay.crossings == brute_force_crossings(lines)


# ---------------------------------------------------------------------------- structure


@pytest.mark.parametrize("coordinates", ["lp", "bk"])
def test_every_edge_points_along_the_flow_and_ops_sit_next_to_their_result(coordinates):
    G = mlp_graph(samples=2)
    lay = layered_layout(G, coordinates=coordinates)
    for u, v in G.edges:
        assert lay.ranks[v] > lay.ranks[u]
        if G.nodes[u]["kind"] == "op":
            assert lay.ranks[v] == lay.ranks[u] + 1
            assert lay.positions[u][1] == pytest.approx(lay.positions[v][1])  # straight


def test_leaves_sit_next_to_their_first_consumer_not_in_column_zero():
    G = neuron_graph()
    lay = layered_layout(G)
    for v, d in G.nodes(data=True):
        if d["kind"] == "value" and d["role"] == "leaf":
            first_use = min(lay.ranks[op] for op in G.successors(v))
            assert lay.ranks[v] == first_use - 1
    b = next(v for v, d in G.nodes(data=True) if d.get("label") == "b")
    assert lay.ranks[b] > 0


def test_value_boxes_fit_their_text_and_op_circles_are_round():
    G = lecture_graph()
    lay = layered_layout(G)
    for v, d in G.nodes(data=True):
        w, h = lay.sizes[v]
        if d["kind"] == "value":
            assert w >= len(value_text(d)) * CHAR_WIDTH and w > h
        else:
            assert w == h


def test_node_size_override_is_used():
    G = lecture_graph()
    lay = layered_layout(G, node_size=lambda v, attrs: (50.0, 50.0))
    assert set(lay.sizes.values()) == {(50.0, 50.0)}
    assert box_overlaps(lay) == []


# ---------------------------------------------------------------------------- invariance


@pytest.mark.parametrize("coordinates", ["lp", "bk"])
@pytest.mark.parametrize("name", ["mlp", "shared", "neuron"])
def test_same_drawing_whatever_the_insertion_order(name, coordinates):
    G = GRAPHS[name]()
    reference = layered_layout(G, coordinates=coordinates)
    for seed in range(3):
        lay = layered_layout(shuffled_copy(G, seed), coordinates=coordinates)
        assert lay.positions == reference.positions
        assert lay.edges == reference.edges
        assert (lay.width, lay.height) == (reference.width, reference.height)


@pytest.mark.parametrize("name", ["lecture", "mlp"])
def test_tb_is_lr_transposed(name):
    G = GRAPHS[name]()
    square = lambda v, attrs: (36.0, 36.0) if attrs["kind"] == "value" else (24.0, 24.0)  # noqa: E731
    lr = layered_layout(G, "LR", node_size=square)
    tb = layered_layout(G, "TB", node_size=square)
    assert (tb.width, tb.height) == pytest.approx((lr.height, lr.width))
    for v, (x, y) in lr.positions.items():
        assert tb.positions[v] == pytest.approx((lr.height - y, lr.width - x))
    for e, pts in lr.edges.items():     # flat lists: pytest 9.2's approx refuses nesting
        flat = [c for x, y in pts for c in (lr.height - y, lr.width - x)]
        assert [c for pt in tb.edges[e] for c in pt] == pytest.approx(flat)
    # With the default (wide) boxes, ranks and the order within each rank still agree.
    lr, tb = layered_layout(G, "LR"), layered_layout(G, "TB")
    assert lr.ranks == tb.ranks
    for r in set(lr.ranks.values()):
        in_rank = [v for v in G if lr.ranks[v] == r]
        assert sorted(in_rank, key=lambda v: -lr.positions[v][1]) == sorted(in_rank, key=lambda v: tb.positions[v][0])


@pytest.mark.parametrize("coordinates", ["bk", "lp"])
def test_a_2000_op_chain_is_straight(coordinates):
    G, chain = chain_graph(2000 if coordinates == "bk" else 200)  # the LP is slow at 5k nodes
    lay = layered_layout(G, coordinates=coordinates)
    ys = {lay.positions[v][1] for v in chain}
    ys |= {lay.positions[op][1] for v in chain[1:] for op in G.predecessors(v)}
    assert len(ys) == 1  # no drift at all: every chain value and op on one line
    assert lay.crossings == 0
    assert lay.height < 3 * 40  # the chain and its constants: two rows
    assert box_overlaps(lay) == []


# ---------------------------------------------------------------------------- generic graphs


def test_plain_dag_without_compute_graph_attributes():
    G = nx.DiGraph([(1, 2), (1, 3), (2, 4), (3, 4), (10, 11)])  # two components, int ids
    lay = layered_layout(G)
    assert set(lay.positions) == set(G)
    assert box_overlaps(lay) == []
    assert all(lay.ranks[v] > lay.ranks[u] for u, v in G.edges)


def test_empty_graph_and_cycles():
    assert layered_layout(nx.DiGraph()).positions == {}
    with pytest.raises(ValueError):
        layered_layout(nx.DiGraph([("a", "b"), ("b", "a")]))
    with pytest.raises(ValueError):
        layered_layout(lecture_graph(), direction="RL")


@pytest.mark.parametrize("size", [(float("nan"), 40.0), (60.0, float("inf")), (-1.0, 40.0), (60.0,), None])
def test_a_node_size_that_is_not_two_finite_lengths_is_refused_by_name(size):
    # NaN or infinite sides used to give NaN positions, a negative one overlapping boxes
    G = lecture_graph()
    bad = next(iter(G))
    with pytest.raises(ValueError, match=f"size of node {bad!r}"):
        layered_layout(G, node_size=lambda v, attrs: size if v == bad else (60.0, 40.0))
    G.nodes[bad]["size"] = size           # a ``size`` attribute, as a collapsed scope's
    if size is None:                      # none given: the default size
        assert layered_layout(G).sizes[bad] == default_node_size(bad, {**G.nodes[bad], "size": None})
    else:
        with pytest.raises(ValueError, match=f"size of node {bad!r}"):
            layered_layout(G)


@pytest.mark.parametrize("gap", [float("nan"), float("inf"), -5.0, "3", True])
@pytest.mark.parametrize("name", ["rank_gap", "node_gap"])
def test_gaps_must_be_finite_lengths(name, gap):
    with pytest.raises(ValueError, match=name):
        layered_layout(lecture_graph(), **{name: gap})
    lay = layered_layout(lecture_graph(), **{name: 0})
    assert box_overlaps(lay) == []


@st.composite
def random_programs(draw):
    """Random straight-line programs over a few leaves (shared subexpressions included)."""
    g = GraphBuilder()
    values = [g.leaf(draw(st.floats(-5, 5)), f"x{i}") for i in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(1, 14))):
        op = draw(st.sampled_from(["+", "*", "-", "tanh", "exp"]))
        if op in ("tanh", "exp"):
            values.append(g.op(op, draw(st.sampled_from(values))))
        else:
            values.append(g.op(op, draw(st.sampled_from(values)), draw(st.sampled_from(values))))
    return g.finish(values[-1])


@settings(max_examples=30, deadline=None)
@given(random_programs(), st.sampled_from(["LR", "TB"]))
def test_random_programs_layout_invariants(G, direction):
    G = G.subgraph(nx.ancestors(G, G.graph["output"]) | {G.graph["output"]}).copy()
    lay = layered_layout(G, direction=direction)
    assert box_overlaps(lay) == []
    lines = list(lay.edges.values())
    flow_axis = 0 if direction == "LR" else -1
    assert count_polyline_crossings(lines, flow_axis=flow_axis) == lay.crossings
    assert layered_layout(shuffled_copy(G, 1), direction=direction).positions == lay.positions


def test_number_literals_are_small_boxes_with_their_number():
    from layouts import default_node_size, value_text

    literal = {"kind": "value", "label": "2", "data": 2.0, "grad": 0.0, "const": True}
    leaf = {"kind": "value", "label": "a", "data": 2.0, "grad": 0.0, "const": False}
    assert value_text(literal) == "2" and value_text(leaf) == "a | 2 | 0"
    assert default_node_size("v0", literal)[0] < default_node_size("v1", leaf)[0] / 2
