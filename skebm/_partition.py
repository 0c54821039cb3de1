"""The partition function of a restricted Boltzmann machine.

``log Z = log sum_v sum_h exp(-E(v, h))`` (an integral over ``v`` for gaussian
visible units) is computed exactly by enumerating the states of the smaller
binary layer and summing or integrating the other in closed form, or estimated
by annealed importance sampling (AIS, Salakhutdinov & Murray, 2008).
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import logsumexp

from skebm._gibbs import sample_bernoulli
from skebm._special import logistic, logistic_for_sampling, softplus

# Enumerating 2**20 states of a layer stays within a second or so for the
# models this is used on; beyond that AIS is the only practical route.
MAX_ENUMERATED_UNITS = 20
_STATES_PER_CHUNK = 2**14


def enumerable_units(n_visible, n_hidden, visible):
    """Number of binary units the exact computation must enumerate."""
    if visible == "bernoulli":
        return min(n_visible, n_hidden)
    return n_hidden


def binary_states(n_units, start, stop, dtype=np.float64):
    """Rows ``start .. stop - 1`` of the table of all 2**n_units binary states."""
    codes = np.arange(start, stop, dtype=np.int64)
    bits = (codes[:, None] >> np.arange(n_units, dtype=np.int64)) & 1
    return bits.astype(dtype)


def _chunked_logsumexp(n_units, log_weight_of_states):
    total = -np.inf
    for start in range(0, 2**n_units, _STATES_PER_CHUNK):
        stop = min(start + _STATES_PER_CHUNK, 2**n_units)
        states = binary_states(n_units, start, stop)
        total = np.logaddexp(total, logsumexp(log_weight_of_states(states)))
    return float(total)


def exact_log_partition(weights, visible_bias, hidden_bias, visible):
    """log Z by enumeration of the smaller binary layer, in float64.

    Parameters
    ----------
    weights : ndarray of shape (n_hidden, n_visible)
    visible_bias : ndarray of shape (n_visible,)
    hidden_bias : ndarray of shape (n_hidden,)
    visible : {"bernoulli", "gaussian"}

    Returns
    -------
    log_partition : float
    """
    weights = np.asarray(weights, dtype=np.float64)
    visible_bias = np.asarray(visible_bias, dtype=np.float64)
    hidden_bias = np.asarray(hidden_bias, dtype=np.float64)
    n_hidden, n_visible = weights.shape

    if visible == "bernoulli" and n_visible < n_hidden:
        # sum over v of exp(-F(v)), hidden units summed out in closed form
        def log_weight(v):
            return v @ visible_bias + softplus(v @ weights.T + hidden_bias).sum(axis=1)

        return _chunked_logsumexp(n_visible, log_weight)

    if visible == "bernoulli":

        def log_weight(h):
            return h @ hidden_bias + softplus(h @ weights + visible_bias).sum(axis=1)

        return _chunked_logsumexp(n_hidden, log_weight)

    # Gaussian: int exp(-|v|^2/2 + v.(b + W'h)) dv = (2 pi)^(n/2) exp(|b + W'h|^2 / 2)
    def log_weight(h):
        mean = h @ weights + visible_bias
        return h @ hidden_bias + 0.5 * np.einsum("ij,ij->i", mean, mean)

    return 0.5 * n_visible * np.log(2 * np.pi) + _chunked_logsumexp(
        n_hidden, log_weight
    )


def ais_inverse_temperatures(n_betas):
    """An AIS schedule from 0 to 1, denser near 1.

    The proportions follow Salakhutdinov & Murray (2008): a twenty-ninth of the
    points on [0, 0.5], eight twenty-ninths on [0.5, 0.9], the rest on [0.9, 1].
    """
    n_first = max(int(round(n_betas * 1 / 29)), 1)
    n_second = max(int(round(n_betas * 8 / 29)), 1)
    n_third = max(n_betas - n_first - n_second, 1)
    return np.concatenate(
        [
            np.linspace(0.0, 0.5, n_first, endpoint=False),
            np.linspace(0.5, 0.9, n_second, endpoint=False),
            np.linspace(0.9, 1.0, n_third + 1),
        ]
    )


def _base_log_partition(base_visible_bias, n_hidden, visible):
    if visible == "bernoulli":
        visible_part = softplus(base_visible_bias).sum()
    else:
        visible_part = 0.5 * base_visible_bias.size * np.log(2 * np.pi)
        visible_part += 0.5 * base_visible_bias @ base_visible_bias
    return float(visible_part + n_hidden * np.log(2.0))


def ais_log_partition(
    weights,
    visible_bias,
    hidden_bias,
    visible,
    *,
    base_visible_bias=None,
    n_chains=100,
    n_betas=10000,
    rng,
    callback=None,
):
    """Estimate log Z by annealed importance sampling.

    The chains start from a base model with the same visible units, no weights
    and visible bias ``base_visible_bias`` (for example the data's log-odds),
    whose log Z is known, and are annealed to the target model through the
    intermediate free energies::

        F_beta(v) = [|v|^2 / 2] - ((1 - beta) b_A + beta b).v
                    - sum_j softplus(beta (c_j + W_j.v))

    with one Gibbs transition at each inverse temperature.

    Returns
    -------
    log_partition : float
        The estimate log Z_A + log mean(w).
    log_partition_std : float
        Standard error of the estimate by the delta method,
        ``std(w) / (mean(w) sqrt(n_chains))``, as a judge of its reliability.
    """
    weights = np.asarray(weights, dtype=np.float64)
    visible_bias = np.asarray(visible_bias, dtype=np.float64)
    hidden_bias = np.asarray(hidden_bias, dtype=np.float64)
    n_hidden, n_visible = weights.shape
    if base_visible_bias is None:
        base_visible_bias = np.zeros(n_visible)
    base_visible_bias = np.asarray(base_visible_bias, dtype=np.float64)
    betas = ais_inverse_temperatures(n_betas)

    # The chains' products run in float32, twice as fast; activations and
    # log-weights are accumulated in float64.
    product_weights = weights.astype(np.float32)
    if visible == "bernoulli":
        probabilities = np.tile(logistic(base_visible_bias), (n_chains, 1))
        states = sample_bernoulli(probabilities.astype(np.float32), rng)
    else:
        states = base_visible_bias + rng.standard_normal((n_chains, n_visible))
        states = states.astype(np.float32)

    bias_difference = visible_bias - base_visible_bias
    log_weights = np.zeros(n_chains)
    for step in range(1, betas.size):
        previous, beta = betas[step - 1], betas[step]
        activation = (states @ product_weights.T).astype(np.float64)
        activation += hidden_bias
        log_weights += (beta - previous) * (states @ bias_difference)
        log_weights += softplus(beta * activation).sum(axis=1)
        log_weights -= softplus(previous * activation).sum(axis=1)
        if step == betas.size - 1:
            break
        hiddens = sample_bernoulli(
            logistic_for_sampling(beta * activation).astype(np.float32), rng
        )
        mean = (hiddens @ product_weights).astype(np.float64)
        mean += visible_bias
        mean *= beta
        mean += (1.0 - beta) * base_visible_bias
        if visible == "bernoulli":
            states = sample_bernoulli(
                logistic_for_sampling(mean).astype(np.float32), rng
            )
        else:
            states = (mean + rng.standard_normal(mean.shape)).astype(np.float32)
        if callback is not None:
            callback(step, betas.size - 1)

    log_mean_weight = logsumexp(log_weights) - np.log(n_chains)
    relative = np.exp(log_weights - log_mean_weight)
    std_error = float(np.std(relative) / np.sqrt(n_chains))
    log_z = _base_log_partition(base_visible_bias, n_hidden, visible) + log_mean_weight
    return float(log_z), std_error
