"""``autograd-ui --num-procs N``'s first process, once it has forked the N serving processes:
a small program that waits for them, instead of the whole server it was.

Why (issue 12, ``python -m bench.load_pages -n 50``, pages of each process): Tornado's forking
parent (``tornado.process.fork_processes``, inside ``pn.serve``) only waits for its children,
yet keeps the whole startup heap (imports, warm-up: ~200 MB RSS). Each serving process copies
the startup pages it writes to (CPython writes reference counts on every object it uses), so
after a class the pages both children had copied were held by the parent alone: 65 MB of its
own that no process used, a quarter of the three processes' memory. Replaced by this file's
:func:`main` (``exec``: same process id, so still the children's parent), the parent holds
~10 MB, and the pages the children still share stay shared between them.

What Tornado's parent did and this one does not: fork a new serving process when one dies (it
has no server left to fork). One that dies is said on stderr; the others serve on, and the
program ends once none is left. ``SIGTERM`` (and ``SIGHUP``) sent to it are passed on to the
serving processes; Ctrl-C reaches them from the terminal itself.

Linux only (the children are found in ``/proc``); elsewhere Tornado's parent stays as it was.
Nothing runs at import: the CLI calls :func:`exec_after_forks`, which runs this file by path.
"""
from __future__ import annotations

import os
import signal
import sys


def available() -> bool:
    return sys.platform.startswith("linux") and os.path.isdir("/proc/self")


def exec_after_forks(n: int) -> None:
    """Once this process has forked ``n`` times (Tornado's forks of the serving processes,
    next in ``pn.serve``), replace it with :func:`main` (an ``os.register_at_fork`` hook: it
    runs in this process after each fork, and does nothing in the children)."""
    parent, forks = os.getpid(), []

    def after_fork_in_parent() -> None:
        if os.getpid() != parent:
            return
        forks.append(1)
        if len(forks) == n:
            sys.stdout.flush()
            sys.stderr.flush()
            # -I: nothing from the environment or the current directory; this file by path,
            # so that not the ``app`` package (all of Panel) is imported
            os.execv(sys.executable, [sys.executable, "-I", os.path.abspath(__file__)])

    os.register_at_fork(after_in_parent=after_fork_in_parent)


def children(pid: int | None = None) -> list[int]:
    """The processes whose parent is ``pid`` (default: this process), read from /proc."""
    pid = os.getpid() if pid is None else pid
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return out


def main() -> int:
    """Wait until every child has ended; 0 if all ended normally or when told to stop, else
    1."""
    told = []

    def pass_on(signum, frame) -> None:
        told.append(signum)
        for pid in children():
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, pass_on)
    signal.signal(signal.SIGHUP, pass_on)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the terminal sends it to the children too
    failed = False
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:       # none left
            return 1 if failed else 0
        if (os.WIFSIGNALED(status) or os.WEXITSTATUS(status) != 0) and not told:
            failed = True
            how = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
                   else f"exit status {os.WEXITSTATUS(status)}")
            print(f"autograd-ui: serving process {pid} ended ({how}); "
                  f"{len(children())} still serving", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
