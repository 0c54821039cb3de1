"""What every Hopfield recall shares: stopping codes, ties, synchronous loops.

States are rows: ``states`` has shape (n_samples, n_units). Binary states take
the values +-1; every function works on all rows at once, and the result of a
row never depends on the other rows (a row stops being updated as soon as it
has converged).

A unit's new state is the sign of its drive (the local field for pairwise
weights, the energy difference for dense rules). A drive within a relative
``TIE_TOLERANCE`` of zero counts as zero and leaves the unit as it is, so that
rounding in a matrix product never decides a tie.

Arrays of other array-API namespaces run the same functions in their
namespace; their loops keep every row and freeze the finished ones (by
``where``) rather than gather the unfinished ones, which the standard's
indexing does not do in place and a GPU does not need.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skebm._array_api import astype, device_of, dtype_name, is_numpy, namespace

TIE_TOLERANCE = 1e-10

# How a row's recall ended.
FIXED_POINT = 0
CYCLE = 1
SWEEP_LIMIT = 2

# Synchronous recall detects cycles up to this period. Symmetric pairwise
# weights only have 2-cycles; dense rules can have longer ones.
MAX_CYCLE_PERIOD = 8


def shifted_logits(overlaps, beta):
    """``beta * (overlaps - max)`` per row: at most 0, and 0 at the largest.

    Subtracting the largest overlap before multiplying by beta keeps a large
    beta from overflowing; a difference that becomes -inf has weight 0.
    """
    xp = namespace(overlaps)
    shifted = overlaps - xp.max(overlaps, axis=1, keepdims=True)
    with np.errstate(over="ignore"):
        shifted *= beta
    return shifted


def overlaps_with(states, memories):
    """``states @ memories.T`` in float64, computed in the memories' dtype.

    The +-1 states and memories of the binary rules give integer overlaps,
    exact in float32 up to 2**24 units; float32 memories are multiplied as
    they are, never copied to float64.
    """
    if not is_numpy(memories):
        overlaps = astype(states, dtype_name(memories), copy=False) @ memories.T
        return astype(overlaps, "float64", copy=False)
    overlaps = np.asarray(states, dtype=memories.dtype) @ memories.T
    return overlaps.astype(np.float64, copy=False)


def _signs_keeping_ties(drive, scale, states):
    """+1 / -1 where the drive is clearly positive / negative, else the state."""
    threshold = TIE_TOLERANCE * scale
    xp = namespace(drive)
    return xp.where(drive > threshold, 1.0, xp.where(drive < -threshold, -1.0, states))


def _synchronous_loop(states, step, n_sweeps, clamp):
    """Apply ``step`` to all unfinished rows until a fixed point or a cycle.

    A row whose new state equals one of its last ``MAX_CYCLE_PERIOD - 1``
    states is in a cycle and stops there (at the new state). States are
    compared through a random integer projection first, and in full only
    where the projections agree.
    """
    if not is_numpy(states):
        return _namespace_synchronous_loop(states, step, n_sweeps, clamp)
    n_samples, n_units = states.shape
    status = np.full(n_samples, SWEEP_LIMIT)
    active = np.arange(n_samples)
    n_kept = MAX_CYCLE_PERIOD - 1
    # Integer weights: the keys of +-1 states are exact sums (below 2**52 for
    # up to 2**31 units), the same however many rows a product computes, so
    # a row's cycle is found at the same step whatever rows come with it.
    projection = np.random.default_rng(0).integers(-(2**20), 2**20, n_units)
    projection = projection.astype(np.float64)
    history = np.zeros((n_kept, n_samples, n_units), dtype=np.int8)
    history_keys = np.full((n_kept, n_samples), np.nan)
    for sweep in range(n_sweeps):
        if active.size == 0:
            break
        all_rows = active.size == n_samples
        current = states if all_rows else states[active]
        new = step(current, active)
        if clamp is not None:
            new = np.where(clamp if all_rows else clamp[active], current, new)
        fixed = (new == current).all(axis=1)
        new_keys = new @ projection
        slot = sweep % n_kept
        cycle = np.zeros_like(fixed)
        for past in range(n_kept):
            candidates = np.flatnonzero(
                ~fixed & (history_keys[past, active] == new_keys)
            )
            if candidates.size:
                same = (history[past, active[candidates]] == new[candidates]).all(
                    axis=1
                )
                cycle[candidates[same]] = True
        history[slot, active] = current
        history_keys[slot, active] = current @ projection
        if all_rows:
            states = new
        else:
            states[active] = new
        status[active[fixed]] = FIXED_POINT
        status[active[cycle]] = CYCLE
        active = active[~(fixed | cycle)]
    return states, status


def _namespace_synchronous_loop(states, step, n_sweeps, clamp):
    """:func:`_synchronous_loop` in another namespace: every row steps, the
    finished ones keep their state."""
    xp = namespace(states)
    device = device_of(states)
    n_samples = states.shape[0]
    status = xp.full(n_samples, SWEEP_LIMIT, device=device)
    active = xp.ones(n_samples, dtype=xp.bool, device=device)
    history = []
    for _ in range(n_sweeps):
        if not bool(xp.any(active)):
            break
        new = step(states, None)
        if clamp is not None:
            new = xp.where(clamp, states, new)
        fixed = xp.all(new == states, axis=1)
        cycle = xp.zeros(n_samples, dtype=xp.bool, device=device)
        for past in history:
            cycle = cycle | xp.all(past == new, axis=1)
        cycle = cycle & ~fixed
        history = [*history, states][-(MAX_CYCLE_PERIOD - 1) :]
        states = xp.where(active[:, None], new, states)
        status = xp.where(active & fixed, FIXED_POINT, status)
        status = xp.where(active & cycle, CYCLE, status)
        active = active & ~(fixed | cycle)
    return states, status
