"""The sample "Inspect sample" opens by default: the largest loss, checked against each sample's
own loss graph (``Trainer.inspect`` builds it from Values, an independent path)."""

from __future__ import annotations

import pytest

from engine.datasets import make_moons
from engine.sample_choice import largest_loss_sample
from engine.train import TrainConfig, Trainer


@pytest.mark.parametrize("loss", ["max_margin", "mse", "bce"])
def test_the_largest_loss_sample_is_the_one_whose_graph_has_the_largest_loss(loss):
    X, y = make_moons(24, noise=0.1, seed=3)
    trainer = Trainer(X, y, TrainConfig(hidden=(4,), loss=loss, seed=2, lr=0.05 if loss == "mse" else 0.5))
    trainer.run(3)
    sample, worst = largest_loss_sample(trainer)
    graph_losses = [trainer.inspect(s).loss for s in range(len(X))]
    assert worst == pytest.approx(graph_losses[sample], rel=1e-12)
    assert worst == pytest.approx(max(graph_losses), rel=1e-12) and worst > 0
    assert graph_losses.index(max(graph_losses)) == sample


def test_after_training_most_max_margin_losses_are_zero_but_not_the_chosen_one():
    """Why the default matters: past the margin a sample's loss and every gradient are 0."""
    X, y = make_moons(40, noise=0.05, seed=1)
    trainer = Trainer(X, y, TrainConfig(hidden=(8,), loss="max_margin", seed=1))
    trainer.run(40)
    zero = [s for s in range(len(X)) if trainer.inspect(s).loss == 0]
    sample, worst = largest_loss_sample(trainer)
    assert len(zero) > len(X) // 2 and sample not in zero and worst > 0
    assert any(abs(u.grad) > 0 for u in trainer.inspect(sample).updates)
