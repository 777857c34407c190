"""Node sizes for the layout, fitted to the captions the app draws (pure functions).

The layouts package budgets 7 characters per number so any value fits; here boxes are sized for
the captions as they are when the graph is loaded (data and final grads), which makes graphs
narrower and their text larger on a 1280x720 projector. When a slider later makes a caption
longer than its box, the view shrinks the caption font instead of re-running the layout.
"""

from __future__ import annotations

from .formatting import fmt

#: Caption font size in plot units the boxes are sized for.
FONT_UNITS = 15.0
#: Average caption character width in ems (sans-serif digits, '|', spaces).
CHAR_EM = 0.56
BOX_HEIGHT = 36.0
BOX_PADDING = 18.0
MIN_BOX_WIDTH = 84.0
MIN_LITERAL_WIDTH = 40.0
OP_DIAMETER = 28.0
#: Clear space between rank columns (the layout's default is 40).
RANK_GAP = 34.0


def caption_width(chars: int, font_units: float = FONT_UNITS) -> float:
    """Width in plot units of ``chars`` caption characters at ``font_units``."""
    return chars * CHAR_EM * font_units


def make_node_size(labels: dict, data: dict, grad: dict):
    """A ``node_size(node, attrs) -> (w, h)`` for ``layouts.layered_layout``.

    Parameters
    ----------
    labels, data, grad : dict
        value id -> label / current data / final grad (after a full backward pass).
    """

    def node_size(node, attrs):
        if attrs.get("kind") == "value" and attrs.get("const"):   # a literal: just its number
            chars = len(fmt(data.get(node, 0.0))) + 1
            return (max(MIN_LITERAL_WIDTH, caption_width(chars) + BOX_PADDING), BOX_HEIGHT)
        if attrs.get("kind") == "value":
            label = labels.get(node, str(node))
            d, g = fmt(data.get(node, 0.0)), fmt(grad.get(node, 0.0))
            # room for the caption now and with grads at 0 (step 0), plus one spare digit each
            chars = len(label) + 6 + max(len(d), 2) + max(len(g), 2) + 2
            return (max(MIN_BOX_WIDTH, caption_width(chars) + BOX_PADDING), BOX_HEIGHT)
        if attrs.get("kind") == "op":
            op = str(attrs.get("op", ""))
            return (max(OP_DIAMETER, caption_width(len(op), 13.0) + 10.0),) * 2
        return (OP_DIAMETER, OP_DIAMETER)

    return node_size


def text_box_size(text: str):
    """``(w, h)`` of a box whose caption is ``text`` alone, no numbers (a layer's box)."""
    return (max(MIN_BOX_WIDTH, caption_width(len(text) + 1) + BOX_PADDING), BOX_HEIGHT)


def caption_font_units(widths, captions) -> float:
    """Caption font size in plot units (the zoom callback turns it into px).

    :data:`FONT_UNITS` (what the boxes were sized for), smaller only when some caption has
    grown longer than its box since (a slider made a number longer).
    """
    fit = FONT_UNITS
    for w, t in zip(widths, captions):
        need = caption_width(len(t))
        if need > w - BOX_PADDING * 0.5:
            fit = min(fit, FONT_UNITS * (w - BOX_PADDING * 0.5) / need)
    return fit
