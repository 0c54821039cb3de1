"""Small random RBM parameter sets shared by the RBM tests."""

import numpy as np


def random_parameters(n_visible, n_hidden, *, scale=1.0, seed=0):
    """Weights, visible bias and hidden bias drawn at the given scale."""
    rng = np.random.default_rng(seed)
    return (
        scale * rng.standard_normal((n_hidden, n_visible)),
        scale * rng.standard_normal(n_visible),
        scale * rng.standard_normal(n_hidden),
    )


def all_binary_states(n_units):
    """Every binary vector of length ``n_units`` (2**n_units rows)."""
    codes = np.arange(2**n_units)
    return ((codes[:, None] >> np.arange(n_units)) & 1).astype(float)
