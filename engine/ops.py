"""Every operation of the engine in one table: its forward rule, its local derivatives, the
same two rules vectorised for the compiled tape, and the local derivatives written as formulas
for the step narration.

Arithmetic follows IEEE 754 as PyTorch does, never raising: ``1/0 = inf``, ``0/0 = nan``,
``exp(1000) = inf``, ``log(-1) = nan``, ``(-8)**(1/3) = nan``.

A rule's scalar functions take the operand values ``a`` (and ``b``) and the result ``out``.
Formulas use ``{a}``, ``{b}`` and ``{out}`` for the operands' and the result's data.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
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


def _np_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _np_pow_local(a, b, out):
    d_base = np.where(b == 0, 0.0, b * np.power(a, b - 1))
    d_exp = np.where((a == 0) & (b >= 0), 0.0, out * np.log(a))
    return d_base, d_exp


# ---- the table ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Op:
    """One operation. ``forward(*operands) -> out``; ``local(*operands, out) -> tuple`` of
    d out / d operand; ``*_np`` the same on numpy arrays; ``formulas`` the local derivatives
    as text; ``symbol`` how the graph draws the op node."""
    name: str
    arity: int
    forward: Callable
    local: Callable
    forward_np: Callable
    local_np: Callable
    formulas: tuple
    symbol: str


OPS: dict[str, Op] = {op.name: op for op in (
    Op("+", 2, lambda a, b: a + b, lambda a, b, out: (1.0, 1.0),
       np.add, lambda a, b, out: (1.0, 1.0),
       ("1", "1"), "+"),
    Op("-", 2, lambda a, b: a - b, lambda a, b, out: (1.0, -1.0),
       np.subtract, lambda a, b, out: (1.0, -1.0),
       ("1", "-1"), "\u2212"),
    Op("*", 2, lambda a, b: a * b, lambda a, b, out: (b, a),
       np.multiply, lambda a, b, out: (b, a),
       ("{b}", "{a}"), "\u00d7"),
    # -out/b is -a/b**2 without the underflow of b*b (as torch computes it)
    Op("/", 2, div, lambda a, b, out: (div(1.0, b), -div(out, b)),
       np.divide, lambda a, b, out: (1.0 / b, -out / b),
       ("1/{b}", "-{a}/{b}**2"), "\u00f7"),
    # d/d exponent is 0 where torch makes it 0 (base 0, exponent >= 0), else out * ln(base):
    # NaN for a negative base, as in torch.
    Op("**", 2, power,
       lambda a, b, out: (0.0 if b == 0 else b * power(a, b - 1.0),
                          0.0 if a == 0 and b >= 0 else out * log(a)),
       np.power, _np_pow_local,
       ("{b} * {a}**({b} - 1)", "{out} * log({a})"), "^"),
    Op("neg", 1, lambda a: -a, lambda a, out: (-1.0,),
       np.negative, lambda a, out: (-1.0,),
       ("-1",), "\u2212"),
    Op("tanh", 1, math.tanh, lambda a, out: (1.0 - out * out,),
       np.tanh, lambda a, out: (1.0 - out * out,),
       ("1 - {out}**2",), "tanh"),
    Op("relu", 1, relu, lambda a, out: (1.0 if out > 0 else 0.0,),
       lambda a: np.where(a < 0, 0.0, a + 0.0), lambda a, out: ((out > 0).astype(float),),
       ("1 if {out} > 0 else 0",), "ReLU"),
    Op("exp", 1, exp, lambda a, out: (out,),
       np.exp, lambda a, out: (out,),
       ("{out}",), "exp"),
    Op("log", 1, log, lambda a, out: (div(1.0, a),),
       np.log, lambda a, out: (1.0 / a,),
       ("1/{a}",), "log"),
    Op("sigmoid", 1, sigmoid, lambda a, out: (out * (1.0 - out),),
       _np_sigmoid, lambda a, out: (out * (1.0 - out),),
       ("{out} * (1 - {out})",), "\u03c3"),
)}

# Names other micrograd-style engines give the same operations (karpathy's micrograd: 'ReLU').
ALIASES = {"ReLU": "relu", "Relu": "relu", "TANH": "tanh", "sub": "-", "add": "+", "mul": "*",
           "div": "/", "pow": "**", "\u2212": "-", "\u00d7": "*", "\u00f7": "/", "^": "**"}


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
