"""Graph layouts for compute graphs: pure functions from a networkx graph to geometry.

``layered_layout(G, direction="LR")`` -> ``Layout`` with

- ``positions[node] = (x, y)``: node centres.  Plot units, **y grows upward**, every box lies in
  ``[0, width] x [0, height]``; LR puts inputs on the left and the output on the right, TB puts
  them at the top and bottom.
- ``sizes[node] = (w, h)``: value boxes 40 high and ``8 * chars + 16`` wide for the text
  ``value_text(attrs)`` = "label | data | grad" (numbers at 4 significant digits, each given
  at least 7 characters so values can change without a new layout); op circles 30 across (more
  for long names).  Draw 1:1 in data units (Bokeh ``match_aspect=True``) with a ~13 px
  monospace font at 1 px per unit and the text fits.
- ``edges[(u, v)] = [(x, y), ...]``: polyline from u's border to v's border, monotone along the
  flow, bending at every rank a long edge crosses.
- ``width``, ``height``, ``ranks``, ``crossings`` (edge crossings of the drawing).
- ``clusters[scope_path] = (x0, y0, x1, y1)``: frames, with ``clusters={node: scope_path}``
  (nested scopes, outermost first).  In every rank a cluster's members are consecutive; a
  frame holds its members (room at the top for a label) and no other node; frames overlap
  only when nested.  A collapsed cluster is a plain node (``size`` and ``collapsed``
  attributes); ``collapsed[scope_path] = node``.  ``previous=`` an earlier Layout keeps the
  drawing stable (e.g. on expanding a cluster).

``count_polyline_crossings(polylines)`` counts crossings of any drawing (used by the
benchmark to compare with graphviz dot).
"""

from .crossings import count_polyline_crossings
from .layered import Layout, layered_layout
from .sizes import default_node_size, format_number, value_text

__all__ = ["Layout", "layered_layout", "count_polyline_crossings", "default_node_size",
           "format_number", "value_text"]
