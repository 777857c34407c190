"""In Jupyter the polished layout is made in the kernel right after the quick one (there are
no other sessions to wait on it, and a cell's output should be the best drawing): ``show`` of
an 834-node random expression displays the polished layout; the same graph laid out quickly
in the same kernel has more crossings."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]

CODE = """
import json
from app import show
from bench.app_open import random_text
from layouts import layered_layout
h = show(random_text(330))
m = h.app.model
quick = layered_layout(m.compiled.graph, node_size=lambda n, a: m.compiled.layout.sizes[n],
                       rank_gap=34.0, duplicate_leaves=True, fast=True)
print(json.dumps({"mode": h.app.refiner.mode, "applied": h.app.refiner.applied,
                  "shown": m.compiled.layout.crossings, "refinable": m.compiled.layout.refinable,
                  "quick": quick.crossings, "quick_refinable": quick.refinable,
                  "rows": len(h.app.graph.values.data["y"]),
                  "same_y": [float(y) for y in h.app.graph.values.data["y"][:5]] ==
                            [m.compiled.layout.positions[v][1] for v in m.compiled.value_ids[:5]]}))
"""


def test_a_notebook_shows_the_polished_layout_of_a_mid_size_graph():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CODE)])
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO)}}).execute()
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o.get("output_type") == "error"], outputs
    line = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream").strip()
    got = json.loads(line.splitlines()[-1])
    assert got["mode"] == "inline" and got["applied"] == 1
    assert got["quick_refinable"] and not got["refinable"]
    assert got["shown"] < got["quick"]
    assert got["same_y"]
