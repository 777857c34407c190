"""``LOAD_PROBE=1 python -m bench.load``: where memory stays after all sessions close, printed
on stderr by the server process after each close: growth of gc-tracked objects by type and of
traced allocations (tracemalloc) since the previous close, and the allocators' state (glibc
``mallinfo2``, pymalloc arenas). Slow: tracemalloc slows the server several times."""
from __future__ import annotations

import ctypes
import gc
import sys

from .load_server import log


def probe(before):
    """After the first close, a baseline (type counts, tracemalloc started); after the next,
    what grew since, printed on stderr."""
    import collections
    import tracemalloc

    gc.collect()
    allocator_report()
    counts = collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}"
                                 for o in gc.get_objects())
    if before is None:
        tracemalloc.start(12)
        return counts, tracemalloc.take_snapshot()
    grown = sorted(((n - before[0].get(k, 0), k) for k, n in counts.items()), reverse=True)
    log("objects grown:", *(f"\n  {n:7d} {k}" for n, k in grown[:30]))
    stats = tracemalloc.take_snapshot().compare_to(before[1], "traceback")
    log("traced growth MB", sum(s.size_diff for s in stats) / 2**20)
    for s in stats[:12]:
        log(f"{s.size_diff / 2**20:.2f} MB, {s.count_diff} blocks",
            *("\n    " + line for line in s.traceback.format()[-12:]))
    return None


def allocator_report() -> None:
    """Where freed memory stays: pymalloc's arenas (``sys._debugmallocstats`` summary) and
    glibc's heap (``mallinfo2``: bytes in use vs held free)."""
    import os as _os
    import tempfile

    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks",
                    "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    m = libc.mallinfo2()
    log(f"glibc: heap {m.arena / 2**20:.0f} MB (in use {m.uordblks / 2**20:.0f}, free "
        f"{m.fordblks / 2**20:.0f}), mmapped {m.hblkhd / 2**20:.0f} MB")
    with tempfile.TemporaryFile("w+") as f:
        saved = _os.dup(2)
        _os.dup2(f.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            _os.dup2(saved, 2)
            _os.close(saved)
        f.seek(0)
        lines = [l.strip() for l in f if l.startswith(("# arenas", "Total", "# bytes in"))]
    log("pymalloc:", *("\n  " + l for l in lines))
