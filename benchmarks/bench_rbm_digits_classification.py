"""scikit-learn's "RBM features for digit classification", with RBMTransformer.

The example's own recipe, step for step: digits nudged by one pixel in four
directions (five times the data), scaled to [0, 1], split with
``train_test_split(test_size=0.2, random_state=0)``; an RBM with
n_components=100, learning_rate=0.06, n_iter=10 feeds
``LogisticRegression(solver="newton-cg", C=6000)``; raw pixels feed the same
classifier with C=100. BernoulliRBM and RBMTransformer run in the same process
on the same split. (The example's ``tol=1`` is left out: in current
scikit-learn it stops the solver before its first step, at chance accuracy.)

    python benchmarks/bench_rbm_digits_classification.py
"""

import time

import numpy as np
from scipy.ndimage import convolve
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import minmax_scale

from skebm import RBMTransformer

DIRECTIONS = [
    [[0, 1, 0], [0, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [1, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 1], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 0], [0, 1, 0]],
]


def nudge_dataset(X, y):
    """The example's augmentation: each image shifted by one pixel four ways."""

    def shift(x, weights):
        return convolve(x.reshape((8, 8)), mode="constant", weights=weights).ravel()

    shifted = [np.apply_along_axis(shift, 1, X, weights) for weights in DIRECTIONS]
    return np.concatenate([X, *shifted]), np.concatenate([y] * 5)


def main():
    X, y = load_digits(return_X_y=True)
    X, y = nudge_dataset(np.asarray(X, dtype=np.float32), y)
    X = minmax_scale(X, feature_range=(0, 1))
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=0
    )
    logistic = LogisticRegression(solver="newton-cg", C=6000, max_iter=1000)
    rbm_settings = dict(n_components=100, learning_rate=0.06, n_iter=10)
    models = {
        "raw pixels + LogisticRegression(C=100)": clone(logistic).set_params(C=100.0),
        "BernoulliRBM + LogisticRegression(C=6000)": Pipeline(
            [
                ("rbm", BernoulliRBM(random_state=0, **rbm_settings)),
                ("logistic", clone(logistic)),
            ]
        ),
        "RBMTransformer + LogisticRegression(C=6000)": Pipeline(
            [
                ("rbm", RBMTransformer(random_state=0, **rbm_settings)),
                ("logistic", clone(logistic)),
            ]
        ),
    }
    print(f"{'model':<46} {'test accuracy':>13} {'fit s':>7}")
    results = {}
    for name, model in models.items():
        begin = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - begin
        results[name] = model.score(X_test, y_test)
        print(f"{name:<46} {results[name]:>13.4f} {seconds:>7.2f}")
    return results


if __name__ == "__main__":
    main()
