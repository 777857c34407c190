"""Which polishing moves can skip a round (see ``rerouting``, ``path_moves``, ``block_moves``):
each move's best slots depend only on the order of the ranks it touches, so a move that was
tried and kept nothing cannot gain until one of those ranks changes.  A clock stamps the
ranks whose order changed; a move tried at time t is skipped while none of its ranks changed
after t.  Lossless: it skips only moves whose outcome is known.  It also holds the work budget
of the path and block moves (``work_left``).  ``MoveClock`` is mixed into
``ordering.LayerOrder`` (it uses ``pos``, ``lg`` and ``n_layers``)."""

from __future__ import annotations

import numpy as np


class MoveClock:
    # Work left for the path and block moves (``block_moves``), in table cells, or None: no
    # limit.  Counted, not timed, so a budgeted polish is deterministic (``mid_order``).
    work_left: float | None = None

    def tick(self) -> None:
        """Stamp the ranks whose order changed since the last tick with a new time."""
        if not hasattr(self, "_changed_at"):
            self._clock = 1
            self._changed_at = np.ones(self.n_layers, dtype=np.int64)
            self._tried_at = {}
            self._ticked = self.pos.copy()
            return
        moved = self.pos != self._ticked
        if moved.any():
            self._clock += 1
            self._changed_at[np.unique(self.lg.layer[moved])] = self._clock
            self._ticked = self.pos.copy()

    def stale(self, key, lo: int, hi: int) -> bool:
        """Whether move ``key``, which reads ranks ``lo``..``hi``, was tried since they last
        changed (call ``tick`` first)."""
        tried = self._tried_at.get(key)
        return tried is not None and int(self._changed_at[max(lo, 0):hi + 1].max()) <= tried

    def tried(self, key) -> None:
        """Record that move ``key`` was just tried (after any change it made was ticked)."""
        self._tried_at[key] = self._clock
