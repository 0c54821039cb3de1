"""Learning rules of the pairwise Hopfield network: weights from stored patterns.

Every function takes bipolar patterns (rows of +-1 values) and returns a
symmetric weight matrix with a zero diagonal. The incremental forms add
patterns to weights built earlier, so that storing ``A`` then ``B`` gives the
same weights as storing ``vstack([A, B])`` at once. Arrays of another
array-API namespace get their weights in that namespace.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np

from skebm._array_api import astype, device_of, is_numpy, namespace


def _without_diagonal(matrix):
    """``matrix`` (of another namespace) with a zero diagonal."""
    xp = namespace(matrix)
    eye = xp.eye(matrix.shape[0], dtype=xp.bool, device=device_of(matrix))
    return xp.where(eye, 0.0, matrix)


def hebbian_correlation(patterns, correlation=None):
    """Sum of outer products ``sum_mu xi^mu xi^mu'`` with a zero diagonal.

    The sum of +-1 products is an integer matrix, exact in float64, so adding
    patterns in several calls gives bit-for-bit the matrix of one call.

    Parameters
    ----------
    patterns : ndarray of shape (n_patterns, n_features)
        Bipolar patterns to add.

    correlation : ndarray of shape (n_features, n_features) or None
        Correlation of the patterns stored so far; ``None`` for none.

    Returns
    -------
    correlation : ndarray of shape (n_features, n_features)
        The updated correlation (a new array).
    """
    if not is_numpy(patterns):
        patterns = astype(patterns, "float64", copy=False)
        added = _without_diagonal(patterns.T @ patterns)
        return added if correlation is None else correlation + added
    patterns = np.asarray(patterns, dtype=np.float64)
    added = patterns.T @ patterns
    np.fill_diagonal(added, 0.0)
    if correlation is None:
        return added
    return correlation + added


def hebbian_weights(patterns):
    """Hebb's rule: ``w_ij = (1/n) sum_mu xi_i^mu xi_j^mu`` for i != j, w_ii = 0.

    Parameters
    ----------
    patterns : ndarray of shape (n_patterns, n_features)
        Bipolar patterns.

    Returns
    -------
    weights : ndarray of shape (n_features, n_features)
    """
    if is_numpy(patterns):
        patterns = np.asarray(patterns, dtype=np.float64)
    return hebbian_correlation(patterns) / patterns.shape[1]


def storkey_weights(patterns, weights=None):
    """Storkey's (1997) incremental rule, one pattern after another.

    For each new pattern ``xi`` and ``n`` units,
    ``w_ij <- w_ij + (xi_i xi_j - xi_i h_ji - h_ij xi_j) / n`` for i != j,
    with the local field ``h_ij = sum_{k != i, j} w_ik xi_k`` of the weights
    before this pattern. With a zero diagonal ``h_ij = f_i - w_ij xi_j`` where
    ``f = W xi``, and since ``xi_j ** 2 = 1`` the update of the whole matrix
    is ``(xi xi' - xi f' - f xi' + 2 W) / n`` off the diagonal.

    Parameters
    ----------
    patterns : ndarray of shape (n_patterns, n_features)
        Bipolar patterns, learned in row order.

    weights : ndarray of shape (n_features, n_features) or None
        Weights to continue from; ``None`` starts from zero.

    Returns
    -------
    weights : ndarray of shape (n_features, n_features)
        The updated weights (a new array).
    """
    if not is_numpy(patterns):
        return _namespace_storkey_weights(patterns, weights)
    patterns = np.asarray(patterns, dtype=np.float64)
    n_features = patterns.shape[1]
    if weights is None:
        weights = np.zeros((n_features, n_features))
    else:
        weights = np.array(weights, dtype=np.float64)
    diagonal = np.arange(n_features)
    for pattern in patterns:
        field = weights @ pattern
        outer = np.outer(pattern, pattern)
        cross = np.outer(pattern, field)
        update = outer - cross - cross.T + 2.0 * weights
        update /= n_features
        weights += update
        weights[diagonal, diagonal] = 0.0
    return weights


def _namespace_storkey_weights(patterns, weights):
    """:func:`storkey_weights` in another namespace."""
    xp = namespace(patterns)
    patterns = astype(patterns, "float64", copy=False)
    n_features = patterns.shape[1]
    if weights is None:
        weights = xp.zeros(
            (n_features, n_features), dtype=xp.float64, device=device_of(patterns)
        )
    for row in range(patterns.shape[0]):
        pattern = patterns[row, :]
        field = weights @ pattern
        cross = pattern[:, None] * field[None, :]
        update = pattern[:, None] * pattern[None, :] - cross - cross.T + 2.0 * weights
        weights = _without_diagonal(weights + update / n_features)
    return weights


def pseudoinverse_weights(patterns):
    """Projection (pseudo-inverse) rule with its diagonal removed.

    ``W = Xi' (Xi Xi')^+ Xi``, the orthogonal projection onto the span of the
    patterns (Personnaz et al., 1985; Kanter and Sompolinsky, 1987), computed
    as ``pinv(Xi) @ Xi``, symmetrised and with ``w_ii = 0``.

    Parameters
    ----------
    patterns : ndarray of shape (n_patterns, n_features)
        Bipolar patterns.

    Returns
    -------
    weights : ndarray of shape (n_features, n_features)
    """
    if not is_numpy(patterns):
        patterns = astype(patterns, "float64", copy=False)
        projection = namespace(patterns).linalg.pinv(patterns) @ patterns
        return _without_diagonal((projection + projection.T) / 2.0)
    patterns = np.asarray(patterns, dtype=np.float64)
    projection = np.linalg.pinv(patterns) @ patterns
    weights = (projection + projection.T) / 2.0
    np.fill_diagonal(weights, 0.0)
    return weights


def _log_double_factorial(n):
    return math.fsum(math.log(k) for k in range(n, 1, -2))


def nominal_capacity(rule, n_features, degree=3):
    """The number of random patterns a rule is expected to store.

    hebbian ``n / (2 ln n)`` (McEliece et al., 1987), storkey
    ``n / sqrt(2 ln n)`` (Storkey, 1997), pseudoinverse ``n`` (linearly
    independent patterns), polynomial ``n^(d-1) / (2 (2d-3)!! ln n)``
    (Krotov and Hopfield, 2016), exponential and softmax ``2^(n/2)``
    (Demircigil et al., 2017). Pairwise rules are capped at ``n``; one
    feature gives 1.

    Parameters
    ----------
    rule : str
        Name of the rule.

    n_features : int
        Number of units.

    degree : int, default=3
        Degree of the polynomial rule.

    Returns
    -------
    capacity : float
        Number of patterns (``inf`` when it exceeds the float range).
    """
    n = float(n_features)
    if n_features < 2:
        return 1.0
    log_n = math.log(n)
    if rule == "hebbian":
        return min(n, n / (2.0 * log_n))
    if rule == "storkey":
        return min(n, n / math.sqrt(2.0 * log_n))
    if rule == "pseudoinverse":
        return n
    if rule == "polynomial":
        log_capacity = (
            (degree - 1) * log_n
            - _log_double_factorial(2 * degree - 3)
            - math.log(2.0 * log_n)
        )
    else:
        log_capacity = n / 2.0 * math.log(2.0)
    if log_capacity > math.log(np.finfo(np.float64).max):
        return math.inf
    return math.exp(log_capacity)
