"""Small 2-D classification data sets, generated with numpy alone (no scikit-learn).

Every generator takes ``n_samples``, ``noise`` (standard deviation of Gaussian noise added to
the coordinates) and ``seed``, and returns ``(X, y)``: ``X`` a float array of shape
``(n_samples, 2)``, ``y`` an int array of labels in ``{-1, +1}`` (the convention of micrograd's
demo, where a score's sign is the prediction). ``labels_01`` converts them to ``{0, 1}``.

``seed`` may be an int, ``None`` (fresh entropy) or a ``numpy.random.RandomState`` to draw
from. ``make_moons`` follows scikit-learn's algorithm draw for draw, so
``make_moons(100, noise=0.1, seed=1337)`` is the data set of micrograd's demo notebook
(``np.random.seed(1337); X, y = make_moons(n_samples=100, noise=0.1); y = y*2 - 1``).
"""
from __future__ import annotations

import numpy as np


def _random_state(seed) -> np.random.RandomState:
    # scikit-learn draws from the legacy RandomState (Mersenne Twister); using it too keeps
    # make_moons identical to sklearn's for the same integer seed.
    if isinstance(seed, np.random.RandomState):
        return seed
    return np.random.RandomState(seed)


def _check(n_samples: int, noise: float) -> None:
    if int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"n_samples must be an integer >= 2, got {n_samples!r}")
    if noise is not None and not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")


def _shuffle_and_jitter(X, y01, noise, rng):
    """Permute the rows with ``rng.shuffle`` of an index, then add ``N(0, noise)`` to each
    coordinate: the same draws, in the same order, as scikit-learn's generators."""
    order = np.arange(len(X))
    rng.shuffle(order)
    X, y01 = X[order], y01[order]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y01


def _pm1(y01: np.ndarray) -> np.ndarray:
    return (2 * y01 - 1).astype(int)


def labels_01(y) -> np.ndarray:
    """Labels in ``{-1, +1}`` as ``{0, 1}`` (e.g. the target ``t`` of binary cross-entropy)."""
    y = np.asarray(y)
    return (y > 0).astype(int)


def labels_pm1(y) -> np.ndarray:
    """Labels in ``{0, 1}`` (or any sign convention) as ``{-1, +1}``."""
    y = np.asarray(y)
    return np.where(y > 0, 1, -1)


def make_moons(n_samples: int = 100, noise: float | None = None, seed=None):
    """Two interleaving half circles (scikit-learn's ``make_moons``, shuffled).

    The upper moon (``n_samples // 2`` points on the unit half circle) is class -1, the lower
    one, shifted by (1, -0.5), is class +1.
    """
    _check(n_samples, noise)
    rng = _random_state(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    xs = np.append(np.cos(t_out), 1 - np.cos(t_in))
    ys = np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5)
    X = np.vstack([xs, ys]).T
    y01 = np.hstack([np.zeros(n_out, dtype=int), np.ones(n_in, dtype=int)])
    X, y01 = _shuffle_and_jitter(X, y01, noise, rng)
    return X, _pm1(y01)


def make_circles(n_samples: int = 100, noise: float | None = None, seed=None,
                 factor: float = 0.5):
    """A small circle (radius ``factor``, class +1) inside a unit circle (class -1), as
    scikit-learn's ``make_circles``."""
    _check(n_samples, noise)
    if not 0 <= factor < 1:
        raise ValueError(f"factor must be in [0, 1), got {factor!r}")
    rng = _random_state(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    # endpoint=False: the first and last point of a circle would coincide
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    xs = np.append(np.cos(t_out), factor * np.cos(t_in))
    ys = np.append(np.sin(t_out), factor * np.sin(t_in))
    X = np.vstack([xs, ys]).T
    y01 = np.hstack([np.zeros(n_out, dtype=int), np.ones(n_in, dtype=int)])
    X, y01 = _shuffle_and_jitter(X, y01, noise, rng)
    return X, _pm1(y01)


def make_xor(n_samples: int = 100, noise: float | None = 0.1, seed=None):
    """Points uniform in the square [-1, 1]^2, class +1 where x and y have the same sign
    (quadrants I and III), else -1; no point closer than 0.1 to an axis so the classes are
    separated before noise."""
    _check(n_samples, noise)
    rng = _random_state(seed)
    X = rng.uniform(0.1, 1.0, size=(n_samples, 2)) * rng.choice([-1.0, 1.0], size=(n_samples, 2))
    y01 = (X[:, 0] * X[:, 1] > 0).astype(int)
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, _pm1(y01)


def make_spiral(n_samples: int = 100, noise: float | None = 0.05, seed=None,
                turns: float = 1.25):
    """Two interleaved spiral arms of ``turns`` turns each, radius growing from 0 to 1;
    the arms are the two classes (first arm -1, second arm +1, rows shuffled)."""
    _check(n_samples, noise)
    rng = _random_state(seed)
    n_a = n_samples // 2
    n_b = n_samples - n_a
    arms = []
    for n, phase in ((n_a, 0.0), (n_b, np.pi)):
        r = np.linspace(0.05, 1.0, n)
        t = 2 * np.pi * turns * r + phase
        arms.append(np.column_stack([r * np.cos(t), r * np.sin(t)]))
    X = np.vstack(arms)
    y01 = np.hstack([np.zeros(n_a, dtype=int), np.ones(n_b, dtype=int)])
    X, y01 = _shuffle_and_jitter(X, y01, noise, rng)
    return X, _pm1(y01)


def make_blobs(n_samples: int = 100, noise: float | None = 0.4, seed=None,
               distance: float = 2.0):
    """Two Gaussian blobs of standard deviation ``noise`` centred at +-(distance/2) on the
    diagonal: linearly separable when ``noise`` is small (class -1 lower left)."""
    _check(n_samples, noise)
    rng = _random_state(seed)
    n_a = n_samples // 2
    n_b = n_samples - n_a
    c = distance / (2 * np.sqrt(2))
    X = np.vstack([np.tile([-c, -c], (n_a, 1)), np.tile([c, c], (n_b, 1))])
    y01 = np.hstack([np.zeros(n_a, dtype=int), np.ones(n_b, dtype=int)])
    X, y01 = _shuffle_and_jitter(X, y01, noise, rng)
    return X, _pm1(y01)


# name -> generator, in the order a menu lists them
DATASETS = {
    "moons": make_moons,
    "circles": make_circles,
    "xor": make_xor,
    "spiral": make_spiral,
    "blobs": make_blobs,
}


def make_dataset(name: str, n_samples: int = 100, noise: float | None = 0.1, seed=None):
    """The data set ``name`` (a key of ``DATASETS``) as ``(X, y)`` with labels in {-1, +1}."""
    try:
        generator = DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown data set {name!r} (known: {', '.join(DATASETS)})") from None
    return generator(n_samples=n_samples, noise=noise, seed=seed)
