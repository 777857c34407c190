"""Import/export of the original app's node/edge JSON (no browser)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.share.flow_io import MAX_FILE_BYTES, FlowFileError, FlowIO, flow_document, read_flow_file
from app.graph_page.model import GraphModel
from engine import from_flow, to_graph

EXAMPLE = Path(__file__).parent / "data" / "original-app-example.json"


def values_by_label(root):
    G = to_graph(root)
    return {a["label"]: (a["data"], a["grad"]) for _, a in G.nodes(data=True) if a["kind"] == "value"}


def test_original_example_loads_with_its_convention():
    root, convention, counts = read_flow_file(EXAMPLE.read_bytes(), "ex.json")
    assert convention == "original" and counts == {"values": 7, "operators": 3, "labels_cut": 0}
    assert root.data == -8.0 and root.label == "L"


def test_upload_makes_a_live_graph_with_sliders():
    messages = []
    model = GraphModel()
    io = FlowIO(model, notify=lambda m, k: messages.append((k, m)))
    assert io.load_bytes("ex.json", EXAMPLE.read_bytes())
    assert model.output == -8.0 and messages[-1][0] == "info" and "original app's layout" in messages[-1][1]
    assert sorted(model.compiled.labels[l] for l in model.compiled.leaf_ids) == ["a", "b", "c", "f"]
    model.set_leaf("a", 3)
    assert model.output == -2.0
    assert model.source_note == "# loaded from ex.json\n"     # the editor shows it above the text


@pytest.mark.parametrize("convention", ["original", "data"])
def test_download_round_trips_through_from_flow(convention):
    model = GraphModel(preset="neuron")
    model.set_leaf("x1", 1.25)
    doc = json.loads(json.dumps(flow_document(model, convention=convention)))
    root = from_flow(doc, convention=convention)
    again = values_by_label(root)
    tape = model.compiled.tape
    for vid, i in tape.index.items():
        label = model.compiled.labels[vid]
        if label in again:
            assert again[label][0] == pytest.approx(tape.data[i], abs=1e-12)
            assert again[label][1] == pytest.approx(tape.grad[i], abs=1e-12)
    assert root.data == pytest.approx(model.output)
    # auto-detection reads our own download back the same way
    assert from_flow(doc).data == pytest.approx(model.output)
    # positions: React Flow's (top-left corner, y down), inside the layout's extent
    lay = model.compiled.layout
    for node in doc["nodes"]:
        assert -1 <= node["position"]["x"] <= lay.width + 1 and -1 <= node["position"]["y"] <= lay.height + 1


def test_download_button_callback_gives_json_bytes():
    model = GraphModel()
    io = FlowIO(model, notify=lambda m, k: None)
    doc = json.loads(io._json_bytes().getvalue())
    assert from_flow(doc).data == -8.0


def test_download_is_strict_json_when_values_are_infinite():
    model = GraphModel("a = 0; b = 2\nL = log(a) * b")      # log(0) = -inf, a.grad = inf
    io = FlowIO(model, notify=lambda m, k: None)
    raw = io._json_bytes().getvalue()
    doc = json.loads(raw, parse_constant=lambda name: pytest.fail(f"not strict JSON: {name}"))
    root, _, _ = read_flow_file(raw, "inf.json")
    assert root.data == float("-inf") == model.output
    assert values_by_label(root)["a"] == (0.0, float("inf"))
    assert {"-Infinity", "Infinity"} <= {n["data"].get(k) for n in doc["nodes"] for k in ("val", "grad")}


BROKEN = {
    "bad json": (b'{"nodes": [', "not valid JSON"),
    "not utf-8": ("{\"nodes\": \"caf\u00e9\"}".encode("latin-1"), "not UTF-8"),
    "not a graph": (b'[1, 2, 3]', "not a graph"),
    "deep": (b"[" * 200_000, "nested too deeply"),
    # json reads integers with int(), which refuses over 4,300 digits with a plain ValueError
    "huge integer": (b'{"nodes": [{"id": "a", "type": "value", "data": {"val": ' + b"9" * 5000 + b'}}], "edges": []}',
                     "more than 4,300 digits"),
    "unknown op": (json.dumps({"nodes": [
        {"id": "a", "type": "value", "data": {"val": 1, "grad": 1, "label": "a"}},
        {"id": "p", "type": "operator", "data": {"op": "%"}},
        {"id": "b", "type": "value", "data": {"val": 1, "grad": 1, "label": "b"}}],
        "edges": [{"source": "a", "target": "p"}, {"source": "p", "target": "b"}]}).encode(), "unknown operation"),
    "dangling edge": (json.dumps({"nodes": [
        {"id": "a", "type": "value", "data": {"val": 1, "grad": 1, "label": "a"}}],
        "edges": [{"source": "a", "target": "ghost"}]}).encode(), "missing node 'ghost'"),
    "cycle": ((Path(__file__).parent / "data" / "cycle.json").read_bytes(), "has a cycle"),
    "too large": (b" " * (MAX_FILE_BYTES + 1), "the limit is"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_files_give_a_message_and_keep_the_graph(case):
    raw, expected = BROKEN[case]
    with pytest.raises(FlowFileError, match=expected):
        read_flow_file(raw, "f.json")
    messages = []
    model = GraphModel()
    compiled = model.compiled
    io = FlowIO(model, notify=lambda m, k: messages.append((k, m)))
    assert io.load_bytes("f.json", raw) is False
    assert model.compiled is compiled and model.output == -8.0
    assert messages[-1][0] == "error" and expected in messages[-1][1] and "current graph stays" in messages[-1][1]


def test_upload_component_refuses_oversized_and_damaged_messages():
    from app.share.flow_io import FileUpload

    got, errors = [], []
    up = FileUpload(on_file=lambda n, raw: got.append((n, raw)), on_error=errors.append)
    up._handle_msg({"error": "too_large", "name": "huge.json", "size": 50 * 1024 * 1024})
    up._handle_msg({"name": "x.json", "b64": "not base64!"})
    up._handle_msg({"name": "x.json", "b64": "A" * (MAX_FILE_BYTES * 2)})
    up._handle_msg({"name": "ok.json", "b64": "e30="})
    assert "huge.json is 50.0 MB" in errors[0] and "damaged" in errors[1] and "larger than" in errors[2]
    assert got == [("ok.json", b"{}")]


def _example_with(leaf_literal: str | None = None, label: str | None = None) -> bytes:
    """The example file with leaf ``a``'s data (``grad`` in its layout) written as the JSON text
    ``leaf_literal`` (``NaN``, ``1e999``, ...), and/or leaf ``b`` relabelled ``label``."""
    doc = json.loads(EXAMPLE.read_text())
    for node in doc["nodes"]:
        if node["data"].get("label") == "a" and leaf_literal is not None:
            node["data"]["grad"] = "@LEAF@"
        if node["data"].get("label") == "b" and label is not None:
            node["data"]["label"] = label
    return json.dumps(doc).replace('"@LEAF@"', leaf_literal or "0").encode()


@pytest.mark.parametrize("literal, shown", [
    ("NaN", "NaN (not a number)"), ("Infinity", "holds inf"), ("-Infinity", "holds -inf"),
    ("1e999", "holds inf"), ("-1e309", "holds -inf"),
])
def test_non_finite_or_huge_leaf_is_refused_naming_it_and_the_session_goes_on(literal, shown):
    raw = _example_with(literal)
    with pytest.raises(FlowFileError, match="leaf 'a' holds"):
        read_flow_file(raw, "bad.json")
    messages = []
    model = GraphModel()
    io = FlowIO(model, notify=lambda m, k: messages.append((k, m)))
    assert io.load_bytes("bad.json", raw) is False
    kind, text = messages[-1]
    assert kind == "error" and "leaf 'a'" in text and shown in text and "current graph stays" in text
    model.set_leaf("a", 3)                      # the lecture graph still answers its sliders
    assert model.output == -2.0
    assert io.load_bytes("ex.json", EXAMPLE.read_bytes()) and model.output == -8.0   # and uploads


@pytest.mark.parametrize("literal, value", [("1e12", 1e12), ("-2e13", -2e13), ("1.7e308", 1.7e308)])
def test_any_finite_leaf_loads(literal, value):
    """The leaf's number box takes any finite float, so a saved file keeps one: 1e13 was refused
    (|x| <= 1e12), so a graph saved with it could not be opened again."""
    root, _, _ = read_flow_file(_example_with(literal), "edge.json")
    assert any(v.data == value for v in _values(root))


def _values(root):
    seen, stack = {}, [root]
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen[id(v)] = v
            stack.extend(v._prev)
    return list(seen.values())


def test_a_3_mb_label_is_cut_with_a_notice():
    from app.share.flow_io import MAX_LABEL_CHARS

    raw = _example_with(label="b" * 3_000_000)
    assert 3_000_000 < len(raw) <= MAX_FILE_BYTES
    messages = []
    model = GraphModel()
    io = FlowIO(model, notify=lambda m, k: messages.append((k, m)))
    assert io.load_bytes("long.json", raw)
    labels = list(model.compiled.labels.values())
    assert max(len(l) for l in labels) == MAX_LABEL_CHARS
    assert "b" * (MAX_LABEL_CHARS - 1) + "\u2026" in labels
    assert f"1 label longer than {MAX_LABEL_CHARS} characters cut" in messages[-1][1]
    assert model.output == -8.0                 # the graph itself is the example's
