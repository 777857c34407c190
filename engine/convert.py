"""Bring any micrograd-style value (karpathy's micrograd included) into this engine."""
from __future__ import annotations

from .ops import resolve
from .topo import operands, topo_order
from .value import Value


class GraphError(ValueError):
    """A graph this engine cannot compute: unknown op, wrong arity, cycle, dangling edge..."""


def as_value(root) -> Value:
    """``root`` itself if it is an engine ``Value``, else an engine copy of its graph.

    The copy has the same structure, leaf data and labels (micrograd's op names like ``'ReLU'``
    and ``'**2'`` are mapped to this engine's ops), and recomputes intermediate data with the
    engine's rules. Raises :class:`GraphError` for an op the engine does not know.
    """
    if isinstance(root, Value):
        return root
    copies: dict[int, Value] = {}
    for v in topo_order(root):
        children = [copies[id(c)] for c in operands(v)]
        label = str(getattr(v, "label", "") or "")
        if not children:
            copies[id(v)] = Value(v.data, label=label)
            continue
        spec, exponent, children = _resolve(str(v._op), children)
        if exponent is not None:
            children.append(Value.constant(exponent))
        out = children[0]._apply(spec.name, *children[1:])
        out.label = label
        copies[id(v)] = out
    return copies[id(root)]


def _resolve(op: str, children: list) -> tuple:
    """``(op spec, constant exponent or None, operands)`` for a micrograd-style node. An op that
    takes two operands but has one is micrograd's ``x*x`` or ``x+x``: its set keeps the operand
    once, so it is used twice."""
    try:
        return (*resolve(op, len(children)), children)
    except KeyError as e:
        if len(children) == 1:
            try:
                return (*resolve(op, 2), children * 2)
            except KeyError:
                pass
        raise GraphError(e.args[0]) from None
