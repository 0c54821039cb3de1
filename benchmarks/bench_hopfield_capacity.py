"""Recall of HopfieldMemory: capacity on random patterns, digits, inpainting.

Run ``python benchmarks/bench_hopfield_capacity.py`` (under a minute on two
cores) or with ``--quick`` for a rough version with fewer probes and points.

* Capacity: random +-1 patterns of N = 100 units, probes are stored patterns
  with 10% of the bits flipped, success is exact recall (for softmax: every
  recalled value on the stored pattern's side of the midpoint). For the
  pairwise rules the table gives the success at each load P / N and the
  largest load with at least 90% success; the dense and modern rules are
  probed at the loads of the issue with 20% flipped.
* Digits: ``load_digits`` thresholded at 8 (N = 64), 10% of the bits flipped.
* Inpainting: the upper half of a stored digit clamped, the lower half
  hidden (set to the midpoint, or to background zeros), exact recall of the
  whole digit.
"""

# SPDX-License-Identifier: BSD-3-Clause

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits

from skebm import HopfieldMemory

BINARY_RULES = ["hebbian", "storkey", "pseudoinverse", "polynomial", "exponential"]
ALL_RULES = [*BINARY_RULES, "softmax"]


def flip(patterns, fraction, rng):
    """Copies of +-1 patterns with round(fraction * N) distinct bits flipped."""
    probes = patterns.copy()
    n_flips = int(round(fraction * patterns.shape[1]))
    for row in probes:
        row[rng.choice(patterns.shape[1], n_flips, replace=False)] *= -1
    return probes


def exact_recall(memory, stored, probes, clamp=None):
    """Fraction of probes whose recall lies on the stored pattern's side."""
    recalled = memory.predict(probes, clamp=clamp)
    midpoint = memory.center_
    same_side = (recalled > midpoint) == (stored > midpoint)
    return float(same_side.all(axis=1).mean())


def random_recall(rule, n_features, n_memories, fraction, n_probes, seed, **params):
    """Success over n_probes, spread over 10 independent sets of memories."""
    rng = np.random.default_rng(seed)
    n_sets = min(10, n_probes)
    successes = []
    for probes_in_set in np.array_split(np.arange(n_probes), n_sets):
        patterns = rng.choice([-1.0, 1.0], size=(n_memories, n_features))
        memory = HopfieldMemory(rule, random_state=0, **params).fit(patterns)
        targets = patterns[rng.integers(n_memories, size=probes_in_set.size)]
        successes.append(
            exact_recall(memory, targets, flip(targets, fraction, rng))
            * probes_in_set.size
        )
    return sum(successes) / n_probes


def pairwise_capacity(rule, loads, n_probes, n_features=100):
    rows = []
    for load in loads:
        n_memories = int(round(load * n_features))
        success = random_recall(rule, n_features, n_memories, 0.1, n_probes, seed=1)
        rows.append((load, success))
    passing = [load for load, success in rows if success >= 0.9]
    return rows, max(passing) if passing else 0.0


def binarised_digits():
    X = load_digits().data
    return (X >= 8).astype(np.float64)


def noisy_digits(n_memories, n_probes, seed):
    """The first n_memories binarised digits, and stored digits with 10% flipped."""
    digits = binarised_digits()[:n_memories]
    rng = np.random.default_rng(seed)
    targets = digits[rng.integers(n_memories, size=n_probes)]
    probes = (flip(2 * targets - 1, 0.1, rng) + 1) / 2
    return digits, targets, probes


def digits_recall(rule, n_memories, n_probes, seed=0, **params):
    digits, targets, probes = noisy_digits(n_memories, n_probes, seed)
    memory = HopfieldMemory(rule, random_state=0, **params).fit(digits)
    return exact_recall(memory, targets, probes)


def nearest_memory_recall(n_memories, n_probes, seed=0):
    """The same probes decoded by the nearest stored digit (Hamming distance).

    With equally likely memories and independent flips this is the
    maximum-likelihood decoder: no recall rule can do better on average.
    """
    digits, targets, probes = noisy_digits(n_memories, n_probes, seed)
    distances = (probes[:, None, :] != digits[None]).sum(axis=2)
    nearest = digits[distances.argmin(axis=1)]
    return float(np.all(nearest == targets, axis=1).mean())


def inpainting(rule, n_memories, fill, **params):
    digits = binarised_digits()[:n_memories]
    memory = HopfieldMemory(rule, random_state=0, **params).fit(digits)
    probes = digits.copy()
    probes[:, 32:] = 0.5 if fill == "midpoint" else 0.0
    clamp = np.zeros(digits.shape, dtype=bool)
    clamp[:, :32] = True
    return exact_recall(memory, digits, probes, clamp=clamp)


def main(quick=False):
    n_probes = 40 if quick else 200
    step = 0.05 if quick else 0.01
    print(f"Capacity, N = 100, 10% flipped, {n_probes} probes a point")
    for rule in ["hebbian", "storkey", "pseudoinverse"]:
        start = time.perf_counter()
        top = {"hebbian": 0.25, "storkey": 0.5, "pseudoinverse": 0.6}[rule]
        loads = np.round(np.arange(step, top + 1e-9, step), 2)
        rows, largest = pairwise_capacity(rule, loads, n_probes)
        curve = " ".join(f"{load:.2f}:{success:.2f}" for load, success in rows)
        print(f"  {rule:14s} largest load with >= 90%: {largest:.2f}")
        print(f"  {'':14s} ({curve}) [{time.perf_counter() - start:.1f}s]")

    print(f"Dense and modern rules, N = 100, 20% flipped, {n_probes} probes")
    for rule, n_memories, params in [
        ("polynomial", 400, {"degree": 3}),
        ("polynomial", 400, {"degree": 3, "update": "async"}),
        ("exponential", 3200, {}),
        ("softmax", 3200, {}),
    ]:
        start = time.perf_counter()
        success = random_recall(rule, 100, n_memories, 0.2, n_probes, 2, **params)
        label = f"{rule} ({params.get('update', 'auto')})"
        print(
            f"  {label:20s} P = {n_memories:5d}: {success:.3f} "
            f"[{time.perf_counter() - start:.1f}s]"
        )

    n_digit_probes = 5 * n_probes
    print(f"Binarised digits (N = 64), 10% flipped, {n_digit_probes} probes")
    header = "  " + "rule".ljust(14) + "".join(f"P={p:<7d}" for p in (10, 40, 80))
    print(header)
    for rule in ALL_RULES:
        cells = "".join(
            f"{digits_recall(rule, p, n_digit_probes):<9.3f}" for p in (10, 40, 80)
        )
        print(f"  {rule:14s}{cells}")
    cells = "".join(
        f"{nearest_memory_recall(p, n_digit_probes):<9.3f}" for p in (10, 40, 80)
    )
    print(f"  {'nearest digit':14s}{cells}(maximum-likelihood ceiling)")

    print("Inpainting: upper half clamped, lower half hidden, exact recall")
    print(
        "  "
        + "rule".ljust(14)
        + "".join(f"P={p} {fill:<10s}" for p in (10, 80) for fill in ("mid", "zeros"))
    )
    best = {}
    for rule in ALL_RULES:
        cells = []
        for n_memories in (10, 80):
            for fill in ("midpoint", "zeros"):
                value = inpainting(rule, n_memories, fill)
                cells.append(value)
                if rule != "softmax":
                    key = (n_memories, fill)
                    best[key] = max(best.get(key, (0.0, "")), (value, rule))
        print(f"  {rule:14s}" + "".join(f"{value:<15.3f}" for value in cells))
    for (n_memories, fill), (value, rule) in sorted(best.items()):
        print(f"  best binary rule, P={n_memories}, {fill}: {rule} ({value:.3f})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer probes")
    main(quick=parser.parse_args().quick)
