"""Run every performance figure and print one table.

    python -m benchmarks.run [--quick] [--json PATH]

Each figure is timed (median of repeats after a warm-up) beside its named
baseline and the time of the same matrix products alone with numpy, all in
this one run. ``--quick`` runs reduced sizes in under two minutes; the full
run writes its results as JSON (``benchmarks/results.json`` unless ``--json``
says otherwise).
"""

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from benchmarks._rows import format_table
from benchmarks._timing import blas_description
from benchmarks.bench_classifier import suite_rows as classifier_rows
from benchmarks.bench_hopfield_mnist import mnist_rows
from benchmarks.bench_hopfield_speed import speed_rows
from benchmarks.bench_memory import memory_rows
from benchmarks.bench_mnist import suite_rows as mnist_rbm_rows
from benchmarks.bench_rbm_inference import ais_rows, inference_rows
from benchmarks.bench_rbm_training import training_rows

SECTIONS = [
    ("RBM training", training_rows),
    ("RBM inference", inference_rows),
    ("AIS", ais_rows),
    ("RBM on MNIST", mnist_rbm_rows),
    ("RBMClassifier", classifier_rows),
    ("Hopfield recall", speed_rows),
    ("Hopfield on MNIST", mnist_rows),
    ("Memory", memory_rows),
]


def machine_description():
    import numpy
    import sklearn

    return (
        f"{platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scikit-learn {sklearn.__version__}; BLAS: {blas_description()}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes")
    parser.add_argument("--json", type=Path, default=None, help="write results here")
    args = parser.parse_args(argv)
    json_path = args.json
    if json_path is None and not args.quick:
        json_path = Path(__file__).with_name("results.json")

    print(f"Machine: {machine_description()}", flush=True)
    all_rows = []
    for name, section in SECTIONS:
        begin = time.perf_counter()
        rows = section(args.quick)
        print(f"\n## {name} ({time.perf_counter() - begin:.0f} s)\n", flush=True)
        print(format_table(rows), flush=True)
        all_rows.extend(rows)
    if json_path is not None:
        json_path.write_text(
            json.dumps(
                {
                    "machine": machine_description(),
                    "quick": args.quick,
                    "rows": [row.as_dict() for row in all_rows],
                },
                indent=2,
            )
        )
        print(f"\nResults written to {json_path}")
    return all_rows


if __name__ == "__main__":
    main(sys.argv[1:])
