"""Conditional distributions and Gibbs sampling of a restricted Boltzmann machine.

Every function takes the parameters as arrays: ``weights`` of shape
(n_hidden, n_visible), ``visible_bias`` of shape (n_visible,) and
``hidden_bias`` of shape (n_hidden,). ``visible`` names the kind of visible
unit: ``"bernoulli"`` (binary) or ``"gaussian"`` (real-valued, unit variance).
Arrays keep the dtype of their inputs so that float32 models stay float32.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils.extmath import safe_sparse_dot

from skebm._special import logistic


def hidden_activation(visible_states, weights, hidden_bias):
    """Input to each hidden unit, ``v @ W.T + c``; ``visible_states`` may be sparse."""
    activation = safe_sparse_dot(visible_states, weights.T, dense_output=True)
    activation += hidden_bias
    return activation


def mean_hiddens(visible_states, weights, hidden_bias):
    """P(h_j = 1 | v) for every row of ``visible_states``."""
    activation = hidden_activation(visible_states, weights, hidden_bias)
    return logistic(activation, out=activation)


def mean_visibles(hidden_states, weights, visible_bias, visible):
    """E[v | h]: the logistic of the input (bernoulli) or the input (gaussian)."""
    activation = hidden_states @ weights
    activation += visible_bias
    if visible == "bernoulli":
        logistic(activation, out=activation)
    return activation


def sample_bernoulli(probabilities, rng):
    """Binary states drawn with the given probabilities, in their dtype."""
    uniform = rng.random(probabilities.shape, dtype=probabilities.dtype)
    return np.less(uniform, probabilities, out=uniform, casting="unsafe")


def sample_hiddens(visible_states, weights, hidden_bias, rng):
    """Draw h ~ P(h | v)."""
    return sample_bernoulli(mean_hiddens(visible_states, weights, hidden_bias), rng)


def sample_visibles(hidden_states, weights, visible_bias, visible, rng):
    """Draw v ~ P(v | h): Bernoulli, or Gaussian with unit variance."""
    means = mean_visibles(hidden_states, weights, visible_bias, visible)
    if visible == "bernoulli":
        return sample_bernoulli(means, rng)
    means += rng.standard_normal(means.shape, dtype=means.dtype)
    return means


def gibbs_chain(
    hidden_states, weights, visible_bias, hidden_bias, visible, n_steps, rng
):
    """Run ``n_steps`` alternating Gibbs steps starting from hidden states.

    Returns
    -------
    visible_states : ndarray of shape (n_chains, n_visible)
        The last visible sample.
    hidden_probabilities : ndarray of shape (n_chains, n_hidden)
        P(h = 1 | v) at that visible sample (the Rao-Blackwellised statistic).
    hidden_states : ndarray of shape (n_chains, n_hidden)
        A hidden sample drawn from those probabilities, to continue the chain.
    """
    for _ in range(n_steps):
        visible_states = sample_visibles(
            hidden_states, weights, visible_bias, visible, rng
        )
        hidden_probabilities = mean_hiddens(visible_states, weights, hidden_bias)
        hidden_states = sample_bernoulli(hidden_probabilities, rng)
    return visible_states, hidden_probabilities, hidden_states
