"""transform, predict and score_samples against their matrix products; AIS cost.

    python -m benchmarks.bench_rbm_inference [--quick]

Inference: a 784 x 500 RBMTransformer on synthetic binary data of 20000 rows;
the bound is the time of the same products alone with numpy (``X @ W.T`` for
transform and score_samples, plus ``H @ W`` for predict), the baseline
BernoulliRBM's own method where it has one. AIS: a 784 x 500 model trained for
a few epochs on ``load_digits`` upsampled to 28 x 28 and binarised, log Z at
the default settings (150 chains, 8000 inverse temperatures) against a long
reference run (2x the chains, 3x the betas).
"""

import argparse
import time

import numpy as np
from sklearn.neural_network import BernoulliRBM

from benchmarks._rows import Row, format_table
from benchmarks._timing import median_time
from skebm import RBMTransformer
from skebm._rbm._partition import ais_log_partition


def synthetic_binary(n_samples, n_features, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((n_samples, n_features)) < 0.3).astype(dtype)


def inference_rows(quick=False):
    repeats = 3 if quick else 7
    n_samples = 5000 if quick else 20000
    rows = []
    for dtype in (np.float64, np.float32):
        X = synthetic_binary(n_samples, 784, dtype)
        # log Z is cached before timing; a short AIS run is enough for that.
        rbm = RBMTransformer(
            500, n_iter=1, batch_size=100, ais_n_betas=200, random_state=0
        ).fit(X[:2000])
        rbm.log_partition_  # computed once, outside the timings  # noqa: B018
        baseline = BernoulliRBM(500, n_iter=1, random_state=0).fit(X[:2000])
        weights = rbm.components_
        hidden = rbm.transform(X)
        forward = median_time(lambda: X @ weights.T, repeats=repeats)  # noqa: B023
        backward = median_time(lambda: hidden @ weights, repeats=repeats)  # noqa: B023
        name = np.dtype(dtype).name
        for method, bound, baseline_method in (
            ("transform", forward, baseline.transform),
            ("predict", forward + backward, None),
            ("score_samples", forward, None),
        ):
            seconds = median_time(
                lambda method=method: getattr(rbm, method)(X),  # noqa: B023
                repeats=repeats,
            )
            baseline_seconds = (
                None
                if baseline_method is None
                else median_time(lambda f=baseline_method: f(X), repeats=repeats)  # noqa: B023
            )
            rows.append(
                Row(
                    f"{method}, {n_samples}x784, 500 hidden, {name}",
                    seconds,
                    "BernoulliRBM" if baseline_method is not None else "",
                    baseline_seconds,
                    bound,
                    "s",
                    "bound <= 1.3x",
                )
            )
    return rows


def ais_rows(quick=False):
    X = digits_28x28()
    rbm = RBMTransformer(
        500,
        n_iter=2 if quick else 10,
        batch_size=20,
        learning_rate=0.05,
        random_state=0,
    ).fit(X)
    parameters = rbm._model_parameters()
    n_chains, n_betas = (20, 1000) if quick else (150, 8000)
    begin = time.perf_counter()
    estimate, std_error = ais_log_partition(
        parameters,
        base_visible_bias=rbm._base_visible_bias,
        n_chains=n_chains,
        n_betas=n_betas,
        rng=np.random.default_rng(1),
    )
    seconds = time.perf_counter() - begin
    reference, reference_error = ais_log_partition(
        parameters,
        base_visible_bias=rbm._base_visible_bias,
        n_chains=2 * n_chains,
        n_betas=3 * n_betas,
        rng=np.random.default_rng(2),
    )
    label = "default settings" if not quick else f"{n_chains} chains, {n_betas} betas"
    return [
        Row(
            f"AIS log Z, 784x500, {label}: seconds per estimate",
            seconds,
            "",
            None,
            None,
            "s",
            "report",
        ),
        Row(
            f"AIS log Z error vs reference ({2 * n_chains} chains, {3 * n_betas} "
            f"betas; reference std error {reference_error:.3f})",
            abs(estimate - reference),
            "",
            None,
            None,
            "nats",
            f"report (estimate std error {std_error:.3f})",
        ),
    ]


def digits_28x28():
    """load_digits upsampled to 28 x 28 and binarised: 784 MNIST-like pixels."""
    from scipy.ndimage import zoom
    from sklearn.datasets import load_digits

    images = load_digits().images
    large = np.stack([zoom(image, 3.5, order=1) for image in images])
    return (large.reshape(len(images), -1) >= 8).astype(np.float64)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    print(format_table(inference_rows(quick) + ais_rows(quick)))
