"""A ``param.Parameterized`` class generated per expression: one ``param.Number`` per leaf.

Parameter names are the engine's leaf ids (``v0``, ``v3``, ...; always valid identifiers, even for
labels like ``w[1][0][2]``); each parameter's ``label`` is the leaf's label, so widgets read well.
"""

from __future__ import annotations

import math

import param


def slider_range(value: float) -> tuple[float, float, float]:
    """A slider range around an initial leaf value.

    Returns ``(start, end, step)``: the value sits in the middle of a span of
    ``max(2, 2*|value|)`` on each side, rounded to a readable number, with 200 steps.
    Non-finite values get ``(-10, 10, 0.1)``.
    """
    if not math.isfinite(value):
        return -10.0, 10.0, 0.1
    half = max(2.0, 2.0 * abs(value))
    # round the half-span up to 1, 2 or 5 times a power of ten, so bounds read cleanly
    mag = 10 ** math.floor(math.log10(half))
    half = next(m * mag for m in (1, 2, 5, 10) if m * mag >= half)
    step = half / 100
    lo = math.floor((value - half) / step) * step
    hi = math.ceil((value + half) / step) * step
    return round(lo, 12), round(hi, 12), step


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
