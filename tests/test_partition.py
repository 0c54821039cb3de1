import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate
from scipy.special import logsumexp

from skebm._free_energy import free_energy
from skebm._partition import (
    ais_inverse_temperatures,
    ais_log_partition,
    binary_states,
    exact_log_partition,
)
from tests._rbm_models import all_binary_states, random_parameters


def brute_force_log_partition(weights, visible_bias, hidden_bias):
    """log sum_v sum_h exp(-E(v, h)) over every joint binary state."""
    n_hidden, n_visible = weights.shape
    visible = all_binary_states(n_visible)
    hidden = all_binary_states(n_hidden)
    minus_energy = (
        (visible @ visible_bias)[:, None]
        + (hidden @ hidden_bias)[None, :]
        + visible @ weights.T @ hidden.T
    )
    return logsumexp(minus_energy)


@pytest.mark.parametrize("n_visible, n_hidden", [(5, 3), (3, 6), (4, 4)])
@pytest.mark.parametrize("scale", [0.5, 3.0])
def test_exact_log_partition_matches_sum_over_every_joint_state(
    n_visible, n_hidden, scale
):
    parameters = random_parameters(n_visible, n_hidden, scale=scale, seed=n_visible)
    assert_allclose(
        exact_log_partition(*parameters, "bernoulli"),
        brute_force_log_partition(*parameters),
        rtol=1e-12,
    )


def test_exact_log_partition_is_chunked_without_changing_the_value():
    parameters = random_parameters(17, 30, scale=0.3, seed=1)  # 2**17 > one chunk
    weights, visible_bias, hidden_bias = parameters
    states = binary_states(17, 0, 2**17)
    expected = logsumexp(-free_energy(states, *parameters, "bernoulli"))
    assert_allclose(exact_log_partition(*parameters, "bernoulli"), expected, rtol=1e-12)


def test_gaussian_log_partition_matches_numerical_integration():
    weights, visible_bias, hidden_bias = random_parameters(2, 3, scale=0.7, seed=3)

    def unnormalised(x1, x0):
        v = np.array([[x0, x1]])
        return np.exp(-free_energy(v, weights, visible_bias, hidden_bias, "gaussian"))[
            0
        ]

    integral, _ = integrate.dblquad(unnormalised, -15, 15, -15, 15, epsabs=1e-12)
    assert_allclose(
        exact_log_partition(weights, visible_bias, hidden_bias, "gaussian"),
        np.log(integral),
        rtol=1e-8,
    )


def test_ais_schedule_is_increasing_from_zero_to_one():
    betas = ais_inverse_temperatures(1000)
    assert betas[0] == 0 and betas[-1] == 1
    assert np.all(np.diff(betas) > 0)
    assert abs(betas.size - 1000) <= 2


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_ais_estimate_is_close_to_exact_value_on_a_small_model(visible):
    parameters = random_parameters(12, 8, scale=0.4, seed=5)
    exact = exact_log_partition(*parameters, visible)
    estimate, std_error = ais_log_partition(
        *parameters, visible, n_chains=200, n_betas=2000, rng=np.random.default_rng(0)
    )
    assert abs(estimate - exact) < 0.05
    assert 0 <= std_error < 0.1


def test_ais_is_reproducible_from_its_generator():
    parameters = random_parameters(10, 6, seed=2)
    first = ais_log_partition(
        *parameters, "bernoulli", n_chains=20, n_betas=100, rng=np.random.default_rng(7)
    )
    second = ais_log_partition(
        *parameters, "bernoulli", n_chains=20, n_betas=100, rng=np.random.default_rng(7)
    )
    assert first == second


def test_log_partition_has_no_overflow_on_huge_parameters():
    parameters = random_parameters(6, 5, scale=1e4, seed=0)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        exact = exact_log_partition(*parameters, "bernoulli")
        estimate, _ = ais_log_partition(
            *parameters,
            "bernoulli",
            n_chains=5,
            n_betas=50,
            rng=np.random.default_rng(0),
        )
    assert np.isfinite(exact) and np.isfinite(estimate)
