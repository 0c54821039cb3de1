"""Held-out log-likelihood of RBMs on binarised digits, beside BernoulliRBM.

Data: ``load_digits`` thresholded at 8 (pixel >= 8 is 1), split once with
``train_test_split(test_size=0.25, random_state=0)``. Every model is scored by
the same normalised log-likelihood: skebm's free energy and log Z (exact with
16 hidden units, AIS otherwise) applied to each model's parameters, so that
BernoulliRBM (whose own ``score_samples`` is a stochastic pseudo-likelihood) is
measured on the same footing.

    python benchmarks/bench_rbm_likelihood.py [--quick]
"""

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM

from skebm import RBMTransformer


def binarised_digits():
    X, _ = load_digits(return_X_y=True)
    return train_test_split((X >= 8).astype(np.float64), test_size=0.25, random_state=0)


def held_out_log_likelihood(model, X_train, X_test):
    """Exact or AIS log-likelihood of any fitted RBM's parameters."""
    scorer = RBMTransformer(model.n_components, random_state=0).fit(X_train[:2])
    scorer.set_params(n_iter=0)
    scorer.components_ = np.asarray(model.components_, dtype=np.float64)
    scorer.intercept_hidden_ = np.asarray(model.intercept_hidden_, dtype=np.float64)
    scorer.intercept_visible_ = np.asarray(model.intercept_visible_, dtype=np.float64)
    return scorer.score(X_test)


def independent_pixels(X_train, X_test):
    p = np.clip(X_train.mean(axis=0), 1e-3, 1 - 1e-3)
    return float((X_test @ np.log(p) + (1 - X_test) @ np.log(1 - p)).mean())


def timed_fit(model, X):
    begin = time.perf_counter()
    model.fit(X)
    return model, time.perf_counter() - begin


def main(quick=False):
    X_train, X_test = binarised_digits()
    rows = [
        ("independent pixels", "-", "exact", independent_pixels(X_train, X_test), 0.0)
    ]
    hidden_sizes = [16] if quick else [16, 64, 256]
    for n_components in hidden_sizes:
        method = "exact" if n_components <= 20 else "AIS"
        baseline, seconds = timed_fit(
            BernoulliRBM(n_components, random_state=0), X_train
        )
        rows.append(
            (
                "BernoulliRBM defaults",
                n_components,
                method,
                held_out_log_likelihood(baseline, X_train, X_test),
                seconds,
            )
        )
        if n_components == 16 and not quick:
            best = (-np.inf, None, 0.0)
            for learning_rate in (0.01, 0.03, 0.1):
                for n_iter in (20, 50, 100):
                    model, seconds = timed_fit(
                        BernoulliRBM(
                            n_components,
                            learning_rate=learning_rate,
                            n_iter=n_iter,
                            random_state=0,
                        ),
                        X_train,
                    )
                    score = held_out_log_likelihood(model, X_train, X_test)
                    if score > best[0]:
                        best = (score, f"lr={learning_rate}, n_iter={n_iter}", seconds)
            rows.append(
                (f"BernoulliRBM best of grid ({best[1]})", 16, method, best[0], best[2])
            )
        n_iter = 30 if quick else RBMTransformer().n_iter
        model, seconds = timed_fit(
            RBMTransformer(n_components, n_iter=n_iter, random_state=0), X_train
        )
        label = "RBMTransformer defaults" + (" (n_iter=30)" if quick else "")
        rows.append((label, n_components, method, model.score(X_test), seconds))

    print(f"{'model':<48} {'hidden':>6} {'log Z':>6} {'held-out LL':>12} {'fit s':>7}")
    for name, hidden, method, score, seconds in rows:
        print(f"{name:<48} {hidden!s:>6} {method:>6} {score:>12.3f} {seconds:>7.2f}")
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="16 hidden units only")
    main(parser.parse_args().quick)
