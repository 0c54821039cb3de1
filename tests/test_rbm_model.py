"""The RBM's mathematics against brute force and finite differences."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy.special import expit, logsumexp, softmax

from skebm._rbm._model import (
    RBMParameters,
    free_energy,
    gibbs_chain,
    hidden_probabilities,
    log_likelihood_gradient,
    sample_base_visibles,
    sample_bernoulli,
    sample_hiddens,
    sufficient_statistics,
    visible_means,
)
from skebm._rbm._partition import exact_log_partition
from skebm._rbm._units import make_units
from tests._rbm_models import (
    UNIT_NAMES,
    all_binary_states,
    joint_minus_energy,
    random_parameters,
    random_visible,
)


@pytest.mark.parametrize("units", UNIT_NAMES)
def test_free_energy_sums_out_every_hidden_state(units):
    parameters = random_parameters(4, 5, seed=0, units=units)
    data = np.random.default_rng(0).random((6, 4))
    minus_energy = joint_minus_energy(data, all_binary_states(5), parameters)
    assert_allclose(
        free_energy(data, parameters), -logsumexp(minus_energy, axis=1), rtol=1e-12
    )


def test_free_energy_of_sparse_rows_equals_dense():
    parameters = random_parameters(6, 3, seed=1)
    dense = np.random.default_rng(1).random((5, 6))
    dense[dense < 0.5] = 0
    assert_allclose(
        free_energy(sp.csr_matrix(dense), parameters), free_energy(dense, parameters)
    )


@pytest.mark.parametrize("units", UNIT_NAMES)
def test_conditionals_are_those_of_the_energy(units):
    parameters = random_parameters(3, 2, seed=0, units=units)
    weights, visible_bias, hidden_bias, unit_type = parameters
    v = np.array([[1.0, 0.0, 1.0], [0.5, -1.0, 2.0]])
    if units == "bernoulli":
        v = v[:1]
    h = np.array([[0.0, 1.0]])
    # P(h_j = 1 | v) from two joint energies that differ in h_j alone
    for j in range(2):
        on, off = h.copy(), h.copy()
        on[0, j], off[0, j] = 1, 0
        gap = joint_minus_energy(v, on, parameters) - joint_minus_energy(
            v, off, parameters
        )
        assert_allclose(hidden_probabilities(v, parameters)[:, j], expit(gap[:, 0]))
    if units == "bernoulli":
        expected = expit(h @ weights + visible_bias)
    else:
        expected = h @ weights + visible_bias
    assert_allclose(visible_means(h, parameters), expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("units", UNIT_NAMES)
def test_sampling_keeps_the_dtype(dtype, units):
    parameters = random_parameters(3, 2, units=units)
    parameters = RBMParameters(
        *(a.astype(dtype) for a in parameters[:3]),
        make_units(units, 3, log_variance=np.zeros(3, dtype=dtype)),
    )
    v = np.ones((4, 3), dtype=dtype)
    rng = np.random.default_rng(0)
    assert sample_hiddens(v, parameters, rng).dtype == dtype
    visible, probabilities, hidden = gibbs_chain(
        np.ones((4, 2), dtype=dtype), parameters, 2, rng
    )
    assert visible.dtype == probabilities.dtype == hidden.dtype == dtype


def test_sample_bernoulli_frequencies_match_probabilities():
    probabilities = np.tile([0.1, 0.5, 0.9], (20000, 1))
    samples = sample_bernoulli(probabilities, np.random.default_rng(0))
    assert set(np.unique(samples)) <= {0.0, 1.0}
    assert_allclose(samples.mean(axis=0), [0.1, 0.5, 0.9], atol=0.01)


@pytest.mark.parametrize("units", UNIT_NAMES)
def test_base_samples_ignore_the_weights_and_take_the_base_bias(units):
    # P(v) of the base model: logistic(base bias) for bernoulli units,
    # N(base bias, sigma^2) for gaussian ones, whatever the weights.
    parameters = random_parameters(3, 4, scale=3.0, seed=2, units=units)
    base_bias = np.array([-1.0, 0.0, 2.0])
    samples = sample_base_visibles(
        40000, parameters, base_bias, np.random.default_rng(0)
    )
    assert samples.shape == (40000, 3)
    if units == "bernoulli":
        assert_allclose(samples.mean(axis=0), expit(base_bias), atol=0.01)
    else:
        std = getattr(parameters.units, "std", 1.0) * np.ones(3)
        assert_allclose(samples.mean(axis=0), base_bias, atol=0.03)
        assert_allclose(samples.std(axis=0), std, rtol=0.02)


def test_gibbs_chains_reach_the_model_distribution():
    parameters = random_parameters(3, 2, scale=1.0, seed=4)
    states = all_binary_states(3)
    exact = softmax(-free_energy(states, parameters))
    rng = np.random.default_rng(0)
    start = sample_bernoulli(np.full((20000, 2), 0.5), rng)
    visible, _, _ = gibbs_chain(start, parameters, 50, rng)
    codes = visible @ (2 ** np.arange(3))
    empirical = np.bincount(codes.astype(int), minlength=8) / len(codes)
    assert 0.5 * np.abs(empirical - exact).sum() < 0.02


def test_gaussian_gibbs_chains_reach_the_model_moments():
    parameters = random_parameters(2, 2, scale=0.6, seed=3, units="gaussian")
    weights, visible_bias, _, units = parameters
    # the model is a mixture over the 4 hidden states of N(b + W'h, s^2)
    hidden = all_binary_states(2)
    log_weight = hidden @ parameters.hidden_bias + units.log_normalizer(
        hidden @ weights, visible_bias
    )
    mixture = softmax(log_weight)
    means = hidden @ weights + visible_bias
    expected_mean = mixture @ means
    expected_second = mixture @ (means**2) + units.std**2
    rng = np.random.default_rng(0)
    visible, _, _ = gibbs_chain(
        sample_bernoulli(np.full((20000, 2), 0.5), rng), parameters, 30, rng
    )
    assert_allclose(visible.mean(axis=0), expected_mean, atol=0.04)
    assert_allclose((visible**2).mean(axis=0), expected_second, rtol=0.04)


def test_sufficient_statistics_with_uniform_weights_equal_plain_means():
    rng = np.random.default_rng(0)
    parameters = random_parameters(3, 2, units="gaussian")
    visible, hidden = rng.random((6, 3)), expit(rng.standard_normal((6, 2)))
    uniform = np.full(6, 1 / 6)
    for weighted, plain in zip(
        sufficient_statistics(visible, hidden, parameters, uniform),
        sufficient_statistics(visible, hidden, parameters),
        strict=True,
    ):
        assert_allclose(weighted, plain)
    scaled = visible * np.exp(-parameters.units.log_variance)
    assert_allclose(
        sufficient_statistics(visible, hidden, parameters)[0], hidden.T @ scaled / 6
    )


# ----------------------------------------------------------------- gradient


def mean_log_likelihood(arrays, data, units):
    parameters = with_arrays(arrays, units)
    return np.mean(-free_energy(data, parameters)) - exact_log_partition(parameters)


def with_arrays(arrays, units):
    weights, visible_bias, hidden_bias, *own = arrays
    return RBMParameters(
        weights,
        visible_bias,
        hidden_bias,
        make_units(units, len(visible_bias), log_variance=own[0] if own else None),
    )


def exact_model_term(parameters):
    """Enumerated (or mixture-mean) states and their model probabilities.

    For gaussian units the model term of every statistic linear in v and in
    v^2 is computed from the mixture components: the v^2 parts are added as
    extra weighted rows placed at mean +- std, which have the component's
    first and second moments.
    """
    weights, visible_bias, hidden_bias, units = parameters
    if units.binary:
        states = all_binary_states(weights.shape[1])
        probabilities = softmax(-free_energy(states, parameters))
        return states, hidden_probabilities(states, parameters), probabilities
    hidden = all_binary_states(weights.shape[0])
    log_weight = hidden @ hidden_bias + units.log_normalizer(
        hidden @ weights, visible_bias
    )
    means = hidden @ weights + visible_bias
    std = np.broadcast_to(units.std, means.shape)
    # Two points mean +- std per component carry its first two moments.
    visible = np.concatenate([means - std, means + std])
    hiddens = np.concatenate([hidden, hidden])
    return visible, hiddens, np.concatenate([softmax(log_weight)] * 2) / 2


def finite_difference_gradient(arrays, data, units, step=1e-6):
    gradient = []
    for index, array in enumerate(arrays):
        numeric = np.zeros_like(array)
        for position in np.ndindex(array.shape):
            shifted = [a.copy() for a in arrays]
            shifted[index][position] += step
            upper = mean_log_likelihood(shifted, data, units)
            shifted[index][position] -= 2 * step
            lower = mean_log_likelihood(shifted, data, units)
            numeric[position] = (upper - lower) / (2 * step)
        gradient.append(numeric)
    return gradient


@pytest.mark.parametrize("units", UNIT_NAMES)
def test_log_likelihood_gradient_matches_finite_differences(units):
    parameters = random_parameters(4, 3, scale=0.5, seed=1, units=units)
    data = random_visible(7, 4, units)
    gradient = log_likelihood_gradient(
        parameters,
        data,
        hidden_probabilities(data, parameters),
        *exact_model_term(parameters),
    )
    numeric = finite_difference_gradient(parameters.arrays, data, units)
    assert len(gradient) == len(parameters.arrays)
    for analytic, expected in zip(gradient, numeric, strict=True):
        assert_allclose(analytic, expected, atol=1e-6)
