import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit, softmax

from skebm._free_energy import free_energy
from skebm._gibbs import gibbs_chain, mean_hiddens
from skebm._learning import (
    TrainingBuffers,
    contrastive_divergence_step,
    log_likelihood_gradient,
    sufficient_statistics,
)
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


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_step_with_momentum_decay_and_sparsity_matches_a_plain_update(dtype):
    rng = np.random.default_rng(0)
    weights, visible_bias, hidden_bias = (
        p.astype(dtype) for p in random_parameters(7, 5, scale=0.5)
    )
    batch = (rng.random((4, 7)) < 0.5).astype(dtype)
    chains = (rng.random((3, 5)) < 0.5).astype(dtype)
    increments = [
        0.01 * rng.standard_normal(p.shape).astype(dtype)
        for p in (weights, visible_bias, hidden_bias)
    ]
    activity = np.full(5, 0.3, dtype=dtype)
    step, previous_step, momentum, weight_decay = 0.2, 0.4, 0.6, 0.01
    target, cost = 0.1, 0.5

    # Plain numpy, term by term (the chains drawn in the training dtype, which
    # sets the stream of uniforms).
    negative_visible, negative_hidden, next_chains = gibbs_chain(
        chains,
        weights,
        visible_bias,
        hidden_bias,
        "bernoulli",
        1,
        np.random.default_rng(5),
    )
    negative_visible = negative_visible.astype(float)
    negative_hidden = negative_hidden.astype(float)
    positive_hidden = expit(batch @ weights.T.astype(float) + hidden_bias)
    gradient = log_likelihood_gradient(
        batch.astype(float), positive_hidden, negative_visible, negative_hidden
    )
    expected_activity = 0.9 * activity + 0.1 * positive_hidden.mean(axis=0)
    penalty = cost * (target - expected_activity)
    gradient[0] += np.outer(penalty, batch.mean(axis=0))
    gradient[2] += penalty
    velocity_decay = momentum * step / previous_step
    expected_increments = [
        velocity_decay * increment + step * (1 - momentum) * g
        for increment, g in zip(increments, gradient, strict=True)
    ]
    expected = [
        weights * (1 - step * weight_decay) + expected_increments[0],
        visible_bias + expected_increments[1],
        hidden_bias + expected_increments[2],
    ]

    parameters = [p.copy() for p in (weights, visible_bias, hidden_bias)]
    states = contrastive_divergence_step(
        batch,
        parameters,
        increments,
        chains,
        visible="bernoulli",
        persistent=True,
        n_gibbs_steps=1,
        step=step,
        previous_step=previous_step,
        momentum=momentum,
        weight_decay=weight_decay,
        rng=np.random.default_rng(5),
        buffers=TrainingBuffers(),
        sparsity=(target, cost, activity),
    )
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    for new, reference in zip(parameters, expected, strict=True):
        assert new.dtype == dtype
        assert_allclose(new, reference, atol=tolerance)
    for new, reference in zip(increments, expected_increments, strict=True):
        assert_allclose(new, reference, atol=tolerance)
    assert_allclose(activity, expected_activity, atol=tolerance)
    assert_allclose(states, next_chains)
