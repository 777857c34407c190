"""to_graph on engine Values and on karpathy's micrograd (PyPI), and as_value's copy."""
import pytest

from engine import Value, as_value, parse, to_graph
from engine.topo import topo_order

from micrograd.engine import Value as MgValue  # noqa: E402  (a test dependency)


def test_lecture_graph_shape_and_attributes():
    L = parse("a = 2; b = -3; c = 10; f = -2\ne = a*b\nd = e + c\nL = d*f")
    L.backward()
    G = to_graph(L)
    values = {G.nodes[n]["label"]: n for n, k in G.nodes(data="kind") if k == "value"}
    ops = [n for n, k in G.nodes(data="kind") if k == "op"]
    assert len(values) == 7 and len(ops) == 3 and G.number_of_edges() == 9
    assert G.graph["output"] == values["L"] and G.graph["order"][-1] == values["L"]
    assert G.nodes[values["a"]]["role"] == "leaf" and G.nodes[values["e"]]["role"] == "intermediate"
    assert G.nodes[values["L"]]["role"] == "output"
    assert G.nodes[values["a"]]["grad"] == 6 and G.nodes[values["e"]]["data"] == -6
    op_e = "o" + values["e"][1:]
    assert G.nodes[op_e] == {"kind": "op", "op": "*"}
    assert G.has_edge(values["a"], op_e) and G.has_edge(op_e, values["e"])
    assert G.edges[values["b"], op_e]["operands"] == [1]


def test_reused_operand_is_one_edge_with_both_positions():
    G = to_graph(parse("a = 3; b = a + a"))
    assert G.edges["v0", "o1"]["operands"] == [0, 1]


def test_ids_are_stable_and_topological():
    src = "x = 1; y = 2; z = x*y + tanh(x)"
    g1, g2 = to_graph(parse(src)), to_graph(parse(src))
    assert list(g1.nodes(data=True)) == list(g2.nodes(data=True))
    order = g1.graph["order"]
    pos = {n: k for k, n in enumerate(order)}
    for op in (n for n, k in g1.nodes(data="kind") if k == "op"):
        (out,) = g1.successors(op)
        assert all(pos[src] < pos[out] for src in g1.predecessors(op))


def micrograd_expression():
    a, b = MgValue(-4.0), MgValue(2.0)
    c = a * b + b**3
    d = (c + a).relu() * c
    d.backward()
    return d, a, b


def test_micrograd_values_work_unchanged():
    d, a, b = micrograd_expression()
    G = to_graph(d)
    nodes = topo_order(d)
    non_leaves = [v for v in nodes if v._prev]
    assert sum(1 for _, k in G.nodes(data="kind") if k == "value") == len(nodes)
    assert sum(1 for _, k in G.nodes(data="kind") if k == "op") == len(non_leaves)
    assert G.number_of_edges() == len(non_leaves) + sum(len(v._prev) for v in non_leaves)
    out = G.nodes[G.graph["output"]]
    assert out["data"] == d.data and out["grad"] == 1.0
    assert sorted(op for _, op in G.nodes(data="op") if op) == sorted(v._op for v in non_leaves)
    leaf_grads = sorted(G.nodes[n]["grad"] for n in G if G.nodes[n].get("role") == "leaf")
    assert leaf_grads == sorted(v.grad for v in nodes if not v._prev)


def test_as_value_recomputes_micrograd_graph_with_engine_rules():
    d, a, b = micrograd_expression()
    ours = as_value(d)
    ours.backward()
    assert isinstance(ours, Value) and ours.data == d.data
    leaves = [v for v in topo_order(ours) if not v._prev and not v._const]
    mg_leaves = [v for v in topo_order(d) if not v._prev]
    assert sorted(v.grad for v in leaves) == sorted(v.grad for v in mg_leaves)
    assert {v._op for v in topo_order(ours) if v._prev} <= {"+", "*", "**", "relu"}


def test_as_value_rejects_unknown_ops():
    from engine import GraphError
    x = MgValue(1.0)
    y = x + 1
    y._op = "frobnicate"
    with pytest.raises(GraphError, match="frobnicate"):
        as_value(y)


def test_as_value_on_micrograd_reused_operand():
    x = MgValue(3.0)
    y = x * x + x + x        # micrograd keeps {x} once in _prev for x*x and x+x
    y.backward()
    ours = as_value(y)
    ours.backward()
    leaf = [v for v in topo_order(ours) if not v._prev][0]
    assert ours.data == y.data == 15.0 and leaf.grad == x.grad == 8.0
