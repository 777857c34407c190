"""Colours. The gradient colour scale is diverging, colour-blind safe (ColorBrewer RdBu, blue for
negative, red for positive) and symmetric around 0; its darkest ends are trimmed so black
captions stay readable on every fill."""

from __future__ import annotations

import numpy as np

from bokeh.palettes import RdBu11, interp_palette

#: 255 colours from blue (negative) through near-white (0) to red (positive).
GRAD_PALETTE = tuple(interp_palette(RdBu11[2:-2], 255))

#: fill of a NaN grad (hatched too, magenta border) and of a box with several outputs, which has
#: no one grad: a light neutral (#bdbdbd read as a disabled control on a layer box)
NAN_COLOR = "#dcdcdc"
EDGE_COLOR = "#8c8c8c"
ACTIVE_COLOR = "#e69f00"     # Okabe-Ito orange: the node/edges of the current step
FLAG_COLOR = "#cc00cc"       # border of nodes whose data or grad is NaN/inf
BORDER_COLOR = "#4d4d4d"
OUTPUT_COLOR = "#111111"
OP_FILL = "#f2f2f2"


def symmetric_limit(grads) -> float:
    """Half-width of the colour scale: the largest finite |grad| (1 when all are 0 or non-finite)."""
    g = np.abs(np.asarray(grads, dtype=float))
    g = g[np.isfinite(g)]
    m = float(g.max()) if g.size else 0.0
    return m if m > 0 else 1.0
