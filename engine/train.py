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
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .nn import MLP
from .backprop import descend
from .scopes import record
from .steps import update_text
from .tape import Tape
from .value import Value

LOSSES = ("max_margin", "mse", "bce")
SCHEDULES = ("linear_decay", "constant")


# ---- the recipe -------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrainConfig:
    """How to train. ``hidden`` hidden-layer sizes (the output layer of size 1 is added),
    ``nonlin`` ``"relu"`` or ``"tanh"``, ``loss`` one of ``LOSSES``, ``alpha`` the L2 weight
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
        if self.nonlin not in ("relu", "tanh"):
            raise ValueError(f"nonlin must be 'relu' or 'tanh', got {self.nonlin!r}")
        if any(int(h) != h or h < 1 for h in self.hidden):
            raise ValueError(f"hidden sizes must be positive integers, got {self.hidden!r}")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1 or None, got {self.batch_size!r}")
        if self.n_steps < 1:
            raise ValueError(f"n_steps must be >= 1, got {self.n_steps!r}")
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
    """One sample's loss as a ``Value`` (see the module docstring)."""
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


# ---- what the UI reads --------------------------------------------------------------------------

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
            h = np.maximum(h, 0.0) if nonlin == "relu" else np.tanh(h)
    return h[:, 0]


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


def accuracy(y, scores) -> float:
    """Fraction of samples whose score has the label's sign (``score > 0`` predicts +1),
    as micrograd's demo counts it."""
    y, scores = np.asarray(y), np.asarray(scores)
    return float(np.mean((y > 0) == (scores > 0)))


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


def run_steps(state: TrainState, n: int, compiled_cache: dict | None = None,
              budget_s: float | None = None):
    """Up to ``n`` steps from ``state`` (a worker's job: everything in and out is picklable).
    Stops after a non-finite loss, or once ``budget_s`` seconds have passed (at least one
    step). ``compiled_cache`` {key: CompiledLoss} reuses compiled graphs across calls (they
    are stateless between runs) and keeps the last ``CACHE_SIZE``.
    Returns ``(new state, records, nodes per step)``."""
    cache = {} if compiled_cache is None else compiled_cache
    trainer = Trainer.from_state(state, compiled=None)
    compiled = cache.pop(trainer.key, None) or CompiledLoss(*trainer.key)
    cache[trainer.key] = compiled            # most recently used last
    while len(cache) > CACHE_SIZE:
        cache.pop(next(iter(cache)))
    trainer._compiled = compiled
    deadline = None if budget_s is None else time.perf_counter() + budget_s
    records = []
    for _ in range(n):
        records.append(trainer.step())
        if not np.isfinite(records[-1].loss):
            break
        if deadline is not None and time.perf_counter() > deadline:
            break
    return trainer.snapshot(), records, compiled.n_nodes


CACHE_SIZE = 4
_process_cache: dict = {}     # filled only in a worker process, by run_in_worker


def exit_with_parent(parent_pid: int, every_s: float = 0.5) -> None:
    """A worker process's initializer: exit once the process that started it is gone, so a
    server killed without shutting its pool down leaves no workers behind."""
    import os
    import threading

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(every_s)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def run_in_worker(state: TrainState, n: int, budget_s: float | None = None):
    """``run_steps`` with this process's compiled-graph cache: the entry point of a training
    worker process (importing it loads the engine only, never a UI library)."""
    return run_steps(state, n, _process_cache, budget_s)
