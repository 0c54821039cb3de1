"""The estimators' reading of X: ranges, checks and column statistics."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

from skebm._rbm import _data
from skebm._rbm._data import (
    check_finite,
    checked_row_chunks,
    column_mean_std,
    value_range,
)
from skebm._rbm._units import BernoulliUnits, GaussianUnits


def test_value_range_counts_the_implicit_zeros_of_sparse_input():
    dense = np.array([[0.0, 0.5], [0.2, 0.0]])
    assert value_range(sp.csr_matrix(dense)) == (0.0, 0.5)
    assert value_range(sp.csr_matrix(dense + 1)) == (1.0, 1.5)
    assert value_range(sp.csr_matrix((2, 3))) == (0.0, 0.0)


@pytest.mark.parametrize(
    "low, high, match", [(np.nan, 1.0, "NaN"), (0.0, np.inf, "infinity")]
)
def test_check_finite_names_the_bad_value(low, high, match):
    with pytest.raises(ValueError, match=match):
        check_finite(low, high, np.dtype("float32"))


def test_column_statistics_are_read_in_blocks_and_match_numpy(monkeypatch):
    monkeypatch.setattr(_data, "_DENSE_CHUNK_ROWS", 7)
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 4))
    mean, std = column_mean_std(X)
    assert_allclose(mean, X.mean(axis=0))
    assert_allclose(std, X.std(axis=0))
    sparse_mean, sparse_std = column_mean_std(sp.csr_matrix(X))
    assert_allclose(sparse_mean, mean)
    assert_allclose(sparse_std, std)


@pytest.mark.parametrize("magnitude", [1e150, 1e300])
@pytest.mark.parametrize("sparse", [False, True])
def test_column_statistics_of_huge_values_are_finite_and_right(magnitude, sparse):
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 4))
    X[:, 3] = 0.0
    with np.errstate(all="raise"):
        mean, std = column_mean_std(
            sp.csr_matrix(X * magnitude) if sparse else X * magnitude
        )
    assert_allclose(mean, X.mean(axis=0) * magnitude)
    assert_allclose(std, X.std(axis=0) * magnitude)


def test_row_chunks_cover_x_and_refuse_values_outside_the_units_range():
    X = np.random.default_rng(0).random((10, 3))
    chunks = list(checked_row_chunks(X, BernoulliUnits, 4))
    assert [rows for rows, _ in chunks] == [slice(0, 4), slice(4, 8), slice(8, 10)]
    assert_allclose(np.vstack([chunk for _, chunk in chunks]), X)
    X[9, 1] = 3.0
    # the message names the range of the whole X, not of the chunk
    X[0, 0] = -1.0
    with pytest.raises(ValueError, match=r"\[0, 1\].*\[-1, 3\]"):
        list(checked_row_chunks(X, BernoulliUnits, 4))
    assert len(list(checked_row_chunks(X, GaussianUnits, 4))) == 3
