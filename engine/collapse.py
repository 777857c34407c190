"""Collapse scopes of a compute graph into boxes: the graph a reader sees at a collapse state.

``collapse(G, node_scopes, expanded)`` is the quotient of ``G`` in which every scope that is not
expanded (and whose enclosing scopes are) becomes one node, a *box*; ``G`` itself is never
changed, so expanding is collapsing again with a larger ``expanded`` set, and expanding every
scope gives ``G`` back (nodes, attributes and edges).
"""
from __future__ import annotations

from collections import Counter

import networkx as nx

from .scopes import scope_paths

BOX_PREFIX = "scope:"
LEVELS = ("layers", "neurons", "all")


def box_id(path: tuple) -> str:
    """The node id of the box of scope ``path``: ``"scope:layer 1/neuron 0"``."""
    return BOX_PREFIX + "/".join(path)


def shown_as(path: tuple, expanded) -> tuple:
    """The scope a node of scope ``path`` is drawn inside as a box (its outermost collapsed
    enclosing scope), or ``()`` when every enclosing scope is expanded (drawn as itself)."""
    for k in range(1, len(path) + 1):
        if path[:k] not in expanded:
            return path[:k]
    return ()


def expanded_at(node_scopes: dict, level: str) -> frozenset:
    """The expanded set of a collapse level: ``"layers"`` (every outermost scope a box),
    ``"neurons"`` (every scope with inner scopes open, the innermost ones boxes), ``"all"``."""
    paths = scope_paths(node_scopes)
    if level == "layers":
        return frozenset()
    if level == "neurons":      # the scopes that are a proper prefix of another (one pass)
        outer = {q[:k] for q in paths for k in range(1, len(q))}
        return frozenset(p for p in paths if p in outer)
    if level == "all":
        return frozenset(paths)
    raise ValueError(f"level must be one of {LEVELS}, got {level!r}")


def collapse(G: nx.DiGraph, node_scopes: dict, expanded=()) -> nx.DiGraph:
    """The quotient graph of ``G`` with every scope not in ``expanded`` drawn as one box.

    Inputs: ``G`` from ``engine.to_graph``, ``node_scopes`` from ``engine.scopes``, ``expanded``
    the scope paths drawn open (an enclosing scope must be open for an inner one to show).
    Returns a new DiGraph: nodes of ``G`` outside collapsed scopes keep their id and attributes;
    a box ``box_id(path)`` has ``kind="scope"``, ``scope``, ``members`` (ids of ``G``, in ``G``'s
    node order), ``outputs`` (every member read outside, in topological order: a layer has
    several), ``output`` (the one that stands for the box where one node is needed, e.g. to
    draw it: the graph's output if inside, else the latest), ``role`` (``"output"`` if it
    holds the graph's output, else ``"scope"``) and ``holds`` (what it contains, for a
    tooltip). Its ``label``, ``data``, ``grad``: a box with one output shows that output's;
    a box with several has no one number of its own: ``label`` names the scope and counts the
    outputs (``"layer 1 · 16 outputs"``), ``data`` and ``grad`` are None.
    Edges between different nodes of the quotient: an edge of ``G``
    keeps its attributes; edges merged into one carry ``merged``, the list of ``G``'s edges.
    """
    expanded = frozenset(tuple(p) for p in expanded)
    rep = {}
    members: dict = {}
    for n in G:
        path = shown_as(tuple(node_scopes.get(n, ())), expanded)
        rep[n] = box_id(path) if path else n
        if path:
            members.setdefault(path, []).append(n)
    Q = nx.DiGraph(**G.graph)
    position = {v: k for k, v in enumerate(G.graph.get("order", ()))}
    for n, attrs in G.nodes(data=True):
        if rep[n] == n:
            Q.add_node(n, **attrs)
        elif n == members[shown_as(node_scopes[n], expanded)][0]:
            path = shown_as(node_scopes[n], expanded)
            Q.add_node(box_id(path), **_box(G, path, members[path], rep, position))
    for u, v, attrs in G.edges(data=True):
        a, b = rep[u], rep[v]
        if a == b:
            continue
        if rep[u] == u and rep[v] == v:
            Q.add_edge(a, b, **attrs)
        elif Q.has_edge(a, b):
            Q.edges[a, b]["merged"].append((u, v))
        else:
            Q.add_edge(a, b, merged=[(u, v)])
    return Q


def _box(G, path, members, rep, position) -> dict:
    inside = set(members)
    out_id = G.graph.get("output")
    outputs = [n for n in members if G.nodes[n]["kind"] == "value"
               and (n == out_id or any(s not in inside for s in G.successors(n)))]
    if not outputs:     # read by nothing outside: its latest value stands for it
        outputs = [n for n in members if G.nodes[n]["kind"] == "value"]
    output = max(outputs, key=lambda n: (n == out_id, position.get(n, -1)))
    if len(outputs) == 1:
        attrs = G.nodes[output]
        shown = dict(label=attrs.get("label", ""), data=attrs.get("data"), grad=attrs.get("grad"))
    else:       # one output's numbers would pass for the whole layer's
        shown = dict(label=outputs_label(path, len(outputs)), data=None, grad=None)
    return dict(kind="scope", scope=tuple(path), members=list(members), output=output,
                outputs=sorted(outputs, key=lambda n: position.get(n, -1)), **shown,
                role="output" if out_id in inside else "scope", holds=holds(G, members))


def outputs_label(path, n_outputs: int) -> str:
    """The name of a box with several outputs: its scope and how many, ``"layer 1 · 16 outputs"``."""
    return f"{path[-1]} \u00b7 {n_outputs} outputs"


def holds(G, members) -> str:
    """What a box holds, in words: ``"w[0][0][0], w[0][0][1], b[0][0] · 2 × · 2 + · tanh"``."""
    leaves = [G.nodes[n].get("label") for n in members
              if G.nodes[n]["kind"] == "value" and G.in_degree(n) == 0
              and not G.nodes[n].get("const")]
    named = [label for label in leaves if label]
    ops = Counter(G.nodes[n]["op"] for n in members if G.nodes[n]["kind"] == "op")
    parts = []
    if named:
        more = len(named) - 6 + (len(leaves) - len(named))
        parts.append(", ".join(named[:6]) + (f" and {more} more" if more > 0 else ""))
    elif leaves:
        parts.append(f"{len(leaves)} leaves")
    parts += [f"{k} {op}" if k > 1 else op for op, k in ops.most_common()]
    return " · ".join(parts) or "nothing"
