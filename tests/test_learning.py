import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit, softmax

from skebm._free_energy import free_energy
from skebm._gibbs import mean_hiddens
from skebm._learning import log_likelihood_gradient, sufficient_statistics
from skebm._partition import exact_log_partition
from tests._rbm_models import all_binary_states, random_parameters


def mean_log_likelihood(parameters, data, visible):
    return np.mean(-free_energy(data, *parameters, visible)) - exact_log_partition(
        *parameters, visible
    )


def exact_model_term(parameters, visible):
    """Enumerated states and their probabilities under the model."""
    weights, visible_bias, hidden_bias = parameters
    if visible == "bernoulli":
        states = all_binary_states(weights.shape[1])
        probabilities = softmax(-free_energy(states, *parameters, "bernoulli"))
        return states, mean_hiddens(states, weights, hidden_bias), probabilities
    hidden = all_binary_states(weights.shape[0])
    means = hidden @ weights + visible_bias
    log_weight = hidden @ hidden_bias + 0.5 * np.einsum("ij,ij->i", means, means)
    return means, hidden, softmax(log_weight)


def finite_difference_gradient(parameters, data, visible, step=1e-6):
    gradient = []
    for index, parameter in enumerate(parameters):
        numeric = np.zeros_like(parameter)
        for position in np.ndindex(parameter.shape):
            shifted = [p.copy() for p in parameters]
            shifted[index][position] += step
            upper = mean_log_likelihood(shifted, data, visible)
            shifted[index][position] -= 2 * step
            lower = mean_log_likelihood(shifted, data, visible)
            numeric[position] = (upper - lower) / (2 * step)
        gradient.append(numeric)
    return gradient


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_log_likelihood_gradient_matches_finite_differences(visible):
    rng = np.random.default_rng(0)
    parameters = random_parameters(4, 3, scale=0.5, seed=1)
    if visible == "bernoulli":
        data = (rng.random((7, 4)) < 0.4).astype(float)
    else:
        data = rng.standard_normal((7, 4))
    positive_hidden = mean_hiddens(data, parameters[0], parameters[2])
    gradient = log_likelihood_gradient(
        data, positive_hidden, *exact_model_term(parameters, visible)
    )
    numeric = finite_difference_gradient(parameters, data, visible)
    for analytic, expected in zip(gradient, numeric, strict=True):
        assert_allclose(analytic, expected, atol=1e-6)


def test_sufficient_statistics_with_uniform_weights_equal_plain_means():
    rng = np.random.default_rng(0)
    visible, hidden = rng.random((6, 3)), expit(rng.standard_normal((6, 2)))
    uniform = np.full(6, 1 / 6)
    for weighted, plain in zip(
        sufficient_statistics(visible, hidden, uniform),
        sufficient_statistics(visible, hidden),
        strict=True,
    ):
        assert_allclose(weighted, plain)
    assert_allclose(sufficient_statistics(visible, hidden)[0], hidden.T @ visible / 6)
