"""Topological order of a micrograd-style graph, without recursion."""
from __future__ import annotations

import math


class GraphError(ValueError):
    """A graph this engine cannot compute: unknown op, wrong arity, cycle, dangling edge..."""


def operands(v) -> tuple:
    """The inputs of ``v`` in operand order (micrograd keeps a set: its order is kept as is)."""
    return tuple(getattr(v, "_prev", ()) or ())


def topo_order(root, max_nodes: int | None = None) -> list:
    """Every node reachable from ``root`` through ``._prev``, each after all of its operands,
    ``root`` last.

    Depth-first post-order with an explicit stack, so a 100,000-op chain needs no recursion;
    operands are visited in operand order, so the order is deterministic. Nodes are told apart
    by identity (micrograd-style values need not be hashable by value). With ``max_nodes``
    (a user's graph) raises :class:`GraphError` as soon as the walk meets more nodes: the rest
    is not walked. A cycle (a ``_prev`` set by hand) leaves an operand after its user (see
    ``engine.convert.value_order``).
    """
    limit = math.inf if max_nodes is None else max_nodes
    order, seen = [], {id(root)}
    stack = [(root, iter(operands(root)))]
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if id(child) not in seen:
                if len(seen) >= limit:
                    raise GraphError(f"the graph is too large (more than {max_nodes:,} nodes)")
                seen.add(id(child))
                stack.append((child, iter(operands(child))))
                break
        else:
            stack.pop()
            order.append(node)
    return order
