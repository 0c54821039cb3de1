"""What every recall shares: cycles, clamps; and capacity (fast versions)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skebm import HopfieldMemory
from skebm._hopfield._dense import dense_interaction, dense_recall
from skebm._hopfield._dynamics import CYCLE, FIXED_POINT, MAX_CYCLE_PERIOD
from skebm._hopfield._pairwise import pairwise_recall
from skebm._hopfield._softmax import softmax_recall
from tests._hopfield_helpers import bipolar, symmetric_weights


@pytest.mark.parametrize("rule", ["pairwise", "polynomial", "exponential"])
def test_synchronous_recall_ends_at_a_fixed_point_or_reports_a_cycle(rule):
    rng = np.random.default_rng(1)
    n_units = 12
    probes = bipolar((200, n_units), rng)
    if rule == "pairwise":
        weights = symmetric_weights(n_units, rng)
        thresholds = np.zeros(n_units)

        def recall(states, n_sweeps):
            return pairwise_recall(
                states,
                weights,
                thresholds,
                order=np.arange(n_units),
                update="sync",
                n_sweeps=n_sweeps,
            )
    else:
        memories = bipolar((30, n_units), rng)

        def recall(states, n_sweeps):
            return dense_recall(
                states,
                memories,
                dense_interaction(rule, n_units),
                order=np.arange(n_units),
                update="sync",
                n_sweeps=n_sweeps,
            )

    states, status = recall(probes, 100)
    assert set(status) <= {FIXED_POINT, CYCLE}
    fixed = status == FIXED_POINT
    once, _ = recall(states, 1)
    assert_array_equal(once[fixed], states[fixed])
    assert np.all(np.any(once[~fixed] != states[~fixed], axis=1))
    # A cycling row comes back to its state; with pairwise weights in 2 steps.
    periods = np.zeros(len(states), dtype=int)
    step = states
    for period in range(1, MAX_CYCLE_PERIOD + 1):
        step, _ = recall(step, 1)
        back = (periods == 0) & np.all(step == states, axis=1)
        periods[back] = period
    assert np.all(periods[~fixed] >= 2)
    if rule == "pairwise":
        assert_array_equal(periods[~fixed], 2)


def test_clamped_units_keep_their_values():
    rng = np.random.default_rng(2)
    weights = symmetric_weights(20, rng)
    probes = bipolar((10, 20), rng)
    clamp = rng.random((10, 20)) < 0.3
    for update in ("async", "sync"):
        states, _ = pairwise_recall(
            probes,
            weights,
            np.zeros(20),
            order=rng.permutation(20),
            update=update,
            clamp=clamp,
        )
        assert_array_equal(states[clamp], probes[clamp])
    memories = rng.uniform(-1, 1, size=(5, 20))
    states, _ = softmax_recall(probes, memories, 1.0, clamp=clamp)
    assert_array_equal(states[clamp], probes[clamp])


# ------------------------------------------------- capacity, fast versions


def recall_success(rule, n_memories, fraction, n_probes=40, n_features=100, **kw):
    rng = np.random.default_rng(n_memories)
    patterns = bipolar((n_memories, n_features), rng)
    memory = HopfieldMemory(rule, random_state=0, **kw).fit(patterns)
    targets = patterns[rng.integers(n_memories, size=n_probes)]
    probes = targets.copy()
    n_flips = int(round(fraction * n_features))
    for row in probes:
        row[rng.choice(n_features, n_flips, replace=False)] *= -1
    recalled = memory.predict(probes)
    return np.mean(np.all((recalled > 0) == (targets > 0), axis=1))


@pytest.mark.parametrize(
    ("rule", "good_load", "bad_load"),
    [("hebbian", 0.05, 0.2), ("storkey", 0.2, 0.45), ("pseudoinverse", 0.3, 0.55)],
)
def test_pairwise_capacity_at_100_units_with_10_percent_flipped(
    rule, good_load, bad_load
):
    assert recall_success(rule, int(good_load * 100), 0.1) >= 0.9
    assert recall_success(rule, int(bad_load * 100), 0.1) < 0.9


def test_polynomial_recalls_400_memories_of_100_units_with_20_percent_flipped():
    assert recall_success("polynomial", 400, 0.2, degree=3) >= 0.95


@pytest.mark.parametrize("rule", ["exponential", "softmax"])
def test_exponential_capacity_recalls_1600_memories_of_100_units(rule):
    assert recall_success(rule, 1600, 0.2, n_probes=20) == 1.0
