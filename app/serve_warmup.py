"""A server's one-time growth paid before it serves: one throwaway session built at startup.

Why (issue 12, measured with ``/proc/PID/smaps_rollup``, glibc's ``mallinfo2`` and a census of
objects by type in a served ``autograd-ui``): after 50 sessions opened and closed, the process
kept ~65 MB more than when it was ready, and a second 50 added nothing (-1.5 MB): no leak. The
heap held only 3.5 MB more live data than at start; the rest was freed memory the system could
not take back, because a page with one live object in it stays. What the first sessions leave
for good (123 modules imported on first use: the Train tab's, Panel's Markdown parser,
contourpy; ~15,000 objects) was allocated among the sessions' objects, so it lay scattered over
hundreds of MB of heap. Built here, before the first session, the same things are made into a
small heap, packed together; under ``--num-procs`` before the fork, so the processes share
those pages instead of each making and scattering its own. (The other part was made again by
every session: see ``app.factory.load_extensions``.)

Nothing here runs at import: the CLI calls :func:`warm_up` just before it serves.
"""
from __future__ import annotations

import gc


def warm_up(expr=None, preset=None) -> None:
    """Build one app as a session would (on a Bokeh document, the Train tab opened, a few
    training steps drawn), then drop it, collect and trim. Training steps run inline here: no
    worker pool is left in this process (one is made per serving process on first use, after
    any fork)."""
    from .memory import trim_now
    from .train.pool import TrainingPool, use_pool

    use_pool(TrainingPool("inline"))
    try:
        _one_session(expr, preset)
    finally:
        use_pool(None)
    gc.collect()                 # (the session's objects, once none of its frames holds them)
    trim_now()


def _one_session(expr, preset) -> None:
    from bokeh.document import Document
    from panel.io.document import unlocked
    from panel.io.state import set_curdoc, state

    from .factory import create_app

    doc = Document()
    with set_curdoc(doc):
        app = create_app(expr, preset=preset)
        root = app.__panel__().get_root(doc)
        doc.add_root(root)
        with unlocked():
            app.tabs.active = 1              # the Train tab: built when first opened
            app.train_view.step(3)           # curves, boundary, network and table drawn
            app.tabs.active = 0
        app.close()
        app.__panel__()._cleanup(root)
        state._views.pop(root.ref["id"], None)   # get_root's entry (a served session's goes
        doc.clear()                              # when it is destroyed)
