"""Dense associative memories (polynomial and exponential F): energy, recall.

Each F is a small object (:class:`PolynomialInteraction`,
:class:`ExponentialInteraction`) with its energy and the energy drop of a
unit's flip, one unit at a time or all at once; recall is written once for
both. Array-in/array-out code; the conventions (rows are states, ties, stopping
codes) are those of :mod:`skebm._hopfield._dynamics`.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skebm._array_api import astype, device_of, is_numpy, namespace, to_numpy, zeros
from skebm._hopfield._dynamics import (
    FIXED_POINT,
    SWEEP_LIMIT,
    _signs_keeping_ties,
    _synchronous_loop,
    overlaps_with,
    shifted_logits,
)
from skebm._special import logsumexp

# Synchronous steps of the exponential rule compute every unit's drive from
# one set of weights exp(beta (o - max o)); terms exp(-2 beta) below the
# largest decide ties between memories one flip apart, and they underflow
# past this beta, where each unit's drive is computed on its own instead.
_ALL_UNITS_BETA_LIMIT = 100.0

# Synchronous steps sum over the memories with a unit at +1 and at -1 through
# 0/1 float64 matrices built for this many memory values at a time, so that a
# large memory is never copied whole.
_MEMORY_BLOCK_ELEMENTS = 2**21


def _without_unit(overlaps, column, state):
    """``r^mu = sum_{j != i} xi_j^mu s_j``: the overlaps without unit i."""
    return overlaps - state[:, None] * column[None, :]


class PolynomialInteraction:
    """``F(x) = max(x / n, 0) ** degree`` (Krotov & Hopfield, 2016).

    The energy ``E(s) = -sum_mu max(xi^mu . s / n, 0) ** degree`` is
    Krotov and Hopfield's divided by ``n ** degree``: a monotone rescaling,
    which orders states, and hence defines minima and updates, exactly as the
    original energy, without overflow.

    Parameters
    ----------
    n_units : int
        ``n``, the number of units.
    degree : int
        The power of the rectified overlap.
    """

    # Its drives of all units at once are exact for every degree.
    all_units_at_once = True

    def __init__(self, n_units, degree):
        self.n_units = n_units
        self.degree = degree

    def _power(self, overlaps):
        return _rectified(overlaps / self.n_units) ** self.degree

    def energy(self, overlaps):
        """``E`` of the rows whose overlaps with the memories are ``overlaps``."""
        return -namespace(overlaps).sum(self._power(overlaps), axis=1)

    def drive(self, overlaps, column, state):
        """Energy drop of setting one unit to +1 rather than -1, and its scale.

        ``overlaps`` are the current ``xi^mu . s`` of the rows, ``column``
        the unit's values in the memories and ``state`` its current values.
        """
        xp = namespace(overlaps)
        rest = _without_unit(overlaps, column, state)
        plus = self._power(rest + column)
        minus = self._power(rest - column)
        return xp.sum(plus - minus, axis=1), xp.sum(plus + minus, axis=1)

    def drives_of_all_units(self, overlaps, states, memories):
        """:meth:`drive` of every unit at once, by four matrix products.

        Flipping unit i moves each overlap by 2 in a direction set by the
        unit's state and the memory's value there, so the energy terms of a
        flip are ``F(o - 2)``, ``F(o)`` and ``F(o + 2)`` of the current
        overlaps ``o``, summed over the memories with ``xi_i = +1`` or
        ``-1``. Each sum has terms of one sign, so the drive is one
        difference of two positive sums, as accurate as summing term by term.

        Returns
        -------
        energy_drop, scale : ndarray of shape (n_samples, n_units)
        """
        xp = namespace(overlaps)
        is_plus = states > 0
        at_overlap = self._power(overlaps)
        rise = self._power(overlaps + 2.0) - at_overlap
        fall = at_overlap - self._power(overlaps - 2.0)
        # A unit at +1 set to -1 lowers the overlaps of the memories with a +1
        # there (``fall``) and raises the others (``rise``); at -1, the reverse.
        (fall_plus, fall_minus), (rise_plus, rise_minus) = _sums_by_sign(
            [fall, rise], memories
        )
        energy_drop = xp.where(is_plus, fall_plus - rise_minus, rise_plus - fall_minus)
        total = 2.0 * xp.sum(at_overlap, axis=1, keepdims=True)
        scale = total + xp.where(
            is_plus, rise_minus - fall_plus, rise_plus - fall_minus
        )
        return energy_drop, scale


class ExponentialInteraction:
    """``F(x) = exp(beta x)`` (Demircigil et al., 2017), in log form.

    The energy ``E(s) = -(1/beta) log sum_mu exp(beta xi^mu . s)`` is the
    logarithm of Demircigil et al.'s ``-sum_mu exp(beta xi^mu . s)``: a
    monotone rescaling, which orders states, and hence defines minima and
    updates, exactly as the original energy, without overflow.

    Parameters
    ----------
    beta : float
        Scale of the exponent.
    """

    def __init__(self, beta):
        self.beta = beta

    @property
    def all_units_at_once(self):
        """Whether :meth:`drives_of_all_units` decides as :meth:`drive` does.

        The all-unit form scales every term by exp(-2 beta) and the decisions
        can hinge on terms exp(-2 beta) below the largest: past
        :data:`_ALL_UNITS_BETA_LIMIT` they underflow.
        """
        return self.beta <= _ALL_UNITS_BETA_LIMIT

    def energy(self, overlaps):
        """``E`` of the rows whose overlaps with the memories are ``overlaps``."""
        # The largest overlap taken out first: a large beta does not overflow.
        largest = namespace(overlaps).max(overlaps, axis=1)
        logits = shifted_logits(overlaps, self.beta)
        return -largest - logsumexp(logits, axis=1) / self.beta

    def drive(self, overlaps, column, state):
        """Energy drop of setting one unit to +1 rather than -1, and its scale.

        ``overlaps`` are the current ``xi^mu . s`` of the rows, ``column``
        the unit's values in the memories and ``state`` its current values.
        """
        xp = namespace(overlaps)
        rest = _without_unit(overlaps, column, state)
        # sum_mu exp(b(r + x)) - exp(b(r - x)) = 2 sinh(b) sum_mu x exp(b r).
        weight = xp.exp(shifted_logits(rest, self.beta))
        return weight @ column, xp.sum(weight, axis=1)

    def drives_of_all_units(self, overlaps, states, memories):
        """:meth:`drive` of every unit at once, by two matrix products.

        exp(beta r) with r the overlap without unit i is exp(beta o) times
        exp(-beta) for the memories that agree with the unit and exp(beta)
        for the others; both are scaled by exp(-beta) so that nothing
        overflows.

        Returns
        -------
        energy_drop, scale : ndarray of shape (n_samples, n_units)
        """
        xp = namespace(overlaps)
        is_plus = states > 0
        weight = xp.exp(shifted_logits(overlaps, self.beta))
        ((weight_plus, weight_minus),) = _sums_by_sign([weight], memories)
        agree = xp.where(is_plus, weight_plus, weight_minus) * float(
            np.exp(-2.0 * self.beta)
        )
        disagree = xp.where(is_plus, weight_minus, weight_plus)
        signs = 2.0 * astype(is_plus, "float64") - 1.0
        return signs * (agree - disagree), agree + disagree


# The dense rules' F, from the estimator's settings.
DENSE_INTERACTIONS = {
    "polynomial": lambda n_units, degree, beta: PolynomialInteraction(n_units, degree),
    "exponential": lambda n_units, degree, beta: ExponentialInteraction(beta),
}


def dense_interaction(rule, n_units, *, degree=3, beta=1.0):
    """The F of the dense ``rule`` ("polynomial" or "exponential")."""
    return DENSE_INTERACTIONS[rule](n_units, degree, beta)


def dense_energy(states, memories, interaction):
    """Energy ``-sum_mu F(xi^mu . s)`` of a dense associative memory.

    Parameters
    ----------
    states : ndarray of shape (n_samples, n_units)
    memories : ndarray of shape (n_memories, n_units)
    interaction : PolynomialInteraction or ExponentialInteraction
        F and its energy (see :func:`dense_interaction`).

    Returns
    -------
    energy : ndarray of shape (n_samples,)
    """
    return interaction.energy(overlaps_with(states, memories))


def _rectified(values):
    """``max(values, 0)``."""
    if is_numpy(values):
        return np.maximum(values, 0.0)
    return namespace(values).clip(values, min=0.0)


def _sums_by_sign(weights, memories):
    """``(w @ (memories > 0), w @ (memories < 0))`` of each matrix ``w``.

    The 0/1 matrices are built ``_MEMORY_BLOCK_ELEMENTS`` values at a time
    and the products summed block by block; one block gives the plain
    products.
    """
    n_memories, n_units = memories.shape
    block = max(1, _MEMORY_BLOCK_ELEMENTS // n_units)
    sums = [
        (
            zeros((w.shape[0], n_units), "float64", memories),
            zeros((w.shape[0], n_units), "float64", memories),
        )
        for w in weights
    ]
    for start in range(0, n_memories, block):
        rows = slice(start, min(start + block, n_memories))
        plus = astype(memories[rows, ...] > 0, "float64")
        minus = 1.0 - plus
        for w, (sum_plus, sum_minus) in zip(weights, sums, strict=True):
            sum_plus += w[:, rows] @ plus
            sum_minus += w[:, rows] @ minus
    return sums


def dense_recall(
    states,
    memories,
    interaction,
    *,
    order,
    update="async",
    n_sweeps=100,
    clamp=None,
):
    """Recall in a dense associative memory (polynomial or exponential F).

    ``s_i <- sign(sum_mu F(xi_i^mu + r^mu) - F(-xi_i^mu + r^mu))`` with
    ``r^mu = sum_{j != i} xi_j^mu s_j``: each unit takes the value of lower
    energy ``-sum_mu F(xi^mu . s)``. Asynchronous and synchronous sweeps and
    their stopping rules are those of
    :func:`skebm._hopfield._pairwise.pairwise_recall`, except that
    synchronous updates of a dense rule can also enter longer cycles, which
    are detected up to period ``MAX_CYCLE_PERIOD``.

    Parameters
    ----------
    states : ndarray of shape (n_samples, n_units)
        Initial +-1 states.
    memories : ndarray of shape (n_memories, n_units)
        Stored +-1 patterns.
    interaction : PolynomialInteraction or ExponentialInteraction
        F and its drives (see :func:`dense_interaction`).
    order : ndarray of shape (n_units,)
    update : {"async", "sync"}, default="async"
    n_sweeps : int, default=100
    clamp : ndarray of bool of shape (n_samples, n_units) or None

    Returns
    -------
    states : ndarray of shape (n_samples, n_units)
    status : ndarray of int of shape (n_samples,)
    """
    if is_numpy(memories):
        states = np.array(states, dtype=np.float64)
    else:
        states = astype(states, "float64")
    n_units = memories.shape[1]

    def drive(overlaps, current, unit):
        column = astype(memories[:, unit], "float64", copy=False)
        old = current[:, unit]
        energy_drop, scale = interaction.drive(overlaps, column, old)
        return _signs_keeping_ties(energy_drop, scale, old)

    if update == "sync":

        def step(current, active):
            overlaps = overlaps_with(current, memories)
            if interaction.all_units_at_once:
                energy_drop, scale = interaction.drives_of_all_units(
                    overlaps, current, memories
                )
                return _signs_keeping_ties(energy_drop, scale, current)
            new = namespace(current).zeros_like(current)
            for unit in range(n_units):
                new[:, unit] = drive(overlaps, current, unit)
            return new

        return _synchronous_loop(states, step, n_sweeps, clamp)
    if not is_numpy(memories):
        return _namespace_dense_async(states, memories, drive, order, n_sweeps, clamp)

    status = np.full(states.shape[0], SWEEP_LIMIT)
    active = np.arange(states.shape[0])
    for _ in range(n_sweeps):
        if active.size == 0:
            break
        current = states[active]
        free = None if clamp is None else ~clamp[active]
        overlaps = overlaps_with(current, memories)
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


def _namespace_dense_async(states, memories, drive, order, n_sweeps, clamp):
    """Asynchronous sweeps of :func:`dense_recall` in another namespace.

    Every row is swept and the finished ones keep their state; a row stops
    after a sweep that changes none of its units.
    """
    xp = namespace(memories)
    device = device_of(memories)
    n_samples = states.shape[0]
    status = xp.full(n_samples, SWEEP_LIMIT, device=device)
    active = xp.ones(n_samples, dtype=xp.bool, device=device)
    free = None if clamp is None else ~clamp
    wide_memories = astype(memories, "float64", copy=False)
    for _ in range(n_sweeps):
        if not bool(xp.any(active)):
            break
        overlaps = overlaps_with(states, memories)
        changed = xp.zeros(n_samples, dtype=xp.bool, device=device)
        for unit in to_numpy(order).tolist():
            old = states[:, unit]
            keep = ~active if free is None else ~(active & free[:, unit])
            new = xp.where(keep, old, drive(overlaps, states, unit))
            delta = new - old
            changed = changed | (delta != 0)
            states[:, unit] = new
            overlaps += delta[:, None] * wide_memories[:, unit][None, :]
        status = xp.where(active & ~changed, FIXED_POINT, status)
        active = active & changed
    return states, status
