"""Every operation of the engine in one table, the only place an op is described: its name,
symbol and syntax, its forward rule beside its local derivatives (scalar, and vectorised for
the compiled tape where the scalar rule does not already work on numpy arrays), and the same
rules written as text and LaTeX for the step narration. Everything else (``Value``'s
operators, the expression language, ``to_source``, the tape, the steps, the app's symbols and
formulas) is derived from ``OPS``.

Arithmetic follows IEEE 754 as PyTorch does, never raising: ``1/0 = inf``, ``0/0 = nan``,
``exp(1000) = inf``, ``log(-1) = nan``, ``(-8)**(1/3) = nan``.

A rule's functions take the operand values ``a`` (and ``b``) and the result ``out``.
Templates (syntax, formulas, LaTeX) write them ``$a``, ``$b`` and ``$out`` (see :func:`fill`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from string import Template
from typing import Callable

import numpy as np

INF, NAN = math.inf, math.nan


# ---- scalar arithmetic that never raises -------------------------------------------------

def div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _is_odd_integer(x: float) -> bool:
    return math.isfinite(x) and x == int(x) and int(x) % 2 == 1


def power(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except OverflowError:   # |result| too large: the sign survives only for odd integer powers
        return -INF if a < 0 and _is_odd_integer(b) else INF
    except ValueError:      # 0 to a negative power, or a negative base to a fractional power
        if a == 0:
            return math.copysign(INF, a) if _is_odd_integer(b) else INF
        return NAN


def exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def log(x: float) -> float:
    if x > 0 or x != x:
        return math.log(x)
    return -INF if x == 0 else NAN


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + exp(-x))
    e = exp(x)     # for x < 0 this form cannot overflow
    return e / (1.0 + e)


def relu(x: float) -> float:
    return 0.0 if x < 0 else x + 0.0   # + 0.0 turns -0.0 into 0.0; NaN stays NaN, as in torch


def sign(x: float) -> float:
    """-1, 0 or 1 (NaN stays NaN), as torch.sign: the derivative of abs, with abs'(0) = 0."""
    return 1.0 if x > 0 else -1.0 if x < 0 else x * 0.0


def _np_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _np_pow_local(a, b, out):
    d_base = np.where(b == 0, 0.0, b * np.power(a, b - 1))
    d_exp = np.where((a == 0) & (b >= 0), 0.0, out * np.log(a))
    return d_base, d_exp


# ---- the table ------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Op:
    """One operation, built with keywords.

    ``forward(*operands) -> out`` and ``local(*operands, out) -> tuple`` of d out / d operand;
    ``np_forward``/``np_local`` the same on numpy arrays (default: the scalar rules, which
    then must work on arrays too). ``syntax`` how the expression language (and Python) writes
    it; ``dunder`` the Python operator method ``Value`` gets (``"add"``: ``__add__`` and, for
    two operands, ``__radd__``); ``symbol`` how the graph draws the op node; ``aliases`` names
    other engines use; ``formulas``/``latex_local`` the local derivatives as text/LaTeX and
    ``latex`` the forward rule as LaTeX, all templates over ``$a``, ``$b``, ``$out``.
    ``latex_name`` names a one-operand op in LaTeX (default ``\\operatorname{name}``): its
    ``latex`` defaults to ``name(a)`` written with it, and a neuron step's chain writes its
    derivative ``name'(a)``. ``activation``: a neuron's nonlinearity, which ``engine.scopes``
    looks for when it finds neurons by structure. ``kink``: its derivative jumps where its
    (one) operand crosses 0, which ``engine.gradcheck`` names as the reason for a disagreement.
    """
    name: str
    arity: int
    syntax: str
    symbol: str
    forward: Callable
    local: Callable
    formulas: tuple
    latex_local: tuple
    latex: str = ""
    np_forward: Callable | None = None
    np_local: Callable | None = None
    dunder: str = ""
    aliases: tuple = ()
    latex_name: str = ""
    activation: bool = False
    kink: bool = False

    def __post_init__(self):
        if self.arity not in (1, 2):        # engine.backprop's sweeps spell out both cases
            raise ValueError(f"op {self.name!r}: arity must be 1 or 2, got {self.arity}")
        for rule in ("forward", "local"):
            if getattr(self, "np_" + rule) is None:
                object.__setattr__(self, "np_" + rule, getattr(self, rule))
        if self.arity == 1 and not self.latex_name:
            object.__setattr__(self, "latex_name", rf"\operatorname{{{self.name}}}")
        if self.arity == 1 and not self.latex:
            object.__setattr__(self, "latex", rf"{self.latex_name}\left($a\right)")
        if not self.latex:
            raise ValueError(f"op {self.name!r}: a two-operand op needs its latex")

    @property
    def is_function(self) -> bool:
        """Written as a call, ``name(x)``: a function of the language and a ``Value`` method."""
        return self.syntax == f"{self.name}($a)"


def fill(template: str, a: str = "", b: str = "", out: str = "") -> str:
    """A template of the table with its operands written in: ``fill("$a * $b", "x", "2")``."""
    return Template(template).substitute(a=a, b=b, out=out)


OPS: dict[str, Op] = {op.name: op for op in (
    Op(name="+", arity=2, syntax="$a + $b", symbol="+", dunder="add", aliases=("add",),
       forward=lambda a, b: a + b, local=lambda a, b, out: (1.0, 1.0),
       formulas=("1", "1"), latex="$a + $b", latex_local=("1", "1")),
    Op(name="-", arity=2, syntax="$a - $b", symbol="\u2212", dunder="sub", aliases=("sub",),
       forward=lambda a, b: a - b, local=lambda a, b, out: (1.0, -1.0),
       formulas=("1", "-1"), latex="$a - $b", latex_local=("1", "-1")),
    Op(name="*", arity=2, syntax="$a * $b", symbol="\u00d7", dunder="mul", aliases=("mul",),
       forward=lambda a, b: a * b, local=lambda a, b, out: (b, a),
       formulas=("$b", "$a"), latex=r"$a \times $b", latex_local=("$b", "$a")),
    # -out/b is -a/b**2 without the underflow of b*b (as torch computes it); on arrays a / b
    # cannot raise, so div serves numpy as it is
    Op(name="/", arity=2, syntax="$a / $b", symbol="\u00f7", dunder="truediv",
       aliases=("div",),
       forward=div, local=lambda a, b, out: (div(1.0, b), -div(out, b)),
       formulas=("1/$b", "-$a/$b**2"),
       latex=r"$a \div $b", latex_local=(r"\frac{1}{$b}", r"\frac{-$a}{$b^{2}}")),
    # d/d exponent is 0 where torch makes it 0 (base 0, exponent >= 0), else out * ln(base):
    # NaN for a negative base, as in torch.
    Op(name="**", arity=2, syntax="$a ** $b", symbol="^", dunder="pow", aliases=("pow",),
       forward=power,
       local=lambda a, b, out: (0.0 if b == 0 else b * power(a, b - 1.0),
                                0.0 if a == 0 and b >= 0 else out * log(a)),
       np_forward=np.power, np_local=_np_pow_local,
       formulas=("$b * $a**($b - 1)", "$out * log($a)"),
       latex="$a^{$b}", latex_local=(r"$b \cdot $a^{$b - 1}", r"$out \cdot \ln\left($a\right)")),
    Op(name="neg", arity=1, syntax="-$a", symbol="\u2212", dunder="neg", latex_name="-",
       forward=lambda a: -a, local=lambda a, out: (-1.0,),
       formulas=("-1",), latex_local=("-1",)),
    Op(name="tanh", arity=1, syntax="tanh($a)", symbol="tanh", aliases=("TANH",),
       activation=True, latex_name=r"\tanh",
       forward=math.tanh, local=lambda a, out: (1.0 - out * out,), np_forward=np.tanh,
       formulas=("1 - $out**2",), latex_local=("1 - $out^{2}",)),
    Op(name="relu", arity=1, syntax="relu($a)", symbol="ReLU", aliases=("ReLU", "Relu"),
       activation=True, kink=True,
       forward=relu, local=lambda a, out: (1.0 if out > 0 else 0.0,),
       np_forward=lambda a: np.where(a < 0, 0.0, a + 0.0),
       np_local=lambda a, out: ((out > 0).astype(float),),
       formulas=("1 if $out > 0 else 0",),
       latex_local=("[$out > 0]",)),
    Op(name="exp", arity=1, syntax="exp($a)", symbol="exp", latex_name=r"\exp",
       forward=exp, local=lambda a, out: (out,), np_forward=np.exp,
       formulas=("$out",), latex_local=("$out",)),
    Op(name="log", arity=1, syntax="log($a)", symbol="log", latex_name=r"\ln",
       forward=log, local=lambda a, out: (div(1.0, a),), np_forward=np.log,
       formulas=("1/$a",), latex_local=(r"\frac{1}{$a}",)),
    Op(name="sigmoid", arity=1, syntax="sigmoid($a)", symbol="\u03c3", activation=True,
       latex_name=r"\sigma",
       forward=sigmoid, local=lambda a, out: (out * (1.0 - out),), np_forward=_np_sigmoid,
       formulas=("$out * (1 - $out)",), latex_local=(r"$out \cdot \left(1 - $out\right)",)),
    # the builtin abs serves numpy arrays as it is; abs'(0) = 0, as in torch
    Op(name="abs", arity=1, syntax="abs($a)", symbol="abs", dunder="abs", kink=True,
       forward=abs, local=lambda a, out: (sign(a),), np_local=lambda a, out: (np.sign(a),),
       formulas=("sign($a)",), latex=r"\left|$a\right|",
       latex_local=(r"\operatorname{sign}\left($a\right)",)),
)}

#: A neuron's nonlinearities (``engine.scopes`` finds neurons by them).
ACTIVATIONS = tuple(op.name for op in OPS.values() if op.activation)

# Names other micrograd-style engines give the same operations (karpathy's micrograd: 'ReLU'),
# and the symbols the graph draws (an exported graph's op nodes may carry them).
ALIASES = {alias: op.name for op in OPS.values() for alias in op.aliases}
ALIASES.update({op.symbol: op.name for op in OPS.values() if op.arity == 2 and op.symbol != op.name})


def resolve(op: str, n_operands: int) -> tuple[Op, float | None]:
    """The table entry for an op name seen in a foreign graph, and, for micrograd's unary
    ``'**2'`` style (the exponent baked into the name), that constant exponent.

    Raises ``KeyError`` with a readable message for an unknown op or a wrong operand count.
    """
    name = ALIASES.get(op, op)
    if name == "-" and n_operands == 1:
        name = "neg"
    exponent = None
    if name.startswith("**") and len(name) > 2 and n_operands == 1:
        try:
            exponent = float(name[2:])
        except ValueError:
            raise KeyError(f"unknown operation {op!r}") from None
        name = "**"
    if name not in OPS:
        raise KeyError(f"unknown operation {op!r} (known: {', '.join(OPS)})")
    spec = OPS[name]
    expected = spec.arity - (exponent is not None)
    if n_operands != expected:
        raise KeyError(f"operation {op!r} takes {expected} input(s), got {n_operands}")
    return spec, exponent
