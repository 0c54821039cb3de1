"""Elementwise functions on the hot paths, stable and faster than their scipy forms.

``scipy.special.expit`` and ``np.logaddexp(0, x)`` are exact but several times
slower than the chains of vectorised numpy ufuncs below, which dominate the
non-BLAS time of a training step.

Arrays of other array-API namespaces take the same functions written with
the standard's operations (no ``out``: the standard has none), so that
scipy.special, which not every version dispatches, is never needed there.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import logsumexp as _scipy_logsumexp

from skebm._sklearn_compat import array_namespace


def logistic(x, out=None):
    """1 / (1 + exp(-x)), in the dtype of ``x``; ``out`` may be ``x``.

    exp(-x) overflows to inf for very negative x, which gives the correct
    limit 0, so that overflow is silenced rather than reported.
    """
    if not isinstance(x, np.ndarray):
        xp = array_namespace(x)
        # exp(-|x|) never overflows; the two branches are the same function.
        decay = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1.0 / (1.0 + decay), decay / (1.0 + decay))
    out = np.negative(x, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    np.add(out, 1, out=out)
    return np.reciprocal(out, out=out)


def softplus(x, out=None):
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), without overflow."""
    if not isinstance(x, np.ndarray):
        xp = array_namespace(x)
        return xp.log1p(xp.exp(-xp.abs(x))) + xp.clip(x, min=0.0)
    positive_part = np.maximum(x, 0)
    out = np.abs(x, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    return np.add(out, positive_part, out=out)


def logistic_for_sampling(x, out=None):
    """The logistic as (1 + tanh(x / 2)) / 2: no overflow and fewer passes.

    Its error is absolute (about 1e-16), not relative, which is all that
    drawing Bernoulli states needs; outputs that users see use
    :func:`logistic`.
    """
    if not isinstance(x, np.ndarray):
        xp = array_namespace(x)
        return xp.tanh(x * 0.5) * 0.5 + 0.5
    out = np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    np.multiply(out, 0.5, out=out)
    return np.add(out, 0.5, out=out)


def logsumexp(x, axis=None):
    """``log sum exp(x)`` along ``axis``: scipy's for numpy, the same in others."""
    if isinstance(x, np.ndarray):
        return _scipy_logsumexp(x, axis=axis)
    xp = array_namespace(x)
    largest = xp.max(x, axis=axis, keepdims=True)
    # An all -inf slice sums to 0, whose log is -inf, without inf - inf.
    largest = xp.where(xp.isfinite(largest), largest, 0.0)
    total = xp.log(xp.sum(xp.exp(x - largest), axis=axis, keepdims=True)) + largest
    return xp.squeeze(total, axis=axis) if axis is not None else xp.reshape(total, ())


def softplus_and_logistic(x):
    """``softplus(x)`` and ``logistic(x)`` from one exponential, without overflow.

    With ``e = exp(-|x|)``: ``softplus(x) = max(x, 0) + log1p(e)`` and
    ``logistic(x) = 1 / (1 + e)`` for ``x >= 0``, ``e / (1 + e)`` otherwise.
    """
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)
    softplus_x = np.log1p(e)
    softplus_x += np.maximum(x, 0)
    denominator = e + 1
    np.copyto(e, 1, where=x >= 0)
    logistic_x = np.divide(e, denominator, out=e)
    return softplus_x, logistic_x
