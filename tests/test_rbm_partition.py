"""log Z, exact and by AIS, against brute force and numerical integration."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate
from scipy.special import logsumexp

from skebm._rbm._model import free_energy
from skebm._rbm._partition import (
    ais_inverse_temperatures,
    ais_log_partition,
    bennett_log_ratio,
    binary_states,
    bridge_log_weights,
    exact_log_partition,
    log_partition,
    reverse_ais_log_partition,
)
from tests._rbm_models import (
    UNIT_NAMES,
    all_binary_states,
    joint_minus_energy,
    random_parameters,
    random_visible,
)


@pytest.mark.parametrize("n_visible, n_hidden", [(5, 3), (3, 6), (4, 4)])
@pytest.mark.parametrize("scale", [0.5, 3.0])
def test_exact_log_partition_matches_sum_over_every_joint_state(
    n_visible, n_hidden, scale
):
    parameters = random_parameters(n_visible, n_hidden, scale=scale, seed=n_visible)
    minus_energy = joint_minus_energy(
        all_binary_states(n_visible), all_binary_states(n_hidden), parameters
    )
    assert_allclose(
        exact_log_partition(parameters), logsumexp(minus_energy), rtol=1e-12
    )


def test_exact_log_partition_is_chunked_without_changing_the_value():
    parameters = random_parameters(17, 30, scale=0.3, seed=1)  # 2**17 > one chunk
    states = binary_states(17, 0, 2**17)
    expected = logsumexp(-free_energy(states, parameters))
    assert_allclose(exact_log_partition(parameters), expected, rtol=1e-12)


@pytest.mark.parametrize("units", ["gaussian", "gaussian_unit_variance"])
def test_gaussian_log_partition_matches_numerical_integration(units):
    parameters = random_parameters(2, 3, scale=0.7, seed=3, units=units)

    def unnormalised(x1, x0):
        return np.exp(-free_energy(np.array([[x0, x1]]), parameters))[0]

    integral, _ = integrate.dblquad(unnormalised, -25, 25, -25, 25, epsabs=1e-12)
    assert_allclose(exact_log_partition(parameters), np.log(integral), rtol=1e-8)


def test_ais_schedule_is_increasing_from_zero_to_one():
    betas = ais_inverse_temperatures(1000)
    assert betas[0] == 0 and betas[-1] == 1
    assert np.all(np.diff(betas) > 0)
    assert abs(betas.size - 1000) <= 2


@pytest.mark.parametrize("units", UNIT_NAMES)
def test_ais_estimate_is_close_to_exact_value_on_a_small_model(units):
    parameters = random_parameters(12, 8, scale=0.4, seed=5, units=units)
    exact = exact_log_partition(parameters)
    estimate, std_error = ais_log_partition(
        parameters, n_chains=200, n_betas=2000, rng=np.random.default_rng(0)
    )
    assert abs(estimate - exact) < 0.05
    assert 0 <= std_error < 0.1


def test_ais_from_a_base_bias_is_close_to_exact():
    parameters = random_parameters(12, 8, scale=0.4, seed=6)
    base = np.random.default_rng(1).normal(size=12)
    estimate, _ = ais_log_partition(
        parameters,
        base_visible_bias=base,
        n_chains=200,
        n_betas=2000,
        rng=np.random.default_rng(0),
    )
    assert abs(estimate - exact_log_partition(parameters)) < 0.05


def test_ais_is_reproducible_from_its_generator():
    parameters = random_parameters(10, 6, seed=2)
    first = ais_log_partition(
        parameters, n_chains=20, n_betas=100, rng=np.random.default_rng(7)
    )
    second = ais_log_partition(
        parameters, n_chains=20, n_betas=100, rng=np.random.default_rng(7)
    )
    assert first == second


def test_log_partition_has_no_overflow_on_huge_parameters():
    parameters = random_parameters(6, 5, scale=1e4, seed=0)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        exact = exact_log_partition(parameters)
        estimate, _ = ais_log_partition(
            parameters, n_chains=5, n_betas=50, rng=np.random.default_rng(0)
        )
    assert np.isfinite(exact) and np.isfinite(estimate)


def test_log_partition_is_exact_up_to_the_enumeration_limit_and_ais_beyond():
    small = random_parameters(12, 8, scale=0.3, seed=1)
    value, std_error = log_partition(small, n_chains=10, n_betas=10)
    assert value == exact_log_partition(small) and std_error == 0.0
    estimate, std_error = log_partition(
        small, "ais", n_chains=50, n_betas=500, rng=np.random.default_rng(0)
    )
    assert std_error > 0 and abs(estimate - value) < 0.2
    large = random_parameters(30, 30, scale=0.01, seed=1)
    _, std_error = log_partition(
        large, n_chains=5, n_betas=20, rng=np.random.default_rng(0)
    )
    assert std_error > 0  # 30 units: AIS
    with pytest.raises(ValueError, match="exact.*2\\*\\*30.*ais"):
        log_partition(large, "exact", n_chains=5, n_betas=20)


@pytest.mark.parametrize(("units", "scale"), [("bernoulli", 1.0), ("gaussian", 0.5)])
@pytest.mark.parametrize("seed", [3, 4])
def test_forward_and_reverse_ais_bracket_the_exact_log_partition(units, scale, seed):
    # Forward AIS is unbiased for Z, reverse AIS for 1 / Z: by Jensen's
    # inequality their logs err low and high. Averaged over runs, each stays
    # on its side of the exact value (to within 0.1 nats) and near it.
    parameters = random_parameters(14, 10, scale=scale, seed=seed, units=units)
    exact = exact_log_partition(parameters)
    rng = np.random.default_rng(seed)
    settings = {"n_chains": 50, "n_betas": 500, "rng": rng}
    hidden = (rng.random((5, 10)) < 0.5).astype(float)
    forward = [log_partition(parameters, "ais", **settings)[0] for _ in range(6)]
    reverse = [
        log_partition(parameters, "reverse_ais", model_hidden=hidden, **settings)[0]
        for _ in range(6)
    ]
    assert exact - 0.5 < np.mean(forward) <= exact + 0.1
    assert exact - 0.1 <= np.mean(reverse) < exact + 0.5


def test_reverse_ais_from_exact_samples_is_close_to_exact():
    parameters = random_parameters(12, 8, scale=0.5, seed=2)
    exact = exact_log_partition(parameters)
    rng = np.random.default_rng(0)
    # exact samples by inversion over all 2**12 visible states
    states = all_binary_states(12)
    minus_free_energy = -free_energy(states, parameters)
    probabilities = np.exp(minus_free_energy - exact)
    samples = states[
        rng.choice(len(states), size=300, p=probabilities / probabilities.sum())
    ]
    estimate, std_error = reverse_ais_log_partition(
        parameters, samples, n_betas=1000, rng=rng
    )
    assert abs(estimate - exact) < 0.05
    assert 0 < std_error < 0.1


def _exact_samples(parameters, n_samples, rng):
    """Visible samples drawn exactly, by inversion over every binary state."""
    states = all_binary_states(parameters.weights.shape[1])
    log_p = -free_energy(states, parameters) - exact_log_partition(parameters)
    probabilities = np.exp(log_p)
    return states[
        rng.choice(len(states), size=n_samples, p=probabilities / probabilities.sum())
    ]


def _nearby(parameters, step, seed):
    """``parameters`` moved by ``step`` in a random direction."""
    rng = np.random.default_rng(seed)
    return parameters.with_arrays(
        [a + step * rng.standard_normal(a.shape) for a in parameters.arrays]
    )


@pytest.mark.parametrize("n_steps", [1, 10])
def test_bridge_log_weights_average_to_the_exact_ratio(n_steps):
    start = random_parameters(10, 6, scale=0.6, seed=4)
    end = _nearby(start, 0.15, seed=5)
    exact = exact_log_partition(end) - exact_log_partition(start)
    rng = np.random.default_rng(0)
    log_weights = bridge_log_weights(
        start, end, _exact_samples(start, 4000, rng), n_steps=n_steps, rng=rng
    )
    assert log_weights.shape == (4000,)
    assert abs(logsumexp(log_weights) - np.log(4000) - exact) < 0.05


@pytest.mark.parametrize("units", ["gaussian", "gaussian_unit_variance"])
def test_bridge_log_weights_of_identical_models_are_zero(units):
    parameters = random_parameters(3, 4, scale=0.5, seed=1, units=units)
    states = random_visible(20, 3, units, seed=2)
    log_weights = bridge_log_weights(
        parameters, parameters, states, n_steps=5, rng=np.random.default_rng(0)
    )
    assert_allclose(log_weights, 0.0, atol=1e-12)


def test_bennett_log_ratio_recovers_the_ratio_of_gaussian_work():
    # Log weights consistent with Crooks' theorem: forward ~ N(d - s^2/2, s^2)
    # and reverse ~ N(-d - s^2/2, s^2) have E[exp(forward)] = exp(d) and
    # E[exp(reverse)] = exp(-d). One-sided, each errs by about s^2 / 2 with
    # few samples; Bennett's estimate does not.
    rng = np.random.default_rng(0)
    d, s = 7.0, 4.0
    forward = rng.normal(d - s**2 / 2, s, 2000)
    reverse = rng.normal(-d - s**2 / 2, s, 3000)
    one_sided = logsumexp(forward) - np.log(forward.size)
    assert abs(one_sided - d) > 1.0
    assert abs(bennett_log_ratio(forward, reverse) - d) < 0.3


def test_bennett_log_ratio_of_exact_bridges_matches_the_exact_ratio():
    start = random_parameters(10, 6, scale=0.8, seed=6)
    end = _nearby(start, 0.4, seed=7)
    exact = exact_log_partition(end) - exact_log_partition(start)
    rng = np.random.default_rng(1)
    forward = bridge_log_weights(
        start, end, _exact_samples(start, 500, rng), n_steps=5, rng=rng
    )
    reverse = bridge_log_weights(
        end, start, _exact_samples(end, 500, rng), n_steps=5, rng=rng
    )
    assert abs(bennett_log_ratio(forward, reverse) - exact) < 0.1


def test_bennett_log_ratio_of_non_finite_weights_is_nan():
    assert np.isnan(bennett_log_ratio(np.array([0.0, np.inf]), np.zeros(2)))
