"""Small random RBM parameter sets and data shared by the RBM tests."""

from functools import cache

import numpy as np
from sklearn.datasets import load_digits

from skebm._rbm._model import RBMParameters
from skebm._rbm._units import make_units

UNIT_NAMES = ["bernoulli", "gaussian", "gaussian_unit_variance"]


def random_parameters(n_visible, n_hidden, *, scale=1.0, seed=0, units="bernoulli"):
    """An RBMParameters drawn at the given scale (learned variances in [0.5, 2])."""
    rng = np.random.default_rng(seed)
    weights = scale * rng.standard_normal((n_hidden, n_visible))
    visible_bias = scale * rng.standard_normal(n_visible)
    hidden_bias = scale * rng.standard_normal(n_hidden)
    log_variance = 2 * np.log(rng.uniform(0.5, 2.0, n_visible))
    return RBMParameters(
        weights,
        visible_bias,
        hidden_bias,
        make_units(units, n_visible, log_variance=log_variance),
    )


def random_visible(n_rows, n_visible, units, seed=0):
    """Rows of the kind the unit type models: binary or real-valued."""
    rng = np.random.default_rng(seed)
    if units == "bernoulli":
        return (rng.random((n_rows, n_visible)) < 0.4).astype(float)
    return rng.standard_normal((n_rows, n_visible))


def random_binary(n_samples, n_features, seed=0, p=0.4):
    """Independent binary rows, each unit on with probability ``p``."""
    rng = np.random.default_rng(seed)
    return (rng.random((n_samples, n_features)) < p).astype(float)


@cache
def _binary_digits():
    X, _ = load_digits(return_X_y=True)
    return (X >= 8).astype(np.float64)


def load_binary_digits():
    """load_digits binarised at 8 (a fresh copy: tests may write to it)."""
    return _binary_digits().copy()


def all_binary_states(n_units):
    """Every binary vector of length ``n_units`` (2**n_units rows)."""
    codes = np.arange(2**n_units)
    return ((codes[:, None] >> np.arange(n_units)) & 1).astype(float)


def joint_minus_energy(visible, hidden, parameters):
    """-E(v, h) for every pair of rows, written from the energy's definition.

    Bernoulli: b.v + c.h + h.W.v; Gaussian: -sum (v^2/2 - b v) / s^2 + c.h
    + h.W.(v / s^2), with s = 1 for unit variances.
    """
    weights, visible_bias, hidden_bias, units = parameters
    if units.name == "bernoulli":
        variance = np.ones(visible.shape[1])
        visible_part = visible @ visible_bias
    else:
        variance = (
            np.exp(units.log_variance)
            if units.name == "gaussian"
            else np.ones(visible.shape[1])
        )
        visible_part = -((0.5 * visible**2 - visible * visible_bias) / variance).sum(1)
    return (
        visible_part[:, None]
        + (hidden @ hidden_bias)[None, :]
        + (visible / variance) @ weights.T @ hidden.T
    )
