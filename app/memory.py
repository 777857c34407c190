"""Giving a closed session's memory back to the system (Linux, glibc).

Measured with ``bench.load`` (issue 12): after every session closed, no app, model or other
Python object of theirs was alive, yet the server kept 60-180 MB more than at start. The
freed memory stayed with the allocators: CPython's own (pymalloc) frees a 1 MiB arena only
once every object in it is gone, so a few long-lived objects made while many sessions were
open pin most of them; glibc keeps freed heap pages until ``malloc_trim`` asks it to give them
back. So the server runs with ``PYTHONMALLOC=malloc`` (every Python object from glibc's heap;
set by :func:`use_system_malloc`, which the CLI calls before it serves) and trims the heap
shortly after sessions end (:func:`trim_soon`, called by ``app.session`` when one is
destroyed). Elsewhere (no glibc) both do nothing.
"""
from __future__ import annotations

import ctypes
import gc
import os
import sys
import threading

from .session_release import releases_pending

#: Trim this long after a session ends, once for all sessions ending meanwhile (a class
#: leaving closes many tabs within seconds; a trim of a ~300 MB heap takes tens of ms, during
#: which other threads wait to allocate).
TRIM_DELAY_S = 2.0

# this process's pending trim, its served sessions alive, whether its startup objects are frozen
# (no session data)
_trim = {"timer": None, "running": False, "lock": threading.Lock(), "live": 0,
         "freeze": False, "frozen": False}


def _malloc_trim():
    """glibc's ``malloc_trim``, or None where there is none (macOS, musl, Windows)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


def trim_now() -> bool:
    """Give free heap pages back to the system now (every arena). False without glibc."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def trim_soon(delay_s: float = TRIM_DELAY_S) -> None:
    """Trim the heap ``delay_s`` from now, in a background thread, after a full collection if
    no served session is alive then; calls meanwhile join that one trim. The collection holds
    the GIL (the event loop waits for it), so it only runs once nothing of a session is left to
    walk."""
    def run():
        with _trim["lock"]:
            _trim["timer"] = None
            later = releases_pending()  # ended sessions still hold their objects: trim later
            _trim["running"], idle = not later, _trim["live"] == 0
        if later:
            trim_soon(delay_s)
            return
        try:
            # A closed session's objects went by reference counting when it ended
            # (app.session_release); the collector has only a remnant of each left. A full
            # collection walks every object of the sessions still open (a class of 50: ~2 s
            # holding the GIL, so the event loop), so it waits until none is: when a class
            # leaves, not each time one student does (Python's own collections get those).
            if idle:
                gc.collect()
            if _trim["freeze"] and not _trim["frozen"] and idle:
                # nothing of a session is left: what is alive now lives as long as the process
                # (modules, caches filled by the first sessions). Out of the collector's sight,
                # every later full collection (this one's next time, and Python's own) is
                # cheaper by that much. Once: a later freeze could keep a cache's cycles.
                gc.freeze()
                _trim["frozen"] = True
            trim_now()
        finally:
            _trim["running"] = False

    with _trim["lock"]:
        if _trim["timer"] is not None:
            return
        timer = threading.Timer(delay_s, run)
        timer.daemon = True
        timer.name = "autograd-ui-trim"
        _trim["timer"] = timer
    timer.start()


def session_started() -> None:
    """A served session began (``app.session`` counts them for :func:`freeze_when_idle`)."""
    with _trim["lock"]:
        _trim["live"] += 1


def session_ended() -> None:
    with _trim["lock"]:
        _trim["live"] = max(0, _trim["live"] - 1)


def freeze_when_idle() -> None:
    """Servers (the CLI): the first trim that finds no session alive freezes what is left
    (``gc.freeze``), so full collections no longer walk the process's startup objects. Not in
    a test or notebook process, whose other objects would be frozen too."""
    _trim["freeze"] = True


def freeze_startup() -> None:
    """Servers (the CLI), just before serving, which is when ``--num-procs`` forks: collect,
    then put every object alive now out of the collector's sight (``gc.freeze``). A forked
    process's collections then never write to those objects, so the pages holding them stay
    shared with its parent and siblings instead of being copied into each (Python's ``gc``
    documentation advises this before a fork); every full collection walks less."""
    gc.collect()
    gc.freeze()


def trim_pending() -> bool:
    """True while a trim asked for by :func:`trim_soon`, or an ended session's release
    (``app.session_release``) before it, has not finished (benchmarks wait)."""
    return _trim["timer"] is not None or _trim["running"] or releases_pending()


def use_system_malloc(argv: list[str]) -> None:
    """Restart this program (``python -m app`` + ``argv``) with ``PYTHONMALLOC=malloc`` unless
    the variable is set already (any value: ``PYTHONMALLOC=pymalloc autograd-ui`` keeps
    CPython's allocator). Only on Linux: elsewhere there is no ``malloc_trim`` to pair with it.
    Returns only when no restart is needed."""
    if "PYTHONMALLOC" in os.environ or not sys.platform.startswith("linux") \
            or _malloc_trim() is None:
        return
    os.environ["PYTHONMALLOC"] = "malloc"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "app", *argv])
