"""Pairwise recall and energy: descent, blocked sweeps, ties, stopping rules."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from skebm._hopfield import _pairwise
from skebm._hopfield._dynamics import CYCLE, FIXED_POINT, SWEEP_LIMIT
from skebm._hopfield._pairwise import pairwise_energy, pairwise_recall
from tests._hopfield_helpers import bipolar, symmetric_weights


def naive_async(state, weights, thresholds, order, n_sweeps, free=None):
    state = state.copy()
    for _ in range(n_sweeps):
        before = state.copy()
        for i in order:
            field = weights[i] @ state + thresholds[i]
            if field != 0 and (free is None or free[i]):
                state[i] = np.sign(field)
        if np.array_equal(before, state):
            break
    return state


@settings(max_examples=40, deadline=None)
@given(
    n_units=st.integers(1, 80),
    n_samples=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    integer_weights=st.booleans(),
)
def test_pairwise_energy_never_increases_along_asynchronous_recall(
    n_units, n_samples, seed, integer_weights
):
    rng = np.random.default_rng(seed)
    weights = symmetric_weights(n_units, rng)
    if integer_weights:  # many exactly-zero fields
        weights = np.round(weights)
    thresholds = rng.normal(size=n_units) * rng.integers(0, 2)
    probes = bipolar((n_samples, n_units), rng)
    order = rng.permutation(n_units)
    energies = [pairwise_energy(probes, weights, thresholds)]
    for n_sweeps in range(1, 6):
        states, _ = pairwise_recall(
            probes, weights, thresholds, order=order, n_sweeps=n_sweeps
        )
        energies.append(pairwise_energy(states, weights, thresholds))
    energies = np.array(energies)
    assert np.all(np.diff(energies, axis=0) <= 1e-9 * (1 + np.abs(energies[:-1])))


@pytest.mark.parametrize("n_units", [5, 64, 150])
def test_blocked_asynchronous_recall_matches_a_unit_by_unit_loop(n_units):
    rng = np.random.default_rng(n_units)
    weights = np.round(symmetric_weights(n_units, rng) * 2)
    thresholds = np.round(rng.normal(size=n_units))
    probes = bipolar((7, n_units), rng)
    order = rng.permutation(n_units)
    states, status = pairwise_recall(probes, weights, thresholds, order=order)
    expected = [naive_async(p, weights, thresholds, order, 100) for p in probes]
    assert_array_equal(states, expected)
    assert_array_equal(status, FIXED_POINT)


@pytest.mark.parametrize(("chunk_rows", "diagonal"), [(1, 0), (4, 0), (100, 0), (4, 2)])
def test_blocked_recall_in_chunks_with_clamps_matches_a_unit_by_unit_loop(
    chunk_rows, diagonal, monkeypatch
):
    # Strong random couplings take several sweeps to settle, so the fields
    # carried from one sweep to the next are exercised too.
    n_units = 200
    monkeypatch.setattr(_pairwise, "_CHUNK_ELEMENTS", chunk_rows * n_units)
    rng = np.random.default_rng(7)
    weights = np.round(symmetric_weights(n_units, rng) * 4)
    np.fill_diagonal(weights, diagonal)
    thresholds = np.round(rng.normal(size=n_units) * 3)
    probes = bipolar((9, n_units), rng)
    clamp = rng.random(probes.shape) < 0.2
    order = rng.permutation(n_units)
    states, status = pairwise_recall(
        probes, weights, thresholds, order=order, clamp=clamp
    )
    expected = [
        naive_async(p, weights, thresholds, order, 100, ~c)
        for p, c in zip(probes, clamp, strict=True)
    ]
    assert_array_equal(states, expected)
    assert_array_equal(status, FIXED_POINT)
    after_one_sweep = [
        naive_async(p, weights, thresholds, order, 1, ~c)
        for p, c in zip(probes, clamp, strict=True)
    ]
    assert np.any(np.asarray(after_one_sweep) != expected)


def test_synchronous_recall_reports_the_two_cycle_of_an_antiferromagnet():
    weights = np.array([[0.0, -1.0], [-1.0, 0.0]])
    states, status = pairwise_recall(
        [[1.0, 1.0], [1.0, -1.0]],
        weights,
        np.zeros(2),
        order=np.arange(2),
        update="sync",
    )
    assert_array_equal(status, [CYCLE, FIXED_POINT])
    assert_array_equal(states[1], [1.0, -1.0])


def test_sweep_limit_is_reported():
    # Unit 2 flips after unit 0 was visited, which then flips in sweep 2.
    weights = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    thresholds = np.array([-0.5, 0.5, -3.0])
    for n_sweeps, expected_status in [(1, SWEEP_LIMIT), (2, FIXED_POINT)]:
        states, status = pairwise_recall(
            [[1.0, 1.0, 1.0]],
            weights,
            thresholds,
            order=np.arange(3),
            n_sweeps=n_sweeps,
        )
        assert_array_equal(status, [expected_status])
    assert_array_equal(states, [[-1.0, 1.0, -1.0]])


@pytest.mark.parametrize("update", ["async", "sync"])
def test_a_unit_with_zero_field_keeps_its_state(update):
    # Unit 0 gets +1 from unit 1 and -1 from unit 2: a zero field.
    weights = np.array([[0.0, 1.0, -1.0], [1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])
    for first in (-1.0, 1.0):
        probe = np.array([[first, 1.0, 1.0]])
        states, _ = pairwise_recall(
            probe, weights, np.zeros(3), order=np.arange(3), update=update
        )
        assert states[0, 0] == first
