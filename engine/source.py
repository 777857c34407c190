"""Write a graph back as text in the expression language, so that ``parse`` rebuilds it.

A graph loaded from a file or a ``Value`` object then becomes editable and fits in a link.
"""
from __future__ import annotations

import keyword
import math
import re

from .convert import as_value
from .expression import FUNCTIONS, MAX_DEPTH, MAX_SOURCE_CHARS, ExpressionError
from .ops import OPS, fill
from .topo import topo_order

# An unnamed intermediate is written inline into its one user, up to this nesting; deeper
# ones get a name, so long chains stay far from the parser's nesting limit.
INLINE_DEPTH = min(40, MAX_DEPTH // 4)


def _literal(x: float) -> str:
    if math.isnan(x):
        raise ExpressionError("a NaN cannot be written as a number in the language")
    if math.isinf(x):
        return "1e999" if x > 0 else "(-1e999)"
    text = repr(float(x))
    return f"({text})" if x < 0 or text.startswith("-") else text


def _identifier(label: str, taken: set) -> str:
    """``label`` if it can be a name in the language, else the nearest name that can."""
    name = label if label.isidentifier() and label.isascii() else re.sub(r"\W+", "_", label)
    name = name.strip("_") if name.strip("_") else "v"
    if not (name[0].isalpha() or name[0] == "_"):
        name = "v" + name
    if keyword.iskeyword(name) or name in FUNCTIONS:
        name += "_"
    base, k = name, 1
    while name in taken:
        k += 1
        name = f"{base}_{k}"
    taken.add(name)
    return name


def to_source(root) -> str:
    """A program that :func:`engine.parse` turns into the graph of ``root``: the same nodes,
    edges, operand order and leaf values (bit for bit), so the same ids and numbers.

    Labels that are names in the language are kept; others become the nearest valid name
    (``w[1][0][2]`` -> ``w_1_0_2``). Unlabeled nodes used once are written inline; a reused
    or leaf node without a label is given one (``v7``). An unlabeled output is written as a bare
    final expression (parse labels it ``out``).

    Raises :class:`ExpressionError` when the graph cannot be written within the language's
    limits: a NaN leaf, the negation of a number literal, or text over 20,000 characters.
    """
    root = as_value(root)
    order = topo_order(root)
    uses: dict[int, int] = {}
    for v in order:
        for c in v._prev:
            uses[id(c)] = uses.get(id(c), 0) + 1
    taken: set = set()
    ref: dict[int, str] = {}        # how a node is written where it is used
    depth: dict[int, int] = {}
    lines = []
    for k, v in enumerate(order):
        if v._const:
            ref[id(v)], depth[id(v)] = _literal(v.data), 0
            continue
        if not v._prev:                                   # a leaf: always a named assignment
            name = _identifier(v.label or f"v{k}", taken)
            lines.append(f"{name} = {_literal(v.data).strip('()')}")
            ref[id(v)], depth[id(v)] = name, 0
            continue
        args = [ref[id(c)] for c in v._prev]
        op = OPS[v._op]
        expr = fill(op.syntax, *args)
        if not op.is_function:                  # an operator: parenthesised where it is used
            if op.arity == 1 and v._prev[0]._const:     # a prefix operator on a literal
                raise ExpressionError("the negation of a number literal cannot be written as "
                                      "text (the language reads -2 as the number -2)")
            expr = f"({expr})"
        d = 1 + max(depth[id(c)] for c in v._prev)
        named = bool(v.label) or uses.get(id(v), 0) > 1 or d > INLINE_DEPTH
        if v is root and not v.label:
            lines.append(expr[1:-1] if expr.startswith("(") else expr)
        elif named or v is root:
            name = _identifier(v.label or f"v{k}", taken)
            lines.append(f"{name} = {expr[1:-1] if expr.startswith('(') else expr}")
            ref[id(v)], depth[id(v)] = name, 0
        else:
            ref[id(v)], depth[id(v)] = expr, d
    if root._const:          # a graph that is one number literal
        lines.append(ref[id(root)])
    text = "\n".join(lines) + "\n"
    if len(text) > MAX_SOURCE_CHARS:
        raise ExpressionError(f"the graph is too large to write as text ({len(text):,} "
                              f"characters; the limit is {MAX_SOURCE_CHARS:,})")
    return text
