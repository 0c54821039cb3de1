"""Recall dynamics and energies of Hopfield memories, as array-in/array-out code.

States are rows: ``states`` has shape (n_samples, n_units). Binary states take
the values +-1; every function works on all rows at once, and the result of a
row never depends on the other rows (a row stops being updated as soon as it
has converged).

A unit's new state is the sign of its drive (the local field for pairwise
weights, the energy difference for dense rules). A drive within a relative
``TIE_TOLERANCE`` of zero counts as zero and leaves the unit as it is, so that
rounding in a matrix product never decides a tie.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import logsumexp

TIE_TOLERANCE = 1e-10

# How a row's recall ended.
FIXED_POINT = 0
CYCLE = 1
SWEEP_LIMIT = 2

# Synchronous recall detects cycles up to this period. Symmetric pairwise
# weights only have 2-cycles; dense rules can have longer ones.
MAX_CYCLE_PERIOD = 8

# Units whose fields are computed by one matrix product in an asynchronous
# sweep, and units whose earlier changes are added to the fields by one
# product within a block.
_BLOCK_SIZE = 64
_SUB_BLOCK_SIZE = 8

# Synchronous steps of the exponential rule compute every unit's drive from
# one set of weights exp(beta (o - max o)); terms exp(-2 beta) below the
# largest decide ties between memories one flip apart, and they underflow
# past this beta, where each unit's drive is computed on its own instead.
_ALL_UNITS_BETA_LIMIT = 100.0

# Asynchronous recall runs on chunks of about this many states at a time (its
# working memory is a few times that).
_CHUNK_ELEMENTS = 2**22


def _signs_keeping_ties(drive, scale, states):
    """+1 / -1 where the drive is clearly positive / negative, else the state."""
    threshold = TIE_TOLERANCE * scale
    return np.where(drive > threshold, 1.0, np.where(drive < -threshold, -1.0, states))


# ----------------------------------------------------------------- pairwise


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


def _synchronous_loop(states, step, n_sweeps, clamp):
    """Apply ``step`` to all unfinished rows until a fixed point or a cycle.

    A row whose new state equals one of its last ``MAX_CYCLE_PERIOD - 1``
    states is in a cycle and stops there (at the new state). States are
    compared through a random projection first, and in full only where the
    projections agree.
    """
    n_samples, n_units = states.shape
    status = np.full(n_samples, SWEEP_LIMIT)
    active = np.arange(n_samples)
    n_kept = MAX_CYCLE_PERIOD - 1
    projection = np.random.default_rng(0).standard_normal(n_units)
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


# -------------------------------------------------------------------- dense


def dense_energy(states, memories, *, rule, degree=3, beta=1.0):
    """Energy of the dense associative memories.

    ``"polynomial"``: ``E(s) = -sum_mu max(xi^mu . s / n, 0) ** degree``,
    Krotov and Hopfield's energy divided by ``n ** degree``.
    ``"exponential"``: ``E(s) = -(1/beta) log sum_mu exp(beta xi^mu . s)``,
    the logarithm of Demircigil et al.'s ``-sum_mu exp(beta xi^mu . s)``.
    Both rescalings are monotone: they order states, and hence define
    minima and updates, exactly as the original energies, without overflow.

    Parameters
    ----------
    states : ndarray of shape (n_samples, n_units)
    memories : ndarray of shape (n_memories, n_units)
    rule : {"polynomial", "exponential"}
    degree : int, default=3
    beta : float, default=1.0

    Returns
    -------
    energy : ndarray of shape (n_samples,)
    """
    overlaps = states @ memories.T
    if rule == "polynomial":
        rectified = np.maximum(overlaps / memories.shape[1], 0.0)
        return -np.sum(rectified**degree, axis=1)
    return -logsumexp(beta * overlaps, axis=1) / beta


def _dense_drive(overlaps, column, state, rule, degree, beta, n_units):
    """Energy drop of setting one unit to +1 rather than -1, and its scale.

    ``overlaps`` are the current ``xi^mu . s`` of the rows, ``column`` the
    unit's values in the memories and ``state`` its current values.
    """
    rest = overlaps - np.outer(state, column)
    if rule == "polynomial":
        plus = np.maximum((rest + column) / n_units, 0.0) ** degree
        minus = np.maximum((rest - column) / n_units, 0.0) ** degree
        return (plus - minus).sum(axis=1), (plus + minus).sum(axis=1)
    # sum_mu exp(b(r + x)) - exp(b(r - x)) = 2 sinh(b) sum_mu x exp(b r).
    exponent = beta * rest
    exponent -= exponent.max(axis=1, keepdims=True)
    weight = np.exp(exponent)
    return weight @ column, weight.sum(axis=1)


def _dense_drives_of_all_units(
    overlaps, states, memory_plus, memory_minus, rule, degree, beta
):
    """:func:`_dense_drive` of every unit at once, by matrix products.

    Flipping unit i moves each overlap by 2 in a direction set by the unit's
    state and the memory's value there, so the energy terms of a flip are
    ``F(o - 2)``, ``F(o)`` and ``F(o + 2)`` of the current overlaps ``o``,
    summed over the memories with ``xi_i = +1`` or ``-1``: four products
    (two for the exponential rule) instead of one pass over all overlaps per
    unit. Each sum has terms of one sign, so the drive is one difference of
    two positive sums, as accurate as summing term by term.

    Returns
    -------
    energy_drop, scale : ndarray of shape (n_samples, n_units)
    """
    is_plus = states > 0
    if rule == "polynomial":
        n_units = states.shape[1]

        def rectified_power(shift):
            return np.maximum((overlaps + shift) / n_units, 0.0) ** degree

        at_overlap = rectified_power(0.0)
        rise = rectified_power(2.0) - at_overlap
        fall = at_overlap - rectified_power(-2.0)
        # A unit at +1 set to -1 lowers the overlaps of the memories with a +1
        # there (``fall``) and raises the others (``rise``); at -1, the reverse.
        fall_plus, fall_minus = fall @ memory_plus, fall @ memory_minus
        rise_plus, rise_minus = rise @ memory_plus, rise @ memory_minus
        energy_drop = np.where(is_plus, fall_plus - rise_minus, rise_plus - fall_minus)
        total = 2.0 * at_overlap.sum(axis=1, keepdims=True)
        scale = total + np.where(
            is_plus, rise_minus - fall_plus, rise_plus - fall_minus
        )
        return energy_drop, scale
    # exp(beta r) with r the overlap without unit i is exp(beta o) times
    # exp(-beta) for the memories that agree with the unit and exp(beta) for
    # the others; both are scaled by exp(-beta) so that nothing overflows.
    # The decision can hinge on terms exp(-2 beta) below the largest, which
    # stay representable for beta <= _ALL_UNITS_BETA_LIMIT.
    exponent = beta * overlaps
    exponent -= exponent.max(axis=1, keepdims=True)
    weight = np.exp(exponent)
    weight_plus, weight_minus = weight @ memory_plus, weight @ memory_minus
    agree = np.where(is_plus, weight_plus, weight_minus) * np.exp(-2.0 * beta)
    disagree = np.where(is_plus, weight_minus, weight_plus)
    signs = np.where(is_plus, 1.0, -1.0)
    return signs * (agree - disagree), agree + disagree


def dense_recall(
    states,
    memories,
    *,
    rule,
    degree=3,
    beta=1.0,
    order,
    update="async",
    n_sweeps=100,
    clamp=None,
):
    """Recall in a dense associative memory (polynomial or exponential F).

    ``s_i <- sign(sum_mu F(xi_i^mu + r^mu) - F(-xi_i^mu + r^mu))`` with
    ``r^mu = sum_{j != i} xi_j^mu s_j``: each unit takes the value of lower
    energy ``-sum_mu F(xi^mu . s)``. Asynchronous and synchronous sweeps and
    their stopping rules are those of :func:`pairwise_recall`, except that
    synchronous updates of a dense rule can also enter longer cycles, which
    are detected up to period ``MAX_CYCLE_PERIOD``.

    Parameters
    ----------
    states : ndarray of shape (n_samples, n_units)
        Initial +-1 states.
    memories : ndarray of shape (n_memories, n_units)
        Stored +-1 patterns.
    rule : {"polynomial", "exponential"}
    degree : int, default=3
        Degree of ``F(x) = max(x, 0) ** degree``.
    beta : float, default=1.0
        Scale of the exponent of ``F(x) = exp(beta x)``.
    order : ndarray of shape (n_units,)
    update : {"async", "sync"}, default="async"
    n_sweeps : int, default=100
    clamp : ndarray of bool of shape (n_samples, n_units) or None

    Returns
    -------
    states : ndarray of shape (n_samples, n_units)
    status : ndarray of int of shape (n_samples,)
    """
    states = np.array(states, dtype=np.float64)
    memories = np.asarray(memories, dtype=np.float64)
    n_units = memories.shape[1]

    def drive(overlaps, current, unit):
        column = memories[:, unit]
        old = current[:, unit]
        energy_drop, scale = _dense_drive(
            overlaps, column, old, rule, degree, beta, n_units
        )
        return _signs_keeping_ties(energy_drop, scale, old)

    if update == "sync":
        # Which memories have each unit at +1 and at -1, as 0/1 matrices.
        memory_plus = (memories > 0).astype(np.float64)
        memory_minus = 1.0 - memory_plus

        def step(current, active):
            overlaps = current @ memories.T
            if rule == "polynomial" or beta <= _ALL_UNITS_BETA_LIMIT:
                energy_drop, scale = _dense_drives_of_all_units(
                    overlaps, current, memory_plus, memory_minus, rule, degree, beta
                )
                return _signs_keeping_ties(energy_drop, scale, current)
            new = np.empty_like(current)
            for unit in range(n_units):
                new[:, unit] = drive(overlaps, current, unit)
            return new

        return _synchronous_loop(states, step, n_sweeps, clamp)

    status = np.full(states.shape[0], SWEEP_LIMIT)
    active = np.arange(states.shape[0])
    for _ in range(n_sweeps):
        if active.size == 0:
            break
        current = states[active]
        free = None if clamp is None else ~clamp[active]
        overlaps = current @ memories.T
        changed = np.zeros(active.size, dtype=bool)
        for unit in order:
            old = current[:, unit]
            new = drive(overlaps, current, unit)
            if free is not None:
                new = np.where(free[:, unit], new, old)
            delta = new - old
            flipped = delta != 0
            if flipped.any():
                changed |= flipped
                current[:, unit] = new
                overlaps += np.outer(delta, memories[:, unit])
        states[active] = current
        status[active[~changed]] = FIXED_POINT
        active = active[changed]
    return states, status


# ------------------------------------------------------------------ softmax


def softmax_attention(states, memories, beta):
    """``softmax(beta Xi s)`` for each row: the weight of every memory.

    Parameters
    ----------
    states : ndarray of shape (n_samples, n_units)
    memories : ndarray of shape (n_memories, n_units)
    beta : float

    Returns
    -------
    attention : ndarray of shape (n_samples, n_memories)
    """
    logits = beta * (states @ memories.T)
    logits -= logits.max(axis=1, keepdims=True)
    attention = np.exp(logits)
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
    n_memories = memories.shape[0]
    largest_norm = np.sqrt((memories**2).sum(axis=1).max())
    return (
        -logsumexp(beta * (states @ memories.T), axis=1) / beta
        + 0.5 * np.einsum("ij,ij->i", states, states)
        + np.log(n_memories) / beta
        + 0.5 * largest_norm**2
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
    status : ndarray of int of shape (n_samples,)
        ``FIXED_POINT`` (converged to tol) or ``SWEEP_LIMIT``.
    """
    states = np.array(states, dtype=np.float64)
    memories = np.asarray(memories, dtype=np.float64)
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
