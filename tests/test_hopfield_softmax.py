"""Softmax recall and energy: descent, stored patterns are fixed points."""

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal

from skebm._hopfield._dynamics import FIXED_POINT
from skebm._hopfield._softmax import softmax_energy, softmax_recall
from tests._hopfield_helpers import bipolar


def test_softmax_energy_never_increases_along_recall():
    rng = np.random.default_rng(0)
    memories = rng.uniform(-1, 1, size=(30, 10))
    probes = rng.uniform(-1, 1, size=(20, 10))
    energies = [softmax_energy(probes, memories, 0.5)]
    for n_sweeps in range(1, 6):
        states, _ = softmax_recall(probes, memories, 0.5, n_sweeps=n_sweeps, tol=0)
        energies.append(softmax_energy(states, memories, 0.5))
    assert np.all(np.diff(energies, axis=0) <= 1e-12)


def test_softmax_recall_of_a_stored_pattern_is_that_pattern():
    rng = np.random.default_rng(3)
    memories = bipolar((50, 40), rng)
    states, status = softmax_recall(memories, memories, 1.0)
    assert_allclose(states, memories, atol=1e-6)
    assert_array_equal(status, FIXED_POINT)
