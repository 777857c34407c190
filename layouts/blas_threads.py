"""One BLAS thread while a layout runs.

The orderings multiply small float matrices (``sifting``'s pair tables, ``transposition``'s
side weights, ``pair_moves``' batched products).  OpenBLAS, which numpy and scipy ship, runs a
product over a few hundred rows on all cores, and its worker threads then spin, busy, for a
while after it returns: the layout's CPU time was ~1.6-1.9x its wall time on 2 cores for no
gain in wall time (a 1,727-node batch loss: 311-462 ms of CPU, 191-286 ms wall; on one thread
176-237 ms of CPU, 180-204 ms wall).  On a server those spinning threads take the cores that
other sessions' layouts, slider moves and training steps need.

``one_blas_thread()`` caps the BLAS libraries at one thread for its block and puts back what
was there (``threadpoolctl``, which finds the libraries numpy and scipy loaded and calls their
own thread-count setters).  The cap is per process, not per thread: two layouts in two threads
of one server may overlap their blocks, and the later to end restores the count the other
found, which is one thread or the process's own.  Either way no layout is slower for it.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache


@lru_cache(maxsize=1)
def _controller():
    """The process's BLAS libraries, found once (on first use: ~1.5 ms, then ~0.02 ms a block),
    or None without ``threadpoolctl``."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:     # a dependency; without it layouts still work, on BLAS's threads
        return None
    return ThreadpoolController()


@contextmanager
def one_blas_thread():
    """Run the block with the BLAS libraries (OpenBLAS, MKL, BLIS) on one thread each."""
    controller = _controller()
    if controller is None:
        yield
        return
    with controller.limit(limits=1, user_api="blas"):
        yield
