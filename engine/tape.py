"""A graph compiled once into flat instructions, re-run for new leaf values without Values.

This is what a slider move calls: ``Tape(root)`` once per structure, then ``tape.run({...})``
recomputes every node's data and grad. Two executors give the same results (to rounding):

- Python floats in lists, one instruction at a time (narrow, deep graphs such as long
  chains), computing exactly what ``Value.backward()`` computes, in the same order;
- numpy, one vectorised call per (topological level, op) group (wide graphs such as MLP
  losses over a batch), accumulating grads with ``np.add.at``.

Both run the same loops, ``engine.backprop.forward_sweep`` and ``reverse_sweep``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .backprop import entry, forward_sweep, reverse_sweep
from .convert import as_value
from .graph import value_ids
from .ops import OPS
from .topo import topo_order

# Mean number of ops per topological level from which numpy's per-call overhead pays off.
NUMPY_MIN_WIDTH = 12


@dataclass(frozen=True)
class TapeResult:
    """Every node's ``data`` and ``grad`` (aligned with ``Tape.ids``) and the output's data."""
    data: np.ndarray
    grad: np.ndarray
    output: float


@dataclass(frozen=True)
class Instruction:
    """``data[out] = op.forward(*data[args])``; ``level`` = longest path from a leaf."""
    op: str
    out: int
    args: tuple
    level: int


class Tape:
    """The compiled graph of ``root`` (an engine ``Value`` or any micrograd-style value).

    Attributes: ``ids`` value-node ids in topological order (the ids of ``engine.to_graph``),
    ``index`` {id: position}, ``labels`` {id: label}, ``leaf_ids`` the tunable leaves (not
    number literals), ``const`` a boolean array marking literals, ``instructions`` one per
    non-leaf node in topological order, ``executor`` ``"python"`` or ``"numpy"``, and the latest
    ``data``/``grad`` arrays.
    """

    def __init__(self, root, executor: str | None = None):
        self.root = as_value(root)
        self.nodes = topo_order(self.root)
        ids = value_ids(self.nodes)
        self.ids = [ids[id(v)] for v in self.nodes]
        self.index = {vid: k for k, vid in enumerate(self.ids)}
        self.labels = {vid: v.label for vid, v in zip(self.ids, self.nodes)}
        self.const = np.array([v._const for v in self.nodes], dtype=bool)
        self._no_grad = self.const.copy()       # literals get no grad, unless one is the output
        self._no_grad[-1] = False
        self.leaf_ids = [vid for vid, v in zip(self.ids, self.nodes)
                         if not v._prev and not v._const]
        by_label: dict[str, list[str]] = {}
        for vid in self.leaf_ids:
            by_label.setdefault(self.labels[vid], []).append(vid)
        self._leaf_by_label = {lab: vids for lab, vids in by_label.items() if lab}
        self.output_index = len(self.nodes) - 1

        level = [0] * len(self.nodes)
        self.instructions: list[Instruction] = []
        for k, v in enumerate(self.nodes):
            if v._prev:
                args = tuple(self.index[ids[id(c)]] for c in v._prev)
                level[k] = 1 + max(level[a] for a in args)
                self.instructions.append(Instruction(v._op, k, args, level[k]))
        self.n_levels = max(level) if self.instructions else 0
        width = len(self.instructions) / max(self.n_levels, 1)
        self.executor = executor or ("numpy" if width >= NUMPY_MIN_WIDTH else "python")
        if self.executor not in ("python", "numpy"):
            raise ValueError(f"executor must be 'python' or 'numpy', got {executor!r}")
        self._compile()
        self.memo: dict = {}    # what other modules derive once per structure (step formulas)
        self.leaf_data = np.array([v.data for v in self.nodes], dtype=float)
        self.data = self.leaf_data.copy()
        self.grad = np.zeros(len(self.nodes))
        self.run()

    def _compile(self) -> None:
        """The forward and backward programs of ``engine.backprop`` for this executor."""
        if self.executor == "python":
            self._forward = self.scalar_program("forward")
            self._backward = self.scalar_program("local")
            self._accumulate = None
            return
        groups: dict[tuple, list[Instruction]] = {}
        for ins in self.instructions:
            groups.setdefault((ins.level, ins.op), []).append(ins)
        vectorised = [(OPS[op], np.array([i.out for i in group]),
                       [np.array([i.args[p] for i in group]) for p in range(OPS[op].arity)])
                      for (_, op), group in sorted(groups.items())]
        self._forward = [entry(op.np_forward, out, args) for op, out, args in vectorised]
        self._backward = [entry(op.np_local, out, args) for op, out, args in vectorised]
        self._accumulate = np.add.at     # one group may add to the same operand twice

    def scalar_program(self, rule: str) -> list:
        """One entry per instruction with each op's scalar ``"forward"`` or ``"local"`` rule:
        a program for ``engine.backprop``'s sweeps over Python floats."""
        return [entry(getattr(OPS[i.op], rule), i.out, i.args) for i in self.instructions]

    def leaf_index(self, key: str) -> int:
        """Position of a tunable leaf given by id (``"v3"``) or by its (unique) label."""
        if key in self.index and key in self.leaf_ids:
            return self.index[key]
        vids = self._leaf_by_label.get(key)
        if vids is None:
            raise KeyError(f"{key!r} is not a tunable leaf of this graph "
                           f"(leaves: {', '.join(self.labels[v] or v for v in self.leaf_ids)})")
        if len(vids) > 1:
            raise KeyError(f"the label {key!r} names {len(vids)} leaves; use an id ({vids})")
        return self.index[vids[0]]

    def set_leaves(self, positions, values) -> None:
        """Set leaf data by position in ``ids`` (numpy fancy indexing), for callers that move
        many leaves per run (a training step); follow with ``run()``."""
        self.leaf_data[positions] = values

    def run(self, values: Mapping[str, float] | None = None) -> TapeResult:
        """Set the given leaves (id or label -> value), recompute every data and grad."""
        for key, x in (values or {}).items():
            self.leaf_data[self.leaf_index(key)] = float(x)
        with np.errstate(all="ignore"):
            data, grad = self._new_row(self.leaf_data)
            forward_sweep(self._forward, data)
            grad[self.output_index] = 1.0
            reverse_sweep(self._backward, data, grad, self._accumulate)
        data, grad = np.asarray(data, dtype=float), np.asarray(grad, dtype=float)
        grad[self._no_grad] = 0.0       # number literals receive no gradient
        self.data, self.grad = data, grad
        return TapeResult(data, grad, float(data[self.output_index]))

    def _new_row(self, leaf_data):
        """Data (a copy of ``leaf_data``) and zero grads in the executor's containers."""
        if self.executor == "python":
            return leaf_data.tolist(), [0.0] * len(leaf_data)
        return leaf_data.copy(), np.zeros(len(leaf_data))

    def forward_batch(self, leaf_rows: np.ndarray) -> np.ndarray:
        """The output for K variants of the leaf data at once, without touching the tape's
        state: ``leaf_rows`` is a (K, n_values) array of leaf data (rows of non-leaves are
        ignored); returns the K outputs. Used for finite differences."""
        return self.forward_batch_nodes(leaf_rows, [self.output_index])[:, 0]

    def forward_batch_nodes(self, leaf_rows: np.ndarray, positions) -> np.ndarray:
        """As :meth:`forward_batch`, returning the data of the nodes at ``positions`` (in
        ``ids``) in each variant: a (K, len(positions)) array."""
        rows = np.asarray(leaf_rows, dtype=float)
        positions = np.asarray(positions, dtype=int)
        with np.errstate(all="ignore"):
            if self.executor == "numpy":
                data = rows.T.copy()            # (n_values, K): each group call covers all K
                forward_sweep(self._forward, data)
                return data[positions].T.copy()
            picked = np.empty((len(rows), len(positions)))
            wanted = positions.tolist()
            for k, row in enumerate(rows):
                data = row.tolist()
                forward_sweep(self._forward, data)
                picked[k] = [data[p] for p in wanted]
            return picked

    def write_back(self) -> None:
        """Copy the latest data and grads into the ``Value`` objects of the graph."""
        for v, x, gx in zip(self.nodes, self.data.tolist(), self.grad.tolist()):
            v.data, v.grad = x, gx
