"""Each visible unit type against its definition, one unit at a time."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate
from scipy.special import expit

from skebm._rbm._units import (
    MIN_GAUSSIAN_STD,
    VISIBLE_UNITS,
    BernoulliUnits,
    GaussianUnits,
    UnitVarianceGaussianUnits,
    make_units,
)
from tests._rbm_models import UNIT_NAMES


def test_every_unit_type_is_registered_under_its_name():
    assert set(VISIBLE_UNITS) == set(UNIT_NAMES)
    for name, units in VISIBLE_UNITS.items():
        assert units.name == name


def test_bernoulli_log_normalizer_sums_both_states():
    top_down = np.array([[0.3, -2.0], [5.0, 0.0]])
    bias = np.array([0.1, 0.4])
    units = BernoulliUnits()
    # one unit: log(exp(0) + exp(b + a)); the energy is -b.v
    expected = np.log1p(np.exp(top_down + bias)).sum(axis=1)
    assert_allclose(units.log_normalizer(top_down, bias), expected)
    assert_allclose(units.mean(top_down, bias), expit(top_down + bias))


@pytest.mark.parametrize("std", [0.3, 1.0, 2.5])
def test_gaussian_log_normalizer_matches_the_integral(std):
    units = GaussianUnits(np.array([2 * np.log(std)]))
    bias, top_down = np.array([0.7]), np.array([[-0.4]])

    def unnormalised(x):
        v = np.array([[x]])
        return np.exp(-units.energy(v, bias)[0] + units.interaction(v)[0, 0] * -0.4)

    integral, _ = integrate.quad(unnormalised, -40, 40, limit=200)
    assert_allclose(units.log_normalizer(top_down, bias)[0], np.log(integral))


def test_unit_variance_gaussian_is_the_learned_one_at_variance_one():
    rng = np.random.default_rng(0)
    v, top_down, bias = rng.standard_normal((3, 5, 4))
    learned = GaussianUnits(np.zeros(4))
    fixed = UnitVarianceGaussianUnits()
    assert_allclose(fixed.energy(v, bias[0]), learned.energy(v, bias[0]))
    assert_allclose(
        fixed.log_normalizer(top_down, bias[0]),
        learned.log_normalizer(top_down, bias[0]),
    )
    assert fixed.parameters == [] and len(learned.parameters) == 1


def test_gaussian_samples_have_the_conditional_mean_and_std():
    std = np.array([0.2, 1.0, 3.0])
    units = GaussianUnits(2 * np.log(std))
    top_down = np.tile([0.5, -1.0, 2.0], (40000, 1))
    bias = np.array([1.0, 0.0, -1.0])
    out = np.empty_like(top_down)
    samples = units.sample(
        top_down, bias, np.random.default_rng(0), np.empty_like(out), out
    )
    assert_allclose(samples.mean(axis=0), top_down[0] + bias, atol=0.05)
    assert_allclose(samples.std(axis=0), std, rtol=0.02)


def test_bernoulli_sample_frequencies_match_the_mean():
    top_down = np.tile([-2.0, 0.0, 2.0], (20000, 1))
    bias = np.zeros(3)
    out = np.empty_like(top_down)
    samples = BernoulliUnits().sample(
        top_down, bias, np.random.default_rng(0), np.empty_like(out), out
    )
    assert set(np.unique(samples)) <= {0.0, 1.0}
    assert_allclose(samples.mean(axis=0), expit([-2.0, 0.0, 2.0]), atol=0.01)


def test_variance_statistic_is_minus_the_energy_derivative():
    rng = np.random.default_rng(1)
    log_variance = rng.normal(size=3)
    v, bias = rng.standard_normal((4, 3)), rng.standard_normal(3)
    hidden, weights = rng.random((4, 2)), rng.standard_normal((2, 3))
    row_weights = rng.random(4)

    def minus_energy(z):
        units = GaussianUnits(z)
        return -units.energy(v, bias) + np.einsum(
            "ij,ij->i", hidden @ weights, units.interaction(v)
        )

    units = GaussianUnits(log_variance)
    (statistic,) = units.statistics(
        v, units.interaction(v), hidden @ weights, bias, row_weights
    )
    step = 1e-6
    numeric = np.zeros(3)
    for i in range(3):
        shift = np.zeros(3)
        shift[i] = step
        numeric[i] = (
            row_weights
            @ (minus_energy(log_variance + shift) - minus_energy(log_variance - shift))
            / (2 * step)
        )
    assert_allclose(statistic, numeric, rtol=1e-6)


def test_learned_deviation_stops_at_the_floor():
    units = make_units("gaussian", 3, log_variance=np.array([-30.0, 0.0, np.log(0.5)]))
    units.clip()
    assert_allclose(units.std, [MIN_GAUSSIAN_STD, 1.0, np.sqrt(0.5)])


@pytest.mark.parametrize("n_hidden, n_visible", [(4, 2), (7, 3), (3, 5), (5, 1)])
def test_learned_variance_start_is_a_symmetric_spread_mixture(n_hidden, n_visible):
    units = make_units("gaussian", n_visible)
    weights, hidden_bias = units.initial_weights(
        n_hidden, n_visible, np.random.default_rng(0), np.float64
    )
    assert weights.shape == (n_hidden, n_visible)
    n_directions = (n_hidden + 1) // 2
    # opposite pairs of unit-norm weights, orthogonal within each basis
    assert_allclose(weights[: n_hidden - n_directions], -weights[n_directions:])
    # orthonormal within the first basis, further out per basis, below two
    block = weights[: min(n_directions, n_visible)]
    assert_allclose(block @ block.T, np.eye(len(block)), atol=1e-12)
    norms = np.linalg.norm(weights[:n_directions], axis=1)
    n_bases = -(-n_directions // n_visible)
    assert_allclose(norms, 1 + (np.arange(n_directions) // n_visible) / n_bases)
    # each hidden unit alone is a component a tenth as likely as h = 0
    bias = np.zeros(n_visible)
    no_hidden = units.log_normalizer(np.zeros((1, n_visible)), bias)
    alone = hidden_bias + units.log_normalizer(weights, bias)
    assert_allclose(np.exp(alone - no_hidden), 0.1)


def test_other_unit_types_start_from_small_random_weights():
    for units in (BernoulliUnits(), UnitVarianceGaussianUnits()):
        weights, hidden_bias = units.initial_weights(
            50, 40, np.random.default_rng(0), np.float32
        )
        assert weights.dtype == hidden_bias.dtype == np.float32
        assert_allclose(weights.std(), 0.05, rtol=0.05)
        assert not hidden_bias.any()
