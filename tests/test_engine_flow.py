"""The original app's node/edge JSON: convention detection, round trips, broken files."""
import copy
import json
import math
from pathlib import Path

import pytest

from engine import GraphError, flow_convention, from_flow, parse, to_flow, to_graph
from engine.topo import topo_order

EXAMPLE = json.loads((Path(__file__).parent / "data" / "original-app-example.json").read_text())


def grads(root):
    return {v.label: v.grad for v in topo_order(root) if v.label}


def test_original_readme_example_detects_its_convention():
    assert flow_convention(EXAMPLE["nodes"], EXAMPLE["edges"]) == "original"
    L = from_flow(EXAMPLE["nodes"], EXAMPLE["edges"])
    assert L.label == "L" and L.data == -8
    g = grads(L)
    assert (g["a"], g["b"], g["c"], g["f"]) == (6, -4, -2, 4)


def before_backprop(doc, grad_key):
    """``doc`` as saved before backprop: every gradient (under ``grad_key``) 0."""
    doc = copy.deepcopy(doc)
    for node in doc["nodes"]:
        if node["type"] == "value":
            node["data"][grad_key] = 0
    return doc


def test_a_file_saved_before_backprop_reads_its_data_field():
    # 0 + 0 = 0 * 0 = 0: all-zero gradients fit every operation as well as the data do (a tie
    # that read the zeros as data, every leaf 0 and no warning)
    doc = before_backprop(EXAMPLE, "val")                 # the original app's layout
    assert flow_convention(doc["nodes"], doc["edges"]) == "original"
    L = from_flow(doc)
    assert L.data == -8 and grads(L)["a"] == 6
    ours = before_backprop(to_flow(to_graph(parse("a = 2; b = -3; L = tanh(a * b + a)"))), "grad")
    assert flow_convention(ours["nodes"], ours["edges"]) == "data"
    assert from_flow(ours).data == pytest.approx(math.tanh(-4))


@pytest.mark.parametrize("convention", ["data", "original"])
def test_a_one_leaf_file_reads_its_data_field(convention):
    a = parse("a = 3")
    a.backward()                                          # its gradient is 1 (d a/d a)
    assert from_flow(to_flow(to_graph(a), convention=convention)).data == 3


def test_a_layout_nothing_tells_is_refused_with_a_message():
    doc = {"nodes": [{"id": "a", "type": "value", "data": {"val": 3, "grad": 5, "label": "a"}}],
           "edges": []}
    with pytest.raises(GraphError, match="cannot tell whether 'val' or 'grad'"):
        from_flow(doc)
    assert from_flow(doc, convention="original").data == 5


def test_explicit_convention_overrides_detection():
    L = from_flow(EXAMPLE, convention="data")         # read val as data: a=6, b=-4, ...
    assert {v.label: v.data for v in topo_order(L) if not v._prev}["a"] == 6


@pytest.mark.parametrize("convention", ["data", "original"])
def test_round_trip(convention):
    root = parse("a = 2; b = -3; c = 0.5\nd = a - b\ne = d / c ** a\nL = tanh(e) * a")
    root.backward()
    G = to_graph(root)
    doc = json.loads(json.dumps(to_flow(G, convention=convention)))
    assert flow_convention(doc["nodes"], doc["edges"]) == convention
    G2 = to_graph(from_flow(doc["nodes"], doc["edges"]))
    assert list(G2.nodes(data=True)) == list(G.nodes(data=True))
    assert list(G2.edges(data=True)) == list(G.edges(data=True))


def refuse_constant(name):
    raise AssertionError(f"not strict JSON: {name}")


def test_non_finite_values_are_strict_json_and_round_trip():
    # an infinite leaf, log(0) = -inf, inf - inf = nan, and grads inf/nan from them
    root = parse("a = 1e999; b = 0; z = 2\nc = log(b) * z\nd = a - a\nL = c + d * z")
    root.backward()
    G = to_graph(root)
    numbers = [v for _, n in G.nodes(data=True) if n["kind"] == "value" for v in (n["data"], n["grad"])]
    assert {repr(x) for x in numbers} >= {"inf", "-inf", "nan"}
    text = json.dumps(to_flow(G), allow_nan=False)       # raised ValueError before
    doc = json.loads(text, parse_constant=refuse_constant)
    G2 = to_graph(from_flow(doc, convention="data"))
    assert repr(list(G2.nodes(data=True))) == repr(list(G.nodes(data=True)))
    leaf = next(n for n in doc["nodes"] if n["data"].get("label") == "a")
    assert leaf["data"]["val"] == "Infinity"


def test_positions_are_written_when_given():
    G = to_graph(parse("a = 1; b = a * 2"))
    doc = to_flow(G, positions={n: (1.0, 2.0) for n in G})
    assert all(n["position"] == {"x": 1.0, "y": 2.0} for n in doc["nodes"])


def broken(mutate):
    doc = copy.deepcopy(EXAMPLE)
    mutate(doc)
    return doc


@pytest.mark.parametrize("doc, fragment", [
    (broken(lambda d: d["edges"][6].update(source="0")), "cycle"),
    (broken(lambda d: d["nodes"][1]["data"].update(op="%")), "unknown operation"),
    (broken(lambda d: d["edges"].pop(0)), "takes 2 input"),
    (broken(lambda d: d["edges"].append({"id": "x", "source": "5", "target": "nowhere"})),
     "missing node"),
    (broken(lambda d: d["nodes"][6].pop("id")), "no 'id'"),
    (broken(lambda d: d["nodes"][6].update(type="blob")), "type"),
    (broken(lambda d: d["nodes"].append(copy.deepcopy(d["nodes"][6]))), "two nodes"),
    (broken(lambda d: d["edges"].append({"id": "x", "source": "5", "target": "6"})),
     "joins two value"),
    (broken(lambda d: d["nodes"].append({"id": "z", "type": "value",
                                         "data": {"val": 1, "grad": 1}})), "exactly one output"),
    (broken(lambda d: d["nodes"][6]["data"].update(val="x", grad=None)), "no number"),
    ({"nodes": "nope", "edges": []}, "lists"),
])
def test_broken_files_raise_clear_errors(doc, fragment):
    with pytest.raises(GraphError, match=fragment):
        from_flow(doc["nodes"], doc["edges"])
