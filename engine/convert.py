"""Bring any micrograd-style value (karpathy's micrograd included) into this engine."""
from __future__ import annotations

import numbers

from .expression import MAX_NODES
from .ops import resolve
from .topo import GraphError, operands, topo_order
from .value import Value


def value_order(root) -> list:
    """``topo_order(root)`` of a user's graph, refused when it is none this app can show:
    ``TypeError`` for a node that is not a micrograd-style Value (a list, a number),
    :class:`GraphError` for a cycle or for more than ``MAX_NODES`` nodes (the limit of
    ``parse`` and ``from_flow``; the walk stops there)."""
    order = topo_order(root, max_nodes=MAX_NODES)
    position = {id(v): k for k, v in enumerate(order)}
    for k, v in enumerate(order):
        data = getattr(v, "data", None)
        if not isinstance(data, numbers.Real) or isinstance(data, bool):
            where = "" if v is root else f" inside the graph of {_short(root)}"
            raise TypeError(f"expected a micrograd-style Value (with a number .data, and ._prev "
                            f"and ._op), got {_short(v)}{where}")
        for c in operands(v):
            if position[id(c)] > k:     # topo_order put an operand after its user: a cycle
                raise GraphError(f"the graph has a cycle ({_short(c)} depends on itself through "
                                 f"{_short(v)}); a compute graph cannot")
    return order


def _short(x) -> str:
    """``x`` for a message: the start of its repr, after its type unless the repr names it."""
    text = repr(x)
    text = text if len(text) <= 60 else text[:57] + "..."
    return text if text.startswith(type(x).__name__) else f"{type(x).__name__} {text}"


def as_value(root) -> Value:
    """``root`` itself if it is an engine ``Value``, else an engine copy of its graph.

    The copy has the same structure, leaf data and labels (micrograd's op names like ``'ReLU'``
    and ``'**2'`` are mapped to this engine's ops), and recomputes intermediate data with the
    engine's rules. Raises :class:`GraphError` for an op the engine does not know, and as
    :func:`value_order` says.
    """
    if isinstance(root, Value):
        return root
    copies: dict[int, Value] = {}
    for v in value_order(root):
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
