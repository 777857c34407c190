"""engine.train: micrograd's demo reproduced through the compiled Tape, against plain
Value/backward() loops written here independently of the trainer."""
import math
import random

import numpy as np
import pytest

from engine import Value, backprop_steps, to_graph
from engine.datasets import labels_01, make_moons
from engine.nn import MLP
from engine.train import (LOSSES, CompiledLoss, TrainConfig, Trainer, accuracy,
                          estimate_nodes, learning_rate, mlp_scores)

DEMO = TrainConfig(hidden=(16, 16), nonlin="relu", loss="max_margin", alpha=1e-4, lr=1.0,
                   schedule="linear_decay", n_steps=100, batch_size=None, seed=1337)


@pytest.fixture(scope="module")
def moons():
    return make_moons(100, noise=0.1, seed=1337)


@pytest.fixture(scope="module")
def demo_run(moons):
    X, y = moons
    trainer = Trainer(X, y, DEMO)
    trainer.run(100)
    return trainer


# ---- the acceptance criteria --------------------------------------------------------------------

def test_demo_setting_reaches_full_training_accuracy(demo_run, moons):
    X, y = moons
    assert len(demo_run.history) == 100
    assert demo_run.history[-1].accuracy == 1.0
    # and the trained weights classify every point (the model after the 100th update)
    assert accuracy(y, demo_run.scores(X)) == 1.0
    # the loss came down from where it started
    assert demo_run.history[-1].loss < 0.1 * demo_run.history[0].loss


def plain_demo_losses(X, y, n_steps):
    """micrograd's demo loop, verbatim in spirit: Values rebuilt every step, backward(),
    p.data -= lr * p.grad. Uses engine.Value and engine.nn.MLP only."""
    model = MLP(2, [16, 16, 1], nonlin="relu", seed=1337)
    losses, accs = [], []
    for k in range(n_steps):
        inputs = [[Value(float(v)) for v in row] for row in X]
        scores = [model(row) for row in inputs]
        sample_losses = [(1 + -float(yi) * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(sample_losses) * (1.0 / len(sample_losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        accs.append(np.mean([(yi > 0) == (si.data > 0) for yi, si in zip(y, scores)]))
        model.zero_grad()
        total.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(total.data)
    return losses, accs


def test_first_five_losses_equal_a_plain_value_backward_loop(demo_run, moons):
    X, y = moons
    expected, expected_acc = plain_demo_losses(X, y, 5)
    got = [r.loss for r in demo_run.history[:5]]
    assert np.max(np.abs(np.array(got) - expected)) < 1e-9
    assert [r.accuracy for r in demo_run.history[:5]] == expected_acc


def test_first_losses_equal_karpathys_micrograd_package(demo_run, moons):
    """The same recipe on PyPI micrograd (its own Value, MLP and random.seed(1337))."""
    mg_engine = pytest.importorskip("micrograd.engine")
    mg_nn = pytest.importorskip("micrograd.nn")
    X, y = moons
    random.seed(1337)
    model = mg_nn.MLP(2, [16, 16, 1])
    for k in range(3):
        inputs = [list(map(mg_engine.Value, map(float, row))) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -float(yi) * si).relu() for yi, si in zip(y, scores)]
        total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        assert abs(total.data - demo_run.history[k].loss) < 1e-9


def test_matches_the_figures_printed_by_micrograds_demo_notebook(demo_run):
    # karpathy/micrograd demo.ipynb prints "step 0 loss 0.8958441028683222, accuracy 50.0%",
    # "step 1 loss 1.7235905336972022, accuracy 81.0%" (data from sklearn's make_moons after
    # np.random.seed(1337)); later steps quoted to 4 digits.
    h = demo_run.history
    assert h[0].loss == pytest.approx(0.8958441028683222, abs=1e-12)
    assert h[1].loss == pytest.approx(1.7235905336972022, abs=1e-12)
    assert (h[0].accuracy, h[1].accuracy) == (0.5, 0.81)
    for k, loss, acc in [(2, 0.7429, 0.77), (10, 0.2451, 0.91), (50, 0.0988, 0.96),
                         (99, 0.0110, 1.0)]:
        assert h[k].loss == pytest.approx(loss, abs=5e-5)
        assert h[k].accuracy == acc


# ---- compiled once, run many times -----------------------------------------------------------------

def test_steps_build_no_values(moons, monkeypatch):
    X, y = moons
    trainer = Trainer(X[:20], y[:20], TrainConfig(hidden=(4,), seed=1))
    tape = trainer.compiled.tape
    built = []
    original = Value.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Value, "__init__", counting)
    trainer.run(5)
    assert built == []
    assert trainer.compiled.tape is tape


def test_a_compiled_loss_is_reused_across_trainers(moons):
    X, y = moons
    first = Trainer(X, y, TrainConfig(hidden=(4,), batch_size=10, seed=1))
    again = Trainer(X, y, TrainConfig(hidden=(4,), batch_size=10, seed=2, lr=0.3),
                    compiled=first.compiled)
    assert again.compiled is first.compiled
    other = Trainer(X, y, TrainConfig(hidden=(4,), batch_size=20, seed=1),
                    compiled=first.compiled)
    assert other.compiled is not first.compiled and other.compiled.batch_size == 20


def test_the_compiled_graph_has_labelled_leaves():
    c = CompiledLoss(2, (3,), "tanh", "mse", batch_size=2)
    labels = {c.tape.labels[c.tape.ids[k]] for k in c.x_index.ravel()}
    assert labels == {"x[0][0]", "x[0][1]", "x[1][0]", "x[1][1]"}
    assert [c.tape.labels[c.tape.ids[k]] for k in c.y_index] == ["y[0]", "y[1]"]
    assert c.labels[:3] == ["w[0][0][0]", "w[0][0][1]", "b[0][0]"]
    assert c.tape.labels[c.tape.ids[-1]] == "loss"


@pytest.mark.parametrize("hidden, loss, batch", [((16, 16), "max_margin", 100), ((3,), "mse", 7),
                                                 ((8, 4, 2), "bce", 20), ((1,), "mse", 1)])
def test_node_estimate_is_close(hidden, loss, batch):
    compiled = CompiledLoss(2, hidden, "relu", loss, batch)
    assert abs(estimate_nodes(2, hidden, batch) - compiled.n_nodes) <= max(10, 0.1 * compiled.n_nodes)


# ---- reproducibility --------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [None, 16])
def test_same_seed_same_curve(moons, batch_size):
    X, y = moons
    config = TrainConfig(hidden=(8,), batch_size=batch_size, seed=7, lr=0.5)
    a = Trainer(X, y, config)
    b = Trainer(X, y, config)
    assert a.run(15) == b.run(15)
    assert np.array_equal(a.weights, b.weights)
    c = Trainer(X, y, TrainConfig(hidden=(8,), batch_size=batch_size, seed=8, lr=0.5))
    assert [r.loss for r in c.run(15)] != [r.loss for r in a.history]


def test_reset_replays_the_same_curve(moons):
    X, y = moons
    t = Trainer(X, y, TrainConfig(hidden=(8,), batch_size=16, seed=3))
    first = t.run(6)
    t.reset()
    assert t.k == 0 and t.history == []
    assert t.run(6) == first


def test_minibatches_are_seeded_permutations_and_losses_match_plain_values(moons):
    X, y = moons
    config = TrainConfig(hidden=(5,), nonlin="tanh", loss="mse", alpha=1e-3, lr=0.2,
                         schedule="constant", batch_size=12, seed=21)
    trainer = Trainer(X, y, config)
    rng = np.random.RandomState(21)
    model = MLP(2, [5, 1], nonlin="tanh", seed=21)
    for _ in range(3):
        rows = rng.permutation(len(X))[:12]
        scores = [model([Value(float(v)) for v in X[r]]) for r in rows]
        total = (sum((s - float(y[r])) ** 2 for s, r in zip(scores, rows)) * (1.0 / 12)
                 + 1e-3 * sum(p * p for p in model.parameters()))
        total.backward()
        for p in model.parameters():
            p.data -= 0.2 * p.grad
        record = trainer.step()
        assert record.loss == pytest.approx(total.data, abs=1e-12)
    np.testing.assert_allclose(trainer.weights, [p.data for p in model.parameters()],
                               atol=1e-12)


# ---- every loss's gradient against finite differences ---------------------------------------------

@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("nonlin", ["tanh", "relu"])
def test_loss_gradients_match_central_differences(loss, nonlin):
    rng = np.random.RandomState(0)
    compiled = CompiledLoss(2, (3,), nonlin, loss, batch_size=4)
    X = rng.normal(size=(4, 2))
    y = np.array([1.0, -1.0, -1.0, 1.0])
    w = rng.uniform(-1, 1, size=len(compiled.labels))
    alpha = 0.01
    _, _, _, grad, _ = compiled.run(w, X, y, alpha)
    h = 1e-6
    for i in range(len(w)):
        up, down = w.copy(), w.copy()
        up[i] += h
        down[i] -= h
        numeric = (compiled.run(up, X, y, alpha)[0] - compiled.run(down, X, y, alpha)[0]) / (2 * h)
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-7), compiled.labels[i]


def test_bce_equals_the_textbook_formula_with_01_targets():
    compiled = CompiledLoss(2, (3,), "tanh", "bce", batch_size=5)
    rng = np.random.RandomState(1)
    X, w = rng.normal(size=(5, 2)), rng.uniform(-1, 1, size=len(compiled.labels))
    y = np.array([1.0, -1.0, 1.0, 1.0, -1.0])
    _, data_loss, _, _, scores = compiled.run(w, X, y, 0.0)
    p = 1 / (1 + np.exp(-scores))
    t = labels_01(y)
    textbook = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert data_loss == pytest.approx(textbook, rel=1e-12)


def test_bce_stays_finite_where_the_sigmoid_saturates():
    compiled = CompiledLoss(1, (1,), "relu", "bce", batch_size=1)
    # score = w2 * relu(w0 * x + b0) + b1 = 1 * relu(50 * 1) = 50: sigmoid rounds to 1.0
    w = np.array([50.0, 0.0, 1.0, 0.0])
    loss, _, _, grad, scores = compiled.run(w, np.array([[1.0]]), np.array([1.0]), 0.0)
    assert scores[0] == 50 and math.isfinite(loss) and np.all(np.isfinite(grad))
    loss, _, _, grad, _ = compiled.run(w, np.array([[1.0]]), np.array([-1.0]), 0.0)
    assert loss == pytest.approx(50.0, rel=1e-12) and np.all(np.isfinite(grad))


# ---- what the UI reads -------------------------------------------------------------------------------

def test_learning_rate_schedules():
    assert [learning_rate(DEMO, k) for k in (0, 1, 50, 100)] == [1.0, 1.0 - 0.9 / 100, 0.55,
                                                                 1.0 - 0.9]
    assert learning_rate(DEMO, 250) == learning_rate(DEMO, 100)    # held, never negative
    constant = TrainConfig(lr=0.05, schedule="constant")
    assert {learning_rate(constant, k) for k in (0, 10, 1000)} == {0.05}
    half = TrainConfig(lr=0.5, n_steps=10)
    assert learning_rate(half, 5) == pytest.approx(0.5 * (1 - 0.45))


def test_parameter_table_reports_the_last_update(moons):
    X, y = moons
    t = Trainer(X, y, TrainConfig(hidden=(4,), seed=2))
    table = t.parameter_table()
    assert table["label"][0] == "w[0][0][0]" and len(table["label"]) == 4 * 3 + 5
    assert not table["grad"].any() and not table["update"].any()
    before = t.weights.copy()
    record = t.step()
    table = t.parameter_table()
    np.testing.assert_array_equal(table["update"], -record.lr * table["grad"])
    np.testing.assert_array_equal(table["data"], before + table["update"])
    assert np.abs(table["grad"]).sum() > 0


def test_numpy_scores_equal_the_tape_scores(moons):
    X, y = moons
    for nonlin in ("relu", "tanh"):
        t = Trainer(X, y, TrainConfig(hidden=(6, 5), nonlin=nonlin, seed=4))
        t.run(3)
        _, _, _, _, tape_scores = t.compiled.run(t.weights, X, y, 0.0)
        np.testing.assert_allclose(t.scores(X), tape_scores, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(
            mlp_scores(t.weights, X[:3], 2, (6, 5), nonlin),
            [MLP_with(t, row).data for row in X[:3]], rtol=1e-12, atol=1e-12)


def MLP_with(trainer, row):
    model = MLP(2, list(trainer.config.hidden) + [1], nonlin=trainer.config.nonlin, seed=0)
    for p, w in zip(model.parameters(), trainer.weights):
        p.data = float(w)
    return model([Value(float(v)) for v in row])


def test_decision_grid_covers_the_data_and_agrees_with_scores(moons):
    X, y = moons
    t = Trainer(X, y, TrainConfig(hidden=(4,), seed=2))
    xs, ys, Z = t.decision_grid(resolution=30)
    assert Z.shape == (30, 30)
    assert xs[0] < X[:, 0].min() and xs[-1] > X[:, 0].max()
    assert ys[0] < X[:, 1].min() and ys[-1] > X[:, 1].max()
    assert Z[7, 19] == pytest.approx(t.scores(np.array([[xs[19], ys[7]]]))[0])


def test_inspect_one_sample_gives_a_steppable_graph_and_the_update(moons):
    X, y = moons
    t = Trainer(X, y, TrainConfig(hidden=(3,), seed=5))
    t.run(4)
    weights = t.weights.copy()
    ins = t.inspect(7)
    root = ins.root
    assert root.label == "loss" and ins.sample == 7 and ins.y == y[7]
    # the forward pass uses the current weights and this sample's input
    assert ins.score == pytest.approx(t.scores(X[7:8])[0], abs=1e-12)
    assert ins.loss == pytest.approx(max(0.0, 1 - y[7] * ins.score), abs=1e-12)
    G = to_graph(root)
    leaves = {G.nodes[n]["label"] for n in G if G.nodes[n].get("role") == "leaf"
              and not G.nodes[n]["const"]}
    assert {"x[7][0]", "x[7][1]", "y[7]", "w[0][0][0]", "b[1][0]"} <= leaves
    # the Player's records exist and the Values are untouched (grads 0 until stepped)
    steps = backprop_steps(root)
    assert steps[0].kind == "seed" and len(steps) > 10
    assert all(G.nodes[n]["grad"] == 0 for n in G if G.nodes[n]["kind"] == "value")
    # the update records are p.data -= lr * p.grad with the grads of backward()
    root.backward()
    by_label = {}
    stack, seen = [root], set()
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            by_label[v.label] = v
            stack.extend(v._prev)
    assert [u.label for u in ins.updates] == t.labels
    for u in ins.updates:
        assert u.grad == pytest.approx(by_label[u.label].grad, abs=1e-15)
        assert u.lr == t.lr and u.new_data == u.data - u.lr * u.grad
        assert u.node in G and G.nodes[u.node]["label"] == u.label
        assert u.text.startswith(f"{u.label}.data -= lr * {u.label}.grad = ")
    # inspecting changes nothing in the trainer
    np.testing.assert_array_equal(t.weights, weights)
    assert t.k == 4


def test_inspect_with_l2_adds_twice_alpha_p_to_each_grad(moons):
    X, y = moons
    t = Trainer(X, y, TrainConfig(hidden=(3,), alpha=0.05, seed=5))
    plain, with_l2 = t.inspect(2), t.inspect(2, with_l2=True)
    for a, b in zip(plain.updates, with_l2.updates):
        assert b.grad == pytest.approx(a.grad + 2 * 0.05 * a.data, abs=1e-12)
    assert with_l2.loss == pytest.approx(plain.loss + 0.05 * float(np.sum(t.weights ** 2)))


@pytest.mark.parametrize("kwargs", [dict(loss="hinge"), dict(schedule="cosine"),
                                    dict(nonlin="sigmoid"), dict(hidden=(0,)),
                                    dict(batch_size=0), dict(n_steps=0)])
def test_bad_configs_raise(kwargs):
    with pytest.raises(ValueError):
        TrainConfig(**kwargs)


def test_labels_must_be_plus_minus_one(moons):
    X, y = moons
    with pytest.raises(ValueError, match="-1 or \\+1"):
        Trainer(X, labels_01(y))


def test_steps_run_from_a_pickled_state_continue_the_run_exactly():
    """What a worker process does (``run_steps`` on a pickled ``TrainState``) gives the same
    weights, records and minibatch draws as stepping the trainer in place."""
    import pickle

    from engine.train import run_steps

    X, y = make_moons(60, noise=0.1, seed=2)
    config = TrainConfig(hidden=(5,), batch_size=16, seed=4)
    here = Trainer(X, y, config)
    here.run(3)
    shown = Trainer(X, y, config)
    assert shown._compiled is None                 # showing a run compiles nothing
    shown.restore(here.snapshot(), here.history)
    cache = {}
    state, records, n_nodes = run_steps(pickle.loads(pickle.dumps(shown.snapshot())), 4, cache)
    expected = here.run(4)
    assert records == expected and n_nodes == here.compiled.n_nodes and len(cache) == 1
    shown.restore(state, records)
    np.testing.assert_array_equal(shown.weights, here.weights)
    np.testing.assert_array_equal(shown.update, here.update)
    assert shown.k == here.k == 7 and shown.history == here.history
    assert shown.labels == here.compiled.labels


def test_run_steps_stops_at_a_non_finite_loss():
    from engine.train import run_steps

    X, y = make_moons(40, noise=0.1, seed=1)
    trainer = Trainer(X, y, TrainConfig(hidden=(8,), loss="mse", lr=10.0, schedule="constant",
                                        seed=1))
    state, records, _ = run_steps(trainer.snapshot(), 200)
    assert not np.isfinite(records[-1].loss) and all(np.isfinite(r.loss) for r in records[:-1])
    assert state.k == len(records) < 200
