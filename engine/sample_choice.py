"""Which training sample "Inspect sample" opens when none is chosen: the one with the largest
loss, so the gradients its graph shows are not all 0 (a max-margin loss is exactly 0, and so is
every gradient, for each sample already past the margin)."""

from __future__ import annotations

from .loss import per_sample_loss
from .value import Value


def largest_loss_sample(trainer) -> tuple[int, float]:
    """``(sample, loss)``: the data point of ``trainer`` (an ``engine.train.Trainer``) with the
    largest loss under its current weights, the first of equals. Each loss is
    ``per_sample_loss`` of the sample's score (the definition the training graphs use)."""
    losses = [per_sample_loss(Value(float(score)), Value(float(y)), trainer.config.loss).data
              for score, y in zip(trainer.scores(trainer.X), trainer.y)]
    best = max(range(len(losses)), key=losses.__getitem__)
    return best, float(losses[best])
