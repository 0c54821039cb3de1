"""MNIST for the benchmarks: a file, the network, or an offline stand-in.

The file comes from ``--mnist PATH``, the environment variable ``SKEBM_MNIST``
or ``../shared/data/mnist.npz`` beside the repository (``np.load``-able, with
uint8 ``X_train``, ``y_train``, ``X_test``, ``y_test``); without one, the full
benchmarks fetch ``mnist_784`` from OpenML. The ``--quick`` forms, which the
test suite runs offline, use a stand-in of the same shape instead of the
network: ``load_digits`` scaled up to 28 x 28 with pixels flipped at random,
so that the rows are produced (their figures are not MNIST's).
"""

import os
from pathlib import Path

import numpy as np

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz"
N_TRAIN, N_TEST = 60000, 10000


def _from_file(path):
    with np.load(path) as data:
        arrays = [data[name] for name in ("X_train", "y_train", "X_test", "y_test")]
    return arrays, str(path)


def _from_openml():
    from sklearn.datasets import fetch_openml

    X, y = fetch_openml("mnist_784", as_frame=False, return_X_y=True)
    y = y.astype(np.int64)
    arrays = [X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]]
    return arrays, "fetch_openml('mnist_784')"


def _stand_in(seed=0):
    from sklearn.datasets import load_digits

    digits, labels = load_digits(return_X_y=True)
    rng = np.random.default_rng(seed)
    # 8 x 8 digits to 24 x 24 blocks, inside a 28 x 28 frame, pixels 0-255
    images = np.kron(digits.reshape(-1, 8, 8), np.ones((3, 3))) * (255 / 16)
    framed = np.zeros((len(images), 28, 28))
    framed[:, 2:26, 2:26] = images
    framed = framed.reshape(len(images), 784)
    rows = rng.integers(len(framed), size=N_TRAIN + N_TEST)
    X = framed[rows]
    flips = rng.random(X.shape) < 0.03
    X[flips] = 255 - X[flips]
    X = X.astype(np.uint8)
    y = labels[rows]
    arrays = [X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]]
    return arrays, "stand-in (load_digits scaled to 28x28; no MNIST file)"


def load_mnist(path=None, *, quick=False):
    """MNIST binarised as ``X > 128`` (the literature's ``x / 256 > 0.5``).

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray
        Bool pixels and integer labels.
    source : str
        Where the data came from.
    """
    path = path or os.environ.get("SKEBM_MNIST")
    if path is None and DEFAULT_PATH.exists():
        path = DEFAULT_PATH
    if path is not None:
        arrays, source = _from_file(path)
    elif quick:
        arrays, source = _stand_in()
    else:
        arrays, source = _from_openml()
    X_train, y_train, X_test, y_test = arrays
    return (
        np.asarray(X_train) > 128,
        np.asarray(y_train).astype(np.int64),
        np.asarray(X_test) > 128,
        np.asarray(y_test).astype(np.int64),
        source,
    )
