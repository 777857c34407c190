"""The plain records a training run produces: what the UI reads (``StepRecord``,
``ParamUpdate``, ``Inspection``) and a ``Trainer`` between two steps (``TrainState``, picklable
data that travels to a worker process and back)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .loss import TrainConfig
from .steps import update_text
from .value import Value


@dataclass(frozen=True)
class StepRecord:
    """One training step ``step`` (0-based), measured before its update as micrograd prints
    it: ``loss`` = ``data_loss`` + ``reg_loss`` on the batch, ``accuracy`` on the batch,
    ``train_accuracy`` on the whole data set, ``lr`` the rate the update used."""
    step: int
    loss: float
    data_loss: float
    reg_loss: float
    accuracy: float
    train_accuracy: float
    lr: float


@dataclass(frozen=True)
class ParamUpdate:
    """``label.data -= lr * grad``: ``data`` before, ``new_data`` after; ``node`` the value
    id of the parameter in the inspected graph (``engine.to_graph`` ids), if any."""
    label: str
    data: float
    grad: float
    lr: float
    new_data: float
    node: str | None = None

    @property
    def text(self) -> str:
        return update_text(self.label, self.data, self.grad, self.lr, self.new_data)


@dataclass
class Inspection:
    """One data point's loss graph with the current weights (fresh Values, so the app may
    run, step or mutate it freely), and the gradient-descent update its grads would make."""
    root: Value
    sample: int
    x: tuple
    y: int
    score: float
    loss: float
    lr: float
    updates: list = field(default_factory=list)


@dataclass(frozen=True)
class TrainState:
    """A ``Trainer`` between two steps (``Trainer.snapshot``): data, recipe, weights, the last
    step's grad and update, the step count and the minibatch stream's state."""
    X: np.ndarray
    y: np.ndarray
    config: TrainConfig
    weights: np.ndarray
    grad: np.ndarray
    update: np.ndarray
    k: int
    batches: tuple
