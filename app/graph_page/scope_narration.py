"""The step panel's text for a neuron step (``engine.ScopeStep``), as LaTeX (pure functions).

A neuron ``h = tanh(n)``, ``n = w_1 x_1 + w_2 x_2 + b`` at ``dL/dh = g`` reads::

    dL/dw_1 += x_1 * tanh'(n) * dL/dh = 2 * 0.97 * 0.09 = 0.18
    ...

every number is the per-op step's own (``engine.scope_steps``).
"""

from __future__ import annotations

from engine.ops import OPS

from .formatting import fmt_latex_number, grad_symbol, latex_symbol

#: Chain lines written in LaTeX; the rest are counted (the plain text beside lists them all).
MAX_CHAIN_LINES = 4


def scope_title(record) -> str:
    """``"layer 1 / neuron 0: chain rule through h[1][0]"``."""
    return f"{' / '.join(record.scope)}: the chain rule through {record.label}"


def factor_latex(factor) -> str:
    op, name, _ = factor
    if op == "*":
        return latex_symbol(name)
    if op in OPS and OPS[op].arity == 1:
        return rf"{OPS[op].latex_name}'\left({latex_symbol(name)}\right)"
    return rf"\partial({op})/\partial {latex_symbol(name)}"


def scope_latex(record, out_label: str) -> str:
    """LaTeX lines (joined with ``\\\\``) for a neuron step: weights and bias first."""
    terms = sorted(record.chain, key=_reading_order)
    lines = []
    for t in terms[:MAX_CHAIN_LINES]:
        symbols = [factor_latex(f) for f in t.factors] + [grad_symbol(record.label, out_label)]
        numbers = [fmt_latex_number(f[2]) for f in t.factors] + [fmt_latex_number(t.upstream)]
        result = fmt_latex_number(t.contribution)
        if result.startswith("(") and result.endswith(")"):
            result = result[1:-1]
        lines.append(rf"{grad_symbol(t.label, out_label)} \mathrel{{\text{{+=}}}} "
                     + r"\cdot ".join(symbols) + " = " + r"\cdot ".join(numbers) + f" = {result}")
    rest = len(terms) - MAX_CHAIN_LINES
    if rest > 0:
        lines.append(rf"\text{{and {rest} more (listed on the right)}}")
    return r" \\ ".join(lines)


def _reading_order(term):
    """Weights, then the bias, then the inputs the neuron passes gradient back to."""
    label = term.label
    return ({"w": 0, "b": 1}.get(label[:1], 2), label)
