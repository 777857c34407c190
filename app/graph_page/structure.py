"""A new graph made ready to show: the slow, pure half of a structure change.

Apply, a preset, an import and "Open in Graph tab" each make a :class:`Structure`: the compiled
graph (Tape, labels), its text for the editor, its default collapse state, its drawing (the
layout is the slowest part: 0.25 s for a 1k-node expression) and its leaf model. None of this
touches a param object already on a page, Panel or Bokeh; ``GraphModel.show`` then puts it on
screen (see :class:`~app.graph_page.busy.Busy` for when each runs).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .compiled import CompiledGraph, compile_graph
from .leaves import leaf_values, make_leaf_model
from .model_types import SourceError
from ..presets import PRESETS


@dataclass(frozen=True)
class Structure:
    """A graph ready for ``GraphModel.show``.

    Attributes: ``compiled``; ``source`` (the editor's text) and ``note`` (comment lines above
    it); ``preset`` (its name, ``""`` for custom input); ``update`` (``(lr, parameter Values)``
    of an inspected sample's descent step, or None); ``expanded`` (the collapse state it opens
    with) and ``step`` (the Player's start, None: the end); ``leaves``, the generated leaf
    model (:func:`~app.graph_page.leaves.make_leaf_model`: a class per graph, 0.1-0.3 s for
    hundreds of leaves), its values already run through the Tape."""

    compiled: CompiledGraph
    leaves: object
    source: str
    preset: str = ""
    note: str = ""
    update: tuple | None = None
    expanded: frozenset | None = None
    step: int | None = None
    unused: tuple = ()          # names the text defines that the output does not use


def from_text(source: str) -> Structure | SourceError:
    """The graph of an expression, or why the text is rejected."""
    from engine import ExpressionError
    from engine.expression import parse_with_unused

    try:
        root, unused = parse_with_unused(source)
    except ExpressionError as exc:
        return SourceError.from_exception(exc)
    return dataclasses.replace(ready(root, source), unused=tuple(unused))


def from_preset(name: str) -> Structure:
    """The preset ``name`` (a key of ``app.presets.PRESETS``)."""
    from engine import parse

    preset = PRESETS[name]
    root = preset.build() if preset.build is not None else parse(preset.source)
    return ready(root, preset.source, preset=name)


def from_value(value, update=None, note: str = "", collapse: str | None = None,
               step: int | None = None) -> Structure:
    """Any micrograd-style Value (see ``GraphModel.load_value`` for the arguments)."""
    from engine import ExpressionError, to_source

    label = getattr(value, "label", "") or "out"
    try:   # as text the graph is editable, and a link can carry it
        source = to_source(value)
    except ExpressionError as exc:
        source = (f"# graph of a Value object ({label}), shown from code; as text: {exc}\n"
                  "# type an expression and press Apply to replace it\n")
    return ready(value, source, note=note, update=update, collapse=collapse, step=step)


def ready(root, source: str, preset: str = "", note: str = "", update=None,
          collapse: str | None = None, step: int | None = None) -> Structure:
    """The graph of ``root`` (a Value) compiled, its collapse state chosen and drawn."""
    from .scopes_display import default_expanded, display_graph, level_state

    compiled = compile_graph(root)
    expanded = (level_state(compiled, collapse) if collapse is not None
                else default_expanded(compiled, update=update is not None))
    if expanded is None:
        compiled.layout                         # noqa: B018 - laid out here, not on the loop
    else:
        display_graph(compiled, expanded)       # memoised per collapse state
    G = compiled.graph
    leaves = make_leaf_model(compiled.leaf_ids, compiled.labels,
                             {lid: G.nodes[lid]["data"] for lid in compiled.leaf_ids})
    compiled.tape.run(leaf_values(leaves, compiled.leaf_ids))
    return Structure(compiled, leaves, source, preset, note, update, expanded, step)
