"""Recall speed of HopfieldMemory against ``hopfieldnetwork`` and a numpy loop.

Run ``python benchmarks/bench_hopfield_speed.py`` (needs ``pip install
hopfieldnetwork``; about a minute) or with ``--quick`` (fewer probes for the
slow baselines).

Hebbian weights, N = 1024 units, P = 50 random patterns, 1000 probes with
10% of the bits flipped, synchronous and asynchronous recall to a fixed point.
Four timings, in milliseconds per probe:

* ``skebm``: ``HopfieldMemory("hebbian", update=...).predict(probes)``;
* ``hopfieldnetwork``: ``HopfieldNetwork.update_neurons(1, mode,
  run_max=True)`` on one probe at a time (its own random sweep order);
* ``numpy loop``: a plain per-probe loop, ``sign(W @ s)`` or one unit at a
  time in a fixed order;
* ``matmul bound``: the time of the matrix products the sweeps need, that is
  one ``probes @ W`` over the rows still running, for every sweep skebm
  made (a sweep of single-unit updates needs the same arithmetic as one
  product).
"""

# SPDX-License-Identifier: BSD-3-Clause

import argparse
import time

import numpy as np

from skebm import HopfieldMemory
from skebm._hopfield._pairwise import pairwise_recall


def best_time(function, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def make_problem(n_features=1024, n_memories=50, n_probes=1000, seed=0):
    rng = np.random.default_rng(seed)
    patterns = rng.choice([-1.0, 1.0], size=(n_memories, n_features))
    targets = patterns[rng.integers(n_memories, size=n_probes)]
    probes = targets.copy()
    n_flips = n_features // 10
    for row in probes:
        row[rng.choice(n_features, n_flips, replace=False)] *= -1
    return patterns, targets, probes


def numpy_loop(weights, probes, update, order):
    """The textbook implementation: one probe at a time."""
    recalled = np.empty_like(probes)
    for index, state in enumerate(probes):
        state = state.copy()
        while True:
            if update == "sync":
                field = weights @ state
                new = np.where(field > 0, 1.0, np.where(field < 0, -1.0, state))
                if np.array_equal(new, state):
                    break
                state = new
            else:
                changed = False
                for unit in order:
                    field = weights[unit] @ state
                    new = 1.0 if field > 0 else (-1.0 if field < 0 else state[unit])
                    if new != state[unit]:
                        state[unit] = new
                        changed = True
                if not changed:
                    break
        recalled[index] = state
    return recalled


def hopfieldnetwork_recall(patterns, probes, update):
    from hopfieldnetwork import HopfieldNetwork

    network = HopfieldNetwork(N=patterns.shape[1])
    for pattern in patterns.astype(np.int8):
        network.train_pattern(pattern)
    recalled = np.empty_like(probes)
    for index, probe in enumerate(probes.astype(np.int8)):
        network.set_initial_neurons_state(probe.copy())
        network.update_neurons(1, update, run_max=True)
        recalled[index] = network.S
    return recalled


def sweeps_per_row(memory, probes, update):
    """Sweeps (products) each row needs in the textbook loop.

    The loop stops after a sweep that changes nothing, so a row that settles
    during sweep k needs k + 1 sweeps (a probe already at a fixed point, 1).
    skebm's status gives k: the first sweep count after which the row is at
    a fixed point (for sync, the step that repeats the state).
    """
    needed = np.full(len(probes), memory.n_sweeps)
    states = memory._encode(probes)
    for n_sweeps in range(1, memory.n_sweeps + 1):
        recalled, status = pairwise_recall(
            states,
            memory.weights_,
            memory.thresholds_,
            order=memory.update_order_,
            update=update,
            n_sweeps=n_sweeps,
        )
        done = (status != 2) & (needed == memory.n_sweeps)
        moved = np.any(recalled != states, axis=1)
        needed[done] = np.where(moved[done], n_sweeps + (update == "async"), 1)
        if np.all(status != 2):
            break
    return needed


def matmul_bound(weights, probes, needed):
    """Time of the products over the rows still running at each sweep."""

    def products():
        for sweep in range(1, needed.max() + 1):
            rows = probes[needed >= sweep]
            rows @ weights.T

    return best_time(products)


def speed_rows(quick=False):
    """The recall figures as benchmark rows (ms per probe)."""
    from benchmarks._rows import Row

    patterns, _, probes = make_problem()
    n_probes = len(probes)
    n_slow = 20 if quick else 200
    rows = []
    for update in ("sync", "async"):
        memory = HopfieldMemory("hebbian", update=update, random_state=0).fit(patterns)
        skebm_seconds = best_time(lambda memory=memory: memory.predict(probes))
        needed = sweeps_per_row(memory, probes, update)
        bound = matmul_bound(memory.weights_, probes, needed)
        slow = probes[:n_slow]
        start = time.perf_counter()
        numpy_loop(memory.weights_, slow, update, memory.update_order_)
        numpy_seconds = (time.perf_counter() - start) / n_slow * n_probes
        start = time.perf_counter()
        hopfieldnetwork_recall(patterns, slow, update)
        hn_seconds = (time.perf_counter() - start) / n_slow * n_probes
        label = f"Hopfield {update} recall, N=1024, P=50, 1000 probes, 10% flipped"
        for name, seconds, target in (
            ("hopfieldnetwork", hn_seconds, ">= 20x hopfieldnetwork, bound <= 2x"),
            ("plain numpy loop", numpy_seconds, "report"),
        ):
            rows.append(
                Row(
                    label,
                    1000 * skebm_seconds / n_probes,
                    name,
                    1000 * seconds / n_probes,
                    1000 * bound / n_probes,
                    "ms/probe",
                    target,
                )
            )
    rows.append(softmax_row(quick))
    return rows


def softmax_row(quick=False):
    """Softmax recall with 10 000 stored patterns of 1024 units."""
    from benchmarks._rows import Row

    rng = np.random.default_rng(0)
    n_memories, n_features, n_probes = 10000, 1024, 200 if quick else 1000
    patterns = rng.choice([-1.0, 1.0], size=(n_memories, n_features))
    probes = patterns[rng.integers(n_memories, size=n_probes)].copy()
    probes[rng.random(probes.shape) < 0.1] *= -1
    memory = HopfieldMemory("softmax", random_state=0).fit(patterns)
    seconds = best_time(lambda: memory.predict(probes))
    memories = memory.memories_

    def products():
        attention = probes @ memories.T
        attention @ memories

    bound = best_time(products)

    def numpy_loop_softmax():
        for probe in probes[:50]:
            scores = memory.beta * (memories @ probe)
            weights = np.exp(scores - scores.max())
            (weights / weights.sum()) @ memories

    loop = best_time(numpy_loop_softmax) / 50 * n_probes
    return Row(
        f"Hopfield softmax recall, N=1024, P=10000, {n_probes} probes",
        1000 * seconds / n_probes,
        "plain numpy loop (one step)",
        1000 * loop / n_probes,
        1000 * bound / n_probes,
        "ms/probe",
        "report",
    )


def main(quick=False):
    patterns, targets, probes = make_problem()
    n_probes = len(probes)
    n_slow = 20 if quick else 200
    print(
        f"Hebbian, N = {patterns.shape[1]}, P = {len(patterns)}, "
        f"{n_probes} probes with 10% flipped (baselines timed on "
        f"{n_slow} probes); ms per probe"
    )
    header = (
        f"{'update':7s}{'skebm':>9s}{'hopfieldnetwork':>17s}{'numpy loop':>12s}"
        f"{'matmul bound':>14s}{'x faster than hn':>18s}{'x numpy':>9s}"
        f"{'x bound':>9s}{'exact':>7s}"
    )
    print(header)
    for update in ("sync", "async"):
        memory = HopfieldMemory("hebbian", update=update, random_state=0).fit(patterns)
        skebm_seconds = best_time(lambda memory=memory: memory.predict(probes))
        recalled = memory.predict(probes)
        exact = np.mean(np.all(recalled == targets, axis=1))
        needed = sweeps_per_row(memory, probes, update)
        bound = matmul_bound(memory.weights_, probes, needed)

        order = memory.update_order_
        slow = probes[:n_slow]
        start = time.perf_counter()
        numpy_loop(memory.weights_, slow, update, order)
        numpy_seconds = (time.perf_counter() - start) / n_slow * n_probes
        start = time.perf_counter()
        hopfieldnetwork_recall(patterns, slow, update)
        hn_seconds = (time.perf_counter() - start) / n_slow * n_probes

        per_probe = {
            name: 1000 * seconds / n_probes
            for name, seconds in [
                ("skebm", skebm_seconds),
                ("hn", hn_seconds),
                ("numpy", numpy_seconds),
                ("bound", bound),
            ]
        }
        print(
            f"{update:7s}{per_probe['skebm']:9.4f}{per_probe['hn']:17.3f}"
            f"{per_probe['numpy']:12.3f}{per_probe['bound']:14.4f}"
            f"{per_probe['hn'] / per_probe['skebm']:18.0f}"
            f"{per_probe['numpy'] / per_probe['skebm']:9.0f}"
            f"{per_probe['skebm'] / per_probe['bound']:9.2f}{exact:7.3f}"
        )
        print(f"{'':7s}sweeps per probe: mean {needed.mean():.2f}, max {needed.max()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer slow probes")
    main(quick=parser.parse_args().quick)
