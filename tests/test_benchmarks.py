"""The benchmark suite runs in --quick mode and reports every figure.

Timings are not asserted (they belong to the benchmark table, not to tests);
this keeps the suite from rotting.
"""

import json
import subprocess
import sys
from pathlib import Path

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
    "Hopfield sync recall",
    "Hopfield async recall",
    "Hopfield softmax recall",
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
        assert row["skebm"] > 0
        if row["baseline"] is not None:
            assert row["ratio"] > 0
    assert "BLAS" in completed.stdout
