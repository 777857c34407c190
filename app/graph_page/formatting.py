"""Pure text formatting for the app: numbers, node captions, op symbols, LaTeX.

Nothing here does arithmetic on the graph; it only turns numbers and engine strings into text.
Op symbols and formulas come from the engine's op table (``engine.ops.OPS``).
"""

from __future__ import annotations

import math

from engine.ops import OPS

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
    if op in OPS:
        return OPS[op].symbol
    if op.startswith("**"):         # micrograd's '**2': the exponent is part of the name
        return OPS["**"].symbol + op[2:]
    return op


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
    # Panel's LaTeX pane sets its text as innerHTML before KaTeX reads it: a raw "<" would
    # start an HTML element (an uploaded label "<img ...>" became one)
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def latex_escape(text: str) -> str:
    """Escape ``text`` for use inside ``\\text{...}``."""
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text)


#: A label longer than this is shortened in the step panel's math: a 48-character output name
#: written out in every fraction pushed the chain rule past the panel's right edge (at 1366 px
#: 1,070 px of math in 726; at 1024 px, 964 in 434). The whole name stays in the plain-text
#: column beside the math and in the graph's hover.
MATH_LABEL_CHARS = 12


def short_label(label: str) -> str:
    """``label`` if at most :data:`MATH_LABEL_CHARS` long, else its head and tail around an
    ellipsis (``the_tot\u2026work``): the tail keeps ``loss_a`` and ``loss_b`` apart."""
    if len(label) <= MATH_LABEL_CHARS:
        return label
    return label[:MATH_LABEL_CHARS - 5] + "\u2026" + label[-4:]


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
    if len(label) > MATH_LABEL_CHARS:
        return rf"\text{{{latex_escape(short_label(label))}}}"
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
