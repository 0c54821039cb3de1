"""Pairwise Hopfield networks: energy and recall with a weight matrix.

Array-in/array-out code; the conventions (rows are states, ties, stopping
codes) are those of :mod:`skebm._hopfield._dynamics`.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skebm._array_api import astype, device_of, is_numpy, namespace, to_numpy
from skebm._hopfield._dynamics import (
    FIXED_POINT,
    SWEEP_LIMIT,
    TIE_TOLERANCE,
    _signs_keeping_ties,
    _synchronous_loop,
)

# Units whose fields are computed by one matrix product in an asynchronous
# sweep, and units whose earlier changes are added to the fields by one
# product within a block.
_BLOCK_SIZE = 64
_SUB_BLOCK_SIZE = 8

# Asynchronous recall runs on chunks of about this many states at a time (its
# working memory is a few times that).
_CHUNK_ELEMENTS = 2**22


def pairwise_energy(states, weights, thresholds):
    """``E(s) = -1/2 s'Ws - theta's`` of each row.

    Parameters
    ----------
    states : ndarray of shape (n_samples, n_units)
    weights : ndarray of shape (n_units, n_units)
    thresholds : ndarray of shape (n_units,)

    Returns
    -------
    energy : ndarray of shape (n_samples,)
    """
    fields = states @ weights.T
    if not is_numpy(fields):
        xp = namespace(fields)
        return -0.5 * xp.sum(fields * states, axis=1) - states @ thresholds
    return -0.5 * np.einsum("ij,ij->i", fields, states) - states @ thresholds


def pairwise_recall(
    states,
    weights,
    thresholds,
    *,
    order,
    update="async",
    n_sweeps=100,
    clamp=None,
    weights_in_order=None,
):
    """Recall with ``s_i <- sign(sum_j w_ij s_j + theta_i)``.

    ``update="async"`` visits the units one at a time in ``order``; a sweep
    is one visit of every unit, and a row stops after a sweep that leaves it
    at a fixed point. ``update="sync"`` updates every unit at once and stops
    a row at a fixed point or when it returns to the state of two steps
    before (a 2-cycle, the only cycle of symmetric weights); the state
    returned is then the later of the two.

    Parameters
    ----------
    states : ndarray of shape (n_samples, n_units)
        Initial +-1 states.
    weights : ndarray of shape (n_units, n_units)
        Weights, symmetric with a zero diagonal for a decreasing energy.
    thresholds : ndarray of shape (n_units,)
    order : ndarray of shape (n_units,)
        Order of the units in an asynchronous sweep.
    update : {"async", "sync"}, default="async"
    n_sweeps : int, default=100
        Largest number of sweeps (synchronous steps).
    clamp : ndarray of bool of shape (n_samples, n_units) or None
        Units held at their initial state.
    weights_in_order : ndarray of shape (n_units, n_units) or None
        ``weights[np.ix_(order, order)]``, for a caller that keeps it (it
        depends on the stored memories only); computed here when None.

    Returns
    -------
    states : ndarray of shape (n_samples, n_units)
        Final states.
    status : ndarray of int of shape (n_samples,)
        ``FIXED_POINT``, ``CYCLE`` or ``SWEEP_LIMIT``.
    """
    if not is_numpy(weights):
        return _namespace_pairwise_recall(
            states, weights, thresholds, order, update, n_sweeps, clamp
        )
    weights = np.asarray(weights, dtype=np.float64)
    thresholds = np.asarray(thresholds, dtype=np.float64)
    scale = np.abs(weights).sum(axis=1) + np.abs(thresholds)
    if update == "sync":
        states = np.array(states, dtype=np.float64)
        return _pairwise_sync(states, weights, thresholds, scale, n_sweeps, clamp)
    order = np.asarray(order)
    if weights_in_order is None:
        weights_in_order = weights[np.ix_(order, order)]
    return _pairwise_async(
        np.asarray(states, dtype=np.float64),
        weights_in_order,
        thresholds[order],
        scale[order],
        order,
        n_sweeps,
        clamp,
    )


def _pairwise_async(states, weights, thresholds, scale, order, n_sweeps, clamp):
    """Asynchronous recall, in chunks of rows; the arguments in sweep order.

    ``weights``, ``thresholds`` and ``scale`` are indexed by position in the
    sweep, so that the units before or after a block are a slice.
    """
    n_samples, n_units = states.shape
    recalled = np.empty_like(states)
    status = np.empty(n_samples, dtype=int)
    inverse = np.argsort(order)
    negative_tie = -TIE_TOLERANCE * scale
    chunk = max(1, _CHUNK_ELEMENTS // n_units)
    for start in range(0, n_samples, chunk):
        rows = slice(start, start + chunk)
        # Units are rows here, in sweep order: a unit's states and fields over
        # the samples are contiguous, and a block's are a slice.
        unit_states = states[rows].T[order]
        free = None if clamp is None else (~clamp[rows]).T[order]
        status[rows] = _async_recall_in_order(
            unit_states, free, weights, thresholds, negative_tie, n_sweeps
        )
        recalled[rows] = unit_states[inverse].T
    return recalled, status


def _async_recall_in_order(
    unit_states, free, weights, thresholds, negative_tie, n_sweeps
):
    """Sweep the columns of ``unit_states`` (in place) to their fixed points."""
    n_samples = unit_states.shape[1]
    status = np.full(n_samples, SWEEP_LIMIT)
    active = np.arange(n_samples)
    current, free_now, fields = unit_states, free, None
    memory = np.empty(unit_states.size)
    for _ in range(n_sweeps):
        fields = _async_sweep(
            current, fields, free_now, weights, thresholds, negative_tie, memory
        )
        # A row is at a fixed point when no field opposes a free unit.
        opposed = fields * current
        opposed = opposed < negative_tie[:, None]
        if free_now is not None:
            opposed &= free_now
        moving = opposed.any(axis=0)
        if moving.all():
            continue
        status[active[~moving]] = FIXED_POINT
        if current is not unit_states:
            unit_states[:, active[~moving]] = current[:, ~moving]
        active = active[moving]
        if active.size == 0:
            break
        current = np.ascontiguousarray(current[:, moving])
        fields = np.ascontiguousarray(fields[:, moving])
        free_now = None if free is None else free[:, active]
    if current is not unit_states and active.size:
        unit_states[:, active] = current
    return status


def _async_sweep(current, fields, free, weights, thresholds, negative_tie, memory):
    """One asynchronous sweep of ``current`` (units in sweep order x samples).

    ``fields`` are those of ``current`` (``weights @ current + thresholds``),
    or None on the first sweep; ``memory`` is a buffer of at least
    ``current.size`` values. Returns the fields of the state after the
    sweep, at the cost of about one matrix product, where the textbook loop
    needs one product for the sweep and one more to find that the next sweep
    would change nothing:

    - at the start of a block, its fields are completed with the changes of
      the earlier blocks in this sweep (on the first sweep they are one
      product with the current state);
    - within a block, the changes of the units already visited are added to
      the fields lazily: once per sub-block by a product over the earlier
      units of the block, then unit by unit from the earlier units of the
      sub-block;
    - at the end, the fields of each block are completed with the changes of
      the later units.

    ``changes`` holds the change of each state in this sweep (minus twice
    the old value where a unit flipped, zero elsewhere). Every update is
    dense over the samples, so no step gathers or scatters rows.
    """
    n_units, n_samples = current.shape
    first_sweep = fields is None
    if first_sweep:
        fields = np.empty_like(current)
    # Reusing one buffer across sweeps saves faulting in fresh pages.
    changes = memory[: current.size].reshape(current.shape)
    changes.fill(0.0)
    product = np.empty(n_samples)
    flips = np.empty(n_samples, dtype=bool)
    negative_tie_list = negative_tie.tolist()
    # The changes of this sweep so far lie in the units [changed_begin, changed_end).
    changed_begin, changed_end = n_units, 0
    add_thresholds = first_sweep and thresholds.any()
    for begin in range(0, n_units, _BLOCK_SIZE):
        end = min(begin + _BLOCK_SIZE, n_units)
        block_fields = fields[begin:end]
        if first_sweep:
            np.matmul(weights[begin:end], current, out=block_fields)
            if add_thresholds:
                block_fields += thresholds[begin:end, None]
        elif changed_end:
            earlier = slice(changed_begin, changed_end)
            block_fields += weights[begin:end, earlier] @ changes[earlier]
        # Only changes move fields: a block where no field opposes a free
        # unit at its start stays as it is (the common case after a sweep).
        opposed = block_fields * current[begin:end]
        opposed = opposed < negative_tie[begin:end, None]
        if free is not None:
            opposed &= free[begin:end]
        if not opposed.any():
            continue
        within = weights[begin:end, begin:end]
        block_changes = changes[begin:end]
        for first in range(0, end - begin, _SUB_BLOCK_SIZE):
            last = min(first + _SUB_BLOCK_SIZE, end - begin)
            if first:
                block_fields[first:last] += (
                    within[first:last, :first] @ block_changes[:first]
                )
            for k in range(first, last):
                unit = begin + k
                field = block_fields[k]
                if k > first:
                    field += within[k, first:k] @ block_changes[first:k]
                state = current[unit]
                # A unit flips where its field clearly opposes its state.
                np.multiply(field, state, out=product)
                np.less(product, negative_tie_list[unit], out=flips)
                if free is not None:
                    flips &= free[unit]
                if not flips.any():
                    continue
                # (Three plain ufunc calls run faster than masked ones.)
                change = block_changes[k]
                np.multiply(state, flips, out=change)
                change *= -2.0
                state += change
        # Each unit's field holds the changes before it in the block; add its
        # own (through a diagonal weight, if any) and those after it.
        block_fields += np.triu(within) @ block_changes
        changed_begin = min(changed_begin, begin)
        changed_end = end
    _add_later_changes(fields, weights, changes, 0, changed_end, changed_begin)
    return fields


def _add_later_changes(fields, weights, changes, begin, end, changed_begin):
    """Add to the fields of each block in [begin, end) the later blocks' changes.

    Recursively: the second half's changes go to the first half in one
    product, then each half is done alike, so the products stay large.
    """
    n_blocks = -(-(end - begin) // _BLOCK_SIZE)
    if n_blocks < 2 or end <= changed_begin:
        return
    middle = begin + (n_blocks // 2) * _BLOCK_SIZE
    later = slice(max(middle, changed_begin), end)
    fields[begin:middle] += weights[begin:middle, later] @ changes[later]
    _add_later_changes(fields, weights, changes, begin, middle, changed_begin)
    _add_later_changes(fields, weights, changes, middle, end, changed_begin)


def _pairwise_sync(states, weights, thresholds, scale, n_sweeps, clamp):
    def step(current, active):
        fields = current @ weights.T
        fields += thresholds
        return _signs_keeping_ties(fields, scale, current)

    return _synchronous_loop(states, step, n_sweeps, clamp)


def _namespace_pairwise_recall(
    states, weights, thresholds, order, update, n_sweeps, clamp
):
    """:func:`pairwise_recall` in another namespace.

    Synchronous steps as in numpy. Asynchronous sweeps visit one unit at a
    time and add each flip's change to every field (a rank-one update of
    the same cost as the blocked products of the numpy code); every row is
    swept and the finished ones keep their state.
    """
    xp = namespace(weights)
    weights = astype(weights, "float64", copy=False)
    thresholds = astype(thresholds, "float64", copy=False)
    scale = xp.sum(xp.abs(weights), axis=1) + xp.abs(thresholds)
    states = astype(states, "float64")
    if update == "sync":
        return _pairwise_sync(states, weights, thresholds, scale, n_sweeps, clamp)
    device = device_of(weights)
    n_samples = states.shape[0]
    negative_tie = -TIE_TOLERANCE * scale
    status = xp.full(n_samples, SWEEP_LIMIT, device=device)
    active = xp.ones(n_samples, dtype=xp.bool, device=device)
    free = None if clamp is None else ~clamp
    fields = states @ weights.T + thresholds
    for _ in range(n_sweeps):
        for unit in to_numpy(order).tolist():
            # A unit flips where its field clearly opposes its state.
            flips = active & (fields[:, unit] * states[:, unit] < negative_tie[unit])
            if free is not None:
                flips = flips & free[:, unit]
            change = xp.where(flips, -2.0 * states[:, unit], 0.0)
            states[:, unit] = states[:, unit] + change
            fields += change[:, None] * weights[:, unit][None, :]
        # A row is at a fixed point when no field opposes a free unit.
        opposed = fields * states < negative_tie
        if free is not None:
            opposed = opposed & free
        moving = xp.any(opposed, axis=1)
        status = xp.where(active & ~moving, FIXED_POINT, status)
        active = active & moving
        if not bool(xp.any(active)):
            break
    return states, status
