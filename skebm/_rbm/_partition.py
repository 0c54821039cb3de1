"""The partition function of a restricted Boltzmann machine.

``log Z = log sum_v sum_h exp(-E(v, h))`` (an integral over ``v`` for
gaussian units) is computed exactly by enumerating the states of the smaller
binary layer and summing or integrating the other in closed form, or
estimated by annealed importance sampling (AIS, Salakhutdinov & Murray,
2008). Both work through the visible unit type's closed forms, so every unit
type gets both, and both compute in the namespace and on the device of the
parameters (in float64 where the device has it).
"""

# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

from skebm._array_api import (
    accumulation_dtype,
    astype,
    device_of,
    dtype_name,
    is_numpy,
    like,
    namespace,
    to_numpy,
    zeros,
)
from skebm._rbm._model import (
    free_energy,
    free_energy_from_activation,
    gibbs_chain,
    hidden_activation,
    sample_base_visibles,
    sample_bernoulli,
    sample_visibles,
)
from skebm._rbm._units import DRAW_DTYPE
from skebm._special import logistic_for_sampling, logsumexp, softplus

# Enumerating 2**20 states of a layer stays within a second or so for the
# models this is used on; beyond that AIS is the only practical route.
MAX_ENUMERATED_UNITS = 20
# An explicit method="exact" may enumerate this many units (16M states).
MAX_EXPLICIT_EXACT_UNITS = 24
_STATES_PER_CHUNK = 2**14


def enumerable_units(n_visible, n_hidden, units):
    """Number of binary units the exact computation must enumerate."""
    if units.binary:
        return min(n_visible, n_hidden)
    return n_hidden


def resolved_method(method, parameters):
    """``method``, with "auto" resolved for the model.

    "auto" is "exact" when the layer to enumerate has at most
    :data:`MAX_ENUMERATED_UNITS` units, "ais" otherwise.
    """
    if method != "auto":
        return method
    n_hidden, n_visible = parameters.weights.shape
    units = enumerable_units(n_visible, n_hidden, parameters.units)
    return "exact" if units <= MAX_ENUMERATED_UNITS else "ais"


def binary_states(n_units, start, stop, dtype=np.float64):
    """Rows ``start .. stop - 1`` of the table of all 2**n_units binary states."""
    codes = np.arange(start, stop, dtype=np.int64)
    bits = (codes[:, None] >> np.arange(n_units, dtype=np.int64)) & 1
    return bits.astype(dtype)


def _chunked_logsumexp(n_units, log_weight_of_states, reference):
    """``log sum exp`` of the log-weights of all states, beside ``reference``."""
    total = -np.inf
    for start in range(0, 2**n_units, _STATES_PER_CHUNK):
        stop = min(start + _STATES_PER_CHUNK, 2**n_units)
        states = like(binary_states(n_units, start, stop), reference)
        total = np.logaddexp(total, float(logsumexp(log_weight_of_states(states))))
    return float(total)


def _in_float64(parameters):
    """The parameters in float64, or in float32 on a device without float64."""
    weights = parameters.weights
    if is_numpy(weights):
        return parameters.with_arrays(
            [np.asarray(a, dtype=np.float64) for a in parameters.arrays]
        )
    xp = namespace(weights)
    wide = accumulation_dtype(xp, device_of(weights)) == xp.float64
    dtype = "float64" if wide else "float32"
    return parameters.with_arrays([astype(a, dtype) for a in parameters.arrays])


def exact_log_partition(parameters):
    """log Z by enumeration of the smaller binary layer, in float64.

    Parameters
    ----------
    parameters : RBMParameters

    Returns
    -------
    log_partition : float
    """
    parameters = _in_float64(parameters)
    weights, visible_bias, hidden_bias, units = parameters
    n_hidden, n_visible = weights.shape

    xp = namespace(weights)
    if units.binary and n_visible < n_hidden:
        # sum over v of exp(-F(v)), hidden units summed out in closed form
        def log_weight(visible):
            activation = units.interaction(visible) @ weights.T + hidden_bias
            return xp.sum(softplus(activation), axis=1) - units.energy(
                visible, visible_bias
            )

        return _chunked_logsumexp(n_visible, log_weight, weights)

    # sum over h of exp(c.h) times the visible layer's sum or integral
    def log_weight(hidden):
        return hidden @ hidden_bias + units.log_normalizer(
            hidden @ weights, visible_bias
        )

    return _chunked_logsumexp(n_hidden, log_weight, weights)


def ais_inverse_temperatures(n_betas):
    """An AIS schedule from 0 to 1, denser near 1.

    The proportions follow Salakhutdinov & Murray (2008): a twenty-ninth of the
    points on [0, 0.5], eight twenty-ninths on [0.5, 0.9], the rest on [0.9, 1].
    """
    n_first = max(int(round(n_betas * 1 / 29)), 1)
    n_second = max(int(round(n_betas * 8 / 29)), 1)
    n_third = max(n_betas - n_first - n_second, 1)
    return np.concatenate(
        [
            np.linspace(0.0, 0.5, n_first, endpoint=False),
            np.linspace(0.5, 0.9, n_second, endpoint=False),
            np.linspace(0.9, 1.0, n_third + 1),
        ]
    )


def _annealing_log_weights(parameters, states, betas, base_visible_bias, rng, callback):
    """Anneal ``states`` along ``betas``; the chains' log importance weights.

    The intermediate models have the unnormalised marginal::

        f_beta(v) = exp(-E_v(v; (1 - beta) b_A + beta b)) prod_j (1 + exp(beta a_j(v)))

    with ``a(v) = c + W s(v)``. At each inverse temperature after the first,
    a chain's weight gains ``log f_beta_k(v) - log f_beta_k-1(v)`` and then
    ``v`` takes one Gibbs transition at ``beta_k`` (none after the last).
    With ``betas`` from 0 to 1 and ``states`` drawn from the base model, the
    mean weight estimates ``Z / Z_A`` (forward AIS); from 1 to 0 with states
    drawn from the model, ``Z_A / Z`` (reverse AIS).

    Returns
    -------
    log_weights : ndarray of shape (n_chains,)
    """
    weights, visible_bias, hidden_bias, units = parameters
    xp = namespace(weights)
    # The chains live in float32: their products run twice as fast and
    # their logistic and sampling passes (as costly as the products) three
    # times, and a draw needs no more. The log-weights' terms are computed
    # and accumulated in float64 (the parameters' dtype).
    product_weights = astype(weights, "float32")
    noise = np.empty(states.shape, dtype=DRAW_DTYPE) if xp is np else None
    states = astype(states, "float32")
    # E_v(v; b1) - E_v(v; b2) = -(b1 - b2).s(v) for every unit type.
    bias_direction = visible_bias - base_visible_bias

    def bias_at(beta):
        bias = (1.0 - beta) * base_visible_bias + beta * visible_bias
        return astype(bias, "float32")

    log_weights = zeros(states.shape[0], dtype_name(weights), weights)
    for step in range(1, betas.size):
        # Python floats: a numpy scalar times another namespace's array
        # would make a numpy array.
        previous, beta = float(betas[step - 1]), float(betas[step])
        interaction = astype(units.interaction(states), "float32", copy=False)
        activation = astype(interaction @ product_weights.T, dtype_name(weights))
        activation += hidden_bias
        if xp is not np:
            # (numpy promotes float32 @ float64 itself; not every namespace does)
            interaction = astype(interaction, dtype_name(weights))
        log_weights += (beta - previous) * (interaction @ bias_direction)
        log_weights += xp.sum(softplus(beta * activation), axis=1)
        log_weights -= xp.sum(softplus(previous * activation), axis=1)
        if step == betas.size - 1:
            break
        activation *= beta
        hiddens = sample_bernoulli(
            logistic_for_sampling(astype(activation, "float32")), rng
        )
        top_down = hiddens @ product_weights
        if xp is np:
            top_down *= np.float32(beta)
        else:
            top_down = top_down * float(beta)
        states = units.sample(top_down, bias_at(beta), rng, noise, top_down)
        if callback is not None:
            callback(step, betas.size - 1)
    return log_weights


def _log_mean_and_std_error(log_weights):
    """``log mean(w)`` and ``std(w) / (mean(w) sqrt(n))``, the delta-method error."""
    xp = namespace(log_weights)
    n_chains = log_weights.shape[0]
    log_mean_weight = float(logsumexp(log_weights)) - math.log(n_chains)
    relative = xp.exp(log_weights - log_mean_weight)
    return log_mean_weight, float(xp.std(relative)) / math.sqrt(n_chains)


def _base_log_partition(parameters, base_visible_bias):
    """log Z_A of the base model: no weights, visible bias ``base_visible_bias``."""
    n_hidden, n_visible = parameters.weights.shape
    no_input = zeros((1, n_visible), dtype_name(base_visible_bias), base_visible_bias)
    log_normalizer = parameters.units.log_normalizer(no_input, base_visible_bias)
    return float(log_normalizer[0]) + n_hidden * math.log(2.0)


def _float64_base(parameters, base_visible_bias):
    """The base model's visible bias in the (float64) parameters' dtype and place."""
    weights = parameters.weights
    if is_numpy(weights):
        if base_visible_bias is None:
            return np.zeros(weights.shape[1])
        return np.asarray(base_visible_bias, dtype=np.float64)
    if base_visible_bias is None:
        return zeros(weights.shape[1], dtype_name(weights), weights)
    return like(base_visible_bias, weights, dtype=weights.dtype)


def ais_log_partition(
    parameters,
    *,
    base_visible_bias=None,
    n_chains=150,
    n_betas=8000,
    rng,
    callback=None,
):
    """Estimate log Z by annealed importance sampling.

    The chains start from a base model with the same visible units, no
    weights and visible bias ``base_visible_bias`` (for example the data's
    log-odds), whose log Z is known, and are annealed to the target model
    through the intermediate models of energy::

        E_beta(v, h) = E_v(v; (1 - beta) b_A + beta b) - beta (c.h + h.W.s(v))

    with one Gibbs transition at each inverse temperature. The estimate is
    unbiased for Z, so by Jensen's inequality it errs low for log Z: a
    stochastic lower bound.

    Returns
    -------
    log_partition : float
        The estimate log Z_A + log mean(w).
    log_partition_std : float
        Standard error of the estimate by the delta method,
        ``std(w) / (mean(w) sqrt(n_chains))``, as a judge of its reliability.
    """
    parameters = _in_float64(parameters)
    base_visible_bias = _float64_base(parameters, base_visible_bias)
    states = sample_base_visibles(n_chains, parameters, base_visible_bias, rng)
    log_weights = _annealing_log_weights(
        parameters,
        states,
        ais_inverse_temperatures(n_betas),
        base_visible_bias,
        rng,
        callback,
    )
    log_mean_weight, std_error = _log_mean_and_std_error(log_weights)
    return _base_log_partition(parameters, base_visible_bias) + log_mean_weight, (
        std_error
    )


def reverse_ais_log_partition(
    parameters,
    model_samples,
    *,
    base_visible_bias=None,
    n_betas=8000,
    rng,
    callback=None,
):
    """Estimate log Z by reverse annealing from samples of the model.

    The chains start at ``model_samples`` (visible states drawn from the
    model, for example by long Gibbs chains) and are annealed from the model
    to the base model along the schedule of :func:`ais_log_partition` run
    backwards; their mean weight estimates ``Z_A / Z`` (the reverse AIS of
    Burda, Grosse & Salakhutdinov, 2015). Unbiased for ``1 / Z`` when the
    samples are exact, the estimate errs high for log Z: with forward AIS,
    it brackets log Z.

    Returns
    -------
    log_partition : float
        The estimate log Z_A - log mean(w).
    log_partition_std : float
        Standard error of the estimate by the delta method.
    """
    parameters = _in_float64(parameters)
    base_visible_bias = _float64_base(parameters, base_visible_bias)
    if namespace(model_samples) is np:
        model_samples = np.array(model_samples, dtype=np.float64)
    log_weights = _annealing_log_weights(
        parameters,
        model_samples,
        ais_inverse_temperatures(n_betas)[::-1],
        base_visible_bias,
        rng,
        callback,
    )
    log_mean_weight, std_error = _log_mean_and_std_error(log_weights)
    return _base_log_partition(parameters, base_visible_bias) - log_mean_weight, (
        std_error
    )


def _interpolated(start, end, fraction):
    """The model ``fraction`` of the way from ``start``'s arrays to ``end``'s."""
    return start.with_arrays(
        [a + fraction * (b - a) for a, b in zip(start.arrays, end.arrays, strict=True)]
    )


def bridge_log_weights(start, end, states, *, n_steps, rng):
    """Log importance weights of annealing from one model to a nearby one.

    AIS along the straight line between the two models' arrays: the chains
    start at ``states``, visible samples of ``start``, and at each of the
    intermediate models ``theta_k = start + (k / n_steps) (end - start)``
    gain ``F_k-1(v) - F_k(v)`` and take one Gibbs transition (none after the
    last). Every unit type's model is a model at every point of the line, so
    this works for all of them. With exact samples of ``start``, the mean
    weight is unbiased for ``Z_end / Z_start``.

    Parameters
    ----------
    start, end : RBMParameters
        Models of the same shape and unit type.
    states : array of shape (n_chains, n_visible)
        Visible states drawn from ``start``.
    n_steps : int
        Number of models after ``start`` on the line, ``end`` the last.
    rng : numpy Generator, or draws in the parameters' namespace

    Returns
    -------
    log_weights : ndarray of shape (n_chains,)
        In the namespace of the parameters, in float64 where it has it.
    """
    start, end = _in_float64(start), _in_float64(end)
    states = astype(states, dtype_name(start.weights))
    log_weights = zeros(states.shape[0], dtype_name(start.weights), start.weights)
    previous = start
    for step in range(1, n_steps + 1):
        current = end if step == n_steps else _interpolated(start, end, step / n_steps)
        activation = hidden_activation(states, current)
        log_weights += free_energy(states, previous)
        if step < n_steps:
            hidden = sample_bernoulli(logistic_for_sampling(activation), rng)
        log_weights -= free_energy_from_activation(states, activation, current)
        if step < n_steps:
            states = sample_visibles(hidden, current, rng)
        previous = current
    return log_weights


def bennett_log_ratio(forward, reverse):
    """``log Z_B - log Z_A`` from annealing both ways, by Bennett's acceptance ratio.

    ``forward`` are the log weights of chains annealed from samples of A to
    B, ``reverse`` those of chains annealed from samples of B to A
    (:func:`bridge_log_weights`). One-sided, each direction's estimate errs
    by nats when the two models barely overlap; Bennett's (1976) estimate,
    the root ``d`` of ``sum_f s(w_f - d - m) = sum_r s(w_r + d + m)`` with
    ``s`` the logistic and ``m = log(n_f / n_r)``, is the one of least
    variance from both (Shirts et al. 2003 for annealed, non-equilibrium
    weights).

    Returns
    -------
    log_ratio : float
    """
    forward = np.asarray(to_numpy(forward), dtype=np.float64)
    reverse = np.asarray(to_numpy(reverse), dtype=np.float64)
    shift = math.log(forward.size / reverse.size)

    def imbalance(log_ratio):
        return (
            expit(forward - log_ratio - shift).sum()
            - expit(reverse + log_ratio + shift).sum()
        )

    if not (np.isfinite(forward).all() and np.isfinite(reverse).all()):
        return math.nan
    # The imbalance falls from n_f to -n_r as the ratio rises; 30 nats past
    # every weight, each logistic is 0 or 1 to 1e-13, which brackets the root.
    low = min(forward.min(), -reverse.max()) - shift - 30.0
    high = max(forward.max(), -reverse.min()) - shift + 30.0
    return float(brentq(imbalance, low, high, xtol=1e-8))


def log_partition(
    parameters,
    method="auto",
    *,
    n_chains,
    n_betas,
    base_visible_bias=None,
    model_hidden=None,
    rng=None,
    callback=None,
    method_name="method",
):
    """log Z and its standard error by ``method``.

    ``method`` is "exact", "ais" (forward AIS, :func:`ais_log_partition`),
    "reverse_ais" (:func:`reverse_ais_log_partition`) or "auto": exact when
    the layer to enumerate has at most :data:`MAX_ENUMERATED_UNITS` units,
    AIS otherwise. The standard error of an exact value is 0.

    Reverse AIS draws its ``n_chains`` model samples by Gibbs sampling,
    ``n_betas // 10`` steps from the hidden states ``model_hidden`` (for
    example persistent chains; repeated as needed), so that chains started
    alike spread out. ``method_name`` names the caller's parameter in errors.
    """
    n_hidden, n_visible = parameters.weights.shape
    units = enumerable_units(n_visible, n_hidden, parameters.units)
    method = resolved_method(method, parameters)
    if method == "exact":
        if units > MAX_EXPLICIT_EXACT_UNITS:
            raise ValueError(
                f"{method_name}='exact' would enumerate 2**{units} states "
                f"of a layer of {units} units; exact computation is limited "
                f"to {MAX_EXPLICIT_EXACT_UNITS} units. Use {method_name}='ais'."
            )
        return exact_log_partition(parameters), 0.0
    if method == "reverse_ais":
        chain_rows = np.arange(n_chains) % model_hidden.shape[0]
        if is_numpy(model_hidden):
            model_hidden = np.asarray(model_hidden, dtype=np.float64)
            start = model_hidden[chain_rows]
        else:
            xp = namespace(model_hidden)
            start = xp.take(model_hidden, like(chain_rows, model_hidden), axis=0)
            start = astype(start, dtype_name(_in_float64(parameters).weights))
        samples, _, _ = gibbs_chain(
            start, _in_float64(parameters), max(n_betas // 10, 1), rng
        )
        return reverse_ais_log_partition(
            parameters,
            samples,
            base_visible_bias=base_visible_bias,
            n_betas=n_betas,
            rng=rng,
            callback=callback,
        )
    return ais_log_partition(
        parameters,
        base_visible_bias=base_visible_bias,
        n_chains=n_chains,
        n_betas=n_betas,
        rng=rng,
        callback=callback,
    )
