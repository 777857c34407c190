"""The records ``GraphModel`` publishes: why a text was rejected (``SourceError``) and what
changed since the last frame (``Frame``, which the graph view follows)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SourceError:
    """Why the editor's text was rejected: ``engine.ExpressionError`` as a record.

    ``line``/``col`` are 1-based; 0 when the problem is the whole text (empty, too long).
    """

    message: str
    line: int = 0
    col: int = 0

    @classmethod
    def from_exception(cls, exc) -> "SourceError":
        return cls(exc.message, exc.line, exc.col)

    def __str__(self) -> str:
        return f"line {self.line}, col {self.col}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class Frame:
    """What changed since the last frame (the view patches only these).

    Attributes
    ----------
    kind : {"structure", "values", "step", "mode", "view", "layout"}
        ``"view"``: only what is drawn changed (a scope collapsed or expanded), not the maths;
        ``"layout"``: the same drawing with its nodes moved (a polished layout swapped in).
    rows : numpy.ndarray or None
        Positions (in ``CompiledGraph.value_ids``) whose shown data/grad/pending may have changed;
        ``None`` = any row may have changed (the view diffs all of them).
    """

    kind: str
    rows: np.ndarray | None = None
