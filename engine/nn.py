"""Neurons, layers and MLPs on ``Value``, compatible with karpathy's ``micrograd.nn``.

Differences: the nonlinearity is named (``"tanh"``, ``"relu"`` or ``"linear"``; micrograd's
``nonlin=True/False`` still means relu/linear), weights come from a seedable ``rng``, and every
parameter carries a label that says where it lives (``w[1][0][2]``: layer 1, neuron 0, input 2;
``b[1][0]``), so graphs of networks are legible. Every Value a neuron builds, and its
parameters, also record the neuron's scope path (``("layer 1", "neuron 0")``, see
``engine.scopes``): one attribute set per node built, so training (which builds its graph once
and re-runs a Tape) does not notice.
"""
from __future__ import annotations

import random

from .value import Value

NONLINEARITIES = ("tanh", "relu", "linear")


def _nonlin_name(nonlin) -> str:
    if nonlin is True:
        return "relu"
    if nonlin is False:
        return "linear"
    if nonlin not in NONLINEARITIES:
        raise ValueError(f"nonlin must be one of {NONLINEARITIES}, got {nonlin!r}")
    return nonlin


def _index(idx: tuple) -> str:
    return "".join(f"[{i}]" for i in idx)


def _scope_path(idx: tuple) -> tuple:
    """A neuron's scope path from its index: (layer, neuron), (neuron,) or ()."""
    if len(idx) >= 2:
        return (f"layer {idx[-2]}", f"neuron {idx[-1]}")
    return (f"neuron {idx[0]}",) if idx else ("neuron",)


class Module:
    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        return []


class Neuron(Module):
    """``nonlin(sum_i w[i] * x[i] + b)``, with ``w ~ U(-1, 1)`` and ``b = 0`` as in micrograd."""

    def __init__(self, nin: int, nonlin="tanh", rng: random.Random | None = None,
                 seed: int | None = None, index: tuple = ()):
        rng = rng or random.Random(seed)
        self.nonlin = _nonlin_name(nonlin)
        self.index = tuple(index)
        self.w = [Value(rng.uniform(-1, 1), label=f"w{_index(self.index + (i,))}")
                  for i in range(nin)]
        self.b = Value(0.0, label=f"b{_index(self.index)}")
        self.scope = _scope_path(self.index)
        for p in self.parameters():
            p._scope = self.scope

    def __call__(self, x) -> Value:
        scope = self.scope
        act = self.b              # micrograd's sum(w*x, b): b + w0*x0 + w1*x1 + ...
        for wi, xi in zip(self.w, x):
            prod = wi * xi
            act = act + prod
            prod._scope = act._scope = scope
        out = act if self.nonlin == "linear" else getattr(act, self.nonlin)()
        out.label = f"h{_index(self.index)}"
        out._scope = scope
        return out

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{self.nonlin}Neuron({len(self.w)})"


class Layer(Module):
    def __init__(self, nin: int, nout: int, nonlin="tanh", rng: random.Random | None = None,
                 seed: int | None = None, index: tuple = ()):
        rng = rng or random.Random(seed)
        self.neurons = [Neuron(nin, nonlin, rng=rng, index=tuple(index) + (j,))
                        for j in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of sizes ``nouts`` on ``nin`` inputs; hidden layers use ``nonlin``, the last is
    linear (as in micrograd)."""

    def __init__(self, nin: int, nouts: list[int], nonlin="tanh",
                 rng: random.Random | None = None, seed: int | None = None):
        rng = rng or random.Random(seed)
        sizes = [nin] + list(nouts)
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin if i != last else "linear",
                             rng=rng, index=(i,))
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            # a one-neuron layer returns a bare Value (as in micrograd); the next layer iterates
            x = layer(x if isinstance(x, (list, tuple)) else [x])
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
