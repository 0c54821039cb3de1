"""Epoch time of RBMTransformer training beside BernoulliRBM and the BLAS bound.

The bound is the time of the five matrix products of a CD-1/PCD-1 minibatch
(positive hidden, negative visible, negative hidden and the two gradient
products), measured alone with numpy in the same run, times the number of
minibatches in an epoch.

    python benchmarks/bench_rbm_training.py [--quick]
"""

import argparse

import numpy as np
from sklearn.datasets import load_digits
from sklearn.neural_network import BernoulliRBM

from benchmarks._rows import Row, format_table
from benchmarks._timing import median_time
from skebm import RBMTransformer


def synthetic_binary(n_samples, n_features, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((n_samples, n_features)) < 0.3).astype(dtype)


def product_bound(n_samples, n_features, n_hidden, batch_size, dtype, repeats):
    """Time of the five minibatch products over one epoch."""
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((n_hidden, n_features)).astype(dtype)
    visible = rng.random((batch_size, n_features)).astype(dtype)
    hidden = rng.random((batch_size, n_hidden)).astype(dtype)
    hidden_out = np.empty((batch_size, n_hidden), dtype)
    visible_out = np.empty((batch_size, n_features), dtype)
    weights_out = np.empty((n_hidden, n_features), dtype)

    def products():
        np.matmul(visible, weights.T, out=hidden_out)
        np.matmul(hidden, weights, out=visible_out)
        np.matmul(visible, weights.T, out=hidden_out)
        np.matmul(hidden.T, visible, out=weights_out)
        np.matmul(hidden.T, visible, out=weights_out)

    n_batches = int(np.ceil(n_samples / batch_size))
    return median_time(products, repeats=max(repeats * 10, 20)) * n_batches


def epoch_time(estimator, X, n_epochs, repeats):
    """Seconds per epoch of ``fit`` with n_iter=n_epochs (setup included)."""
    estimator.set_params(n_iter=n_epochs)
    return median_time(lambda: estimator.fit(X), repeats=repeats) / n_epochs


def training_rows(quick=False):
    repeats = 1 if quick else 3
    n_samples = 4000 if quick else 20000
    rows = []
    settings = [
        (
            "784x500 synthetic, batch 100",
            n_samples,
            784,
            500,
            100,
            0.1,
            "bound <= 1.2x, >= 2x BernoulliRBM",
        ),
        (
            "784x500 synthetic, batch 10",
            n_samples // 5,
            784,
            500,
            10,
            0.1,
            ">= 3x BernoulliRBM",
        ),
    ]
    epoch_seconds = {}
    for label, n, n_features, n_hidden, batch_size, lr, target in settings:
        for dtype in (np.float64, np.float32):
            X = synthetic_binary(n, n_features, dtype)
            bound = product_bound(n, n_features, n_hidden, batch_size, dtype, repeats)
            baseline = epoch_time(
                BernoulliRBM(
                    n_hidden, batch_size=batch_size, learning_rate=lr, random_state=0
                ),
                X,
                1,
                repeats,
            )
            for method in ("pcd", "cd"):
                seconds = epoch_time(
                    RBMTransformer(
                        n_hidden,
                        batch_size=batch_size,
                        learning_rate=lr,
                        method=method,
                        random_state=0,
                    ),
                    X,
                    1,
                    repeats,
                )
                epoch_seconds[(label, method, np.dtype(dtype).name)] = seconds
                rows.append(
                    Row(
                        f"{method.upper()}-1 epoch, {label}, {np.dtype(dtype).name}",
                        seconds,
                        "BernoulliRBM (PCD-1)",
                        baseline,
                        bound,
                        "s",
                        target,
                    )
                )
    for label, *_ in settings:
        for method in ("pcd", "cd"):
            slow = epoch_seconds[(label, method, "float64")]
            fast = epoch_seconds[(label, method, "float32")]
            rows.append(
                Row(
                    f"{method.upper()}-1 float32 epoch, {label}",
                    fast,
                    "same in float64",
                    slow,
                    None,
                    "s",
                    "float64 / float32 >= 1.6",
                )
            )

    X, _ = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float64)
    bound = product_bound(len(X), 64, 256, 10, np.float64, repeats)
    n_epochs = 2 if quick else 5
    baseline = epoch_time(BernoulliRBM(256, random_state=0), X, n_epochs, repeats)
    for method in ("pcd", "cd"):
        seconds = epoch_time(
            RBMTransformer(
                256, batch_size=10, learning_rate=0.1, method=method, random_state=0
            ),
            X,
            n_epochs,
            repeats,
        )
        rows.append(
            Row(
                f"{method.upper()}-1 epoch, load_digits 64x256, batch 10, float64",
                seconds,
                "BernoulliRBM (PCD-1)",
                baseline,
                bound,
                "s",
                ">= 3x BernoulliRBM",
            )
        )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    print(format_table(training_rows(parser.parse_args().quick)))
