"""Dense recall and energy: descent, all-unit drives, unit-by-unit loops."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from skebm._hopfield._dense import (
    PolynomialInteraction,
    dense_energy,
    dense_interaction,
    dense_recall,
)
from skebm._hopfield._dynamics import _signs_keeping_ties
from tests._hopfield_helpers import bipolar


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
    interaction = dense_interaction(rule, n_units, degree=degree, beta=beta)
    energies = [dense_energy(probes, memories, interaction)]
    for n_sweeps in range(1, 5):
        states, _ = dense_recall(
            probes, memories, interaction, order=order, n_sweeps=n_sweeps
        )
        energies.append(dense_energy(states, memories, interaction))
    energies = np.array(energies)
    assert np.all(np.diff(energies, axis=0) <= 1e-9 * (1 + np.abs(energies[:-1])))


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
    interaction = dense_interaction(rule, 24, degree=degree, beta=beta)
    drops, scales = interaction.drives_of_all_units(overlaps, states, memories)
    decisions = _signs_keeping_ties(drops, scales, states)
    for unit in range(24):
        drop, scale = interaction.drive(overlaps, memories[:, unit], states[:, unit])
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
    interaction = dense_interaction(rule, 20, beta=beta)
    expected = np.column_stack(
        [
            _signs_keeping_ties(
                *interaction.drive(overlaps, memories[:, i], probes[:, i]),
                probes[:, i],
            )
            for i in range(20)
        ]
    )
    one_step, _ = dense_recall(
        probes,
        memories,
        interaction,
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

    states, _ = dense_recall(
        probes, memories, PolynomialInteraction(20, degree=3), order=order
    )
    assert_array_equal(states, [energy_drop_loop(p) for p in probes])
