"""What the RBM estimators read from their input: X's ranges, checks, statistics.

Functions of arrays (dense, sparse or memory-mapped) that never copy X whole,
or of dense arrays of another array-API namespace, read on their device.
"""

# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from skebm._array_api import (
    accumulation_dtype,
    device_of,
    is_numpy,
    namespace,
    to_numpy,
)

# Rows densified or reduced at a time, so a large X is never copied whole.
_DENSE_CHUNK_ROWS = 4096


def as_generator(random_state):
    """A numpy Generator seeded from anything ``check_random_state`` accepts."""
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return np.random.default_rng(seed)


def check_int_at_least(name, value, minimum):
    """``value`` as an int, refusing other types and values below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def value_range(X):
    """Smallest and largest value of X, counting the implicit zeros of sparse X.

    NaN propagates to both (so callers can report it).
    """
    if not is_numpy(X):
        xp = namespace(X)
        if X.shape[0] == 0 or X.shape[1] == 0:
            return 0.0, 0.0
        return float(xp.min(X)), float(xp.max(X))
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
        chunk = X[rows] if is_numpy(X) else X[rows, ...]
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
    if not is_numpy(X):
        return X
    return np.ascontiguousarray(X)


def column_mean(X):
    """Per-feature mean in float64 (a numpy array), without copying X."""
    if not is_numpy(X):
        return to_numpy(_namespace_column_mean_std(X)[0])
    return np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()


def column_mean_std(X):
    """Per-feature mean and standard deviation in float64, for dense or sparse X.

    Each column is divided by its largest magnitude before it is summed and
    squared, so that data near the largest float (values of 1e300, whose
    squares overflow) still give finite statistics. Dense X is read in
    blocks of rows, so a large (or memory-mapped) X is never copied whole.
    X of another namespace is read on its device; the statistics come back
    as numpy arrays.
    """
    if not is_numpy(X):
        mean, std = _namespace_column_mean_std(X)
        return to_numpy(mean), to_numpy(std)
    n_rows = max(X.shape[0], 1)
    if sp.issparse(X):
        magnitude = np.asarray(abs(X).max(axis=0).toarray(), dtype=np.float64)
        magnitude = _nonzero(magnitude.ravel())
        scaled = X.multiply(1.0 / magnitude).tocsr()
        mean = np.asarray(scaled.mean(axis=0, dtype=np.float64)).ravel()
        mean_of_squares = np.asarray(
            scaled.multiply(scaled).mean(axis=0, dtype=np.float64)
        ).ravel()
        variance = np.maximum(mean_of_squares - mean**2, 0.0)
    else:
        magnitude = np.zeros(X.shape[1])
        total = np.zeros(X.shape[1])
        for start in range(0, X.shape[0], _DENSE_CHUNK_ROWS):
            chunk = X[start : start + _DENSE_CHUNK_ROWS]
            np.maximum(magnitude, np.abs(chunk).max(axis=0), out=magnitude)
        magnitude = _nonzero(magnitude)
        for start in range(0, X.shape[0], _DENSE_CHUNK_ROWS):
            total += (X[start : start + _DENSE_CHUNK_ROWS] / magnitude).sum(axis=0)
        mean = total / n_rows
        sum_of_squares = np.zeros_like(mean)
        for start in range(0, X.shape[0], _DENSE_CHUNK_ROWS):
            deviation = X[start : start + _DENSE_CHUNK_ROWS] / magnitude - mean
            sum_of_squares += np.einsum("ij,ij->j", deviation, deviation)
        variance = sum_of_squares / n_rows
    largest = np.finfo(np.float64).max
    return magnitude * mean, np.minimum(magnitude * np.sqrt(variance), largest)


def _namespace_column_mean_std(X):
    """:func:`column_mean_std` of X of another namespace, on its device."""
    xp = namespace(X)
    X = xp.astype(X, accumulation_dtype(xp, device_of(X)))
    magnitude = xp.max(xp.abs(X), axis=0)
    magnitude = xp.where(magnitude == 0, xp.ones_like(magnitude), magnitude)
    scaled = X / magnitude
    mean = xp.mean(scaled, axis=0)
    variance = xp.mean((scaled - mean) ** 2, axis=0)
    largest = float(xp.finfo(X.dtype).max)
    return magnitude * mean, xp.clip(magnitude * xp.sqrt(variance), max=largest)


def _nonzero(magnitude):
    """All-zero columns are scaled by one."""
    magnitude[magnitude == 0] = 1.0
    return magnitude
