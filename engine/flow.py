"""Read and write the original TypeScript app's node/edge JSON (hewliyang/autograd-ui).

Its shape (React Flow)::

    {"nodes": [{"id": "5", "type": "value", "data": {"val": .., "grad": .., "label": "a"}},
               {"id": "3*", "type": "operator", "data": {"op": "*"}}, ...],
     "edges": [{"id": "...", "source": "5", "target": "3*"}, ...]}

Careful: the original app's files store a value's *data* under ``grad`` and its *gradient*
under ``val`` (its README's output L has ``val: 1, grad: -8``). ``convention="original"``
means that layout, ``convention="data"`` means ``val`` = data, ``grad`` = gradient; reading
with ``convention="auto"`` picks the one under which the values agree with the operations (on a
tie, such as a file saved before backprop whose gradients are all 0, the field that looks like
gradients is not the data).

JSON has no NaN or infinity (``json.dumps`` writes the bare words ``NaN``/``Infinity``, which a
browser's ``JSON.parse`` rejects), so :func:`to_flow` writes a non-finite number as the string
``"NaN"``, ``"Infinity"`` or ``"-Infinity"`` (JavaScript's ``Number()`` reads each back) and
:func:`from_flow` reads those three strings back as the same float.
"""
from __future__ import annotations

import math
import numbers

import networkx as nx

from .convert import GraphError
from .expression import MAX_NODES
from .ops import resolve
from .value import Value

CONVENTIONS = ("data", "original")
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _json_number(x: float):
    """``x`` as strict JSON allows: itself if finite, else its name in ``NON_FINITE``."""
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def _fields(convention: str) -> tuple[str, str]:
    """(field holding the data, field holding the grad)."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS} (or 'auto' when reading), "
                         f"got {convention!r}")
    return ("val", "grad") if convention == "data" else ("grad", "val")


def to_flow(G: nx.DiGraph, convention: str = "data", positions: dict | None = None) -> dict:
    """The graph ``G`` (from :func:`engine.to_graph`) as the original app's JSON document.

    Writes ``val`` = data and ``grad`` = gradient by default, the original app's swapped
    layout with ``convention="original"``. ``positions`` (``{node_id: (x, y)}``) are written as
    React Flow positions when given. An edge carries ``operand`` (its operand position) so
    that ``-``, ``/`` and ``**`` keep their order; the original app ignores it. A non-finite
    data or grad is written as a string (see the module's docstring): the document is strict
    JSON, ``json.dumps(doc, allow_nan=False)`` accepts it.
    """
    data_key, grad_key = _fields(convention)
    nodes, edges = [], []
    for nid, attrs in G.nodes(data=True):
        if attrs["kind"] == "value":
            data = {data_key: _json_number(attrs["data"]), grad_key: _json_number(attrs["grad"]),
                    "label": attrs["label"]}
            if attrs.get("const"):
                data["const"] = True
            node = {"id": nid, "type": "value", "data": data}
        else:
            node = {"id": nid, "type": "operator", "data": {"op": attrs["op"]}}
        if positions is not None and nid in positions:
            x, y = positions[nid]
            node["position"] = {"x": float(x), "y": float(y)}
        nodes.append(node)
    for u, v, attrs in G.edges(data=True):
        for pos in attrs.get("operands", [0]):
            edges.append({"id": f"e{len(edges)}", "source": u, "target": v, "operand": pos})
    return {"nodes": nodes, "edges": edges}


def _structure(nodes, edges) -> tuple[nx.DiGraph, dict, dict]:
    """Validate the document; return the DiGraph, {op id: [input ids]}, {op id: output id}."""
    if not isinstance(nodes, list) or not isinstance(edges, list):
        raise GraphError("expected 'nodes' and 'edges' to be lists")
    if len(nodes) > MAX_NODES or len(edges) > 2 * MAX_NODES:
        raise GraphError(f"the graph is too large (more than {MAX_NODES:,} nodes)")
    G = nx.DiGraph()
    for k, node in enumerate(nodes):
        if not isinstance(node, dict) or "id" not in node:
            raise GraphError(f"node #{k} has no 'id'")
        nid, kind = str(node["id"]), node.get("type")
        if kind not in ("value", "operator"):
            raise GraphError(f"node '{nid}' has type {kind!r}; expected 'value' or 'operator'")
        if nid in G:
            raise GraphError(f"two nodes have the id '{nid}'")
        data = node.get("data") if isinstance(node.get("data"), dict) else {}
        G.add_node(nid, kind=kind, data=data)
    inputs: dict[str, list] = {n: [] for n, a in G.nodes(data=True) if a["kind"] == "operator"}
    output: dict[str, str] = {}
    for k, edge in enumerate(edges):
        if not isinstance(edge, dict):
            raise GraphError(f"edge #{k} is not an object")
        src, dst = str(edge.get("source")), str(edge.get("target"))
        for end in (src, dst):
            if end not in G:
                raise GraphError(f"edge '{edge.get('id', k)}' points to a missing node '{end}'")
        kinds = (G.nodes[src]["kind"], G.nodes[dst]["kind"])
        if kinds == ("value", "operator"):
            operand = edge.get("operand")
            inputs[dst].append((operand if isinstance(operand, int) else len(inputs[dst]), src))
        elif kinds == ("operator", "value"):
            if src in output:
                raise GraphError(f"operator '{src}' has more than one output")
            if any(G.nodes[p]["kind"] == "operator" for p in G.predecessors(dst)):
                raise GraphError(f"value '{dst}' is produced by more than one operator")
            output[src] = dst
        else:
            raise GraphError(f"edge '{edge.get('id', k)}' joins two {kinds[0]} nodes; edges "
                             "must go value -> operator -> value")
        G.add_edge(src, dst)
    for oid, ins in inputs.items():
        if oid not in output:
            raise GraphError(f"operator '{oid}' has no output value")
        try:
            resolve(str(G.nodes[oid]["data"].get("op")), len(ins))
        except KeyError as e:
            raise GraphError(f"operator '{oid}': {e.args[0]}") from None
    if not nx.is_directed_acyclic_graph(G):
        cycle = " -> ".join(u for u, _ in nx.find_cycle(G))
        raise GraphError(f"the graph has a cycle ({cycle}); a compute graph cannot")
    return G, {o: [s for _, s in sorted(ins, key=lambda t: t[0])] for o, ins in inputs.items()}, output


def _number(data: dict, key: str):
    x = data.get(key)
    if isinstance(x, str):          # to_flow's name of a non-finite number
        return NON_FINITE.get(x)
    return float(x) if isinstance(x, numbers.Real) and not isinstance(x, bool) else None


def _agreement(G, inputs, output, data_key: str) -> int:
    """How many operations the values agree with when ``data_key`` holds the data."""
    score = 0
    for oid, ins in inputs.items():
        xs = [_number(G.nodes[i]["data"], data_key) for i in ins]
        out = _number(G.nodes[output[oid]]["data"], data_key)
        if out is None or None in xs:
            continue
        spec, exponent = resolve(str(G.nodes[oid]["data"].get("op")), len(xs))
        expected = spec.forward(*xs, *([exponent] if exponent is not None else []))
        score += math.isclose(expected, out, rel_tol=1e-6, abs_tol=1e-9)
    return score


def _gradient_field(G) -> str | None:
    """The field that looks like gradients when the other does not: all 0 (a file saved before
    backprop; a missing number counts as 0) or else 1 at the output (d out/d out after
    backprop); None when neither test tells the two apart."""
    values = [n for n, a in G.nodes(data=True) if a["kind"] == "value"]
    sinks = [n for n in values if G.out_degree(n) == 0]
    tests = [lambda key: all(not _number(G.nodes[n]["data"], key) for n in values)]
    if len(sinks) == 1:
        tests.append(lambda key: _number(G.nodes[sinks[0]]["data"], key) == 1.0)
    for looks_like_grads in tests:
        fits = [key for key in ("val", "grad") if looks_like_grads(key)]
        if len(fits) == 1:
            return fits[0]
    return None


def _detect(G, inputs, output) -> str:
    """The convention under which more operations agree with their values. On a tie (a file
    saved before backprop: its gradients are all 0, and 0 + 0 = 0 * 0 = tanh(0) = 0 agree with
    the operations as well as the data do) the field that looks like gradients is not the data.
    Raises :class:`GraphError` when nothing tells and the two readings give different leaves."""
    by_grad, by_val = (_agreement(G, inputs, output, key) for key in ("grad", "val"))
    if by_grad != by_val:
        return "original" if by_grad > by_val else "data"
    grads = _gradient_field(G)
    if grads is not None:
        return "original" if grads == "val" else "data"
    leaves = [a["data"] for n, a in G.nodes(data=True)
              if a["kind"] == "value" and G.in_degree(n) == 0]
    if all(_number(d, "val") == _number(d, "grad") for d in leaves):
        return "data"              # either reading gives the same graph
    raise GraphError("cannot tell whether 'val' or 'grad' holds the values' data: the numbers "
                     "fit the operations equally well either way, and neither field looks like "
                     "gradients (all 0, or 1 at the output); set every 'grad' to 0, or pass "
                     "convention='data' or 'original' to from_flow")


def flow_convention(nodes, edges) -> str:
    """``"original"`` if the values agree with the operations better when read from ``grad``
    (the original app's layout), ``"data"`` if better from ``val``; on a tie, not the field
    that looks like gradients (all 0: saved before backprop). Raises :class:`GraphError` when
    the layout cannot be told and matters."""
    return _detect(*_structure(nodes, edges))


def from_flow(nodes, edges=None, convention: str = "auto") -> Value:
    """Rebuild the graph in the original app's JSON and return its output ``Value``, with
    forward data and gradients computed (``backward()`` has run).

    ``nodes`` may also be the whole document (``{"nodes": [...], "edges": [...]}``).
    Leaves take their data from the file (``convention`` says which field holds it;
    ``"auto"`` detects it, see :func:`flow_convention`); intermediates are recomputed. Raises
    :class:`GraphError` (a ``ValueError``) for a cycle, an unknown op, a wrong number of inputs,
    an edge to a missing node, a leaf without a number, not exactly one output, or a layout
    ``"auto"`` cannot tell.
    """
    if edges is None and isinstance(nodes, dict):
        nodes, edges = nodes.get("nodes"), nodes.get("edges")
    G, inputs, output = _structure(nodes, edges if edges is not None else [])
    if convention == "auto":
        convention = _detect(G, inputs, output)
    data_key, _ = _fields(convention)
    sinks = [n for n, a in G.nodes(data=True) if a["kind"] == "value" and G.out_degree(n) == 0]
    if len(sinks) != 1:
        names = ", ".join(G.nodes[n]["data"].get("label") or n for n in sinks) or "none"
        raise GraphError(f"a graph needs exactly one output value; this one has {names}")
    producer = {v: o for o, v in output.items()}
    values: dict[str, Value] = {}
    for nid in nx.lexicographical_topological_sort(G):
        attrs = G.nodes[nid]
        if attrs["kind"] == "operator":
            continue
        label = str(attrs["data"].get("label") or "")
        if nid not in producer:
            x = _number(attrs["data"], data_key)
            if x is None:
                raise GraphError(f"value '{label or nid}' has no number under '{data_key}'")
            values[nid] = Value.constant(x) if attrs["data"].get("const") else Value(x, label=label)
            continue
        oid = producer[nid]
        args = [values[i] for i in inputs[oid]]
        spec, exponent = resolve(str(G.nodes[oid]["data"].get("op")), len(args))
        if exponent is not None:
            args.append(Value.constant(exponent))
        out = args[0]._apply(spec.name, *args[1:])
        out.label = label
        values[nid] = out
    root = values[sinks[0]]
    root.backward()
    return root
