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
    assert convention == "original" and counts == {"values": 7, "operators": 3}
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


BROKEN = {
    "bad json": (b'{"nodes": [', "not valid JSON"),
    "not utf-8": ("{\"nodes\": \"caf\u00e9\"}".encode("latin-1"), "not UTF-8"),
    "not a graph": (b'[1, 2, 3]', "not a graph"),
    "deep": (b"[" * 200_000, "nested too deeply"),
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
