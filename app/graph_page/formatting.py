"""Pure text formatting for the app: numbers, node captions, op symbols, LaTeX.

Nothing here does arithmetic on the graph; it only turns numbers and engine strings into text.
"""

from __future__ import annotations

import ast
import math

#: How op names from the engine are drawn inside op circles (anything else is drawn verbatim).
OP_SYMBOLS = {
    "+": "+",
    "-": "\u2212",
    "*": "\u00d7",
    "/": "\u00f7",
    "**": "^",
    "neg": "\u2212",
    "tanh": "tanh",
    "relu": "ReLU",
    "exp": "exp",
    "log": "log",
    "sigmoid": "\u03c3",
}


def fmt(x) -> str:
    """Format a number with 4 significant digits.

    Parameters
    ----------
    x : float or None
        The number; ``None`` means "not computed yet".

    Returns
    -------
    str
        e.g. ``"6"``, ``"-0.7071"``, ``"1.235e+05"``, ``"nan"``, ``"inf"``, ``"?"`` for None.
    """
    if x is None:
        return "?"
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"  # no "-0"
    return f"{x:.4g}"


def op_symbol(op: str) -> str:
    """The short symbol drawn in an op circle for the engine's op name ``op``."""
    if op.startswith("**") and op != "**":
        return "^" + op[2:]
    return OP_SYMBOLS.get(op, op)


def node_caption(label: str, data, grad, pending: bool = False, const: bool = False) -> str:
    """The caption of a value box: ``"label | data | grad"`` with 4 significant digits; a
    number literal (``const``) reads as its number alone.

    ``pending`` (forward mode, node not computed yet) shows ``?`` for data and grad.
    """
    if const:
        return fmt(data)
    if pending:
        return f"{label} | ? | \u2013"
    return f"{label} | {fmt(data)} | {fmt(grad)}"


def is_finite(x) -> bool:
    """True when ``x`` is a finite float (NaN and +-inf are flagged in the plot)."""
    return math.isfinite(float(x))


# --------------------------------------------------------------------------- LaTeX

_LATEX_SPECIALS = {
    "\\": r"\backslash{}",
    "{": r"\{",
    "}": r"\}",
    "_": r"\_",
    "#": r"\#",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "^": r"\^{}",
    "~": r"\sim{}",
}


def latex_escape(text: str) -> str:
    """Escape ``text`` for use inside ``\\text{...}``."""
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text)


_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "theta", "lambda", "mu", "sigma", "tau", "phi", "omega"}


def latex_symbol(label: str) -> str:
    """A value label as a math symbol: ``a`` -> ``a``, ``x1`` -> ``x_{1}``, ``w1`` -> ``w_{1}``,
    ``x1w1`` -> ``\\mathit{x1w1}``, ``w[1][0][2]`` -> ``w_{[1][0][2]}``, ``-3`` -> ``(-3)``."""
    if not label:
        return r"\square"
    try:
        float(label)
        return fmt_latex_number(float(label))
    except ValueError:
        pass
    if len(label) == 1 and label.isalpha():
        return label
    if label in _GREEK:
        return "\\" + label
    head = label.rstrip("0123456789")
    if head and head.isalpha() and len(head) <= 2 and head != label:
        sym = head if len(head) == 1 else rf"\mathit{{{head}}}"
        return rf"{sym}_{{{label[len(head):]}}}"
    if "[" in label and label[0].isalpha() and label.index("[") <= 2:
        i = label.index("[")
        return rf"{label[:i]}_{{{latex_escape(label[i:])}}}"
    if label.isidentifier() and "_" not in label:
        return rf"\mathit{{{label}}}"
    return rf"\text{{{latex_escape(label)}}}"


def latex_number(x) -> str:
    """A number for LaTeX in the captions' notation (:func:`fmt`): ``1.5e+20``, ``-inf``,
    ``nan``, set upright, so the step panel and the boxes read the same on one screen."""
    s = fmt(x)
    sign, body = ("-", s[1:]) if s.startswith("-") else ("", s)
    if body in ("inf", "nan"):
        body = rf"\mathrm{{{body}}}"
    elif "e" in body:
        mant, exp = body.split("e")
        body = rf"{mant}\mathrm{{e}}{{{exp[0]}}}{exp[1:]}"
    return sign + body


def fmt_latex_number(x) -> str:
    """A number for LaTeX (:func:`latex_number`), parenthesised when negative so products read
    well."""
    s = latex_number(x)
    return f"({s})" if s.startswith("-") else s


def grad_symbol(label: str, output_label: str) -> str:
    """``dL/d label`` as a LaTeX fraction."""
    return rf"\frac{{\partial {latex_symbol(output_label)}}}{{\partial {latex_symbol(label)}}}"


_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: r"\cdot", ast.Div: None, ast.Pow: None}
_CMP = {ast.Gt: ">", ast.GtE: r"\ge", ast.Lt: "<", ast.LtE: r"\le", ast.Eq: "="}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def formula_latex(formula: str, names: dict[str, str] | None = None) -> str:
    """Render an engine local-derivative formula (e.g. ``"1 - out.data**2"``) as LaTeX.

    The formula is only *parsed* with :mod:`ast` (never evaluated). ``x.data`` becomes the symbol
    of ``x`` (``names`` can map formula names to display labels); unknown syntax falls back to
    ``\\texttt{...}`` of the raw string, so any formula renders.

    Parameters
    ----------
    formula : str
        The engine's formula text.
    names : dict, optional
        Formula name -> label to display, e.g. ``{"out": "o"}``.
    """
    names = names or {}
    try:
        tree = ast.parse(formula.strip(), mode="eval")
        return _latex_node(tree.body, names)
    except (SyntaxError, ValueError, RecursionError):
        return rf"\texttt{{{latex_escape(formula)}}}"


def _prec(node) -> int:
    if isinstance(node, ast.BinOp):
        return _PRECEDENCE.get(type(node.op), 3)
    if isinstance(node, ast.UnaryOp):
        return 3
    return 5


def _latex_node(node, names) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return latex_number(node.value)
    if isinstance(node, ast.Name):
        return latex_symbol(names.get(node.id, node.id))
    if isinstance(node, ast.Attribute) and isinstance(node.value, (ast.Name, ast.Subscript)):
        # ``a.data`` or, for labels like ``w[0][1][2]``, ``w[0][1][2].data``
        raw = node.value.id if isinstance(node.value, ast.Name) else ast.unparse(node.value)
        base = latex_symbol(names.get(raw, raw))
        if node.attr == "data":
            return base
        if node.attr == "grad":
            return rf"\operatorname{{grad}}({base})"
        return rf"{base}.\mathrm{{{node.attr}}}"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _latex_node(node.operand, names)
        if _prec(node.operand) < 3:
            inner = rf"\left({inner}\right)"
        return ("-" if isinstance(node.op, ast.USub) else "+") + inner
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        p = _PRECEDENCE[type(node.op)]
        left = _latex_node(node.left, names)
        right = _latex_node(node.right, names)
        if isinstance(node.op, ast.Div):
            return rf"\frac{{{left}}}{{{right}}}"
        if isinstance(node.op, ast.Pow):
            if _prec(node.left) <= p:
                left = rf"\left({left}\right)"
            return rf"{left}^{{{right}}}"
        if _prec(node.left) < p:
            left = rf"\left({left}\right)"
        if _prec(node.right) < p or (_prec(node.right) == p and isinstance(node.op, ast.Sub)):
            right = rf"\left({right}\right)"
        return f"{left} {_BINOPS[type(node.op)]} {right}"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = ", ".join(_latex_node(a, names) for a in node.args)
        fn = node.func.id
        return _call_latex(fn, args)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        # e.g. math.log(a.data)
        args = ", ".join(_latex_node(a, names) for a in node.args)
        fn = node.func.attr
        return _call_latex(fn, args)
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMP:
        return f"{_latex_node(node.left, names)} {_CMP[type(node.ops[0])]} {_latex_node(node.comparators[0], names)}"
    if isinstance(node, ast.IfExp):
        body, orelse = _latex_node(node.body, names), _latex_node(node.orelse, names)
        test = _latex_node(node.test, names)
        if (body, orelse) == ("1", "0"):
            return rf"[{test}]"
        return rf"\begin{{cases}}{body} & {test}\\ {orelse} & \text{{otherwise}}\end{{cases}}"
    raise ValueError("unsupported formula syntax")


_KNOWN_FUNCS = {"exp": r"\exp", "log": r"\ln", "tanh": r"\tanh", "sigmoid": r"\sigma"}


def _call_latex(fn: str, args: str) -> str:
    name = _KNOWN_FUNCS.get(fn, r"\operatorname{" + fn + "}")
    return name + r"\left(" + args + r"\right)"
