"""Built-in examples. Each preset is either source text in the ``engine.parse`` language or a
builder that returns an ``engine.Value`` (the MLP, which uses ``engine.nn``).

The mapping is read-only (``MappingProxyType``) so no session can change another's presets.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable


@dataclass(frozen=True)
class Preset:
    """One example.

    Attributes
    ----------
    title : str
        Shown in the preset menu.
    source : str
        Expression text for the editor (for builder presets: a comment explaining it).
    build : callable or None
        ``build() -> engine.Value`` for presets the expression language cannot express.
    """

    title: str
    source: str
    build: Callable | None = None


LECTURE = """\
a = 2
b = -3
c = 10
f = -2
e = a*b
d = e + c
L = d*f
"""

# karpathy's neuron: inputs, weights and the bias that makes o = tanh(n) = 0.7071
NEURON_PREACTIVATION = """\
x1 = 2
x2 = 0
w1 = -3
w2 = 1
b = 6.8813735870195432
x1w1 = x1*w1
x2w2 = x2*w2
x1w1x2w2 = x1w1 + x2w2
n = x1w1x2w2 + b
"""

TANH_NEURON = NEURON_PREACTIVATION + "o = tanh(n)\n"

ACCUMULATION = """\
a = 3
b = a + a
"""

TANH_VIA_EXP = NEURON_PREACTIVATION + "e = exp(2*n)\no = (e - 1)/(e + 1)\n"

MLP_SEED = 0
MLP_NOTE = """\
# A seeded MLP(2, [2, 2, 1]) from engine.nn (seed 0), one sample:
#   x = [2, -1], target y = 1, loss = (mlp(x) - y)**2
# Its weights and inputs are the sliders. Type your own
# expression here and press Apply to replace it.
"""


def build_mlp_loss():
    """The MLP preset: ``(MLP(2, [2, 2, 1])([x1, x2]) - y)**2`` with labelled leaves.

    Returns
    -------
    engine.Value
        The loss, labelled ``loss``.
    """
    import random

    from engine import Value
    from engine.nn import MLP

    mlp = _seeded_mlp(MLP, random.Random(MLP_SEED))
    x1, x2, y = Value(2.0, label="x1"), Value(-1.0, label="x2"), Value(1.0, label="y")
    out = mlp([x1, x2])
    if isinstance(out, (list, tuple)):
        out = out[0]
    out.label = out.label or "pred"
    diff = out - y
    diff.label = "diff"
    loss = diff**2
    loss.label = "loss"
    return loss


def _seeded_mlp(MLP, rng):
    """Build MLP(2, [2, 2, 1]) seeded, whatever the engine calls its seeding argument."""
    for kwargs in ({"rng": rng}, {"seed": MLP_SEED}):
        try:
            return MLP(2, [2, 2, 1], **kwargs)
        except TypeError:
            continue
    return MLP(2, [2, 2, 1])


PRESETS = MappingProxyType(
    {
        "lecture": Preset("Lecture: L = (a*b + c)*f", LECTURE),
        "neuron": Preset("tanh neuron", TANH_NEURON),
        "accumulation": Preset("Grad accumulation: b = a + a", ACCUMULATION),
        "tanh_exp": Preset("tanh decomposed via exp", TANH_VIA_EXP),
        "mlp": Preset("MLP(2, [2, 2, 1]) squared loss", MLP_NOTE, build_mlp_loss),
    }
)

DEFAULT_PRESET = "lecture"
