"""engine.scopes and engine.collapse: recorded scopes (engine.nn, the trainer's inspection
graphs), neurons found by structure (karpathy's micrograd, expressions), no false scopes, and
collapse/expand round trips."""
import random
from collections import Counter

import networkx as nx
import numpy as np
import pytest

from engine import (Value, as_value, box_id, collapse, expanded_at, parse, scope_paths, scopes,
                    to_graph)
from engine.graph import value_ids
from engine.nn import MLP
from engine.topo import topo_order
from engine.train import TrainConfig, Trainer


def members_of(sc, path):
    return [n for n, p in sc.items() if p[:len(path)] == path]


def op_count(G, nodes, op):
    return sum(1 for n in nodes if G.nodes[n]["kind"] == "op" and G.nodes[n]["op"] == op)


def labels(G, nodes):
    return {G.nodes[n]["label"] for n in nodes if G.nodes[n]["kind"] == "value"}


# -- recorded by engine.nn ------------------------------------------------------------------------

def test_engine_nn_neurons_record_their_layer_and_neuron():
    x = [Value(1.0, label="x1"), Value(-2.0, label="x2"), Value(0.5, label="x3")]
    out = MLP(3, [4, 2, 1], nonlin="tanh", seed=3)(x)
    G = to_graph(out)
    sc = scopes(G)
    assert set(sc) == set(G)
    neurons = [p for p in scope_paths(sc) if len(p) == 2]
    assert neurons == [(f"layer {i}", f"neuron {j}") for i, n in enumerate([4, 2, 1])
                       for j in range(n)]
    for layer, nin in ((0, 3), (1, 4), (2, 2)):
        for j in range({0: 4, 1: 2, 2: 1}[layer]):
            inside = members_of(sc, (f"layer {layer}", f"neuron {j}"))
            assert op_count(G, inside, "*") == nin
            assert op_count(G, inside, "+") == nin
            assert op_count(G, inside, "tanh") == (1 if layer < 2 else 0)
            assert labels(G, inside) >= {f"w[{layer}][{j}][{i}]" for i in range(nin)} | {
                f"b[{layer}][{j}]", f"h[{layer}][{j}]"}
    # inputs are outside every scope; an op shares the scope of the value it makes
    assert {sc[n] for n in G if G.nodes[n].get("label") in ("x1", "x2", "x3")} == {()}
    assert all(sc[n] == sc["v" + n[1:]] for n in G if n.startswith("o"))


def test_an_mlp_called_on_two_samples_gives_one_scope_per_call():
    model = MLP(2, [2, 1], seed=1)
    xs = [[Value(1.0, label="a"), Value(2.0, label="b")], [Value(-1.0, label="c"), Value(0.5, label="d")]]
    G = to_graph(model(xs[0]) + model(xs[1]))
    sc = scopes(G)
    calls = {p[0] for p in sc.values() if p}
    assert calls == {"call 0", "call 1"}
    # the weights are shared by both calls, so they belong to neither
    assert {sc[n] for n in G if G.nodes[n].get("label", "").startswith("w[")} == {()}
    for level in ("layers", "neurons"):
        assert nx.is_directed_acyclic_graph(collapse(G, sc, expanded_at(sc, level)))


def test_inspection_graphs_have_neurons_sample_loss_and_l2_scopes():
    rng = np.random.RandomState(0)
    X, y = rng.randn(12, 2), np.where(rng.randn(12) > 0, 1.0, -1.0)
    trainer = Trainer(X, y, TrainConfig(hidden=(3, 2), nonlin="tanh", loss="max_margin"))
    plain = to_graph(trainer.inspect(4).root)
    with_l2 = to_graph(trainer.inspect(4, with_l2=True).root)
    top = {p for p in scope_paths(scopes(plain)) if len(p) == 1}
    assert top == {("layer 0",), ("layer 1",), ("layer 2",), ("sample loss",)}
    sc = scopes(with_l2)
    assert {p for p in scope_paths(sc) if len(p) == 1} == top | {("L2 term",)}
    n_params = len(trainer.weights)
    assert op_count(with_l2, members_of(sc, ("L2 term",)), "*") == n_params + 1  # p*p, alpha*
    loss_part = members_of(sc, ("sample loss",))
    assert op_count(with_l2, loss_part, "relu") == 1 and "loss[0]" in labels(with_l2, loss_part)
    # the output (the total loss) is drawn as itself
    assert sc[with_l2.graph["output"]] == ()
    Q = collapse(with_l2, sc, expanded_at(sc, "layers"))
    assert nx.is_directed_acyclic_graph(Q) and len(Q) < 25


# -- found by structure -----------------------------------------------------------------------------

@pytest.mark.parametrize("inputs", ["floats", "values"])
def test_karpathy_micrograd_mlp_hidden_neurons_found_with_nin_products(inputs):
    from micrograd.engine import Value as MValue
    from micrograd.nn import MLP as MMLP

    random.seed(7)
    model = MMLP(3, [4, 4, 1])
    x = [1.0, -2.0, 0.5] if inputs == "floats" else [MValue(v) for v in (1.0, -2.0, 0.5)]
    out = model(x)
    for G in (to_graph(out), to_graph(as_value(out))):  # micrograd's own objects, or copied
        sc = scopes(G)
        neurons = [p for p in scope_paths(sc) if len(p) == 2]
        assert neurons == [(f"layer {i}", f"neuron {j}") for i in range(2) for j in range(4)]
        for (layer, _), nin in zip(neurons, [3] * 4 + [4] * 4):
            inside = members_of(sc, (layer, _))
            assert sum(1 for n in inside if G.nodes[n].get("op") == "*") == nin
            assert sum(1 for n in inside if str(G.nodes[n].get("op")).lower() == "relu") == 1
        # the linear output neuron has no activation: not a neuron by structure
        assert sc[G.graph["output"]] == ()
    # every hidden neuron's weights and bias are inside one found neuron, and nothing else is
    G = to_graph(out)
    sc = scopes(G)
    ids = value_ids(topo_order(out))
    params = {ids[id(p)] for p in model.parameters()}
    expected = {frozenset(ids[id(p)] for p in neuron.parameters())
                for layer in model.layers[:2] for neuron in layer.neurons}
    found = {frozenset(n for n in members_of(sc, path) if n in params)
             for path in scope_paths(sc) if len(path) == 2}
    assert found == expected


TWO_THREE_ONE = """
x1 = 0.5
x2 = -1.5
w11 = 0.1; w12 = -0.3; b1 = 0.2
w21 = 0.7; w22 = 0.4; b2 = -0.1
w31 = -0.6; w32 = 0.9; b3 = 0.05
h1 = tanh(x1*w11 + x2*w12 + b1)
h2 = tanh(x1*w21 + x2*w22 + b2)
h3 = tanh(x1*w31 + x2*w32 + b3)
v1 = 0.3; v2 = -0.8; v3 = 0.5; c = 0.1
out = tanh(h1*v1 + h2*v2 + h3*v3 + c)
"""


def test_expression_written_network_found_as_two_layers():
    G = to_graph(parse(TWO_THREE_ONE))
    sc = scopes(G)
    assert [p for p in scope_paths(sc) if len(p) == 2] == [
        ("layer 0", "neuron 0"), ("layer 0", "neuron 1"), ("layer 0", "neuron 2"),
        ("layer 1", "neuron 0")]
    for j, name in enumerate(["h1", "h2", "h3"]):
        inside = members_of(sc, ("layer 0", f"neuron {j}"))
        assert op_count(G, inside, "*") == 2
        assert labels(G, inside) >= {name, f"b{j + 1}", f"w{j + 1}1", f"w{j + 1}2"}
        assert not labels(G, inside) & {"x1", "x2"}        # shared inputs stay outside
    top = members_of(sc, ("layer 1", "neuron 0"))
    assert op_count(G, top, "*") == 3 and labels(G, top) >= {"out", "v1", "v2", "v3", "c"}


def test_lone_tanh_neuron_is_one_neuron():
    from app.presets import TANH_NEURON

    G = to_graph(parse(TANH_NEURON))
    sc = scopes(G)
    assert scope_paths(sc) == [("neuron 0",)]
    inside = members_of(sc, ("neuron 0",))
    assert op_count(G, inside, "*") == 2 and op_count(G, inside, "tanh") == 1


@pytest.mark.parametrize("text", [
    "a = 2; b = -3; c = 10; f = -2\nL = (a*b + c)*f",                        # no activation
    "x = 1; w = 2; b = 3\nn = x*w + b\ne = exp(2*n)\no = (e - 1)/(e + 1)",     # tanh written out
    "a = 3\nb = a + a",
    "a = 0.4\nb = tanh(a)",                                                    # no sum
    "x = 1; w = 2\no = tanh(x*w)",                                             # no bias
    "x = 1; w = 2; b = 3\nn = x*w + b\no = tanh(n) + n",                       # n read outside
    "y = 1; w = 0.5; x = 2\ns = w*x\nl = relu(1 + -y*s)",                    # a max-margin loss
    "x = 1; w = 2; b = 3; k = 4\no = sigmoid(x*w + b*k)",                      # computed bias
])
def test_graphs_without_neurons_get_no_scopes(text):
    sc = scopes(to_graph(parse(text)))
    assert set(sc.values()) == {()}


# -- collapse / expand ----------------------------------------------------------------------------

def graphs():
    random.seed(3)
    from micrograd.nn import MLP as MMLP

    yield to_graph(MLP(2, [3, 2, 1], seed=2)([Value(1.0, label="x1"), Value(-1.0, label="x2")]))
    yield to_graph(parse(TWO_THREE_ONE))
    yield to_graph(as_value(MMLP(2, [3, 3, 1])([0.5, -1.0])))
    rng = np.random.RandomState(1)
    trainer = Trainer(rng.randn(6, 2), np.array([1, -1, 1, -1, 1, 1.0]), TrainConfig(hidden=(3,)))
    yield to_graph(trainer.inspect(2, with_l2=True).root)


@pytest.mark.parametrize("G", list(graphs()), ids=["nn", "expr", "micrograd", "inspect"])
def test_collapse_then_expand_all_is_the_original(G):
    sc = scopes(G)
    for level in ("layers", "neurons"):
        Q = collapse(G, sc, expanded_at(sc, level))
        assert len(Q) < len(G)
        back = collapse(G, sc, expanded_at(sc, "all"))
        assert list(back.nodes(data=True)) == list(G.nodes(data=True))
        assert list(back.edges(data=True)) == list(G.edges(data=True))
        assert back.graph == G.graph


@pytest.mark.parametrize("G", list(graphs()), ids=["nn", "expr", "micrograd", "inspect"])
def test_every_collapse_state_is_a_quotient(G):
    sc = scopes(G)
    paths = scope_paths(sc)
    rng = random.Random(5)
    for _ in range(8):
        expanded = {p for p in paths if rng.random() < 0.5}
        Q = collapse(G, sc, expanded)
        assert nx.is_directed_acyclic_graph(Q)
        owner = {}
        for q, attrs in Q.nodes(data=True):
            inside = attrs["members"] if attrs["kind"] == "scope" else [q]
            for n in inside:
                assert n not in owner
                owner[n] = q
            if attrs["kind"] == "scope":
                path = attrs["scope"]
                assert q == box_id(path) and all(sc[n][:len(path)] == path for n in inside)
                assert path not in expanded and all(path[:k] in expanded for k in range(1, len(path)))
                out = G.nodes[attrs["output"]]
                if len(attrs["outputs"]) == 1:
                    assert (attrs["label"], attrs["data"], attrs["grad"]) == (
                        out["label"], out["data"], out["grad"])
                else:
                    assert attrs["data"] is None and attrs["grad"] is None
                assert attrs["output"] in attrs["outputs"] and set(attrs["outputs"]) <= set(inside)
        assert set(owner) == set(G)
        # every edge of G between two quotient nodes is in exactly one quotient edge
        crossing = Counter((owner[u], owner[v]) for u, v in G.edges if owner[u] != owner[v])
        assert set(crossing) == set(Q.edges)
        for (a, b), k in crossing.items():
            assert len(Q.edges[a, b].get("merged", [None])) == k


def test_a_collapsed_neuron_holds_its_parameters_and_shows_its_output():
    G = to_graph(MLP(2, [2, 1], nonlin="relu", seed=4)([Value(1.0, label="x1"), Value(2.0, label="x2")]))
    sc = scopes(G)
    Q = collapse(G, sc, {("layer 0",), ("layer 1",)})
    box = Q.nodes[box_id(("layer 0", "neuron 1"))]
    assert box["label"] == "h[0][1]" and box["role"] == "scope"
    assert box["holds"] == "b[0][1], w[0][1][0], w[0][1][1] · 2 * · 2 + · relu"
    # inputs feed the neuron box; the box feeds the next neuron's product
    x1 = next(n for n in G if G.nodes[n].get("label") == "x1")
    assert Q.has_edge(x1, box_id(("layer 0", "neuron 1")))
    assert Q.has_edge(box_id(("layer 0", "neuron 1")), box_id(("layer 1", "neuron 0")))
    out_box = Q.nodes[box_id(("layer 1", "neuron 0"))]
    assert out_box["role"] == "output" and out_box["output"] == G.graph["output"]


def test_a_layer_box_with_several_outputs_shows_none_of_their_numbers_as_its_own():
    """A collapsed layer of 4 neurons has 4 outputs, h[0][0..3]: its box named one of them
    (h[0][3], the latest) with that neuron's data and grad as if they were the layer's."""
    x = [Value(1.0, label="x1"), Value(-2.0, label="x2"), Value(0.5, label="x3")]
    out = MLP(3, [4, 4, 1], nonlin="tanh", seed=3)(x)
    out.backward()
    G = to_graph(out)
    sc = scopes(G)
    Q = collapse(G, sc, expanded_at(sc, "layers"))
    layer = Q.nodes[box_id(("layer 0",))]
    h = {G.nodes[n]["label"]: n for n in G if G.nodes[n]["kind"] == "value"}
    assert layer["outputs"] == [h[f"h[0][{j}]"] for j in range(4)]
    assert layer["label"] == "layer 0 \u00b7 4 outputs"
    assert layer["data"] is None and layer["grad"] is None
    assert layer["output"] == h["h[0][3]"] and layer["role"] == "scope"   # drawn by one of them
    # a box with one output (the output layer's lone neuron) still reads as that output
    last = Q.nodes[box_id(("layer 2",))]
    assert last["outputs"] == [G.graph["output"]] and last["role"] == "output"
    assert (last["label"], last["data"], last["grad"]) == (
        G.nodes[G.graph["output"]]["label"], out.data, 1.0)
    neuron = collapse(G, sc, expanded_at(sc, "neurons")).nodes[box_id(("layer 1", "neuron 2"))]
    assert (neuron["label"], neuron["data"], neuron["grad"]) == (
        "h[1][2]", G.nodes[h["h[1][2]"]]["data"], G.nodes[h["h[1][2]"]]["grad"])


def test_expanded_at_levels():
    G = to_graph(parse(TWO_THREE_ONE))
    sc = scopes(G)
    assert expanded_at(sc, "layers") == frozenset()
    assert expanded_at(sc, "neurons") == {("layer 0",), ("layer 1",)}
    assert expanded_at(sc, "all") == set(scope_paths(sc))
    with pytest.raises(ValueError, match="level must be one of"):
        expanded_at(sc, "everything")
