"""What the graph view draws for a collapse state (no Panel or Bokeh in here).

A collapse state is the set of scope paths drawn open (``GraphModel.expanded``; ``None`` = all
open). :func:`display_graph` turns the compiled graph and a collapse state into a
:class:`DisplayGraph`: a ``CompiledGraph`` with the same ids, rows, Tape and records, whose
``layout`` is the layout of ``engine.collapse``'s quotient graph *projected* back onto the
original nodes:

- a collapsed scope is drawn by its output's row, moved to the box's place and size, so the
  Player's and sliders' patches of that row update the box (label, data, grad, colour); a
  box with several outputs (a layer) is drawn by one of them but shows none of their numbers
  as its own: its caption names the scope and counts them, its hover lists them
  (``DisplayGraph.summaries``, read by ``graph_patch``);
- the other members get no position (NaN: not drawn); the edges into and out of a box follow
  the quotient's routes; edges inside a box are not drawn.

So expanding or collapsing only replaces positions: the Tape, values and step records are
untouched. Displays are memoised per structure (``Tape.memo``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import networkx as nx

from .compiled import CompiledGraph

#: A graph with at least this many value nodes opens collapsed when it has scopes.
COLLAPSE_FROM_VALUES = 25
#: Collapsed to neurons, more drawn value boxes than this opens collapsed to layers instead.
MAX_BOXES_TO_READ = 24
#: Displays kept per structure (``follow`` visits one collapse state per neuron).
MEMO_SIZE = 24
NAN = float("nan")


@dataclass
class DisplayGraph(CompiledGraph):
    """A ``CompiledGraph`` as drawn at one collapse state.

    Extra attributes: ``expanded`` the open scope paths; ``boxes`` one dict per collapsed
    scope (``path``, ``id``, ``output``, ``x``, ``y``, ``w``, ``h``, ``holds``, ``n_inner``,
    ``n_outputs``, ``outputs``);
    ``frames`` one dict per open scope (``path``, ``x0``, ``y0``, ``x1``, ``y1``); ``owner``
    node id -> the box id it is drawn inside (absent: drawn as itself); ``summaries`` the
    boxes with several outputs: the id of the row drawing one -> ``((output id, its label),
    ...)`` of its outputs (that row's label is the box's caption, not its own).
    """

    expanded: frozenset = frozenset()
    boxes: list = field(default_factory=list)
    frames: list = field(default_factory=list)
    owner: dict = field(default_factory=dict)
    summaries: dict = field(default_factory=dict)


def node_scopes(compiled) -> dict:
    """``engine.scopes`` of a compiled graph, once per structure."""
    memo = compiled.tape.memo
    if "scopes" not in memo:
        import engine

        memo["scopes"] = engine.scopes(compiled.graph)
    return memo["scopes"]


def all_open(compiled) -> frozenset:
    """Every scope path of the graph (the collapse state with nothing collapsed)."""
    import engine

    return engine.expanded_at(node_scopes(compiled), "all")


def level_state(compiled, level: str):
    """The collapse state of ``level`` ("layers", "neurons", "all"); None without scopes."""
    import engine

    sc = node_scopes(compiled)
    return engine.expanded_at(sc, level) if any(sc.values()) else None


def default_expanded(compiled, update: bool = False):
    """How a graph opens: collapsed to neurons when it has scopes and is big enough to need
    it (or is an inspected training sample, ``update``), to layers when neurons are still too
    many boxes to read; ``None`` (nothing collapsed) otherwise."""
    memo = compiled.tape.memo.setdefault("default collapse", {})
    if update not in memo:
        memo[update] = _default_expanded(compiled, update)
    return memo[update]


def _default_expanded(compiled, update: bool):
    import engine

    sc = node_scopes(compiled)
    if not any(sc.values()):
        return None
    if len(compiled.value_ids) < COLLAPSE_FROM_VALUES and not update:
        return None
    neurons = engine.expanded_at(sc, "neurons")
    Q = _quotient(compiled, neurons)
    drawn = sum(1 for _, kind in Q.nodes(data="kind") if kind != "op")
    boxes = sum(1 for _, kind in Q.nodes(data="kind") if kind == "scope")
    if boxes > MAX_BOXES_TO_READ or drawn > 2 * MAX_BOXES_TO_READ:
        return engine.expanded_at(sc, "layers")
    return neurons


def _quotient(compiled, expanded: frozenset):
    """``engine.collapse`` of the compiled graph at ``expanded``, once per state: the default
    collapse level counts the boxes of the quotient that its display then lays out."""
    import engine

    memo = compiled.tape.memo.setdefault("quotients", {})
    if expanded not in memo:
        if len(memo) >= MEMO_SIZE:
            memo.pop(next(iter(memo)))
        memo[expanded] = engine.collapse(compiled.graph, node_scopes(compiled), expanded)
    return memo[expanded]


def display_graph(compiled, expanded):
    """The :class:`DisplayGraph` of ``compiled`` with ``expanded`` open (``compiled`` itself
    when ``expanded`` is None)."""
    if expanded is None or compiled is None:
        return compiled
    key = frozenset(expanded)
    memo = compiled.tape.memo.setdefault("displays", {})
    if key not in memo:
        if len(memo) >= MEMO_SIZE:
            memo.pop(next(iter(memo)))
        memo[key] = _build(compiled, key)
    return memo[key]


def _build(compiled, expanded: frozenset) -> DisplayGraph:
    from layouts import Layout

    G, sc = compiled.graph, node_scopes(compiled)
    Q = _quotient(compiled, expanded)
    node_size = _node_size(compiled)
    # the last drawing as a start, so that what did not change stays where it was
    lay = _layout(Q, sc, node_size, previous=compiled.tape.memo.get("last quotient layout"))
    compiled.tape.memo["last quotient layout"] = lay
    owner, boxes, inner = {}, [], _inner_scopes(sc)
    positions, sizes = {}, {n: node_size(n, attrs) for n, attrs in G.nodes(data=True)}
    for q, attrs in Q.nodes(data=True):
        if attrs["kind"] != "scope":
            positions[q], sizes[q] = lay.positions[q], lay.sizes[q]
            continue
        for m in attrs["members"]:
            owner[m] = q
            positions[m] = (NAN, NAN)
        out = attrs["output"]
        positions[out], sizes[out] = lay.positions[q], lay.sizes[q]
        (x, y), (w, h) = lay.positions[q], lay.sizes[q]
        boxes.append(dict(path=attrs["scope"], id=q, output=out, x=x, y=y, w=w, h=h,
                          holds=attrs["holds"], n_inner=len(inner.get(attrs["scope"], ())),
                          n_outputs=len(attrs["outputs"]), outputs=list(attrs["outputs"])))
    for c in lay.copies:     # a leaf drawn again near its later uses (see compile_graph)
        positions[c], sizes[c] = lay.positions[c], lay.sizes[c]
    hidden = [(NAN, NAN), (NAN, NAN)]
    edges = {}
    for u, v in G.edges:
        a, b = owner.get(u, u), owner.get(v, v)
        edges[(u, v)] = hidden if a == b else lay.edges[(a, b)]
    shown, labels = G.copy(), dict(compiled.labels)
    for box in boxes:       # the hover's "role" line says what a box holds
        shown.nodes[box["output"]]["role"] = (
            f"{' / '.join(box['path'])} (collapsed, click to open): {box['holds']}")
        labels[box["output"]] = box_caption_label(box["path"], compiled.labels[box["output"]],
                                                  box["n_outputs"])
    summaries = {box["output"]: tuple((o, compiled.labels[o]) for o in box["outputs"])
                 for box in boxes if box["n_outputs"] > 1}
    projected = Layout(positions=positions, sizes=sizes, edges=edges, width=lay.width,
                       height=lay.height, ranks=lay.ranks, crossings=lay.crossings,
                       direction=lay.direction, copies=dict(lay.copies))
    # not the compiled graph's own layout: reading it would lay out the whole graph
    base = {f.name: getattr(compiled, f.name) for f in fields(CompiledGraph) if f.name != "layout"}
    base.update(graph=shown, layout=projected, labels=labels)
    return DisplayGraph(**base, expanded=expanded, boxes=boxes,
                        frames=_frames(lay, Q, sc, expanded, positions, sizes), owner=owner,
                        summaries=summaries)


def box_caption_label(path, output_label: str, n_outputs: int = 1) -> str:
    """A box's caption. One output: its label (``h[0][1]`` names its neuron already), or the
    scope's name when the output has none, then ``| data | grad`` of that output. Several
    outputs (a layer): the scope's name and how many, ``layer 0 · 16 outputs``, and no
    number (one neuron's data and grad would read as the layer's)."""
    from engine.collapse import outputs_label

    if n_outputs > 1:
        return outputs_label(path, n_outputs)
    named = output_label and not (output_label[0] == "v" and output_label[1:].isdigit())
    return output_label if named else path[-1]


def _inner_scopes(sc) -> dict:
    """Scope path -> the paths of the scopes directly inside it (one pass over the nodes'
    paths; a scan per box was quadratic: 0.5 s for the 560 boxes of a 5,000-node chain)."""
    inner = {}
    for p in set(sc.values()):
        for k in range(1, len(p)):
            inner.setdefault(p[:k], set()).add(p[:k + 1])
    return inner


def _node_size(compiled):
    """Node sizes as the compiled graph's layout has them; a box is as wide as its output's
    caption or its scope's name."""
    from .sizing import make_node_size, text_box_size

    tape = compiled.tape
    labels = dict(compiled.labels)
    data = {v: float(tape.data[i]) for i, v in enumerate(tape.ids)}
    grad = {v: float(tape.grad[i]) for i, v in enumerate(tape.ids)}
    value_size = make_node_size(labels, data, grad)

    def box_size(label, d, g):
        return make_node_size({"box": label}, {"box": d}, {"box": g})("box", {"kind": "value"})

    def node_size(node, attrs):
        if attrs.get("kind") != "scope":
            return value_size(node, attrs)
        out, n = attrs["output"], len(attrs["outputs"])
        label = box_caption_label(attrs["scope"], labels[out], n)
        return box_size(label, data[out], grad[out]) if n == 1 else text_box_size(label)

    return node_size


def _layout(Q: nx.DiGraph, sc: dict, node_size, previous=None):
    """Lay out the quotient graph like the compiled graph is (clusters: an open scope's
    members stay together inside its frame), and like it with ``fast``: this runs inside
    the expand or collapse the reader clicked, and the small drawings' polish took 0.5-2.4 s
    of CPU at 150-499 nodes (the quick order: 0.04-0.2 s; the refinement swaps a polished
    drawing in for graphs drawn whole only)."""
    from layouts import layered_layout

    from .sizing import RANK_GAP

    kwargs = {"previous": previous} if previous is not None else {}
    kwargs["clusters"] = {n: (attrs["scope"][:-1] if attrs["kind"] == "scope" else sc.get(n, ()))
                          for n, attrs in Q.nodes(data=True)}
    for n, attrs in Q.nodes(data=True):
        if attrs["kind"] == "scope":
            attrs["collapsed"] = attrs["scope"]
            attrs["size"] = node_size(n, attrs)
    return layered_layout(Q, node_size=node_size, rank_gap=RANK_GAP, duplicate_leaves=True, fast=True,
                          **kwargs)


def _frames(lay, Q, sc, expanded, positions, sizes) -> list:
    """One frame per open scope whose enclosing scopes are open too: the layout's cluster
    frame, or else the bounding box of its drawn members, padded more for outer scopes."""
    clusters = getattr(lay, "clusters", None) or {}
    frames = []
    depth = max((len(p) for p in expanded), default=0)
    for path in sorted(expanded, key=len):
        if any(path[:k] not in expanded for k in range(1, len(path))):
            continue
        if path in clusters:
            x0, y0, x1, y1 = clusters[path]
        else:
            inside = [n for n, p in sc.items() if p[:len(path)] == path
                      and positions.get(n, (NAN,))[0] == positions.get(n, (NAN,))[0]]
            if not inside:
                continue
            pad = 10.0 + 10.0 * (depth - len(path))
            x0 = min(positions[n][0] - sizes[n][0] / 2 for n in inside) - pad
            x1 = max(positions[n][0] + sizes[n][0] / 2 for n in inside) + pad
            y0 = min(positions[n][1] - sizes[n][1] / 2 for n in inside) - pad
            y1 = max(positions[n][1] + sizes[n][1] / 2 for n in inside) + pad + 16.0
        frames.append(dict(path=path, x0=x0, y0=y0, x1=x1, y1=y1))
    return frames


# -- the collapse state in a link ---------------------------------------------------------------

LEVELS = ("layers", "neurons", "all")


def encode_collapse(compiled, expanded) -> str:
    """A collapse state as link text: a level name when it is one, else the open scopes'
    positions in ``engine.scope_paths`` order (``"0,3,4"``)."""
    import engine

    state = all_open(compiled) if expanded is None else frozenset(expanded)
    for level in LEVELS:
        if state == level_state(compiled, level):
            return level
    paths = engine.scope_paths(node_scopes(compiled))
    return ",".join(str(k) for k, p in enumerate(paths) if p in state)


def decode_collapse(compiled, text: str):
    """Inverse of :func:`encode_collapse` for this graph; ``ValueError`` when ``text`` is not
    a collapse state of it."""
    import engine

    paths = engine.scope_paths(node_scopes(compiled))
    if not paths:
        raise ValueError("this graph has no scopes to collapse")
    if text in LEVELS:
        return level_state(compiled, text)
    try:
        picked = {int(k) for k in text.split(",")}
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a collapse state") from None
    if any(not 0 <= k < len(paths) for k in picked):
        raise ValueError(f"this graph has {len(paths)} scopes; the link names others")
    return frozenset(paths[k] for k in picked)
