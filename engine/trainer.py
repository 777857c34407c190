"""``Trainer``: gradient descent on an ``engine.nn.MLP``, each step run through the compiled
loss (``engine.loss.CompiledLoss``); and the model read without Values (``mlp_scores``,
``accuracy``) for decision boundaries and accuracies."""
from __future__ import annotations

import numpy as np

from .backprop import descend
from .loss import CompiledLoss, TrainConfig, build_loss, estimate_nodes, learning_rate
from .nn import MLP
from .ops import OPS
from .train_records import Inspection, ParamUpdate, StepRecord, TrainState
from .tape import Tape
from .value import Value


def mlp_scores(weights: np.ndarray, X: np.ndarray, nin: int, hidden: tuple,
               nonlin: str) -> np.ndarray:
    """The MLP's scores for every row of ``X`` (N, nin), as matrix products: the grid of a
    decision boundary (thousands of points) without building Values. ``weights`` is ordered as
    ``MLP.parameters()``: per layer, per neuron, its input weights then its bias. Equals the
    Value graph's scores up to summation order (~1e-15)."""
    h = np.asarray(X, dtype=float)
    sizes = [nin] + list(hidden) + [1]
    at = 0
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        block = weights[at: at + n_out * (n_in + 1)].reshape(n_out, n_in + 1)
        at += n_out * (n_in + 1)
        h = h @ block[:, :n_in].T + block[:, n_in]
        if layer < len(sizes) - 2:
            h = OPS[nonlin].np_forward(h)
    return h[:, 0]


def accuracy(y, scores) -> float:
    """Fraction of samples whose score has the label's sign (``score > 0`` predicts +1),
    as micrograd's demo counts it."""
    y, scores = np.asarray(y), np.asarray(scores)
    return float(np.mean((y > 0) == (scores > 0)))



class Trainer:
    """Trains ``MLP(nin, hidden + [1])`` on ``X`` (N, nin), ``y`` (N,) in {-1, +1}.

    ``compiled`` may pass a ``CompiledLoss`` of the same architecture, loss and batch size to
    reuse (e.g. after a reset). State: ``weights`` (P,), ``grad`` and ``update`` of the last
    step, ``k`` the number of steps taken, ``history`` a list of ``StepRecord``.
    """

    def __init__(self, X, y, config: TrainConfig = TrainConfig(),
                 compiled: CompiledLoss | None = None):
        self.X = np.asarray(X, dtype=float)
        self.y = np.asarray(y, dtype=float)
        if self.X.ndim != 2 or len(self.X) != len(self.y) or len(self.y) == 0:
            raise ValueError("X must be (N, nin) and y (N,) with N >= 1")
        if not np.all(np.abs(self.y) == 1):
            raise ValueError("labels must be -1 or +1 (engine.datasets.labels_pm1 converts)")
        self.config = config
        self.nin = self.X.shape[1]
        batch = len(self.X) if config.batch_size is None else min(config.batch_size, len(self.X))
        self.batch_size = batch
        self.key = (self.nin, config.hidden, config.nonlin, config.loss, batch)
        # compiled on the first step (or given): a process that only shows a run trained
        # elsewhere (``run_steps`` in a worker) never pays the compile
        self._compiled = compiled if compiled is not None and compiled.key == self.key else None
        self.reset()

    @property
    def compiled(self) -> CompiledLoss:
        """The batch loss graph compiled into a ``Tape`` (built on first use)."""
        if self._compiled is None:
            self._compiled = CompiledLoss(*self.key)
        return self._compiled

    @property
    def n_nodes(self) -> int:
        """Value nodes per step: exact once compiled, else ``estimate_nodes``."""
        if self._compiled is not None:
            return self._compiled.n_nodes
        return estimate_nodes(self.nin, self.config.hidden, self.batch_size)

    # -- state --
    def reset(self) -> None:
        """Back to the seeded initial weights and batch stream, no steps taken."""
        model = MLP(self.nin, list(self.config.hidden) + [1], nonlin=self.config.nonlin,
                    seed=self.config.seed)
        self.labels = [p.label for p in model.parameters()]
        self.weights = np.array([p.data for p in model.parameters()])
        self.grad = np.zeros_like(self.weights)
        self.update = np.zeros_like(self.weights)
        self.k = 0
        self.history: list[StepRecord] = []
        self._batches = np.random.RandomState(self.config.seed)

    @property
    def lr(self) -> float:
        """The learning rate the next step will use."""
        return learning_rate(self.config, self.k)

    def _next_batch(self) -> np.ndarray:
        n = len(self.X)
        if self.batch_size >= n:
            return np.arange(n)
        # micrograd's demo: np.random.permutation(N)[:batch_size], from a seeded stream
        return self._batches.permutation(n)[: self.batch_size]

    # -- training --
    def step(self) -> StepRecord:
        """One step: loss and grads through the tape, then ``w -= lr * grad``."""
        rows = self._next_batch()
        yb = self.y[rows]
        loss, data_loss, reg_loss, grad, scores = self.compiled.run(
            self.weights, self.X[rows], yb, self.config.alpha)
        record = StepRecord(
            step=self.k, loss=loss, data_loss=data_loss, reg_loss=reg_loss,
            accuracy=accuracy(yb, scores),
            train_accuracy=(accuracy(yb, scores) if len(rows) == len(self.X)
                            else accuracy(self.y, self.scores(self.X))),
            lr=self.lr)
        self.grad = grad
        with np.errstate(all="ignore"):     # a diverging run overflows to inf, as floats do
            self.update = descend(0.0, grad, record.lr)     # the step alone, -lr * grad
            self.weights = self.weights + self.update      # = descend(weights, ...) exactly
        self.k += 1
        self.history.append(record)
        return record

    def run(self, n: int) -> list[StepRecord]:
        """``n`` steps; returns their records."""
        return [self.step() for _ in range(n)]

    # -- a run between processes --
    def snapshot(self) -> "TrainState":
        """Everything the next steps depend on, as plain picklable data (no tape)."""
        return TrainState(X=self.X, y=self.y, config=self.config, weights=self.weights,
                          grad=self.grad, update=self.update, k=self.k,
                          batches=self._batches.get_state())

    @classmethod
    def from_state(cls, state: "TrainState", compiled: CompiledLoss | None = None) -> "Trainer":
        trainer = cls(state.X, state.y, state.config, compiled=compiled)
        trainer.restore(state)
        return trainer

    def restore(self, state: "TrainState", records=()) -> None:
        """Take over a state reached elsewhere (same data and architecture); ``records`` are
        the steps that led to it, appended to ``history``. ``config`` stays this trainer's:
        a recipe changed meanwhile applies from the next step."""
        self.weights, self.grad, self.update = state.weights, state.grad, state.update
        self.k = state.k
        self._batches.set_state(state.batches)
        self.history.extend(records)

    # -- reading the model --
    def scores(self, X) -> np.ndarray:
        """Current scores for the rows of ``X``, without Values (``mlp_scores``)."""
        return mlp_scores(self.weights, X, self.nin, self.config.hidden, self.config.nonlin)

    def bounds(self, pad: float = 0.5) -> tuple:
        """``(x0, x1, y0, y1)``: the data's bounding box padded by ``pad`` (2-D inputs)."""
        lo, hi = self.X.min(axis=0) - pad, self.X.max(axis=0) + pad
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])

    def decision_grid(self, resolution: int = 80, bounds: tuple | None = None):
        """Scores on a ``resolution`` x ``resolution`` grid over ``bounds`` (default
        ``self.bounds()``). Returns ``(xs, ys, Z)``: grid coordinates (centres) and
        ``Z[i, j]`` = score at ``(xs[j], ys[i])`` (rows bottom to top)."""
        if self.nin != 2:
            raise ValueError("a decision grid needs 2-D inputs")
        x0, x1, y0, y1 = bounds or self.bounds()
        xs = np.linspace(x0, x1, resolution)
        ys = np.linspace(y0, y1, resolution)
        gx, gy = np.meshgrid(xs, ys)
        Z = self.scores(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
        return xs, ys, Z

    def nearest(self, x: float, y: float) -> int:
        """The sample closest to the point ``(x, y)`` (2-D inputs; a click on the plot)."""
        return int(np.argmin((self.X[:, 0] - x) ** 2 + (self.X[:, 1] - y) ** 2))

    def parameter_table(self) -> dict:
        """Columns ``label``, ``data`` (current), ``grad`` and ``update`` (``-lr * grad``) of
        the last step, one row per parameter in ``MLP.parameters()`` order."""
        return {"label": list(self.labels), "data": self.weights.copy(),
                "grad": self.grad.copy(), "update": self.update.copy()}

    def inspect(self, sample: int, with_l2: bool = False) -> Inspection:
        """The loss graph of data point ``sample`` alone with the current weights: fresh
        Values (inputs ``x[s][i]`` and ``y[s]`` are leaves, parameters carry their labels, the
        output is ``loss``), plus the update ``p.data -= lr * p.grad`` its grads give at the
        learning rate of the next step. ``with_l2`` adds ``alpha * sum(p*p)``."""
        if not 0 <= sample < len(self.X):
            raise IndexError(f"sample must be in [0, {len(self.X)}), got {sample}")
        model = MLP(self.nin, list(self.config.hidden) + [1], nonlin=self.config.nonlin, seed=0)
        params = model.parameters()
        for p, w in zip(params, self.weights.tolist()):
            p.data = w
        x = [Value(v, label=f"x[{sample}][{i}]") for i, v in enumerate(self.X[sample].tolist())]
        y = Value(float(self.y[sample]), label=f"y[{sample}]")
        alpha = Value(self.config.alpha, label="alpha") if with_l2 else None
        root, scores, _ = build_loss(model, [x], [y], self.config.loss, alpha)
        scores[0].label = "score"
        # The batch-of-one mean (sum(losses) * 1.0) keeps the graph identical in shape to the
        # training graph; the grads come from a Tape so the Values stay untouched (grad 0).
        tape = Tape(root)
        position = {id(v): k for k, v in enumerate(tape.nodes)}
        lr = self.lr
        updates = []
        for p in params:
            k = position[id(p)]
            g = float(tape.grad[k])
            updates.append(ParamUpdate(p.label, p.data, g, lr, descend(p.data, g, lr),
                                       tape.ids[k]))
        return Inspection(root=root, sample=sample, x=tuple(self.X[sample].tolist()),
                          y=int(self.y[sample]), score=float(scores[0].data),
                          loss=float(root.data), lr=lr, updates=updates)

