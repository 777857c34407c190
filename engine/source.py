"""Write a graph back as text in the expression language, so that ``parse`` rebuilds it.

A graph loaded from a file or a ``Value`` object then becomes editable and fits in a link.
"""
from __future__ import annotations

import keyword
import math
import re
import unicodedata

from .convert import as_value, value_order
from .expression import FUNCTIONS, MAX_DEPTH, MAX_SOURCE_CHARS, ExpressionError
from .ops import OPS, fill

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


def _is_name(label: str) -> bool:
    """``label`` can be assigned to in the language as it is."""
    return (label.isidentifier() and label.isascii() and not keyword.iskeyword(label)
            and label not in FUNCTIONS and label != "__debug__")


def _ascii(label: str) -> str:
    """``label`` in ASCII: accents dropped and sub/superscripts made digits (Unicode's NFKD:
    ``é`` -> ``e``, ``x₁`` -> ``x1``), other letters spelled by name (``α`` -> ``alpha``,
    ``Δ`` -> ``Delta``), any other character ``_``."""
    parts = []
    for ch in unicodedata.normalize("NFKD", label):
        if ch.isascii():
            parts.append(ch)
        elif ch.isalpha():
            words = unicodedata.name(ch, "").split() or ["_"]
            word = words[-1].lower().capitalize() if "CAPITAL" in words else words[-1].lower()
            parts.append(f"_{word}_")
        elif not unicodedata.combining(ch):
            parts.append("_")
    return "".join(parts)


def _identifier(label: str, taken: set, kept: set) -> str:
    """``label`` if it is one of ``kept`` (the graph's labels that are names in the language)
    and still free, else the nearest name the parser accepts (ASCII, not a keyword or a
    function), clear of ``taken`` and of the labels kept as they are."""
    if label in kept and label not in taken:
        taken.add(label)
        return label
    name = re.sub(r"\W+", "_", _ascii(label), flags=re.ASCII).strip("_") or "v"
    if not (name[0].isalpha() or name[0] == "_"):
        name = "v" + name
    if not _is_name(name):          # a keyword or a function's name
        name += "_"
    base, k = name, 1
    while name in taken or name in kept:
        k += 1
        name = f"{base}_{k}"
    taken.add(name)
    return name


def to_source(root) -> str:
    """A program that :func:`engine.parse` turns into the graph of ``root``: the same nodes,
    edges, operand order and leaf values (bit for bit), so the same ids and numbers.

    Labels that are names in the language are kept; others become the nearest name it accepts,
    in ASCII (``w[1][0][2]`` -> ``w_1_0_2``, ``α`` -> ``alpha``, ``x₁`` -> ``x1``, ``tanh`` ->
    ``tanh_``), unique and never a label kept as it is. Unlabeled nodes used once are written
    inline; a reused or leaf node without a label is given one (``v7``). An unlabeled output is
    written as a bare final expression (parse labels it ``out``).

    Raises :class:`ExpressionError` when the graph cannot be written within the language's
    limits: a NaN leaf, the negation of a number literal, or text over 20,000 characters.
    """
    root = as_value(root)
    order = value_order(root)
    uses: dict[int, int] = {}
    for v in order:
        for c in v._prev:
            uses[id(c)] = uses.get(id(c), 0) + 1
    taken: set = set()
    kept = {v.label for v in order if _is_name(v.label)}
    ref: dict[int, str] = {}        # how a node is written where it is used
    depth: dict[int, int] = {}
    lines = []
    for k, v in enumerate(order):
        if v._const:
            ref[id(v)], depth[id(v)] = _literal(v.data), 0
            continue
        if not v._prev:                                   # a leaf: always a named assignment
            name = _identifier(v.label or f"v{k}", taken, kept)
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
            name = _identifier(v.label or f"v{k}", taken, kept)
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
