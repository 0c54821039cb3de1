"""What the RBM estimators read from X: ranges, checks, column statistics.

Functions of arrays (dense, sparse or memory-mapped) that never copy X whole.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

# Rows densified or reduced at a time, so a large X is never copied whole.
_DENSE_CHUNK_ROWS = 4096


def as_generator(random_state):
    """A numpy Generator seeded from anything ``check_random_state`` accepts."""
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return np.random.default_rng(seed)


def value_range(X):
    """Smallest and largest value of X, counting the implicit zeros of sparse X.

    NaN propagates to both (so callers can report it).
    """
    if not sp.issparse(X):
        return float(X.min()), float(X.max())
    low, high = (float(X.data.min()), float(X.data.max())) if X.nnz else (0.0, 0.0)
    if X.nnz < X.shape[0] * X.shape[1]:
        low, high = min(low, 0.0), max(high, 0.0)
    return low, high


def check_finite(low, high, dtype):
    """Refuse NaN and infinity, given the range of (part of) X."""
    if np.isnan(low) or np.isnan(high):
        raise ValueError("Input X contains NaN.")
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(
            f"Input X contains infinity or a value too large for {dtype!r}."
        )


def checked_row_chunks(X, units, chunk_rows):
    """Yield (row slice, block of rows) of X, each checked before use.

    The check (NaN, infinity, and the unit type's range) runs on each block
    while it is in cache for the products that follow, so that X is read
    from memory once.
    """
    for start in range(0, X.shape[0], chunk_rows):
        rows = slice(start, min(start + chunk_rows, X.shape[0]))
        chunk = X[rows]
        low, high = value_range(chunk)
        check_finite(low, high, X.dtype)
        units.check_range(low, high, X)
        yield rows, chunk


def dense_rows(X, rows=None):
    """Rows of X as a dense C-ordered array (all rows when ``rows`` is None)."""
    if rows is not None:
        X = X[rows]
    if sp.issparse(X):
        return X.toarray()
    return np.ascontiguousarray(X)


def column_mean(X):
    """Per-feature mean in float64, without copying X."""
    return np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()


def column_mean_variance(X):
    """Per-feature mean and variance in float64, for dense or sparse X.

    Dense X is read in blocks of rows, so a large (or memory-mapped) X is
    never copied whole.
    """
    mean = column_mean(X)
    if sp.issparse(X):
        mean_of_squares = np.asarray(
            X.multiply(X).mean(axis=0, dtype=np.float64)
        ).ravel()
        return mean, np.maximum(mean_of_squares - mean**2, 0.0)
    sum_of_squares = np.zeros_like(mean)
    for start in range(0, X.shape[0], _DENSE_CHUNK_ROWS):
        deviation = X[start : start + _DENSE_CHUNK_ROWS] - mean
        sum_of_squares += np.einsum("ij,ij->j", deviation, deviation)
    return mean, sum_of_squares / max(X.shape[0], 1)
