import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit

from skebm._special import logistic, softplus

EXTREMES = np.array([-1e4, -745.0, -709.0, -30.0, -1.0, 0.0, 1.0, 30.0, 709.0, 1e4])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logistic_matches_expit_to_relative_precision_without_warnings(dtype):
    x = np.concatenate([np.linspace(-60, 60, 1001), EXTREMES]).astype(dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        result = logistic(x)
    assert result.dtype == dtype
    assert_allclose(result, expit(x), rtol=4 * np.finfo(dtype).eps, atol=1e-300)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softplus_matches_logaddexp_without_overflow(dtype):
    x = np.concatenate([np.linspace(-60, 60, 1001), EXTREMES]).astype(dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        result = softplus(x)
    assert result.dtype == dtype
    assert_allclose(result, np.logaddexp(0, x), rtol=4 * np.finfo(dtype).eps)


def test_logistic_can_work_in_place():
    x = np.array([-2.0, 0.0, 3.0])
    expected = expit(x)
    assert logistic(x, out=x) is x
    assert_allclose(x, expected)
