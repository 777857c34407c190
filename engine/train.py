"""Gradient descent on an ``engine.nn.MLP``, every step run through a compiled ``engine.Tape``.

The loss of a batch is built ONCE as an ordinary ``Value`` graph, micrograd's demo recipe::

    scores    = [model(x[s]) for s in batch]               # x[s][i]: leaf Values
    losses    = [per_sample(score[s], y[s]) for s in batch] # y[s]: leaf Values
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss  = alpha * sum(p*p for p in model.parameters())
    loss      = data_loss + reg_loss

and compiled into a ``Tape``. A training step writes the current weights and the batch's inputs
into the tape's leaves, runs it (forward and backward, no Values built), reads the parameters'
grads from the tape's arrays and updates ``w -= lr * grad``. Weights live in a numpy vector
aligned with ``model.parameters()`` (labels ``w[layer][neuron][input]``, ``b[layer][neuron]``).

Per-sample losses (``y`` in {-1, +1}, ``score`` the MLP's output):

- ``"max_margin"``: ``relu(1 - y * score)`` (micrograd's demo; written ``(1 + -y*score).relu()``)
- ``"mse"``:        ``(score - y) ** 2``
- ``"bce"``:        ``-log(sigmoid(y * score))``, which equals binary cross-entropy
  ``-[t log p + (1-t) log(1-p)]`` for ``p = sigmoid(score)``, ``t = (y+1)/2``, and stays finite
  where ``p`` rounds to 1 (the textbook form then gives ``0 * log(0) = nan``).

Prediction = sign of the score (``score > 0`` is class +1; for BCE that is ``p > 0.5``).

The pieces live in single-purpose modules, all re-exported here (``from engine.train import X``
is the stable spelling):

- ``engine.loss``:          ``TrainConfig``, ``learning_rate``, ``per_sample_loss``,
  ``build_loss``, ``estimate_nodes``, ``CompiledLoss`` (the recipe and its compiled form);
- ``engine.train_records``: ``StepRecord``, ``ParamUpdate``, ``Inspection``, ``TrainState``;
- ``engine.trainer``:       ``Trainer``, ``mlp_scores``, ``accuracy``;
- ``engine.train_worker``:  ``run_steps``, ``run_in_worker``, ``exit_with_parent`` (a run in a
  worker process).
"""
from .loss import (LOSSES, NONLINS, SCHEDULES, CompiledLoss, TrainConfig, build_loss,
                   estimate_nodes, learning_rate, per_sample_loss)
from .train_records import Inspection, ParamUpdate, StepRecord, TrainState
from .train_worker import CACHE_SIZE, exit_with_parent, run_in_worker, run_steps
from .trainer import Trainer, accuracy, mlp_scores

__all__ = ["LOSSES", "NONLINS", "SCHEDULES", "TrainConfig", "learning_rate", "per_sample_loss",
           "build_loss", "estimate_nodes", "CompiledLoss", "StepRecord", "ParamUpdate",
           "Inspection", "TrainState", "Trainer", "mlp_scores", "accuracy", "run_steps",
           "run_in_worker", "exit_with_parent", "CACHE_SIZE"]
