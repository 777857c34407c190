"""to_graph on engine Values and on karpathy's micrograd (PyPI), and as_value's copy."""
import re

import pytest

from engine import GraphError, Value, as_value, parse, to_graph, to_source
from engine.expression import MAX_NODES
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


@pytest.mark.parametrize("walk", [as_value, to_graph, to_source])
@pytest.mark.parametrize("given, named", [([1, 2], "list [1, 2]"), (3.0, "float 3.0"),
                                          (MgValue(2.0) + 3.0, "inside the graph")])
def test_what_is_not_a_value_is_refused_naming_it(walk, given, named):
    if isinstance(given, MgValue):        # micrograd with a bare number among the operands
        given._prev = {given._prev.pop(), 3.0}
    with pytest.raises(TypeError, match=r"expected a micrograd-style Value .*" + re.escape(named)):
        walk(given)                       # was AttributeError: 'list' object has no attribute 'data'


@pytest.mark.parametrize("walk", [as_value, to_graph, to_source])
def test_a_cyclic_graph_is_refused(walk):
    a = MgValue(2.0)
    b = a * 3
    a._prev = {b}                         # by hand: a depends on b, b on a
    with pytest.raises(GraphError, match=r"the graph has a cycle \(Value\(data="):
        walk(b)                           # was KeyError (as_value) or a garbage graph


class Counted:
    """A micrograd-style node that counts how many nodes a walk asked for their operands."""
    asked = 0

    def __init__(self, prev=()):
        self.data, self.grad, self._op, self._operands = 1.0, 0.0, "tanh", prev

    @property
    def _prev(self):
        Counted.asked += 1
        return self._operands


@pytest.mark.parametrize("walk", [as_value, to_graph, to_source])
def test_a_graph_over_the_node_limit_is_refused_early(walk):
    node = Counted()
    for _ in range(100_000):
        node = Counted((node,))
    Counted.asked = 0
    with pytest.raises(GraphError, match=f"the graph is too large \\(more than {MAX_NODES:,} nodes\\)"):
        walk(node)
    assert Counted.asked <= MAX_NODES + 1          # stopped at the limit, not after 100,000


def test_the_node_limit_is_parse_s():
    z = Value(1.0)
    for _ in range((MAX_NODES - 1) // 2):        # a literal and a product per step
        z = z * 1.0001
    z = z.tanh()
    assert len(to_graph(z).graph["order"]) == MAX_NODES      # as many as parse accepts
    with pytest.raises(GraphError, match="too large"):
        to_graph(z.tanh())
