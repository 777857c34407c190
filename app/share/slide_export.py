"""Slide-quality export of the graph, made in the browser by BokehJS (the server draws nothing).

- **PNG at 2x or 3x** the plot's CSS pixels: BokehJS's ``export("png")`` paints the plot afresh
  into a canvas whose pixel ratio is the window's ``devicePixelRatio``; for the export the ratio
  is set to 2 or 3 (and put back), so lines and text are drawn at that resolution, not scaled up.
- **Graph + step panel:** the same PNG with the step's title and arithmetic (the step panel's
  plain text) drawn under it at the same resolution.
- **SVG** through Bokeh's SVG output backend (``export("svg")`` paints into Bokeh's SVG context):
  vector shapes, and the node captions as ``<text>`` elements.

It exports whatever graph is on screen, collapsed or expanded.
"""

from __future__ import annotations

from ..graph_page.graph_viewport import FIND_VIEW_JS

#: Select label -> format code read by :data:`EXPORT_JS`.
FORMATS = {
    "PNG 2x": "png2",
    "PNG 3x": "png3",
    "PNG 2x + step": "png2step",
    "PNG 3x + step": "png3step",
    "SVG": "svg",
}

EXPORT_JS = FIND_VIEW_JS + """
const view = find_view((m) => m.name === 'graph-plot');
if (view == null) { return; }
const kind = fmt.value || 'png2';
function save(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob); a.download = name;
  document.body.appendChild(a); a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}
if (kind === 'svg') {
  view.export('svg').to_blob().then((blob) => save(blob, stem + '.svg'));
  return;
}
const scale = kind.startsWith('png3') ? 3 : 2;
const own = Object.getOwnPropertyDescriptor(window, 'devicePixelRatio');
Object.defineProperty(window, 'devicePixelRatio', {value: scale, configurable: true});
let layer;
try { layer = view.export('png', true); }
finally { if (own) { Object.defineProperty(window, 'devicePixelRatio', own); } else { delete window.devicePixelRatio; } }
let canvas = layer.canvas;
if (kind.endsWith('step')) {
  // the step panel's title and arithmetic, under the graph, at the same resolution
  function all(root, acc) { root.querySelectorAll('*').forEach(e => { acc.push(e); if (e.shadowRoot) all(e.shadowRoot, acc); }); return acc; }
  const els = all(document, []);
  // a pane's text sits in its host's shadow root: find it by the host's class
  const inside = (host_class, tag) => { const e = els.find(x => x.tagName === tag && x.getRootNode().host &&
                                                       x.getRootNode().host.classList.contains(host_class));
                                        return e ? e.textContent : ''; };
  const title = inside('step-title', 'SPAN').trim();
  const lines = inside('step-text', 'PRE').split('\\n').filter(l => l.trim());
  const css_w = canvas.width / scale, pad = 12, title_px = 18, line_px = 15;
  const extra = pad * 2 + title_px + 6 + lines.length * (line_px + 5);
  const out = document.createElement('canvas');
  out.width = canvas.width; out.height = canvas.height + Math.ceil(extra * scale);
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#ffffff'; ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(canvas, 0, 0);
  ctx.scale(scale, scale);
  let y = canvas.height / scale + pad + title_px;
  ctx.fillStyle = '#222222'; ctx.font = '600 ' + title_px + 'px Helvetica, Arial, sans-serif';
  ctx.fillText(title, pad, y, css_w - 2 * pad);
  ctx.font = line_px + 'px DejaVu Sans Mono, Menlo, Consolas, monospace'; ctx.fillStyle = '#333333';
  for (const line of lines) { y += line_px + 5; ctx.fillText(line, pad, y, css_w - 2 * pad); }
  canvas = out;
}
canvas.toBlob((blob) => save(blob, stem + '-' + scale + 'x.png'), 'image/png');
"""
