import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit, softmax

from skebm._free_energy import free_energy
from skebm._gibbs import (
    gibbs_chain,
    mean_hiddens,
    mean_visibles,
    sample_bernoulli,
    sample_hiddens,
)
from tests._rbm_models import all_binary_states, random_parameters


def test_conditional_means_are_logistic_and_linear():
    weights, visible_bias, hidden_bias = random_parameters(3, 2, seed=0)
    v = np.array([[1.0, 0.0, 1.0]])
    h = np.array([[0.0, 1.0]])
    assert_allclose(
        mean_hiddens(v, weights, hidden_bias), expit(v @ weights.T + hidden_bias)
    )
    assert_allclose(
        mean_visibles(h, weights, visible_bias, "bernoulli"),
        expit(h @ weights + visible_bias),
    )
    assert_allclose(
        mean_visibles(h, weights, visible_bias, "gaussian"), h @ weights + visible_bias
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sampling_keeps_the_dtype(dtype):
    weights, _, hidden_bias = (p.astype(dtype) for p in random_parameters(3, 2))
    v = np.ones((4, 3), dtype=dtype)
    assert (
        sample_hiddens(v, weights, hidden_bias, np.random.default_rng(0)).dtype == dtype
    )


def test_sample_bernoulli_frequencies_match_probabilities():
    probabilities = np.tile([0.1, 0.5, 0.9], (20000, 1))
    samples = sample_bernoulli(probabilities, np.random.default_rng(0))
    assert set(np.unique(samples)) <= {0.0, 1.0}
    assert_allclose(samples.mean(axis=0), [0.1, 0.5, 0.9], atol=0.01)


def test_gibbs_chains_reach_the_model_distribution():
    parameters = random_parameters(3, 2, scale=1.0, seed=4)
    weights, visible_bias, hidden_bias = parameters
    states = all_binary_states(3)
    exact = softmax(-free_energy(states, *parameters, "bernoulli"))
    rng = np.random.default_rng(0)
    start = sample_bernoulli(np.full((20000, 2), 0.5), rng)
    visible, _, _ = gibbs_chain(
        start, weights, visible_bias, hidden_bias, "bernoulli", 50, rng
    )
    codes = visible @ (2 ** np.arange(3))
    empirical = np.bincount(codes.astype(int), minlength=8) / len(codes)
    assert 0.5 * np.abs(empirical - exact).sum() < 0.02
