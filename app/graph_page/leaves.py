"""A ``param.Parameterized`` class generated per expression: one ``param.Number`` per leaf.

Parameter names are the engine's leaf ids (``v0``, ``v3``, ...; always valid identifiers, even for
labels like ``w[1][0][2]``); each parameter's ``label`` is the leaf's label, so widgets read well.
"""

from __future__ import annotations

import math
import re
import sys

import param


def slider_range(value: float) -> tuple[float, float, float]:
    """A slider range around an initial leaf value.

    Returns ``(start, end, step)``: the value sits in the middle of a span of
    ``max(2, 2*|value|)`` on each side, rounded to a readable number, with 200 steps; bounds
    stay inside the float range (``a = 1e308`` gets a slider too) and the span ``end - start``
    at most ``2 * HALF_SPAN_MAX`` and two steps: the browser's slider (noUiSlider) works in
    percent of the span, ``(value - start) * 100``, and past the float range that made every
    step NaN (a span of 2.6e308) or sent the handle to an end (1e308 within [5e307, 1.5e308]).
    Non-finite values get ``(-10, 10, 0.1)``.
    """
    if not math.isfinite(value):
        return -10.0, 10.0, 0.1
    half = min(max(2.0, 2.0 * abs(value)), HALF_SPAN_MAX)
    # round the half-span up to 1, 2 or 5 times a power of ten, so bounds read cleanly
    mag = 10.0 ** math.floor(math.log10(half))
    half = min(next(m * mag for m in (1, 2, 5, 10) if half <= m * mag), HALF_SPAN_MAX)
    step = half / 100
    return _snap(value - half, step, math.floor), _snap(value + half, step, math.ceil), step


_FLOAT_MAX = sys.float_info.max
HALF_SPAN_MAX = 5e305     # a readable half-span: its double and two steps, times 100, stay below _FLOAT_MAX


def joined_range(a: tuple, b: tuple) -> tuple[float, float, float]:
    """The union of two slider ranges ``(start, end, step)`` with the coarser step, or ``b``
    alone where the union spans more than the browser's slider can (``slider_range``: a range
    around 2 joined with one around 1e307)."""
    start, end = min(a[0], b[0]), max(a[1], b[1])
    if not math.isfinite((end - start) * 100):
        return b
    return start, end, max(a[2], b[2])


def _snap(x: float, step: float, rounding) -> float:
    """``x`` rounded (floor or ceil) to a multiple of ``step``, clamped to the float range."""
    snapped = rounding(x / step) * step if math.isfinite(x) else x
    if not math.isfinite(snapped):
        return math.copysign(_FLOAT_MAX, x)
    return round(snapped, 12)


def make_leaf_model(leaf_ids, labels, values, name="Leaves") -> param.Parameterized:
    """Generate a class with a ``param.Number`` per leaf and return an instance of it.

    Parameters
    ----------
    leaf_ids : list of str
        Parameter names (engine leaf ids), in slider order.
    labels : dict
        leaf id -> display label.
    values : dict
        leaf id -> initial value.

    Returns
    -------
    param.Parameterized
        An instance whose parameters are the leaves; ``inst.param[id].softbounds`` is the slider
        range and ``inst.param[id].step`` its step.
    """
    params = {}
    for lid in leaf_ids:
        v = float(values[lid])
        lo, hi, step = slider_range(v)
        params[lid] = param.Number(
            default=v,
            softbounds=(lo, hi),
            step=step,
            label=str(labels.get(lid, lid)),
            doc=f"leaf {labels.get(lid, lid)!r}",
        )
    cls = param.parameterized_class(name, params)
    return cls()


def leaf_values(leaves: param.Parameterized, leaf_ids) -> dict:
    """Current values of a generated leaf model, leaf id -> float."""
    return {lid: float(getattr(leaves, lid)) for lid in leaf_ids}


def source_order(leaf_ids, labels, source: str) -> list:
    """``leaf_ids`` in the order their labels are first assigned in ``source`` (``x = 1; y = 2``
    lists x first), so sliders read like the editor; leaves the text does not assign (a Value
    from code) follow in their given order. One pass over the text (an inspected sample
    has hundreds of leaves)."""
    first = {}
    for m in _ASSIGNMENT.finditer(source or ""):
        first.setdefault(m.group(1), m.start())
    def key(item):
        index, lid = item
        return (first.get(str(labels.get(lid, lid)), math.inf), index)

    return [lid for _, lid in sorted(enumerate(leaf_ids), key=key)]


#: ``name =`` at the start of a statement (not ``==``): the name is what precedes the ``=``
_ASSIGNMENT = re.compile(r"(?:^|[;\n])[ \t]*([^=;\n]*?)[ \t]*=(?!=)")
