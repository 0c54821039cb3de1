"""Held-out log density of Gaussian-unit RBMs beside Gaussian baselines.

Two data sets, every model scored by its normalised log density of the test
rows (nats per row), all in this one run:

* **Laplacian mixture** (PyDeep's Gaussian-binary RBM example): two
  independent Laplacian sources, a random mixing matrix, ZCA whitening,
  100 000 rows split in halves. The true density of the whitened data is
  known in closed form (the bound); a single Gaussian is the baseline;
  PyDeep's figure for its Gaussian-binary RBM with 4 hidden units (Melchior,
  Wang & Wiskott, 2017) is the literature row.
* **Dequantised digits**: ``load_digits`` grey levels plus uniform noise in
  [0, 1), ``train_test_split(test_size=0.25, random_state=0)``; a
  full-covariance Gaussian is the baseline (the gallery example's figure).

RBMs run at default settings apart from ``n_components`` (and
``ais_n_betas`` for the 64-hidden model, whose log Z comes from AIS).

    python -m benchmarks.bench_rbm_gaussian [--quick] [--seed N]
"""

import argparse
import time

import numpy as np
from scipy.stats import laplace, norm
from sklearn.datasets import load_digits
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split

from skebm import RBMTransformer

# PyDeep's GRBM_2D example with 4 hidden units, test log-likelihood.
PYDEEP_GRBM_LAPLACIAN = -2.736


def laplacian_mixture(n_rows, seed):
    """Whitened mixture of two Laplacian sources and the log of its true density."""
    rng = np.random.default_rng(seed)
    sources = rng.laplace(0.0, 1.0, (n_rows, 2))
    mixing = rng.random((2, 2))
    X = sources @ mixing
    mean = X.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov((X - mean).T))
    whitening = eigenvectors @ np.diag(eigenvalues**-0.5) @ eigenvectors.T
    X = (X - mean) @ whitening
    # x = (s A - m) Z, so s = (x Z^-1 + m) A^-1 and log p(x) = log p(s) - log|det A Z|
    to_sources = np.linalg.inv(whitening) @ np.linalg.inv(mixing)
    log_jacobian = np.log(abs(np.linalg.det(to_sources)))

    def true_log_density(rows):
        recovered = (rows @ np.linalg.inv(whitening) + mean) @ np.linalg.inv(mixing)
        return laplace.logpdf(recovered).sum(axis=1) + log_jacobian

    half = n_rows // 2
    return X[:half], X[half:], true_log_density


def dequantised_digits(seed=0):
    X, _ = load_digits(return_X_y=True)
    X = X + np.random.default_rng(seed).uniform(size=X.shape)
    return train_test_split(X, test_size=0.25, random_state=0)


def timed_score(model, X_train, X_test):
    begin = time.perf_counter()
    model.fit(X_train)
    seconds = time.perf_counter() - begin
    return model.score(X_test), seconds


def laplacian_rows(quick, seed):
    X_train, X_test, true_log_density = laplacian_mixture(
        20_000 if quick else 100_000, seed
    )
    n_iter = {"n_iter": 40} if quick else {}
    rows = [
        ("true density (bound)", "-", float(true_log_density(X_test).mean()), 0.0),
        (
            "one Gaussian (baseline)",
            "-",
            *timed_score(GaussianMixture(1, random_state=0), X_train, X_test),
        ),
        ("PyDeep GB-RBM, 4 hidden (literature)", 4, PYDEEP_GRBM_LAPLACIAN, None),
    ]
    for visible in ("gaussian", "gaussian_unit_variance"):
        model = RBMTransformer(4, visible=visible, random_state=seed, **n_iter)
        rows.append(
            (
                f"RBMTransformer visible={visible!r}",
                4,
                *timed_score(model, X_train, X_test),
            )
        )
    return rows


def digits_rows(quick, seed):
    X_train, X_test = dequantised_digits()
    independent = norm.logpdf(X_test, X_train.mean(axis=0), X_train.std(axis=0))
    rows = [
        (
            "independent Gaussian pixels",
            "-",
            float(independent.sum(axis=1).mean()),
            0.0,
        ),
        (
            "full-covariance Gaussian (baseline)",
            "-",
            *timed_score(GaussianMixture(1, random_state=0), X_train, X_test),
        ),
    ]
    n_iter = {"n_iter": 30} if quick else {}
    for visible in ("gaussian", "gaussian_unit_variance"):
        model = RBMTransformer(
            64, visible=visible, ais_n_betas=3000, random_state=seed, **n_iter
        )
        score, seconds = timed_score(model, X_train, X_test)
        error = model.log_partition_std_
        name = f"RBMTransformer visible={visible!r} (AIS se {error:.2f})"
        rows.append((name, 64, score, seconds))
    return rows


def print_table(title, rows):
    print(f"\n{title}\n")
    print(f"{'model':<64} {'hidden':>6} {'test log density':>17} {'fit s':>7}")
    for name, hidden, score, seconds in rows:
        fit = "-" if seconds is None else f"{seconds:.1f}"
        print(f"{name:<64} {hidden!s:>6} {score:>17.3f} {fit:>7}")


def main(quick=False, seed=0):
    laplacian = laplacian_rows(quick, seed)
    print_table("Whitened two-source Laplacian mixture (nats per 2-D row)", laplacian)
    digits = digits_rows(quick, seed)
    print_table("Dequantised digits (nats per 64-pixel image)", digits)
    return laplacian, digits


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rows and epochs")
    parser.add_argument("--seed", type=int, default=0, help="data and model seed")
    arguments = parser.parse_args()
    main(arguments.quick, arguments.seed)
