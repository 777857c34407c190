"""Scopes: the neuron and layer each node of a compute graph belongs to.

``scopes(G)`` gives every node of an ``engine.to_graph`` graph its scope path, outermost
first (``("layer 1", "neuron 0")``), ``()`` outside any scope. Op node ``oK`` shares the scope
of the value ``vK`` it makes. Two sources, recorded first:

**Recorded.** ``engine.nn`` tags each Value a neuron builds, and its parameters, with the
neuron's path (``Value._scope``, copied by ``to_graph`` as the ``scope`` attribute); the
trainer's inspection graphs tag their loss and L2 term with :func:`record`. Number literals used
only inside one scope join it. A module called more than once in one graph (a batch of samples)
gives one scope per call, ``("call 1", "layer 0", "neuron 0")``; parameters shared by the calls
then belong to none of them.

**By structure** (karpathy's micrograd Values, expressions, imported JSON: no records). A
*neuron* is an activation (``engine.ops.ACTIVATIONS``: ``tanh``, ``relu``, ``sigmoid``) applied to a pre-activation that is
a tree of ``+`` whose terms are

- *products* ``*`` with at least one leaf operand (the weighted inputs ``w_i * x_i``), at least
  one, and
- leaves (the bias, and the literal ``0`` Python's ``sum`` starts from), at least one,

where the pre-activation, every ``+`` of the tree and every product is used only by the next
node up (nothing outside the neuron reads them). The neuron holds those nodes, the activation,
and every leaf used only by them (weights, bias; inputs too when nothing else reads them, as a
lone neuron's or micrograd's float inputs). Neurons are grouped into *layers* by depth (how
many neurons lie on the longest path before them) and by their shared inputs; with fewer than
two neurons there are no layers. Layers are numbered in order of depth, neurons in a layer in
topological order.

Limits of the structural rule: a neuron without an activation (micrograd's linear output
layer), an activation written out (``tanh`` via ``exp``), a bias that is itself computed, or a
pre-activation read by anything else is not found; layers of neurons whose inputs are all
private (micrograd called on floats) are told apart only by depth.
"""
from __future__ import annotations

import networkx as nx

from .ops import ACTIVATIONS, ALIASES


def record(root, path: tuple, stop=()) -> None:
    """Tag ``root`` and its not yet scoped non-leaf ancestors with scope ``path`` (walking back
    stops at scoped nodes, leaves and ``stop``): the nodes an expression just built."""
    path, seen = tuple(path), {id(s) for s in stop}
    todo = [root]
    while todo:
        v = todo.pop()
        if id(v) in seen or not v._prev or getattr(v, "_scope", None):
            continue
        seen.add(id(v))
        v._scope = path
        todo.extend(v._prev)


def scopes(G: nx.DiGraph) -> dict:
    """``{node id: scope path}`` for every node of ``G`` (see the module docstring)."""
    found = _recorded(G)
    if not found:
        found = _by_structure(G)
    out = {}
    for n, kind in G.nodes(data="kind"):
        if kind == "value":
            out[n] = found.get(n, ())
    for n, kind in G.nodes(data="kind"):
        if kind != "value":
            out[n] = out["v" + n[1:]]
    return out


def scope_paths(node_scopes: dict) -> list:
    """Every scope path of ``node_scopes`` and all their prefixes, outermost first, each once
    (sorted so that a layer comes before its neurons, neuron 2 before neuron 10)."""
    paths = {p[:k] for p in node_scopes.values() for k in range(1, len(p) + 1)}
    return sorted(paths, key=lambda p: tuple(_natural(part) for part in p))


def _natural(text: str):
    head, _, tail = text.rpartition(" ")
    return (head, int(tail), "") if tail.isdigit() else (text, -1, text)


# -- the value-level view of a to_graph graph -----------------------------------------------------

def _operands(G, v) -> list:
    """Operand value ids of value ``v`` (each once), [] for a leaf."""
    op = "o" + v[1:]
    return list(G.predecessors(op)) if op in G else []


def _users(G, v) -> set:
    """Value ids whose op reads ``v``."""
    return {next(iter(G.successors(op))) for op in G.successors(v)}


def _read_only_within(G, v, values) -> bool:
    """Every op reading ``v`` makes a value in ``values`` (stops at the first that does not:
    a leaf read on every line of a long chain has thousands of users, and building their set
    for each neuron made finding neurons quadratic)."""
    return all(next(iter(G.successors(op))) in values for op in G.successors(v))


def _read_only_by(G, v, user) -> bool:
    """``v`` is read, and only by ``user`` (``_users(G, v) == {user}``)."""
    return G.out_degree(v) > 0 and _read_only_within(G, v, (user,))


def _op(G, v) -> str:
    """The engine name of the op that made ``v`` (micrograd's ``'ReLU'`` is ``relu``)."""
    op = "o" + v[1:]
    return ALIASES.get(G.nodes[op]["op"], G.nodes[op]["op"]) if op in G else ""


def _order(G) -> list:
    return G.graph.get("order") or [n for n, k in G.nodes(data="kind") if k == "value"]


# -- recorded --------------------------------------------------------------------------------------

def _recorded(G) -> dict:
    tagged = {n: tuple(s) for n, s in G.nodes(data="scope") if s}
    if not tagged:
        return {}
    order = _order(G)
    position = {v: k for k, v in enumerate(order)}
    by_path: dict = {}
    for n, path in tagged.items():
        by_path.setdefault(path, []).append(n)
    out = {}
    for path, members in by_path.items():
        inner = [n for n in members if _operands(G, n)]
        calls = _components(G, inner, position)
        if len(calls) <= 1:
            out.update((n, path) for n in members)
            continue
        call_of = {n: k for k, call in enumerate(calls) for n in call}
        for k, call in enumerate(calls):
            out.update((n, (f"call {k}",) + path) for n in call)
        for n in members:
            if n not in call_of:                # a parameter: in a call only if used by one
                used_in = {call_of.get(u) for u in _users(G, n)}
                if len(used_in) == 1 and None not in used_in:
                    out[n] = (f"call {used_in.pop()}",) + path
    for n in order:                             # literals read by one scope only join it
        if G.nodes[n].get("const") and n not in out:
            homes = {out.get(u, ()) for u in _users(G, n)}
            if len(homes) == 1 and () not in homes:
                out[n] = homes.pop()
    return out


def _components(G, members, position) -> list:
    """Connected parts of ``members`` (through operands among them), ordered by first node."""
    member = set(members)
    H = nx.Graph()
    H.add_nodes_from(members)
    H.add_edges_from((n, a) for n in members for a in _operands(G, n) if a in member)
    parts = [sorted(c, key=position.get) for c in nx.connected_components(H)]
    return sorted(parts, key=lambda c: position[c[0]])


# -- by structure ----------------------------------------------------------------------------------

def _by_structure(G) -> dict:
    order = _order(G)
    position = {v: k for k, v in enumerate(order)}
    neurons = []                                # (output, members, shared inputs)
    for v in order:
        found = _neuron_at(G, v)
        if found is not None:
            neurons.append((v,) + found)
    if not neurons:
        return {}
    if len(neurons) == 1:
        return {n: ("neuron 0",) for n in neurons[0][1]}
    depth = _neuron_depth(G, order, {out for out, _, _ in neurons})
    layers: dict = {}
    for out, members, inputs in neurons:
        layers.setdefault((depth[out], frozenset(inputs)), []).append((out, members))
    keys = sorted(layers, key=lambda key: (key[0], min(position[o] for o, _ in layers[key])))
    paths = {}
    for i, key in enumerate(keys):
        for j, (out, members) in enumerate(sorted(layers[key], key=lambda n: position[n[0]])):
            paths.update((n, (f"layer {i}", f"neuron {j}")) for n in members)
    return paths


def _neuron_at(G, v):
    """``(members, shared inputs)`` if ``v`` is a neuron's activation (see the rule), else None."""
    if _op(G, v) not in ACTIVATIONS:
        return None
    (pre,) = _operands(G, v) or (None,)
    if pre is None or _op(G, pre) != "+" or not _read_only_by(G, pre, v):
        return None
    inner, products, biases = [v, pre], [], []
    todo = [pre]
    while todo:
        s = todo.pop()
        for term in _operands(G, s):
            if not _read_only_by(G, term, s):   # read elsewhere too: an input or a bias leaf
                if _operands(G, term):
                    return None
                biases.append(term)
            elif _op(G, term) == "+":
                inner.append(term)
                todo.append(term)
            elif _op(G, term) == "*" and any(not _operands(G, a) for a in _operands(G, term)):
                inner.append(term)
                products.append(term)
            elif not _operands(G, term):
                biases.append(term)
            else:
                return None
    if not products or not biases:
        return None
    members = set(inner)
    inputs = []
    for term in products:
        for a in _operands(G, term):
            if not _operands(G, a) and _read_only_within(G, a, members):
                members.add(a)
            else:
                inputs.append(a)
    for b in biases:
        if _read_only_within(G, b, members):
            members.add(b)
        else:
            inputs.append(b)
    return members, inputs


def _neuron_depth(G, order, outputs) -> dict:
    """For every value: the most neuron outputs on a path up to and including it."""
    depth = {}
    for v in order:
        d = max((depth[a] for a in _operands(G, v)), default=0)
        depth[v] = d + (1 if v in outputs else 0)
    return {v: depth[v] - 1 for v in outputs}
