"""The training loss: the recipe (``TrainConfig``, the learning-rate schedule, micrograd's
batch loss built as a ``Value`` graph) and its compiled form (``CompiledLoss``: that graph
compiled ONCE into a ``Tape``, with the positions of its leaves, so a step only writes numbers
and runs). See ``engine.train`` for the recipe written out and the per-sample losses.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .nn import MLP
from .scopes import record
from .tape import Tape
from .value import Value

LOSSES = ("max_margin", "mse", "bce")
SCHEDULES = ("linear_decay", "constant")
#: The hidden layers' nonlinearities a run offers (``engine.nn`` ops; ``mlp_scores`` applies
#: each through its numpy rule in ``engine.ops``).
NONLINS = ("relu", "tanh")


# ---- the recipe -------------------------------------------------------------------------------

MAX_SEED = 2**32 - 1      # numpy's RandomState (the data sets, the weights' draws) takes no more


@dataclass(frozen=True)
class TrainConfig:
    """How to train. ``hidden`` hidden-layer sizes (the output layer of size 1 is added),
    ``nonlin`` one of ``NONLINS``, ``loss`` one of ``LOSSES``, ``alpha`` the L2 weight
    decay factor, ``lr`` the (initial) learning rate, ``schedule`` ``"constant"`` or
    ``"linear_decay"`` (micrograd's ``lr * (1 - 0.9 * k / n_steps)``, then held at
    ``0.1 * lr``), ``batch_size`` ``None`` for full batch, ``seed`` seeds the initial weights
    (as ``random.seed`` does for micrograd) and the minibatch draws."""
    hidden: tuple = (16, 16)
    nonlin: str = "relu"
    loss: str = "max_margin"
    alpha: float = 1e-4
    lr: float = 1.0
    schedule: str = "linear_decay"
    n_steps: int = 100
    batch_size: int | None = None
    seed: int = 1337

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        if self.nonlin not in NONLINS:
            raise ValueError(f"nonlin must be one of {NONLINS}, got {self.nonlin!r}")
        if any(int(h) != h or h < 1 for h in self.hidden):
            raise ValueError(f"hidden sizes must be positive integers, got {self.hidden!r}")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1 or None, got {self.batch_size!r}")
        if self.n_steps < 1:
            raise ValueError(f"n_steps must be >= 1, got {self.n_steps!r}")
        for name in ("lr", "alpha"):        # inf trained every weight to nan in one step
            value = getattr(self, name)
            if not (isinstance(value, numbers.Real) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if not (isinstance(self.seed, numbers.Integral) and 0 <= self.seed <= MAX_SEED):
            raise ValueError(f"seed must be an integer from 0 to 2**32 - 1, got {self.seed!r}")
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))


def learning_rate(config: TrainConfig, k: int) -> float:
    """The learning rate of step ``k`` (0-based). Linear decay is micrograd's
    ``1.0 - 0.9*k/100`` for ``lr=1, n_steps=100``; past ``n_steps`` it stays at its end value
    instead of turning negative."""
    if config.schedule == "constant":
        return float(config.lr)
    k = min(k, config.n_steps)
    return config.lr * (1.0 - 0.9 * k / config.n_steps)


def per_sample_loss(score: Value, y: Value, loss: str) -> Value:
    """One sample's loss as a ``Value`` (see ``engine.train``'s docstring)."""
    if loss == "max_margin":
        return (1 + -y * score).relu()
    if loss == "mse":
        return (score - y) ** 2
    if loss == "bce":
        return -((y * score).sigmoid().log())
    raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")


def build_loss(model: MLP, xs, ys, loss: str, alpha=None):
    """The loss graph of a batch, micrograd's demo recipe.

    Inputs: ``model`` an ``engine.nn.MLP``, ``xs`` a list of input rows (each a list of
    Values), ``ys`` the labels (Values), ``loss`` one of ``LOSSES``, ``alpha`` a Value, a
    number or ``None`` (no L2 term).
    Returns ``(total, scores, losses)``: the loss Value (labelled ``loss``), the score Values
    (``score[s]``) and the per-sample loss Values (``loss[s]``), labelled by position ``s``.
    Scopes (``engine.scopes``): the model's neurons record theirs; each sample's loss is
    ``("sample loss",)`` and the L2 term ``("L2 term",)``; the mean over samples has none.
    """
    scores, losses = [], []
    for s, (x, y) in enumerate(zip(xs, ys)):
        score = model(x)
        score.label = f"score[{s}]"
        sample_loss = per_sample_loss(score, y, loss)
        sample_loss.label = f"loss[{s}]"
        record(sample_loss, ("sample loss",))
        scores.append(score)
        losses.append(sample_loss)
    data_loss = sum(losses) * (1.0 / len(losses))
    data_loss.label = "data_loss"
    if alpha is None:
        total = data_loss
    else:
        reg_loss = alpha * sum(p * p for p in model.parameters())
        reg_loss.label = "reg_loss"
        record(reg_loss, ("L2 term",))
        total = data_loss + reg_loss
    total.label = "loss"
    return total, scores, losses


# ---- compiled once per (architecture, loss, batch size) ------------------------------------------

def estimate_nodes(nin: int, hidden: tuple, batch_size: int) -> int:
    """About how many value nodes the batch loss graph has (within a few percent), to refuse
    models whose one-off compile would stall a page: per sample, every neuron makes one
    product and one sum per input plus its nonlinearity, and the loss adds a handful; the L2
    term adds two nodes per parameter."""
    sizes = [nin] + list(hidden) + [1]
    per_sample = nin + 6
    n_params = 0
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        per_sample += n_out * (2 * n_in + (1 if layer < len(sizes) - 2 else 0))
        n_params += n_out * (n_in + 1)
    return batch_size * (per_sample + 1) + 3 * n_params + 10


class CompiledLoss:
    """The batch loss graph of an MLP compiled into a ``Tape``, with the positions of its
    leaves in the tape's arrays, so a step only writes numbers and runs.

    Attributes: ``key`` (nin, hidden, nonlin, loss, batch_size), ``tape``, ``labels`` parameter labels (order of ``model.parameters()``),
    ``param_index`` (P,), ``x_index`` (B, nin), ``y_index`` (B,), ``score_index`` (B,),
    ``alpha_index``, ``data_loss_index``, ``reg_loss_index`` positions in the tape arrays.
    Stateless between runs: several trainers may share one, one step at a time.
    """

    def __init__(self, nin: int, hidden: tuple, nonlin: str, loss: str, batch_size: int):
        self.nin, self.hidden, self.nonlin = nin, tuple(hidden), nonlin
        self.loss, self.batch_size = loss, batch_size
        self.key = (nin, self.hidden, nonlin, loss, batch_size)
        model = MLP(nin, list(hidden) + [1], nonlin=nonlin, seed=0)
        xs = [[Value(0.0, label=f"x[{s}][{i}]") for i in range(nin)] for s in range(batch_size)]
        ys = [Value(1.0, label=f"y[{s}]") for s in range(batch_size)]
        alpha = Value(0.0, label="alpha")
        total, scores, _ = build_loss(model, xs, ys, loss, alpha)
        self.tape = Tape(total)
        position = {id(v): k for k, v in enumerate(self.tape.nodes)}
        params = model.parameters()
        self.labels = [p.label for p in params]
        self.param_index = np.array([position[id(p)] for p in params])
        self.x_index = np.array([[position[id(v)] for v in row] for row in xs])
        self.y_index = np.array([position[id(v)] for v in ys])
        self.score_index = np.array([position[id(v)] for v in scores])
        self.alpha_index = position[id(alpha)]
        # total = data_loss + reg_loss: the output's two operands
        data_loss, reg_loss = total._prev
        self.data_loss_index = position[id(data_loss)]
        self.reg_loss_index = position[id(reg_loss)]
        self.n_nodes = len(self.tape.nodes)

    def run(self, weights: np.ndarray, X: np.ndarray, y: np.ndarray, alpha: float):
        """Loss, per-parameter grads and scores for ``weights`` on the batch ``X`` (B, nin),
        ``y`` (B,). Returns ``(loss, data_loss, reg_loss, grad (P,), scores (B,))``."""
        # By precomputed position: what ``tape.run({label: value})`` does, without looking up
        # ~700 labels per step.
        self.tape.set_leaves(self.param_index, weights)
        self.tape.set_leaves(self.x_index, X)
        self.tape.set_leaves(self.y_index, y)
        self.tape.set_leaves(self.alpha_index, alpha)
        result = self.tape.run()
        return (result.output, float(result.data[self.data_loss_index]),
                float(result.data[self.reg_loss_index]),
                result.grad[self.param_index].copy(), result.data[self.score_index].copy())

