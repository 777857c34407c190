"""Training off the event loop: the Run, Step and Pause side of ``TrainModel`` (``OffLoopRuns``,
a mixin of :class:`app.train.model.TrainModel`, whose parameters it reads and sets:
``trainer``, ``speed``, ``running``, ``queued``, ``error``; its state ``_generation``,
``_thread``, ``_pool``, ``_in_flight``, ``_nodes``, ``period_ms`` is set up by the model).

Training runs as jobs on this process's ``TrainingPool`` (``app.train.pool``): a job takes a
snapshot of the trainer, runs a few steps away from the event loop, and its result is applied
on the document's thread (``doc.add_next_tick_callback``; outside a server, the asyncio loop).
One job is in flight per session; the next starts a tick later. Pause is exact: a job whose
result arrives after the click is dropped, so the state shown is the last one applied, with
steps, weights and losses of the same moment.
"""
from __future__ import annotations

import time
from functools import partial

from .doc_thread import DocumentThread, weak_call
from .pool import training_pool


class OffLoopRuns:
    """Run, Step and Pause of a ``TrainModel`` on the process's training pool (see the
    module docstring)."""

    def run(self) -> None:
        """Train until paused: jobs on the process's pool, results applied on this document's
        thread (a server session's, else the running asyncio loop's)."""
        if self.running or self.trainer is None:
            return
        import panel as pn

        if not self._attach(pn.state.curdoc):
            return
        self._generation += 1
        self.param.update(running=True, error="")
        generation, thread = self._generation, self._thread
        granted = weak_call(self, "_granted", generation)
        if self._pool.acquire(self, lambda: thread.post(granted)):
            self._submit(generation)
        else:
            self.queued = True

    def step_later(self, n: int = 1) -> None:
        """``n`` steps as one job off the loop (the Step button): shown when done."""
        if self.running or self._in_flight or self.trainer is None:
            return
        import panel as pn

        if self._attach(pn.state.curdoc):
            self._generation += 1
            self._submit(self._generation, n=n, again=False)

    def _attach(self, doc) -> bool:
        """Remember where results are applied: a server session's document, else the running
        asyncio loop. Without either nothing could apply them: say so (use ``step``)."""
        self._thread = DocumentThread(doc)
        if not self._thread.ok:
            self.error = "no event loop to train on here: call step(n)"
            return False
        self._pool = training_pool()
        return True

    def _granted(self, generation: int) -> None:
        if generation == self._generation and self.running:
            self.queued = False
            self._submit(generation)
        elif self._pool is not None:
            self._pool.release(self)        # paused while queued: pass the slot on

    def _submit(self, generation: int, n: int | None = None, again: bool = True) -> None:
        if generation != self._generation or self._pool is None:
            return
        started = time.monotonic()
        self._in_flight = True
        try:
            future = self._pool.submit(self.trainer.snapshot(), int(n or self.speed))
        except Exception as exc:   # noqa: BLE001 - said on the page, never a run that seems to go on
            self.pause()
            self.error = f"training could not start: {exc}"
            return
        thread, apply = self._thread, weak_call(self, "_apply", generation)
        future.add_done_callback(lambda f: thread.post(partial(apply, f, started, again)))

    def _apply(self, generation: int, future, started: float, again: bool) -> None:
        """On the document's thread: take a job's result, unless paused since."""
        if generation != self._generation or self.trainer is None:
            return                  # paused (or reset) since: this job's steps never show
        self._in_flight = False
        from ..session import page_closed

        if self._thread.doc is not None and page_closed(self._thread.doc):
            return self.pause()     # the tab was closed: stop now, not when Bokeh drops it
        try:
            state, records, n_nodes = future.result()
        except Exception as exc:   # noqa: BLE001 - shown, never a silently dying run
            self.pause()
            self.error = f"training failed: {exc}"
            return
        self.trainer.restore(state, records)
        self._nodes = n_nodes
        self._publish(records)
        if again and self.running:
            wait = max(0.0, self.period_ms / 1000 - (time.monotonic() - started))
            self._thread.later(wait, weak_call(self, "_submit", generation))

    def pause(self) -> None:
        """Stop at once: no step is applied after this call (a job in flight is dropped)."""
        self._generation += 1
        self._in_flight = False
        if self._pool is not None:
            self._pool.release(self)
        if self.running or self.queued:
            self.param.update(running=False, queued=False)
