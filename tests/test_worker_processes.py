"""app.worker_processes: the per-process pool registry both worker pools use."""

import os

from app.worker_processes import PerProcess


class _Pool:
    made = 0

    def __init__(self):
        _Pool.made += 1
        self.stopped = False

    def shutdown(self):
        self.stopped = True


def test_one_object_per_process_made_on_first_use():
    pools = PerProcess(_Pool)
    assert len(pools) == 0 and _Pool.made == 0       # nothing made before a get
    first = pools.get()
    assert pools.get() is first and _Pool.made == 1 and len(pools) == 1


def test_replace_shuts_the_old_one_down():
    pools = PerProcess(_Pool)
    old = pools.get()
    mine = _Pool()
    pools.replace(mine)
    assert old.stopped and not mine.stopped and pools.get() is mine
    pools.replace(mine)                                # the same one again: not stopped
    assert not mine.stopped
    pools.replace(None)
    assert mine.stopped and len(pools) == 0
    assert pools.get() is not mine                     # a new one on the next use


def test_a_forked_process_gets_its_own():
    pools = PerProcess(_Pool)
    parent = pools.get()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:                                       # the child: a new object, not the parent's
        ok = pools.get() is not parent and len(pools) == 2
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert pools.get() is parent
