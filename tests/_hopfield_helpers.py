"""Random bipolar states and symmetric weights for the Hopfield tests."""

import numpy as np


def bipolar(shape, rng):
    return rng.choice([-1.0, 1.0], size=shape)


def symmetric_weights(n_units, rng):
    weights = rng.normal(size=(n_units, n_units))
    weights = (weights + weights.T) / 2
    np.fill_diagonal(weights, 0.0)
    return weights
