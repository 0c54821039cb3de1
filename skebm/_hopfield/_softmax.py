"""The modern continuous Hopfield network (softmax attention): energy, recall.

Array-in/array-out code; states are continuous rows, and the stopping codes
are those of :mod:`skebm._hopfield._dynamics`.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skebm._array_api import astype, device_of, dtype_name, is_numpy, namespace
from skebm._hopfield._dynamics import (
    FIXED_POINT,
    SWEEP_LIMIT,
    overlaps_with,
    shifted_logits,
)


def softmax_attention(states, memories, beta):
    """``softmax(beta Xi s)`` for each row: the weight of every memory.

    Computed in the dtype of ``memories`` (float32 memories give float32
    attention).

    Parameters
    ----------
    states : ndarray of shape (n_samples, n_units)
    memories : ndarray of shape (n_memories, n_units)
    beta : float

    Returns
    -------
    attention : ndarray of shape (n_samples, n_memories)
    """
    if not is_numpy(memories):
        xp = namespace(memories)
        states = astype(states, dtype_name(memories), copy=False)
        attention = xp.exp(shifted_logits(states @ memories.T, beta))
        return attention / xp.sum(attention, axis=1, keepdims=True)
    states = np.asarray(states, dtype=memories.dtype)
    attention = np.exp(shifted_logits(states @ memories.T, beta))
    attention /= attention.sum(axis=1, keepdims=True)
    return attention


def softmax_energy(states, memories, beta):
    """Ramsauer et al.'s energy of the modern continuous Hopfield network.

    ``E(s) = -(1/beta) log sum_mu exp(beta xi^mu . s) + s.s / 2
    + (1/beta) log P + M^2 / 2`` with ``P`` memories of largest norm ``M``.

    Parameters
    ----------
    states : ndarray of shape (n_samples, n_units)
    memories : ndarray of shape (n_memories, n_units)
    beta : float

    Returns
    -------
    energy : ndarray of shape (n_samples,)
    """
    overlaps = overlaps_with(states, memories)
    if not is_numpy(memories):
        return _namespace_softmax_energy(states, memories, overlaps, beta)
    states = np.asarray(states, dtype=np.float64)
    largest = overlaps.max(axis=1)
    # (1/beta) (log sum_mu exp(beta o_mu) - log P) as the largest overlap plus
    # (1/beta) log mean_mu exp(beta (o_mu - max)), a value in [-log P, 0]
    # taken through expm1 and log1p, so that a small beta does not cancel two
    # large terms.
    log_mean = np.log1p(np.mean(np.expm1(shifted_logits(overlaps, beta)), axis=1))
    largest_norm2 = np.einsum("ij,ij->i", memories, memories, dtype=np.float64).max()
    return (
        -largest
        - log_mean / beta
        + 0.5 * np.einsum("ij,ij->i", states, states)
        + 0.5 * largest_norm2
    )


def _namespace_softmax_energy(states, memories, overlaps, beta):
    """:func:`softmax_energy` in another namespace, from the overlaps."""
    xp = namespace(memories)
    states = astype(states, "float64", copy=False)
    memories = astype(memories, "float64", copy=False)
    largest = xp.max(overlaps, axis=1)
    log_mean = xp.log1p(xp.mean(xp.expm1(shifted_logits(overlaps, beta)), axis=1))
    largest_norm2 = xp.max(xp.sum(memories * memories, axis=1))
    return (
        -largest
        - log_mean / beta
        + 0.5 * xp.sum(states * states, axis=1)
        + 0.5 * largest_norm2
    )


def softmax_recall(states, memories, beta, *, n_sweeps=100, tol=1e-6, clamp=None):
    """Iterate ``s <- Xi' softmax(beta Xi s)`` until no value moves more than tol.

    Parameters
    ----------
    states : ndarray of shape (n_samples, n_units)
        Initial (continuous) states.
    memories : ndarray of shape (n_memories, n_units)
    beta : float
    n_sweeps : int, default=100
        Largest number of updates.
    tol : float, default=1e-6
        A row stops once an update moves none of its values by more than tol.
    clamp : ndarray of bool of shape (n_samples, n_units) or None
        Units held at their initial value.

    Returns
    -------
    states : ndarray of shape (n_samples, n_units)
        In the dtype of ``memories``.
    status : ndarray of int of shape (n_samples,)
        ``FIXED_POINT`` (converged to tol) or ``SWEEP_LIMIT``.
    """
    if not is_numpy(memories):
        return _namespace_softmax_recall(states, memories, beta, n_sweeps, tol, clamp)
    states = np.array(states, dtype=memories.dtype)
    status = np.full(states.shape[0], SWEEP_LIMIT)
    active = np.arange(states.shape[0])
    for _ in range(n_sweeps):
        if active.size == 0:
            break
        current = states[active]
        new = softmax_attention(current, memories, beta) @ memories
        if clamp is not None:
            new = np.where(clamp[active], current, new)
        converged = np.abs(new - current).max(axis=1, initial=0.0) <= tol
        states[active] = new
        status[active[converged]] = FIXED_POINT
        active = active[~converged]
    return states, status


def _namespace_softmax_recall(states, memories, beta, n_sweeps, tol, clamp):
    """:func:`softmax_recall` in another namespace.

    The rows still moving are gathered after each sweep in which some
    converged (``take``, as numpy's code indexes them); the finished rows
    are put back in their order by one ``argsort`` at the end, since the
    standard has no scatter.
    """
    xp = namespace(memories)
    device = device_of(memories)
    current = astype(states, dtype_name(memories))
    rows = xp.arange(current.shape[0], device=device)
    finished_rows, finished_states = [], []
    for _ in range(n_sweeps):
        if current.shape[0] == 0:
            break
        new = softmax_attention(current, memories, beta) @ memories
        if clamp is not None:
            new = xp.where(clamp, current, new)
        converged = xp.max(xp.abs(new - current), axis=1) <= tol
        current = new
        if bool(xp.any(converged)):
            (done,) = xp.nonzero(converged)
            (moving,) = xp.nonzero(~converged)
            finished_rows.append(xp.take(rows, done))
            finished_states.append(xp.take(current, done, axis=0))
            rows = xp.take(rows, moving)
            current = xp.take(current, moving, axis=0)
            if clamp is not None:
                clamp = xp.take(clamp, moving, axis=0)
    n_finished = sum(int(part.shape[0]) for part in finished_rows)
    order = xp.argsort(xp.concat([*finished_rows, rows]))
    states = xp.take(xp.concat([*finished_states, current]), order, axis=0)
    status = xp.concat(
        [
            xp.full(n_finished, FIXED_POINT, device=device),
            xp.full(rows.shape[0], SWEEP_LIMIT, device=device),
        ]
    )
    return states, xp.take(status, order)
