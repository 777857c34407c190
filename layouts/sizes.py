"""Default node sizes for compute-graph drawings, and the text they are sized for.

Units are abstract "plot units" meant to be drawn 1:1 in data space (Bokeh with
``match_aspect=True``): a character of the node text is budgeted ``CHAR_WIDTH`` = 8 units
wide (a ~13 px monospace font at 1 px per unit), a value box is ``VALUE_BOX_HEIGHT`` = 40
units high, and an op circle has diameter ``OP_DIAMETER`` = 30 units (more for long op
names such as "sigmoid").

Value boxes are sized from the structure, not the current numbers: each number field is
budgeted at least ``NUMBER_CHARS`` characters (enough for any 4-significant-digit value such
as "-0.7071" or "1234"), so moving a slider never needs a new layout.
"""

from __future__ import annotations

CHAR_WIDTH = 8.0
VALUE_BOX_HEIGHT = 40.0
VALUE_BOX_PADDING = 16.0  # total horizontal padding inside a value box
OP_DIAMETER = 30.0
NUMBER_CHARS = 7
FIELD_SEPARATOR = " | "


def format_number(x: float) -> str:
    """Format a value or gradient at 4 significant digits, e.g. -0.70710678 -> "-0.7071"."""
    return f"{float(x):.4g}"


def value_text(attrs: dict) -> str:
    """The text drawn in a value box: "label | data | grad" (label part omitted if empty);
    a number literal (``const``) is just its number: its label is the number and its grad is
    always 0."""
    if attrs.get("const"):
        return format_number(attrs.get("data", 0.0))
    fields = [format_number(attrs.get("data", 0.0)), format_number(attrs.get("grad", 0.0))]
    label = str(attrs.get("label", "") or "")
    if label:
        fields.insert(0, label)
    return FIELD_SEPARATOR.join(fields)


def value_text_chars(attrs: dict) -> int:
    """Characters reserved for a value box's text; numbers get >= NUMBER_CHARS each."""
    if attrs.get("const"):     # literals do not change with sliders: their own width
        return max(3, len(value_text(attrs)))
    label = str(attrs.get("label", "") or "")
    # format_number's text, written out (one call per node, not five: every layout sizes all)
    chars = (max(NUMBER_CHARS, len(f"{float(attrs.get('data', 0.0)):.4g}"))
             + max(NUMBER_CHARS, len(f"{float(attrs.get('grad', 0.0)):.4g}")) + len(FIELD_SEPARATOR))
    if label:
        chars += len(label) + len(FIELD_SEPARATOR)
    return chars


def default_node_size(node_id, attrs: dict) -> tuple[float, float]:
    """(width, height) in plot units of a node of a compute graph.

    Value nodes (kind == "value") are boxes wide enough for ``value_text``; op nodes are
    circles (width == height) big enough for the op symbol; anything else is a small square.
    A ``size`` attribute ``(w, h)`` (e.g. a collapsed cluster's box) wins.
    """
    if attrs.get("size") is not None:
        size = attrs["size"]
        try:
            w, h = size
            return (float(w), float(h))
        except (TypeError, ValueError):
            raise ValueError(f"the size of node {node_id!r} must be (width, height), got {size!r}") from None
    kind = attrs.get("kind")
    if kind == "value":
        width = value_text_chars(attrs) * CHAR_WIDTH + VALUE_BOX_PADDING
        return (width, VALUE_BOX_HEIGHT)
    if kind == "op":
        symbol = str(attrs.get("op", ""))
        d = max(OP_DIAMETER, len(symbol) * CHAR_WIDTH + 8.0)
        return (d, d)
    return (OP_DIAMETER, OP_DIAMETER)
