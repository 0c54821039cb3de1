"""Recall dynamics and energies: descent, stopping rules, capacity (fast)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from skebm import HopfieldMemory, _hopfield_dynamics
from skebm._hopfield_dynamics import (
    CYCLE,
    FIXED_POINT,
    MAX_CYCLE_PERIOD,
    SWEEP_LIMIT,
    _dense_drive,
    _dense_drives_of_all_units,
    _signs_keeping_ties,
    dense_energy,
    dense_recall,
    pairwise_energy,
    pairwise_recall,
    softmax_energy,
    softmax_recall,
)


def bipolar(shape, rng):
    return rng.choice([-1.0, 1.0], size=shape)


def symmetric_weights(n_units, rng):
    weights = rng.normal(size=(n_units, n_units))
    weights = (weights + weights.T) / 2
    np.fill_diagonal(weights, 0.0)
    return weights


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


@settings(max_examples=25, deadline=None)
@given(
    n_units=st.integers(2, 30),
    n_memories=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
    rule=st.sampled_from(["polynomial", "exponential"]),
    degree=st.integers(2, 6),
    beta=st.floats(0.05, 5.0),
)
def test_dense_energy_never_increases_along_asynchronous_recall(
    n_units, n_memories, seed, rule, degree, beta
):
    rng = np.random.default_rng(seed)
    memories = bipolar((n_memories, n_units), rng)
    probes = bipolar((4, n_units), rng)
    order = rng.permutation(n_units)
    params = dict(rule=rule, degree=degree, beta=beta)
    energies = [dense_energy(probes, memories, **params)]
    for n_sweeps in range(1, 5):
        states, _ = dense_recall(
            probes, memories, order=order, n_sweeps=n_sweeps, **params
        )
        energies.append(dense_energy(states, memories, **params))
    energies = np.array(energies)
    assert np.all(np.diff(energies, axis=0) <= 1e-9 * (1 + np.abs(energies[:-1])))


def test_softmax_energy_never_increases_along_recall():
    rng = np.random.default_rng(0)
    memories = rng.uniform(-1, 1, size=(30, 10))
    probes = rng.uniform(-1, 1, size=(20, 10))
    energies = [softmax_energy(probes, memories, 0.5)]
    for n_sweeps in range(1, 6):
        states, _ = softmax_recall(probes, memories, 0.5, n_sweeps=n_sweeps, tol=0)
        energies.append(softmax_energy(states, memories, 0.5))
    assert np.all(np.diff(energies, axis=0) <= 1e-12)


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
    monkeypatch.setattr(_hopfield_dynamics, "_CHUNK_ELEMENTS", chunk_rows * n_units)
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


@pytest.mark.parametrize(
    ("rule", "degree", "beta"),
    [
        ("polynomial", 2, 1.0),
        ("polynomial", 3, 1.0),
        ("polynomial", 6, 1.0),
        ("exponential", 3, 0.05),
        ("exponential", 3, 1.0),
        ("exponential", 3, 8.0),
        ("exponential", 3, 100.0),
    ],
)
def test_dense_drives_of_all_units_match_the_drive_of_each_unit(rule, degree, beta):
    rng = np.random.default_rng(4)
    memories = bipolar((60, 24), rng)
    states = np.vstack([bipolar((30, 24), rng), memories[:5]])
    overlaps = states @ memories.T
    plus = (memories > 0).astype(float)
    drops, scales = _dense_drives_of_all_units(
        overlaps, states, plus, 1.0 - plus, rule, degree, beta
    )
    decisions = _signs_keeping_ties(drops, scales, states)
    for unit in range(24):
        drop, scale = _dense_drive(
            overlaps, memories[:, unit], states[:, unit], rule, degree, beta, 24
        )
        assert_array_equal(
            decisions[:, unit], _signs_keeping_ties(drop, scale, states[:, unit])
        )
        # Each form is normalised by its own positive factor: compare the
        # drive relative to its scale (where the scale has not underflowed).
        kept = scales[:, unit] > 1e-300
        assert_allclose(
            drops[kept, unit] / scales[kept, unit], (drop / scale)[kept], atol=1e-12
        )
    assert np.any(decisions != states)


@pytest.mark.parametrize(
    ("rule", "beta"),
    [("polynomial", 1.0), ("exponential", 0.3), ("exponential", 500.0)],
)
def test_dense_synchronous_recall_matches_a_unit_by_unit_loop(rule, beta):
    rng = np.random.default_rng(6)
    memories = bipolar((40, 20), rng)
    probes = np.vstack([bipolar((12, 20), rng), memories[:8] * bipolar((8, 20), rng)])
    overlaps = probes @ memories.T
    expected = np.column_stack(
        [
            _signs_keeping_ties(
                *_dense_drive(
                    overlaps, memories[:, i], probes[:, i], rule, 3, beta, 20
                ),
                probes[:, i],
            )
            for i in range(20)
        ]
    )
    one_step, _ = dense_recall(
        probes,
        memories,
        rule=rule,
        beta=beta,
        order=np.arange(20),
        update="sync",
        n_sweeps=1,
    )
    assert_array_equal(one_step, expected)
    assert np.any(expected != probes)


def test_dense_asynchronous_recall_matches_a_unit_by_unit_loop():
    rng = np.random.default_rng(0)
    memories = bipolar((40, 20), rng)
    probes = bipolar((6, 20), rng)
    order = rng.permutation(20)

    def energy_drop_loop(state):
        state = state.copy()
        for _ in range(100):
            before = state.copy()
            for i in order:
                rest = memories @ state - memories[:, i] * state[i]
                plus = np.maximum(memories[:, i] + rest, 0) ** 3
                minus = np.maximum(-memories[:, i] + rest, 0) ** 3
                drop = np.sum(plus - minus)
                if drop != 0:
                    state[i] = np.sign(drop)
            if np.array_equal(before, state):
                return state
        return state

    states, _ = dense_recall(probes, memories, rule="polynomial", degree=3, order=order)
    assert_array_equal(states, [energy_drop_loop(p) for p in probes])


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
                rule=rule,
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


def test_softmax_recall_of_a_stored_pattern_is_that_pattern():
    rng = np.random.default_rng(3)
    memories = bipolar((50, 40), rng)
    states, status = softmax_recall(memories, memories, 1.0)
    assert_allclose(states, memories, atol=1e-6)
    assert_array_equal(status, FIXED_POINT)


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


@pytest.mark.parametrize(
    ("rule", "n_memories", "dynamics"),
    [("storkey", 25, "async"), ("polynomial", 400, "sync")],
)
def test_auto_update_is_async_for_pairwise_and_sync_for_dense_rules(
    rule, n_memories, dynamics
):
    rng = np.random.default_rng(3)
    patterns = bipolar((n_memories, 100), rng)
    targets = patterns[rng.integers(n_memories, size=60)]
    probes = targets * np.where(rng.random(targets.shape) < 0.2, -1, 1)
    recalled = {
        update: HopfieldMemory(rule, update=update, random_state=0)
        .fit(patterns)
        .predict(probes)
        for update in ("auto", "async", "sync")
    }
    # The two dynamics end apart on some probes, so "auto" picks one of them.
    assert np.any(recalled["async"] != recalled["sync"])
    assert_array_equal(recalled["auto"], recalled[dynamics])


@pytest.mark.parametrize("rule", ["exponential", "softmax"])
def test_exponential_capacity_recalls_1600_memories_of_100_units(rule):
    assert recall_success(rule, 1600, 0.2, n_probes=20) == 1.0
