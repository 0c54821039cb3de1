"""The benchmark suite runs in --quick mode and reports every figure.

Timings are not asserted (they belong to the benchmark table, not to tests);
this keeps the suite from rotting.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

EXPECTED_FIGURES = [
    "PCD-1 epoch, 784x500 synthetic, batch 100, float64",
    "CD-1 epoch, 784x500 synthetic, batch 100, float32",
    "PCD-1 epoch, 784x500 synthetic, batch 10, float64",
    "PCD-1 float32 epoch, 784x500 synthetic, batch 100",
    "PCD-1 epoch, load_digits 64x256, batch 10, float64",
    "transform, 5000x784, 500 hidden, float64",
    "predict, 5000x784, 500 hidden, float32",
    "score_samples, 5000x784, 500 hidden, float64",
    "AIS log Z, 784x500",
    "AIS log Z error vs reference",
    "MNIST fit at",
    "MNIST LogisticRegression test accuracy on RBMTransformer features",
    "MNIST test -log p(x), 16 hidden, exact log Z",
    "MNIST test -log p(x), 64 hidden, AIS log Z",
    "MNIST test -log p(x), 64 hidden, reverse AIS log Z",
    "AIS log Z at default settings (50 chains, 1000 inverse temperatures), 784x64",
    "AIS log Z at default settings, 784x64: spread",
    "MNIST fit with verbose at",
    "largest drop of the per-epoch train log-likelihood",
    "last per-epoch train -log p(x)",
    "digits (>= 8) test accuracy, fixed split (seed 0), RBMClassifier",
    "MNIST test error, RBMClassifier",
    "MNIST fit time, RBMClassifier",
    "Hopfield sync recall",
    "Hopfield async recall",
    "Hopfield softmax recall",
    "Hopfield exact recall on MNIST, softmax",
    "Hopfield exact recall on MNIST, exponential",
    "Hopfield MNIST recall time, softmax",
    "Hopfield MNIST recall peak memory, softmax",
    "peak RSS fitting a 20000x784 float32 memmap",
]


def test_quick_benchmark_suite_reports_every_figure(tmp_path):
    pytest.importorskip("hopfieldnetwork")
    results = tmp_path / "results.json"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = json.loads(results.read_text())["rows"]
    figures = [row["figure"] for row in rows]
    for expected in EXPECTED_FIGURES:
        assert any(figure.startswith(expected) for figure in figures), expected
    for row in rows:
        # Times and -log p(x) are positive; a largest drop may be none at all.
        assert row["skebm"] > 0 or (row["skebm"] == 0 and "drop" in row["figure"])
        if row["baseline"] is not None:
            assert row["ratio"] > 0
    assert "BLAS" in completed.stdout


def test_laplacian_benchmark_true_density_is_normalised_with_the_known_entropy():
    from benchmarks.bench_rbm_gaussian import laplacian_mixture

    X_train, X_test, true_log_density = laplacian_mixture(20_000, seed=3)
    assert X_train.shape == X_test.shape == (10_000, 2)
    # a Riemann sum on a fine grid (the density has kinks that quad dislikes)
    axis, step = np.linspace(-15, 15, 1501, retstep=True)
    grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    total = np.exp(true_log_density(grid)).sum() * step**2
    assert abs(total - 1) < 2e-3
    # whitened unit-variance Laplacians: 2 (1 + log sqrt 2) nats of entropy
    expected = -2 * (1 + np.log(np.sqrt(2)))
    assert abs(true_log_density(X_test).mean() - expected) < 0.03


def test_gpu_benchmark_runs_on_torch_cpu_and_reports_every_workload():
    # The GPU script runs where no test can (on a lent GPU, once); its quick
    # form on torch's CPU backend keeps it from rotting in between.
    pytest.importorskip("torch")
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_gpu", "--device", "cpu", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    assert "device: torch cpu" in lines[0]
    for workload in ("PCD-1 epoch, 784x100", "AIS log Z (", "softmax recall, 2000"):
        (line,) = [line for line in lines if line.startswith(workload)]
        on_device, on_numpy, speed_up = line.split()[-3:]
        assert float(on_device) > 0 and float(on_numpy) > 0
        assert speed_up.endswith("x")
    # The device's AIS estimate is a number, not a NaN from a dtype slip.
    (ais,) = [line for line in lines if line.startswith("AIS log Z (")]
    assert np.isfinite(float(ais.split("(")[1].split()[0]))
