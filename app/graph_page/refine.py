"""The polished layout of a 150-2,000-node graph, swapped in after the quick one (issue 10).

An Apply must paint a 1,000-node graph within a second, so ``compile_graph`` lays out with
``fast=True``: at 500-2,000 real nodes that skips ``layouts.mid_order``'s polish (0.5-8 s of
CPU; an 834-node random expression: 6,526 crossings in 0.2 s instead of 4,303 in 2.9 s), at
150-499 the small drawings' (0.5-2 s; a 490-node expression: 1,611 crossings in 0.08 s instead
of 1,146 in 2.2 s), and the layout says so (``Layout.refinable``). A :class:`Refiner` (one per app) then has the
polished layout made for the graph on screen, ``layered_layout(fast=False)`` on the same graph
with the same node sizes, and swaps it in (``GraphModel.relayout``: positions move, nothing
else; the view updates its sources' geometry columns in place, see ``GraphView``):

- only if the same graph is still shown, drawn whole (no scope collapsed), with the quick
  layout it started from: a newer Apply, preset, import or collapse state drops it (and its
  waiting job is forgotten at once);
- served: in the per-process worker of :mod:`app.graph_page.refine_pool` (another process, at
  a lower priority: never a thread of the server, whose GIL every session shares), delivered
  back on the event loop and applied on the session's thread; a destroyed session's job and
  every reference to it are dropped (``close``);
- in a notebook: at once, in the kernel, right after the quick drawing (the cell's output shows
  the polished one; an Apply in the notebook's editor pushes the quick drawing, then the
  polished one ~1-8 s later);
- elsewhere (scripts, tests building an app without a server): not at all, unless asked
  (``Refiner(model, mode=...)``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

import networkx as nx

from ..page_ready import post_when_ready

log = logging.getLogger(__name__)


def job_graph(compiled) -> nx.DiGraph:
    """What the worker lays out: the compiled graph's nodes and edges with the attributes the
    layout reads (``kind``, edge ``operands``, the output), each node's size as its quick
    layout has it (``size``, which ``layouts``' default sizes use; a leaf's copies take their
    leaf's), and nothing else: 70 KB pickled for 834 nodes, no numbers or labels."""
    sizes = compiled.layout.sizes
    G = compiled.graph
    H = nx.DiGraph(output=G.graph.get("output"))
    for n, attrs in G.nodes(data=True):
        H.add_node(n, kind=attrs.get("kind"), size=tuple(sizes[n]))
    for u, v, attrs in G.edges(data=True):
        H.add_edge(u, v, **({"operands": list(attrs["operands"])} if "operands" in attrs else {}))
    return H


def polish_job(compiled):
    """``(fn, args, kwargs)`` making the polished layout of ``compiled`` (``layered_layout`` of
    :func:`job_graph`: importable in a worker without the app, picklable both ways)."""
    from layouts import layered_layout

    from .sizing import RANK_GAP

    kwargs = dict(direction=compiled.layout.direction, rank_gap=RANK_GAP, duplicate_leaves=True,
                  fast=False)
    return layered_layout, (job_graph(compiled),), kwargs


@dataclass(eq=False)
class _Job:
    """One refinement asked for: the structure and the quick layout it refines."""

    compiled: object
    layout: object


class Refiner:
    """Has the polished layout of the model's graph made and swapped in (see the module).

    Parameters
    ----------
    model : GraphModel
    mode : {"process", "inline", "off"} or None
        None: ``"process"`` in a served session, ``"inline"`` in a notebook, else ``"off"``.
    """

    def __init__(self, model, mode: str | None = None):
        import panel as pn

        doc = pn.state.curdoc
        served = doc is not None and doc.session_context is not None
        if mode is None:
            from ..notebook import _in_notebook

            mode = "process" if served else ("inline" if _in_notebook() else "off")
        if mode not in ("process", "inline", "off"):
            raise ValueError(f"mode must be process, inline or off, got {mode!r}")
        self.model = model
        self.mode = mode
        self._doc = doc if served else None
        self._job = None            # the refinement asked for last (None: none wanted)
        self.applied = 0            # polished layouts swapped in (tests, benchmarks)
        self._watcher = model.param.watch(self._on_frame, "frame", precedence=20) if mode != "off" else None
        if mode != "off" and model.frame is not None:
            self.start()

    @property
    def pending(self) -> bool:
        """Whether a polished layout is being made for the graph on screen."""
        return self._job is not None

    def _on_frame(self, event) -> None:
        if event.new is not None and event.new.kind in ("structure", "view"):
            self.start()

    def start(self) -> None:
        """Ask for the polished layout of what is shown now, if its layout skipped the polish;
        forget any earlier request."""
        self._drop()
        m = self.model
        if m.compiled is None or m.expanded is not None:   # collapsed scopes: clustered layouts
            return
        layout = m.compiled.layout
        if not getattr(layout, "refinable", False):
            return
        job = self._job = _Job(m.compiled, layout)
        fn, args, kwargs = polish_job(m.compiled)
        if self.mode == "inline":
            from .refine_pool import RefinePool

            RefinePool("inline").request(self, fn, args, kwargs, partial(self._apply, job))
            return
        from tornado.ioloop import IOLoop

        from .refine_pool import refine_pool

        loop = IOLoop.current()

        def deliver(result, error):    # the pool's thread: back to the loop's own thread
            loop.add_callback(self._arrived, job, result, error)

        if not refine_pool().request(self, fn, args, kwargs, deliver):
            self._job = None          # refused (many sessions wait): the quick layout stays

    def _arrived(self, job, result, error) -> None:
        """On the event loop: schedule the swap on the session's thread (Bokeh's next-tick
        callback, added from the loop's thread: the one safe way back to a document), once its
        page is ready (:mod:`app.page_ready`)."""
        if job is not self._job or self._doc is None:
            return
        try:
            post_when_ready(self._doc, partial(self._apply_on_session, job, result, error))
        except Exception:              # noqa: BLE001 - the session is gone: nothing to show
            log.debug("session closed while its polished layout was made")

    def _apply_on_session(self, job, result, error) -> None:
        from panel.io.document import unlocked
        from panel.io.state import set_curdoc

        with set_curdoc(self._doc), unlocked():
            self._apply(job, result, error)

    def _apply(self, job, result, error=None) -> None:
        """Swap ``result`` in if ``job`` still describes what is shown."""
        if job is not self._job:
            return
        self._job = None
        m = self.model
        if error is not None:
            log.warning("the polished layout could not be made: %s", error)
            return
        if m.compiled is not job.compiled or m.expanded is not None or job.compiled.layout is not job.layout:
            return
        m.relayout(result)
        self.applied += 1

    def _drop(self) -> None:
        if self._job is not None and self.mode == "process":
            from .refine_pool import refine_pool

            refine_pool().cancel(self)
        self._job = None

    def close(self) -> None:
        """The session ended: its job and every reference to this app are dropped."""
        self._drop()
        if self._watcher is not None:
            self.model.param.unwatch(self._watcher)
            self._watcher = None
        self._doc = None
