"""The log-likelihood gradient of a restricted Boltzmann machine.

For weights ``W``, visible bias ``b`` and hidden bias ``c`` the gradient of the
mean log-likelihood is a difference of expectations of the sufficient
statistics ``(h v', v, h)``::

    d/dW = <h v'>_data - <h v'>_model
    d/db = <v>_data    - <v>_model
    d/dc = <h>_data    - <h>_model

The data term uses P(h | v) for each training row; the model term is estimated
from Gibbs chains (CD, PCD) or, on tiny models, computed exactly.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np


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
