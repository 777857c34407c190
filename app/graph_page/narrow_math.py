"""The step panel's chain rule for a phone: each line broken at its relations, aligned on them.

The step panel writes a step as display math, one line per input, e.g.
``dL/da += de/da dL/de = b dL/de = (-3)(-2) = 6``. A neuron's or an MLP's step runs to 400-700
px, wider than a phone, and display math never wraps (Panel shows KaTeX's MathML, which does not
break lines either). On a phone the same lines are written one relation per row instead::

    dL/da += de/da dL/de
          = b dL/de
          = (-3)(-2) = 6

(the last two short pieces stay together), and a long sum (an accumulation ledger) runs on over
rows of ``SUM_TERMS`` terms. Pure: LaTeX in, LaTeX out.
"""

from __future__ import annotations

#: Relations a line is broken at, where they stand outside every group: ``=``, the chain
#: rule's ``+=`` and the update's ``<-``.
RELATIONS = (" = ", r" \mathrel{\text{+=}} ", r" \leftarrow ")
SUM_TERMS = 3        # terms of a sum per row (a ledger's first three fit a 390 px phone)
SHORT_PIECE = 14     # TeX characters: a last piece this short (``= 6``, ``= -0.1632``) joins the
                     # piece before it, so a row holds more than a lone number

_OPEN, _CLOSE, _ESCAPED = ("{", r"\left"), ("}", r"\right"), (r"\{", r"\}")


def _top_level_cuts(line: str, needles) -> list[tuple[int, str]]:
    """Positions and texts of ``needles`` in ``line`` outside every ``{...}`` and
    ``\\left ... \\right`` group, in order."""
    cuts, depth, i = [], 0, 0
    while i < len(line):
        token = next((t for t in _ESCAPED + _OPEN + _CLOSE if line.startswith(t, i)
                      and not (t[-1].isalpha() and line[i + len(t):i + len(t) + 1].isalpha())),
                     None)                      # \left, but not \leftarrow
        if token is not None:
            depth += (token in _OPEN) - (token in _CLOSE)
            i += len(token)
            continue
        needle = next((n for n in needles if line.startswith(n, i)), None) if depth == 0 else None
        if needle is not None:
            cuts.append((i, needle))
            i += len(needle)
            continue
        i += 1
    return cuts


def _sum_rows(piece: str) -> list[str]:
    """``piece`` split after every ``SUM_TERMS``-th top-level ``+`` (each later row starts with
    its ``+``)."""
    cuts = [i for i, _ in _top_level_cuts(piece, (" + ",))]
    if len(cuts) < SUM_TERMS:
        return [piece]
    rows, start = [], 0
    for k in range(SUM_TERMS - 1, len(cuts), SUM_TERMS):
        rows.append(piece[start:cuts[k]])
        start = cuts[k] + 1            # the next row starts at "+ "
    rows.append(piece[start:])
    return rows


def narrow_line(line: str) -> list[str]:
    """One display line as rows: the left side with its first relation and right side, then
    one row per further relation (``= ...``), each starting with its relation."""
    cuts = _top_level_cuts(line, RELATIONS)
    if not cuts:
        return [line]
    pieces = [line[:cuts[0][0]]]                  # the left side
    rels = []
    for k, (pos, rel) in enumerate(cuts):
        end = cuts[k + 1][0] if k + 1 < len(cuts) else len(line)
        rels.append(rel.strip())
        pieces.append(line[pos + len(rel):end])
    if len(pieces) > 2 and len(pieces[-1]) <= SHORT_PIECE:   # "... = (-3)(-2)" "= 6": one row
        pieces[-2] = f"{pieces[-2]} {rels[-1]} {pieces[-1]}"
        del pieces[-1], rels[-1]
    rows = []
    for k, rel in enumerate(rels):
        body = _sum_rows(pieces[k + 1])
        rows.append(f"{pieces[0]} {rel} {body[0]}" if k == 0 else f"{{}}{rel} {body[0]}")
        rows.extend(rf"{{}}\quad {more}" for more in body[1:])
    return rows


def narrow_rows(tex: str) -> list[list[str]]:
    """``tex`` (display lines joined with ``\\\\``, as ``narration.step_latex`` gives them) as
    rows: per line, the rows ``narrow_line`` breaks it into."""
    return [narrow_line(line) for line in tex.split(r" \\ ")] if tex else []
