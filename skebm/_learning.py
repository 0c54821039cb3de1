"""The log-likelihood gradient of a restricted Boltzmann machine.

For weights ``W``, visible bias ``b`` and hidden bias ``c`` the gradient of the
mean log-likelihood is a difference of expectations of the sufficient
statistics ``(h v', v, h)``::

    d/dW = <h v'>_data - <h v'>_model
    d/db = <v>_data    - <v>_model
    d/dc = <h>_data    - <h>_model

The data term uses P(h | v) for each training row; the model term is estimated
from Gibbs chains (CD, PCD) or, on tiny models, computed exactly.

:func:`log_likelihood_gradient` states the gradient plainly: it is the
reference the tests hold against finite differences of the exact
log-likelihood and against :func:`contrastive_divergence_step`, which computes
the same update fused into as few passes as possible for training.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skebm._special import logistic_for_sampling


def sufficient_statistics(visible, hidden, sample_weight=None):
    """Weighted means of ``h v'``, ``v`` and ``h`` over the rows.

    Parameters
    ----------
    visible : ndarray of shape (n_rows, n_visible)
    hidden : ndarray of shape (n_rows, n_hidden)
        Hidden states or probabilities matching each visible row.
    sample_weight : ndarray of shape (n_rows,), default=None
        Probabilities of the rows (uniform when None); they must sum to one.

    Returns
    -------
    weights_statistic : ndarray of shape (n_hidden, n_visible)
    visible_statistic : ndarray of shape (n_visible,)
    hidden_statistic : ndarray of shape (n_hidden,)
    """
    if sample_weight is None:
        n_rows = visible.shape[0]
        return (hidden.T @ visible) / n_rows, visible.mean(axis=0), hidden.mean(axis=0)
    weighted_hidden = hidden * sample_weight[:, None]
    return (
        weighted_hidden.T @ visible,
        sample_weight @ visible,
        weighted_hidden.sum(axis=0),
    )


def log_likelihood_gradient(
    positive_visible,
    positive_hidden,
    negative_visible,
    negative_hidden,
    negative_weight=None,
):
    """Gradient of the mean log-likelihood with respect to ``(W, b, c)``.

    Parameters
    ----------
    positive_visible : ndarray of shape (n_rows, n_visible)
        Training rows (standardised for gaussian units).
    positive_hidden : ndarray of shape (n_rows, n_hidden)
        P(h = 1 | v) of those rows.
    negative_visible, negative_hidden : ndarray
        Samples (or enumerated states) standing for the model distribution.
    negative_weight : ndarray of shape (n_negative,), default=None
        Model probabilities of the negative rows, for an exact model term.

    Returns
    -------
    gradient : list of ndarray
        ``[d/dW, d/db, d/dc]``.
    """
    positive = sufficient_statistics(positive_visible, positive_hidden)
    negative = sufficient_statistics(negative_visible, negative_hidden, negative_weight)
    return [np.subtract(p, n) for p, n in zip(positive, negative, strict=True)]


class TrainingBuffers:
    """Preallocated arrays for :func:`contrastive_divergence_step`.

    The positive rows and the negative (model) rows are stacked so that both
    halves of the weight gradient come out of one matrix product; the buffers
    are kept across minibatches of the same shape so that a training epoch
    allocates almost nothing. Every product goes through numpy's BLAS: mixing
    in scipy's (a second OpenBLAS with its own thread pool) makes the two
    pools' spinning threads fight over the cores.
    """

    def __init__(self):
        self._by_shape = {}

    # A cache: pickling (joblib.dump, clone across processes) drops it.
    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self._by_shape = {}

    def positive_rows(self, n_positive, n_negative, n_visible, n_hidden, dtype):
        """The buffer rows where a caller may gather the next minibatch."""
        return self.get(n_positive, n_negative, n_visible, n_hidden, dtype)[0][
            :n_positive
        ]

    def get(self, n_positive, n_negative, n_visible, n_hidden, dtype):
        key = (n_positive, n_negative, n_visible, n_hidden, dtype)
        buffers = self._by_shape.get(key)
        if buffers is None:
            n_rows = n_positive + n_negative
            stacked_visible = np.empty((n_rows, n_visible), dtype=dtype)
            stacked_hidden = np.empty((n_rows, n_hidden), dtype=dtype)
            # Weights of the stacked rows whose weighted sum is the difference
            # of the data and model means.
            row_weights = np.concatenate(
                [
                    np.full(n_positive, 1.0 / n_positive),
                    np.full(n_negative, -1.0 / n_negative),
                ]
            ).astype(dtype)
            buffers = (
                stacked_visible,
                stacked_hidden,
                np.empty((max(n_negative, n_positive), n_hidden), dtype=dtype),
                np.empty((n_negative, n_visible), dtype=dtype),
                np.empty((n_hidden, n_visible), dtype=dtype),
                row_weights,
            )
            self._by_shape[key] = buffers
        return buffers


def _sample_in_place(probabilities, uniform, rng, out):
    """Write Bernoulli draws with the given probabilities into ``out``."""
    rng.random(out=uniform, dtype=uniform.dtype)
    return np.less(uniform, probabilities, out=out, casting="unsafe")


def _sampling_hidden_probabilities(visible, weights, hidden_bias, out):
    """P(h = 1 | v) of the rows of ``visible`` (tanh-form logistic) into ``out``."""
    np.matmul(visible, weights.T, out=out)
    np.add(out, hidden_bias, out=out)
    return logistic_for_sampling(out, out=out)


def contrastive_divergence_step(
    batch,
    parameters,
    increments,
    chains,
    *,
    visible,
    persistent,
    n_gibbs_steps,
    step,
    previous_step,
    momentum,
    weight_decay,
    rng,
    buffers,
    sparsity=None,
):
    """One CD-k or PCD-k update of ``parameters`` in place.

    Parameters
    ----------
    batch : ndarray of shape (n_rows, n_visible)
        The (standardised) training rows of the minibatch.
    parameters : list of ndarray
        ``[weights, visible_bias, hidden_bias]``, updated in place.
    increments : list of ndarray
        The last change of each parameter, ``step * velocity``, updated in
        place, where ``velocity <- momentum * velocity + (1 - momentum) *
        gradient`` is a moving average of the gradient.
    chains : ndarray of shape (n_chains, n_hidden)
        Hidden states of the persistent chains (``persistent=True``); ignored
        by CD, whose chains start at the data.
    step : float
        Learning rate: ``parameter <- parameter + step * velocity``.
    previous_step : float or None
        The step of the previous update (None for the first), which rescales
        the stored increments when the learning rate changes.
    weight_decay : float
        L2 penalty, decoupled from the momentum: the weights shrink by a
        factor ``1 - step * weight_decay`` before each increment.
    rng : numpy.random.Generator
    buffers : TrainingBuffers
    sparsity : tuple (target, cost, activity) or None
        Hinton's sparsity penalty; ``activity`` (the running mean of the
        hidden probabilities) is updated in place.

    Returns
    -------
    chains : ndarray of shape (n_chains, n_hidden)
        The hidden states that continue the chains.
    """
    weights, visible_bias, hidden_bias = parameters
    weight_increment, visible_increment, hidden_increment = increments
    n_positive = batch.shape[0]
    n_negative = chains.shape[0] if persistent else n_positive
    n_hidden, n_visible = weights.shape
    (
        stacked_visible,
        stacked_hidden,
        hidden_uniform,
        visible_uniform,
        scaled_gradient,
        row_weights,
    ) = buffers.get(n_positive, n_negative, n_visible, n_hidden, weights.dtype)
    positive_visible = stacked_visible[:n_positive]
    negative_visible = stacked_visible[n_positive:]
    positive_hidden = stacked_hidden[:n_positive]
    negative_hidden = stacked_hidden[n_positive:]
    hidden_states = np.empty((n_negative, n_hidden), dtype=weights.dtype)

    if not np.may_share_memory(batch, positive_visible):
        positive_visible[...] = batch
    if persistent:
        # The data's hidden probabilities are not needed before the last
        # Gibbs step: they come out of its product, stacked with the chains'.
        hidden_states[...] = chains
    else:
        _sampling_hidden_probabilities(
            positive_visible, weights, hidden_bias, positive_hidden
        )
        _sample_in_place(
            positive_hidden, hidden_uniform[:n_positive], rng, hidden_states
        )

    for gibbs_step in range(n_gibbs_steps):
        np.matmul(hidden_states, weights, out=negative_visible)
        np.add(negative_visible, visible_bias, out=negative_visible)
        if visible == "bernoulli":
            logistic_for_sampling(negative_visible, out=negative_visible)
            _sample_in_place(negative_visible, visible_uniform, rng, negative_visible)
        else:
            rng.standard_normal(out=visible_uniform, dtype=visible_uniform.dtype)
            np.add(negative_visible, visible_uniform, out=negative_visible)
        if persistent and gibbs_step == n_gibbs_steps - 1:
            _sampling_hidden_probabilities(
                stacked_visible, weights, hidden_bias, stacked_hidden
            )
        else:
            _sampling_hidden_probabilities(
                negative_visible, weights, hidden_bias, negative_hidden
            )
        _sample_in_place(
            negative_hidden, hidden_uniform[:n_negative], rng, hidden_states
        )

    if sparsity is not None:
        target, cost, activity = sparsity
        activity *= 0.9
        activity += 0.1 * np.add.reduce(positive_hidden, axis=0) / n_positive
        penalty = cost * (target - activity)

    # The increments are step * velocity, with the velocity an exponential
    # moving average of the gradient. The hidden rows are scaled so that one
    # product gives step * (1 - momentum) * (<h v'>_data - <h v'>_model) and
    # their sum the same multiple of <h>_data - <h>_model.
    gradient_scale = step * (1.0 - momentum)
    decay_increments = momentum * (step / previous_step if previous_step else 0.0)
    np.multiply(positive_hidden, gradient_scale / n_positive, out=positive_hidden)
    np.multiply(negative_hidden, -gradient_scale / n_negative, out=negative_hidden)
    hidden_gradient = np.add.reduce(stacked_hidden, axis=0)
    visible_gradient = np.matmul(row_weights, stacked_visible)
    visible_gradient *= gradient_scale
    np.matmul(stacked_hidden.T, stacked_visible, out=scaled_gradient)
    if sparsity is not None:
        hidden_gradient += gradient_scale * penalty
        scaled_gradient += gradient_scale * np.outer(
            penalty, np.add.reduce(positive_visible, axis=0) / n_positive
        )
    for increment, gradient in (
        (weight_increment, scaled_gradient),
        (visible_increment, visible_gradient),
        (hidden_increment, hidden_gradient),
    ):
        np.multiply(increment, decay_increments, out=increment)
        np.add(increment, gradient, out=increment)
    if weight_decay:
        # Decoupled weight decay: the weights shrink by step * weight_decay.
        np.multiply(weights, 1.0 - step * weight_decay, out=weights)
    np.add(weights, weight_increment, out=weights)
    np.add(visible_bias, visible_increment, out=visible_bias)
    np.add(hidden_bias, hidden_increment, out=hidden_bias)
    return hidden_states
