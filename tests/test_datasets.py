"""engine.datasets: shapes, labels, seeding, and the geometry each generator promises."""
import numpy as np
import pytest

from engine.datasets import (DATASETS, labels_01, labels_pm1, make_circles, make_dataset,
                             make_moons, make_xor)


@pytest.mark.parametrize("name", list(DATASETS))
@pytest.mark.parametrize("n", [2, 7, 100])
def test_shapes_and_labels(name, n):
    X, y = make_dataset(name, n_samples=n, noise=0.1, seed=3)
    assert X.shape == (n, 2) and X.dtype == float
    assert y.shape == (n,)
    assert set(np.unique(y)) <= {-1, 1}
    # both classes present, balanced to within one sample (except xor, drawn at random)
    if name != "xor":
        assert abs(int((y > 0).sum()) - int((y < 0).sum())) <= 1
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", list(DATASETS))
def test_same_seed_same_data_other_seed_other_data(name):
    X1, y1 = make_dataset(name, 50, noise=0.1, seed=11)
    X2, y2 = make_dataset(name, 50, noise=0.1, seed=11)
    X3, _ = make_dataset(name, 50, noise=0.1, seed=12)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_seed_may_be_a_random_state_shared_like_sklearns_global_one():
    # micrograd's demo: np.random.seed(1337) then make_moons(100, noise=0.1) draws from the
    # global RandomState; a RandomState(1337) passed in must give the same data as seed=1337.
    X1, y1 = make_moons(100, noise=0.1, seed=np.random.RandomState(1337))
    X2, y2 = make_moons(100, noise=0.1, seed=1337)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = make_moons(41, noise=None, seed=0)
    upper, lower = X[y < 0], X[y > 0]
    assert len(upper) == 20 and len(lower) == 21          # sklearn: n_out = n // 2
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-12)
    assert np.all(upper[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)
    # the half circles are sampled evenly from angle 0 to pi, ends included
    assert np.isclose(upper[:, 0].max(), 1.0) and np.isclose(upper[:, 0].min(), -1.0)


def test_moons_are_shuffled_then_jittered_by_the_given_noise():
    clean, y_clean = make_moons(400, noise=None, seed=5)
    noisy, y_noisy = make_moons(400, noise=0.1, seed=5)
    # same shuffle (drawn first), then N(0, 0.1) on every coordinate
    assert np.array_equal(y_clean, y_noisy)
    jitter = noisy - clean
    assert 0.08 < jitter.std() < 0.12
    assert abs(jitter.mean()) < 0.02
    # shuffled: the classes are not in two blocks
    assert np.any(np.diff(y_clean) != 0) and np.count_nonzero(np.diff(y_clean)) > 10


def test_circles_radii():
    X, y = make_circles(60, noise=None, seed=1, factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y < 0], 1.0)
    np.testing.assert_allclose(r[y > 0], 0.3)


def test_xor_labels_follow_quadrant_signs_without_noise():
    X, y = make_xor(200, noise=0, seed=2)
    assert np.array_equal(y, np.where(X[:, 0] * X[:, 1] > 0, 1, -1))
    assert np.all(np.abs(X) >= 0.1)


def test_blobs_are_separable_by_the_diagonal_when_tight():
    X, y = make_dataset("blobs", 100, noise=0.05, seed=4)
    assert np.array_equal(np.sign(X[:, 0] + X[:, 1]).astype(int), y)


def test_label_conversions_round_trip():
    y = np.array([-1, 1, 1, -1])
    assert labels_01(y).tolist() == [0, 1, 1, 0]
    assert labels_pm1(labels_01(y)).tolist() == y.tolist()


@pytest.mark.parametrize("kwargs", [dict(n_samples=1), dict(n_samples=2.5), dict(noise=-0.1)])
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        make_moons(**{"n_samples": 10, **kwargs})


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(ValueError, match="moons"):
        make_dataset("swirl")
