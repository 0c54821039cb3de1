"""Peak resident memory of fitting on a float32 numpy.memmap.

    python -m benchmarks.bench_memory [--quick]

Each fit runs in a fresh subprocess that opens the memmap, fits one epoch and
reports ``resource.getrusage(RUSAGE_SELF).ru_maxrss``; the memory-mapped pages
the fit reads count towards it, so the target is the data's size plus 200 MB:
no full copy of X and no per-epoch shuffled copy.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks._rows import Row, format_table

CHILD = """
import json, resource, sys
import numpy as np
path, which = sys.argv[1], sys.argv[4]
shape = (int(sys.argv[2]), int(sys.argv[3]))
X = np.memmap(path, dtype=np.float32, mode="r", shape=shape)
if which == "skebm":
    from skebm import RBMTransformer
    model = RBMTransformer(64, n_iter=1, batch_size=100, random_state=0)
elif which == "bernoullirbm":
    from sklearn.neural_network import BernoulliRBM
    model = BernoulliRBM(64, n_iter=1, batch_size=100, random_state=0)
else:
    import skebm, sklearn.neural_network  # imports alone
    model = None
if model is not None:
    model.fit(X)
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
"""


# ru_maxrss survives exec: a child forked from this (large) process would start
# with its resident size. A tiny launcher forks the measured process instead.
LAUNCHER = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def peak_megabytes(path, shape, which):
    child = [sys.executable, "-c", CHILD, str(path), str(shape[0]), str(shape[1])]
    result = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *child, which],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def memory_rows(quick=False):
    shape = (20000, 784) if quick else (200000, 784)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "X.float32"
        X = np.memmap(path, dtype=np.float32, mode="w+", shape=shape)
        for start in range(0, shape[0], 10000):
            block = rng.random((min(10000, shape[0] - start), shape[1])) < 0.3
            X[start : start + len(block)] = block
        X.flush()
        del X
        data_megabytes = shape[0] * shape[1] * 4 / 2**20
        imports = peak_megabytes(path, shape, "imports")
        skebm_peak = peak_megabytes(path, shape, "skebm")
        baseline_peak = peak_megabytes(path, shape, "bernoullirbm")
    return [
        Row(
            f"peak RSS fitting a {shape[0]}x{shape[1]} float32 memmap "
            f"({data_megabytes:.0f} MB; imports alone {imports:.0f} MB)",
            skebm_peak,
            "BernoulliRBM",
            baseline_peak,
            data_megabytes + 200,
            "MB",
            "skebm < data + 200 MB (the bound column)",
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    print(format_table(memory_rows(parser.parse_args().quick)))
