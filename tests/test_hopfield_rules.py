"""Learning rules of the pairwise Hopfield network, against direct transcriptions."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skebm._hopfield._rules import (
    hebbian_correlation,
    hebbian_weights,
    nominal_capacity,
    pseudoinverse_weights,
    storkey_weights,
)


def bipolar(n_patterns, n_features, seed=0):
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=(n_patterns, n_features))


def storkey_by_loops(patterns):
    """Storkey (1997), one weight at a time.

    w_ij^nu = w_ij^(nu-1) + (1/n) xi_i xi_j - (1/n) xi_i h_ji - (1/n) h_ij xi_j,
    h_ij = sum_{k != i, j} w_ik^(nu-1) xi_k.
    """
    n = patterns.shape[1]
    weights = [[0.0] * n for _ in range(n)]
    for xi in patterns:
        previous = [row[:] for row in weights]

        def h(i, j, previous=previous, xi=xi):
            return sum(previous[i][k] * xi[k] for k in range(n) if k not in (i, j))

        for i in range(n):
            for j in range(n):
                if i == j:
                    continue
                weights[i][j] = (
                    previous[i][j]
                    + xi[i] * xi[j] / n
                    - xi[i] * h(j, i) / n
                    - h(i, j) * xi[j] / n
                )
    return np.array(weights)


@pytest.mark.parametrize(("n_patterns", "n_features"), [(1, 3), (3, 5), (6, 4)])
def test_storkey_matches_a_loop_by_loop_transcription_of_storkey_1997(
    n_patterns, n_features
):
    patterns = bipolar(n_patterns, n_features, seed=n_patterns)
    assert_allclose(storkey_weights(patterns), storkey_by_loops(patterns), atol=1e-12)


def test_storkey_differs_from_hebb_after_the_first_pattern():
    patterns = bipolar(3, 5, seed=3)
    assert_allclose(storkey_weights(patterns[:1]), hebbian_weights(patterns[:1]))
    assert not np.allclose(storkey_weights(patterns), hebbian_weights(patterns))


def test_storkey_in_two_calls_is_bitwise_storkey_in_one():
    patterns = bipolar(7, 9, seed=1)
    in_two = storkey_weights(patterns[4:], storkey_weights(patterns[:4]))
    assert_array_equal(in_two, storkey_weights(patterns))


def test_storkey_weights_are_symmetric_with_zero_diagonal():
    weights = storkey_weights(bipolar(10, 12))
    assert_allclose(weights, weights.T, atol=1e-12)
    assert_array_equal(np.diag(weights), 0.0)


def test_hebbian_weights_are_the_outer_product_sum_over_n_without_diagonal():
    patterns = bipolar(4, 6)
    expected = sum(np.outer(p, p) for p in patterns) / 6
    np.fill_diagonal(expected, 0.0)
    assert_allclose(hebbian_weights(patterns), expected)


def test_hebbian_correlation_in_two_calls_is_bitwise_one_call():
    patterns = bipolar(9, 7)
    in_two = hebbian_correlation(patterns[5:], hebbian_correlation(patterns[:5]))
    assert_array_equal(in_two, hebbian_correlation(patterns))


def test_pseudoinverse_is_the_projection_onto_the_patterns_without_diagonal():
    patterns = bipolar(4, 10)
    expected = patterns.T @ np.linalg.inv(patterns @ patterns.T) @ patterns
    np.fill_diagonal(expected, 0.0)
    assert_allclose(pseudoinverse_weights(patterns), expected, atol=1e-12)


def test_pseudoinverse_stores_linearly_independent_patterns_as_fixed_points():
    patterns = bipolar(8, 12, seed=5)
    fields = patterns @ pseudoinverse_weights(patterns).T
    assert_array_equal(np.sign(fields), patterns)


def test_pseudoinverse_handles_dependent_patterns():
    patterns = bipolar(3, 6)
    repeated = np.vstack([patterns, patterns, -patterns[:1]])
    assert_allclose(
        pseudoinverse_weights(repeated), pseudoinverse_weights(patterns), atol=1e-12
    )


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("hebbian", 100 / (2 * math.log(100))),
        ("storkey", 100 / math.sqrt(2 * math.log(100))),
        ("pseudoinverse", 100.0),
        ("polynomial", 100**2 / (2 * 3 * math.log(100))),
        ("exponential", 2.0**50),
        ("softmax", 2.0**50),
    ],
)
def test_nominal_capacity_at_100_units(rule, expected):
    assert nominal_capacity(rule, 100, degree=3) == pytest.approx(expected)


def test_nominal_capacity_is_finite_or_inf_without_warnings():
    assert nominal_capacity("exponential", 5000) == math.inf
    assert nominal_capacity("polynomial", 100_000, degree=200) == math.inf
    assert nominal_capacity("hebbian", 1) == 1.0
