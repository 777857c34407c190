"""examples/quickstart.ipynb executes top to bottom under nbclient without errors and displays
Panel apps (show(...) on an expression, on a micrograd Value, on an engine Value)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "quickstart.ipynb"


def test_quickstart_notebook_executes():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr" and "Traceback" in o.get("text", "")]
    # a live Panel app is displayed for each show(...) / create_app(...) (panel's mime bundle)
    panel_outputs = [o for o in outputs if "application/vnd.holoviews_exec.v0+json" in o.get("data", {})]
    assert len(panel_outputs) >= 4
    texts = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "a.grad += b.data * e.grad = -3 * -2 = 6" in texts
