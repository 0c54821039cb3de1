"""Recall of HopfieldMemory on binarised MNIST: 1 000, 10 000 and 60 000 digits.

    python -m benchmarks.bench_hopfield_mnist [--quick] [--mnist PATH] [--probes N]

The first 1 000, 10 000 or all 60 000 training digits of MNIST, binarised as
``X > 128`` and stored as float32, are the memories. The probes are a fixed
random subset of the stored digits (200 unless ``--probes`` says otherwise)
in three forms: 10% and 20% of the pixels flipped, and the upper half given
(clamped) with the lower half hidden at the midpoint 0.5. A probe is recalled
when ``predict`` returns its digit exactly, every pixel.

Beside each rate, the *ceiling*: the fraction of probes whose nearest stored
digit in Hamming distance, on the pixels the probe shows, is their own
(strictly nearer than every other stored digit that differs from it). With
equally likely memories and independent flips it is the maximum-likelihood
decoder, so no rule can beat it on average. Milliseconds per probe is the
wall time of ``predict`` (one BLAS thread recommended), and the peak is the
largest memory ``predict`` allocated beyond the fitted memory and the probes
(``tracemalloc``), beside the size of one probes x memories float64 matrix,
which chunked recall never holds. A second table repeats the 10%-flipped
probes ten times over at the largest load: the peak stays flat while that
matrix grows.

MNIST comes from ``--mnist PATH``, the environment variable ``SKEBM_MNIST``,
``../shared/data/mnist.npz`` beside the repository (an ``np.load``-able file
with a uint8 ``X_train``), else ``fetch_openml("mnist_784")``. ``--quick``
stores 1 000 digits and probes 50 of them.
"""

# SPDX-License-Identifier: BSD-3-Clause

import argparse
import time
import tracemalloc
import warnings

import numpy as np

from benchmarks._mnist import load_mnist
from benchmarks._rows import Row
from skebm import HopfieldMemory

# Rules run at each load. The pairwise rules store at most n_features = 784
# patterns in principle (pseudoinverse) and far fewer correlated ones, and
# cost O(n_features^2) per pattern (storkey), so they run at 1 000 only.
RULES_AT_LOAD = {
    1000: [
        "hebbian",
        "storkey",
        "pseudoinverse",
        "polynomial",
        "exponential",
        "softmax",
    ],
    10000: ["polynomial", "exponential", "softmax"],
    60000: ["exponential", "softmax"],
}
PROBE_KINDS = ["10% flipped", "20% flipped", "upper half"]


def load_binarised_mnist(path=None, quick=False):
    """MNIST's training digits as float32 {0, 1} (``X > 128``), and the source."""
    X, _, _, _, source = load_mnist(path, quick=quick)
    return X.astype(np.float32), source


def make_probes(stored, n_probes, seed=0):
    """Indices of the probed digits and, per kind, (probes, clamp, known pixels)."""
    rng = np.random.default_rng(seed)
    n_stored, n_features = stored.shape
    index = np.sort(rng.choice(n_stored, size=min(n_probes, n_stored), replace=False))
    targets = stored[index]
    probes = {}
    for kind, fraction in [("10% flipped", 0.1), ("20% flipped", 0.2)]:
        flipped = targets.copy()
        n_flips = round(fraction * n_features)
        for row in flipped:
            columns = rng.choice(n_features, n_flips, replace=False)
            row[columns] = 1 - row[columns]
        probes[kind] = (flipped, None, np.ones(n_features, dtype=bool))
    known = np.arange(n_features) < n_features // 2
    half = targets.copy()
    half[:, ~known] = 0.5
    probes["upper half"] = (half, np.broadcast_to(known, half.shape).copy(), known)
    return index, probes


def nearest_memory_ceiling(stored, index, probes, known, chunk=100):
    """Fraction of probes whose nearest stored digit on ``known`` is their own."""
    bipolar = 2 * stored - 1
    n_features = stored.shape[1]
    successes = 0
    for start in range(0, len(index), chunk):
        rows = index[start : start + chunk]
        own = bipolar[rows]
        # Digits equal to the probe's own (duplicates) are not competitors.
        identical = own @ bipolar.T == n_features
        shown = 2 * probes[start : start + chunk][:, known] - 1
        distances = (known.sum() - shown @ bipolar[:, known].T) / 2
        own_distance = distances[np.arange(len(rows)), rows]
        others = np.where(identical, np.inf, distances).min(axis=1)
        successes += int(np.sum(own_distance < others))
    return successes / len(index)


def measure_rule(rule, stored, index, probes):
    """Exact recall per probe kind, ms per probe, recall peak MB, fit s."""
    begin = time.perf_counter()
    memory = HopfieldMemory(rule, random_state=0).fit(stored)
    fit_seconds = time.perf_counter() - begin
    targets = stored[index]
    rates, seconds, peak = {}, 0.0, 0
    for kind, (X, clamp, _) in probes.items():
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        begin = time.perf_counter()
        with warnings.catch_warnings():
            # A binary rule that has not settled after n_sweeps is a miss.
            warnings.simplefilter("ignore")
            recalled = memory.predict(X, clamp=clamp)
        seconds += time.perf_counter() - begin
        peak = max(peak, tracemalloc.get_traced_memory()[1] - before)
        rates[kind] = float(np.all(recalled == targets, axis=1).mean())
        del recalled
    n_probes = len(index) * len(probes)
    return rates, 1000 * seconds / n_probes, peak / 2**20, fit_seconds


def recall_peak_against_probes(digits, load, rule, counts):
    """Recall peak MB and ms per probe for growing numbers of 10%-flipped probes.

    The probes are the 10%-flipped ones tiled to each count; chunked recall
    keeps the peak flat while one probes x memories matrix grows.
    """
    stored = digits[:load]
    _, probes = make_probes(stored, 200)
    flipped = probes["10% flipped"][0]
    memory = HopfieldMemory(rule, random_state=0).fit(stored)
    results = []
    for count in counts:
        X = np.resize(flipped, (count, flipped.shape[1]))
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        begin = time.perf_counter()
        memory.predict(X)
        seconds = time.perf_counter() - begin
        peak = (tracemalloc.get_traced_memory()[1] - before) / 2**20
        full = count * load * 8 / 2**20
        results.append((load, rule, count, peak, full, 1000 * seconds / count))
    return results


def probes_table(load, rules, counts, path=None, quick=False):
    """:func:`recall_peak_against_probes` for each rule, under tracemalloc."""
    digits, _ = load_binarised_mnist(path, quick)
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        return [
            row
            for rule in rules
            for row in recall_peak_against_probes(digits, load, rule, counts)
        ]
    finally:
        if not was_tracing:
            tracemalloc.stop()


def mnist_table(loads, n_probes, path=None, rules_at_load=None, quick=False):
    """The rows of the table: one per (load, rule), then the ceiling."""
    rules_at_load = rules_at_load or RULES_AT_LOAD
    digits, source = load_binarised_mnist(path, quick)
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    rows = []
    try:
        for load in loads:
            stored = digits[:load]
            index, probes = make_probes(stored, n_probes)
            ceiling = {
                kind: nearest_memory_ceiling(stored, index, X, known)
                for kind, (X, _, known) in probes.items()
            }
            full_matrix = len(index) * load * 8 / 2**20
            for rule in rules_at_load[load]:
                rates, ms, peak, fit_s = measure_rule(rule, stored, index, probes)
                rows.append((load, rule, rates, ms, peak, full_matrix, fit_s))
            rows.append((load, "nearest stored digit (ceiling)", ceiling, *[None] * 4))
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return rows, source


def format_mnist_table(rows):
    header = (
        "| stored | rule | 10% flipped | 20% flipped | upper half | ms per probe "
        "| recall peak MB | probes x memories float64 MB | fit s |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    lines = [header]
    for load, rule, rates, ms, peak, full, fit_s in rows:
        cells = " | ".join(f"{rates[kind]:.3f}" for kind in PROBE_KINDS)
        extra = (
            "- | - | - | -"
            if ms is None
            else f"{ms:.2f} | {peak:.0f} | {full:.1f} | {fit_s:.1f}"
        )
        lines.append(f"| {load} | {rule} | {cells} | {extra} |")
    return "\n".join(lines)


def format_probes_table(rows):
    lines = [
        "| stored | rule | probes | recall peak MB | probes x memories float64 MB "
        "| ms per probe |",
        "|---|---|---|---|---|---|",
    ]
    for load, rule, count, peak, full, ms in rows:
        lines.append(
            f"| {load} | {rule} | {count} | {peak:.0f} | {full:.0f} | {ms:.2f} |"
        )
    return "\n".join(lines)


def mnist_rows(quick=False):
    """Rows for the benchmark suite: exact recall with 10% flipped, and memory."""
    load, n_probes = (1000, 50) if quick else (10000, 200)
    rules = ["exponential", "softmax"]
    table, source = mnist_table(
        [load], n_probes, rules_at_load={load: rules}, quick=quick
    )
    ceiling = table[-1][2]["10% flipped"]
    # Offline, the quick form runs on a stand-in; its rows say so.
    data = " [stand-in data]" if "stand-in" in source else ""
    rows = []
    for _, rule, rates, ms, _, _, _ in table[:-1]:
        rows.append(
            Row(
                f"Hopfield exact recall on MNIST, {rule}, {load} stored, "
                f"10% flipped{data}",
                rates["10% flipped"],
                "nearest stored digit (ceiling)",
                ceiling,
                unit="fraction",
                target=">= 0.99 at 10000 stored (issue 12)",
            )
        )
        rows.append(
            Row(
                f"Hopfield MNIST recall time, {rule}, {load} stored{data}",
                ms,
                unit="ms",
            )
        )
    # Memory where the memories outnumber the features: 10 000 stored.
    few, many = (200, 2000)
    (*_, peak_few, _, _), (*_, peak_many, full, _) = probes_table(
        10000, ["softmax"], [few, many], quick=quick
    )
    rows.append(
        Row(
            f"Hopfield MNIST recall peak memory, softmax, 10000 stored, "
            f"{many} probes{data}",
            peak_many,
            f"same with {few} probes",
            peak_few,
            bound=full,
            unit="MB",
            target="about flat in the probes; below the bound, one probes x "
            "memories float64 matrix",
        )
    )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 000 stored, 50 probes")
    parser.add_argument("--mnist", default=None, help="path of mnist.npz")
    parser.add_argument("--probes", type=int, default=None, help="probes per kind")
    parser.add_argument(
        "--loads", type=int, nargs="+", default=None, help="numbers of digits stored"
    )
    args = parser.parse_args(argv)
    loads = args.loads or ([1000] if args.quick else [1000, 10000, 60000])
    n_probes = args.probes or (50 if args.quick else 200)
    rows, source = mnist_table(loads, n_probes, args.mnist, quick=args.quick)
    print(f"Binarised MNIST from {source}; {n_probes} probes of each kind")
    print(format_mnist_table(rows))
    skipped = [
        f"{rule} at {load}"
        for load in loads
        for rule in RULES_AT_LOAD[1000]
        if rule not in RULES_AT_LOAD.get(load, [])
    ]
    if skipped:
        print("Not run: " + ", ".join(skipped) + " (see RULES_AT_LOAD).")
    largest = max(loads)
    counts = [n_probes, 10 * n_probes]
    print(f"\nRecall memory against the number of probes ({largest} stored)")
    print(
        format_probes_table(probes_table(largest, ["exponential", "softmax"], counts))
    )


if __name__ == "__main__":
    main()
