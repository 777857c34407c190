"""Import and export: the original TypeScript app's node/edge JSON, and a PNG of the plot.

- **Upload** (:class:`FileUpload`, a small custom button): the browser checks the size *before*
  reading the file (``MAX_FILE_BYTES``), so a 50 MB file is refused with a message instead of
  being pushed over the websocket (``pn.widgets.FileInput`` would send it whole, and a message over
  the server's websocket limit drops the session). The server checks the size again, decodes
  UTF-8, parses JSON and calls ``engine.from_flow`` (auto-detecting which field holds the data);
  the graph is loaded only when all of that worked, so a broken file leaves the current graph.
- **Download JSON** (``pn.widgets.FileDownload`` with a callback): the graph as it is now
  (current leaf values, data and grads after the full backward pass) in the original app's
  layout (``engine.to_flow(convention="original")``; React Flow positions from the current
  layout, y pointing down). ``engine.from_flow`` of it rebuilds the same graph.
- **Download PNG**: a button whose click runs in the browser: Bokeh's own canvas export of the
  plot (what the toolbar's save tool does), no server round trip and no Selenium.

:func:`flow_document` and :mod:`app.share.flow_file` (reading a file) are the pure parts.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from functools import partial

import panel as pn
import param
from panel.custom import JSComponent
from ..graph_page import structure
from .flow_file import MAX_FILE_BYTES, MAX_LABEL_CHARS, FlowFileError, read_flow_file
from .flow_file import size_text as _size
from .slide_export import EXPORT_JS, FORMATS

#: Small buttons for the sidebar's one-row toolbar (also the Link and theme buttons').
TOOLBAR_BUTTON_CSS = [":host { font-size: 13px; } .bk-btn { padding: 2px 4px; }"]

CONVENTION_TEXT = {
    "original": "the original app's layout (val holds the gradient, grad the data)",
    "data": "val holds the data, grad the gradient",
}


def flow_document(model, convention: str = "original") -> dict:
    """The model's current graph as the original app's JSON document.

    Parameters
    ----------
    model : app.model.GraphModel
    convention : {"original", "data"}
        Field layout (see ``engine.to_flow``); the default is what the original app reads.

    Returns
    -------
    dict
        ``{"nodes": [...], "edges": [...]}`` with the current data and final grads of every value
        node and React Flow positions (top-left corners, y down) from the current layout.
    """
    from engine import to_flow

    c = model.compiled
    tape = c.tape
    G = c.graph.copy()
    for vid, i in tape.index.items():
        if vid in G:
            G.nodes[vid]["data"] = float(tape.data[i])
            G.nodes[vid]["grad"] = float(tape.grad[i])
    lay = c.layout
    positions = {}
    for n, (x, y) in lay.positions.items():
        w, h = lay.sizes.get(n, (0.0, 0.0)) if isinstance(lay.sizes, dict) else (0.0, 0.0)
        positions[n] = (round(float(x) - w / 2, 1), round(float(lay.height) - float(y) - h / 2, 1))
    return to_flow(G, convention=convention, positions=positions)


class FileUpload(JSComponent):
    """A button that opens a file chooser; the browser refuses files over ``max_bytes`` itself.

    Calls ``on_file(name, raw_bytes)`` or ``on_error(message)`` on the server.
    """

    label = param.String(default="Import")
    accept = param.String(default=".json,application/json")
    max_bytes = param.Integer(default=MAX_FILE_BYTES)

    _esm = """
    export function render({ model }) {
      const input = document.createElement("input");
      input.type = "file";
      input.accept = model.accept;
      input.style.display = "none";
      input.className = "flow-file-input";
      const button = document.createElement("button");
      button.className = "flow-upload-button";
      button.textContent = model.label;
      button.title = "Load a graph saved by the original autograd-ui (node/edge JSON)";
      button.addEventListener("click", () => input.click());
      input.addEventListener("change", () => {
        const file = input.files && input.files[0];
        input.value = "";  // choosing the same file again fires change again
        if (!file) return;
        if (file.size > model.max_bytes) {
          model.send_msg({error: "too_large", name: file.name, size: file.size});
          return;
        }
        const reader = new FileReader();
        reader.onload = () => {
          const bytes = new Uint8Array(reader.result);
          let bin = "";
          for (let i = 0; i < bytes.length; i += 0x8000) {
            bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
          }
          model.send_msg({name: file.name, size: file.size, b64: btoa(bin)});
        };
        reader.onerror = () => model.send_msg({error: "unreadable", name: file.name, size: file.size});
        reader.readAsArrayBuffer(file);
      });
      const wrap = document.createElement("span");
      wrap.append(button, input);
      return wrap;
    }
    """

    _stylesheets = ["""
    .flow-upload-button { font: inherit; font-size: 13px; height: 30px; width: 100%; cursor: pointer;
      border-radius: 4px; border: 1px solid var(--panel-border-color, #ccc);
      background: var(--panel-surface-color, #fff); color: var(--panel-on-surface-color, #222); }
    .flow-upload-button:hover { filter: brightness(0.95); }
    """]

    def __init__(self, on_file=None, on_error=None, **params):
        super().__init__(**params)
        self._on_file, self._on_error = on_file, on_error

    def _handle_msg(self, data) -> None:
        if not isinstance(data, dict):
            return
        name = str(data.get("name", "file"))[:200]
        error = data.get("error")
        if error == "too_large":
            self._error(f"{name} is {_size(int(data.get('size', 0)))}; the limit is {_size(self.max_bytes)}. "
                        "Nothing was loaded.")
            return
        if error:
            self._error(f"{name} could not be read by the browser. Nothing was loaded.")
            return
        b64 = data.get("b64")
        if not isinstance(b64, str) or len(b64) > (self.max_bytes * 4) // 3 + 8:
            self._error(f"{name} is larger than {_size(self.max_bytes)}. Nothing was loaded.")
            return
        try:
            raw = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            self._error(f"{name} arrived damaged. Nothing was loaded.")
            return
        if self._on_file:
            self._on_file(name, raw)

    def _error(self, message: str) -> None:
        if self._on_error:
            self._on_error(message)


class FlowIO:
    """Import / Download JSON / Download PNG buttons and their messages.

    Parameters
    ----------
    model : app.model.GraphModel
    notify : callable
        ``notify(message, kind)`` with kind ``"info"`` or ``"error"`` shows a message to the user.

    Attributes
    ----------
    upload : FileUpload
    json_download : pn.widgets.FileDownload
    png_button : pn.widgets.Button
    last_convention : str or None
        Convention detected in the last file loaded.
    """

    def __init__(self, model, notify):
        self.model = model
        self.notify = notify
        self.last_convention = None
        self.upload = FileUpload(on_file=self.load_bytes, on_error=lambda msg: notify(msg, "error"),
                                 width=58, height=30, margin=(2, 2), css_classes=["flow-upload"])
        self.json_download = pn.widgets.FileDownload(
            callback=self._json_bytes, filename="autograd-graph.json", label="JSON", embed=False,
            width=50, height=30, margin=(2, 2), color="default", css_classes=["json-download"],
            description=None, stylesheets=TOOLBAR_BUTTON_CSS,
        )
        # the export format (slide_export: PNG at 2x/3x, with the step panel, or SVG), read by
        # the browser when the button is clicked
        self.png_format = pn.widgets.Select(options=FORMATS, value="png2", width=110, height=30, margin=(2, 2),
                                            css_classes=["export-format"])
        self.png_button = pn.widgets.Button(label="Save", width=50, height=30, margin=(2, 2),
                                            css_classes=["png-download"], stylesheets=TOOLBAR_BUTTON_CSS)
        self.png_button.js_on_click(args={"stem": "autograd-graph", "fmt": self.png_format}, code=EXPORT_JS)

    def load_bytes(self, name: str, raw: bytes) -> bool:
        """Load an uploaded file; on any problem notify and keep the current graph."""
        try:
            root, convention, counts = read_flow_file(raw, name)
        except FlowFileError as exc:
            self.notify(f"{exc}. The current graph stays.", "error")
            return False
        # the editor shows the file's graph as text (engine.to_source) under this note
        self.run(partial(structure.from_value, root, note=f"# loaded from {name}\n"),
                 partial(self._show_file, name, convention, counts))
        return True

    #: ``run(prepare, finish)`` performs a structure change, ``finish(prepare())`` (the factory
    #: puts the busy indicator here)
    run = staticmethod(lambda prepare, finish: finish(prepare()))

    def _show_file(self, name: str, convention: str, counts: dict, new) -> None:
        self.model.show(new)
        self.last_convention = convention
        cut = counts["labels_cut"]
        cut_note = (f" {cut} label{'s' if cut > 1 else ''} longer than {MAX_LABEL_CHARS} characters "
                    "cut (shown with …)." if cut else "")
        self.notify(f"Loaded {name}: {counts['values']} values, {counts['operators']} operations; "
                    f"file layout detected: {CONVENTION_TEXT[convention]}.{cut_note}", "info")

    def _json_bytes(self):
        doc = flow_document(self.model, convention="original")
        # strict JSON (to_flow names NaN/infinities as strings): a browser's JSON.parse reads it
        return io.BytesIO(json.dumps(doc, indent=1, allow_nan=False).encode("utf-8"))
