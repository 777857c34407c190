"""A scalar that remembers how it was computed, micrograd style.

Compatible with karpathy's micrograd ``Value`` (``Value(data, _children, _op, label=...)``,
``.data``, ``.grad``, ``._prev``, ``._op``, ``.backward()``; a learner's own node
``Value(a.data * b.data, (a, b), '*')`` gets the table's local derivatives, so a new op needs an
entry in ``engine.ops.OPS``), with three differences a learner may notice:

- ``._prev`` is a tuple in operand order (micrograd: a set), so ``a - b`` and ``b - a`` differ
  in the graph, and ``-`` and ``/`` are single ops, so the graph reads like the expression;
- ``backward()`` zeroes every grad in the graph first, so calling it twice gives the same grads
  (micrograd accumulates: a second call doubles them);
- a plain number used in an op becomes a *constant* leaf (``._const``) that, like a literal in
  PyTorch, receives no gradient.

Each op's forward rule and local derivatives sit side by side in ``engine.ops.OPS``.
"""
from __future__ import annotations

import numbers

from .backprop import reverse_sweep
from .ops import OPS, resolve
from .topo import topo_order


def _number_label(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


class Value:
    # ``_scope`` (set by engine.nn / engine.scopes.record, never in __init__, so building a
    # Value costs nothing more) is the module path a node was built in: ("layer 1", "neuron 0")
    __slots__ = ("data", "grad", "label", "_prev", "_op", "_const", "_scope", "__weakref__")

    def __init__(self, data, _children: tuple = (), _op: str = "", label: str = ""):
        # micrograd's order, so a learner's own op ``Value(a.data * b.data, (a, b), '*')`` builds
        # the node it means; ``Value(2.0, "a")`` (a name second, this engine's earlier order) is
        # still the leaf ``a``: a string is never a tuple of operands
        if isinstance(_children, str) and not _op and not label:
            _children, label = (), _children
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a string, got {type(label).__name__} {label!r:.60}")
        try:
            children = tuple(_children)
        except TypeError:
            raise TypeError(f"Value _children must be a tuple of Values, got {type(_children).__name__}") from None
        for c in children:
            if not isinstance(c, Value):
                raise TypeError(f"Value _children must be Values, got {type(c).__name__} {c!r:.60}")
        if children:    # micrograd's names too ('ReLU', '**2'): the table's op, its exponent an operand
            try:
                spec, exponent = resolve(str(_op), len(children))
            except KeyError as e:
                raise ValueError(f"Value with operands: {e.args[0]} (each op's local derivatives are "
                                 "in engine.ops.OPS; a new op goes there)") from None
            _op = spec.name
            if exponent is not None:
                children += (Value.constant(exponent),)
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._prev = children
        self._op = _op
        self._const = False

    @classmethod
    def _node(cls, data: float, children: list, op: str) -> "Value":
        """The result of a table op on checked operands (``_apply``): no checks, as cheap as
        micrograd's constructor (the checks above cost ~40 % of building a graph)."""
        v = cls.__new__(cls)
        v.data, v.grad, v.label, v._prev, v._op, v._const = data, 0.0, "", tuple(children), op, False
        return v

    @staticmethod
    def constant(x) -> "Value":
        """A number literal as a leaf that receives no gradient."""
        v = Value(x, label=_number_label(x))
        v._const = True
        return v

    def _apply(self, op: str, *others) -> "Value":
        """The node ``op(self, *others)``, computed by the op's forward rule in the table; a
        plain number among ``others`` becomes a constant leaf."""
        operands = [self]
        for o in others:
            if isinstance(o, Value):
                operands.append(o)
            elif isinstance(o, numbers.Real):
                operands.append(Value.constant(o))
            else:
                return NotImplemented
        return Value._node(float(OPS[op].forward(*(v.data for v in operands))), operands, op)

    def backward(self) -> None:
        """Fill ``.grad`` of every node with d self / d node (zeroing the graph's grads first).

        micrograd's loop, ``for v in reversed(topo): v._backward()``, is ``reverse_sweep``
        (shared with the compiled Tape and the step records) over the nodes' positions."""
        order = topo_order(self)
        position = {id(v): k for k, v in enumerate(order)}
        program = [(OPS[v._op].local, k, position[id(v._prev[0])],
                    position[id(v._prev[1])] if len(v._prev) > 1 else None)
                   for k, v in enumerate(order) if v._prev]
        grad = [0.0] * len(order)
        grad[-1] = 1.0                              # order[-1] is self: d self / d self
        reverse_sweep(program, [v.data for v in order], grad)
        for v, g in zip(order, grad):
            v.grad = g
        for v in order[:-1]:                        # literals receive no grad
            if v._const:
                v.grad = 0.0

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"


# Every op of the table as Python syntax on Values, as micrograd spells them out one by one:
# ``a + b`` and ``2 + a`` (``__add__``, ``__radd__``), ``-a``, ``a.tanh()``...
def _operator(name: str):
    def apply(self, *others):
        return self._apply(name, *others)
    return apply


def _reflected(name: str):
    def apply(self, other):                 # number op Value: the number is the left operand
        if isinstance(other, Value):
            return other._apply(name, self)
        if not isinstance(other, numbers.Real):     # "2" + v: as v + "2", not float("2")
            return NotImplemented
        return Value.constant(other)._apply(name, self)
    return apply


for _op in OPS.values():
    if _op.dunder:
        setattr(Value, f"__{_op.dunder}__", _operator(_op.name))
        if _op.arity == 2:
            setattr(Value, f"__r{_op.dunder}__", _reflected(_op.name))
    if _op.is_function:
        setattr(Value, _op.name, _operator(_op.name))
del _op
