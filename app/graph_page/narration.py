"""The step panel's text: the chain rule of one engine step record, as LaTeX (pure functions).

Backward step for ``e = a * b`` with ``e.grad = -2``, input ``a``::

    dL/da += de/da * dL/de = b * dL/de = (-3)(-2) = 6        (a.grad: 0 -> 6)

For a node that receives gradient more than once (``b = a + a``, shared weights), an
accumulation ledger lists every contribution so far: ``dL/da = 1 + 1 = 2``.
"""

from __future__ import annotations

from engine.ops import OPS, fill

from .formatting import fmt, fmt_latex_number, grad_symbol, latex_symbol


def step_title(record, step: int, n_steps: int, mode: str) -> str:
    """One line (plain text) naming the step, e.g. ``"Backward step 4 / 4: through e = a * b"``."""
    if record is None:
        if mode == "backward":
            return f"Backward pass, step 0 / {n_steps}: every grad is 0. Press \u25b6 to run it."
        return f"Forward pass, step 0 / {n_steps}: nothing computed yet. Press \u25b6 to run it."
    what = {"seed": "seed the output", "backward": f"_backward() of {record.label} ({record.op})",
            "forward": f"compute {record.label}",
            "update": "gradient descent, p.data -= lr * p.grad"}.get(record.kind, record.kind)
    if record.kind == "scope":      # a neuron step (engine.ScopeStep)
        from .scope_narration import scope_title

        what = scope_title(record)
    return f"{mode.capitalize()} step {step} / {n_steps}: {what}"


def step_latex(record, model) -> str:
    """LaTeX (display math, lines joined with ``\\\\``) for the chain rule of ``record``.

    Parameters
    ----------
    record : engine Step or None
    model : app.model.GraphModel
        Gives labels, current data (for forward steps) and all backward records (for ledgers).
    """
    if record is None:
        return ""
    cg = model.compiled
    labels = cg.labels
    out_label = labels[cg.output_id]
    if record.kind == "seed":
        return rf"{grad_symbol(out_label, out_label)} = 1"
    if record.kind == "forward":
        return _forward_latex(record, model, labels)
    if record.kind == "update":
        return _update_latex(record, model, labels, out_label)
    if record.kind == "scope":
        from .scope_narration import scope_latex

        return scope_latex(record, out_label)
    lines = []
    node_label = record.label
    operands = [latex_symbol(labels[o]) for o in record.operands]
    for term in record.inputs:
        dL_dx = grad_symbol(term.label, out_label)
        dL_dout = grad_symbol(node_label, out_label)
        local_sym = rf"\frac{{\partial {latex_symbol(node_label)}}}{{\partial {latex_symbol(term.label)}}}"
        local_expr = fill(OPS[record.op].latex_local[term.operand], *operands,
                          out=latex_symbol(node_label))
        if not _is_atom(local_expr):
            local_expr = rf"\left({local_expr}\right)"
        lines.append(
            rf"{dL_dx} \mathrel{{\text{{+=}}}} {local_sym}\,{dL_dout}"
            rf" = {local_expr}\cdot{dL_dout}"
            rf" = {fmt_latex_number(term.local)}\cdot{fmt_latex_number(term.upstream)}"
            rf" = {_plain_number(term.contribution)}"
        )
    lines.extend(ledger_lines(record, model))
    return r" \\ ".join(lines)


#: A ledger writes at most this many contributions out; longer sums keep the first three and
#: the last two around a counted ellipsis, so the line fits the step panel.
LEDGER_TERMS = 6


def ledger_lines(record, model) -> list:
    """Accumulation ledgers for the inputs of ``record`` that receive gradient more than once.

    ``grad = c1 + c2 + ...`` over every contribution up to and including this step, with how many
    are still to come; empty when every input is used once.
    """
    cg = model.compiled
    out_label = cg.labels[cg.output_id]
    lines = []
    seen = set()
    for term in record.inputs:
        if term.node in seen:
            continue
        seen.add(term.node)
        contribs = model.contributions(term.node)
        if len(contribs) < 2:
            continue
        done = [t for i, t in contribs if i <= record.index]
        rest = len(contribs) - len(done)
        terms = [fmt_latex_number(t.contribution) for t in done]
        if len(terms) > LEDGER_TERMS:   # a 200-term sum would push the step off the panel
            terms = terms[:3] + [rf"\cdots_{{({len(terms) - 5}\text{{ more}})}}"] + terms[-2:]
        sum_txt = " + ".join(terms)
        total = done[-1].grad_after if done else 0.0
        tail = rf"\quad\text{{({rest} more to come)}}" if rest else r"\quad\text{(complete)}"
        lines.append(
            rf"\text{{ledger: }}{grad_symbol(term.label, out_label)} = {sum_txt} = {_plain_number(total)}{tail}"
        )
    return lines


def _is_atom(tex: str) -> bool:
    """True for a single symbol or number (no parentheses needed around it); a negative
    number comes parenthesised already, ``(-3)``."""
    if tex.startswith("(") and tex.endswith(")") and "(" not in tex[1:]:
        return True
    return not any(ch in tex for ch in " +-") or tex.startswith("\\frac")


def _plain_number(x) -> str:
    """A result number: no parentheses even when negative."""
    s = fmt_latex_number(x)
    return s[1:-1] if s.startswith("(") and s.endswith(")") else s


def _forward_latex(record, model, labels) -> str:
    out = latex_symbol(record.label)
    ops = list(getattr(record, "operands", ()) or ())
    if not ops:
        return rf"{out} = {fmt_latex_number(record.out_data)}\quad\text{{(leaf)}}"
    index = model.compiled.tape.index
    data = model.compiled.tape.data
    syms = [latex_symbol(labels[o]) for o in ops]
    nums = [fmt_latex_number(data[index[o]]) for o in ops]
    latex = OPS[record.op].latex
    return rf"{out} = {fill(latex, *syms)} = {fill(latex, *nums)} = {_plain_number(record.out_data)}"


MAX_UPDATE_LINES = 4


def _update_latex(record, model, labels, out_label) -> str:
    """``w <- w - lr dL/dw = 0.3 - 0.1 (0.5) = 0.25`` for the first few parameters."""
    tape = model.compiled.tape
    lr = model.update_lr
    lines = []
    # the parameters that move most first: a dead ReLU's weights (grad 0) teach little
    biggest = sorted(record.changes.items(), key=lambda kv: -abs(kv[1][1] - kv[1][0]))
    for vid, (before, after) in biggest[:MAX_UPDATE_LINES]:
        sym = latex_symbol(labels[vid])
        grad = tape.grad[tape.index[vid]]
        lines.append(rf"{sym} \leftarrow {sym} - \eta\,{grad_symbol(labels[vid], out_label)}"
                     rf" = {fmt_latex_number(before)} - {fmt_latex_number(lr)}\cdot"
                     rf"{fmt_latex_number(grad)} = {_plain_number(after)}")
    rest = len(record.changes) - MAX_UPDATE_LINES
    if rest > 0:
        lines.append(rf"\text{{and {rest} more parameters, with }}\eta = {_plain_number(lr)}")
    return r" \\ ".join(lines)


def step_plain(record) -> str:
    """The engine's one-line explanation(s) of ``record`` (plain text, one line per input)."""
    if record is None:
        return ""
    return getattr(record, "text", "") or getattr(record, "summary", "")


__all__ = ["step_title", "step_latex", "ledger_lines", "step_plain", "fmt"]
