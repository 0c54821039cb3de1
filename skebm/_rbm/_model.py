"""The mathematics of a restricted Boltzmann machine, each piece written once.

Every function takes the parameters as arrays, ``weights`` of shape
(n_hidden, n_visible), ``visible_bias`` (n_visible,) and ``hidden_bias``
(n_hidden,), and a visible unit type from :mod:`skebm._rbm._units`, which
defines the energy ``E(v, h) = E_v(v) - c.h - h.W.s(v)``. The hidden units
are binary, so they sum out in closed form::

    P(h_j = 1 | v) = logistic(c_j + W_j.s(v))
    F(v) = -log sum_h exp(-E(v, h)) = E_v(v) - sum_j softplus(c_j + W_j.s(v))

Arrays keep the dtype of their inputs so that float32 models stay float32,
and their namespace: numpy arrays run numpy's in-place code, the arrays of
other array-API namespaces the same formulas in their own (with a source of
:mod:`skebm._random` for ``rng``).
"""

# SPDX-License-Identifier: BSD-3-Clause

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from skebm._array_api import dtype_name, namespace, zeros
from skebm._rbm._units import DRAW_DTYPE
from skebm._special import logistic, softplus


class RBMParameters(NamedTuple):
    """The arrays of a model: weights, biases and the visible unit type."""

    weights: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray
    units: object

    @property
    def arrays(self):
        """Every trained array: ``[W, b, c]`` and the unit type's own."""
        return [
            self.weights,
            self.visible_bias,
            self.hidden_bias,
            *self.units.parameters,
        ]

    def with_arrays(self, arrays):
        """The same kind of model with the trained arrays ``arrays``."""
        weights, visible_bias, hidden_bias, *own = arrays
        return RBMParameters(
            weights, visible_bias, hidden_bias, self.units.with_parameters(*own)
        )


def hidden_input(interaction, weights, hidden_bias, out=None):
    """``c + W s(v)`` for rows of ``s(v)`` (dense or sparse), into ``out``."""
    # The ndarray test first: sparse.issparse is an ABC check, slow enough to
    # show on the training step of a small model.
    if not isinstance(interaction, np.ndarray) and not sp.issparse(interaction):
        return interaction @ weights.T + hidden_bias
    if not isinstance(interaction, np.ndarray):
        activation = np.asarray(interaction @ weights.T)
        if out is not None:
            out[...] = activation
            activation = out
    else:
        activation = np.matmul(interaction, weights.T, out=out)
    activation += hidden_bias
    return activation


def hidden_probabilities_of(
    interaction, weights, hidden_bias, out=None, squash=logistic
):
    """P(h_j = 1 | v) = ``squash(c_j + W_j.s(v))`` from the rows of ``s(v)``.

    The one form of P(h | v): inference passes weights with the input's
    standardisation folded in, training a faster logistic for drawing states
    (``squash``, whose ``out`` may be its input).
    """
    activation = hidden_input(interaction, weights, hidden_bias, out=out)
    return squash(activation, out=activation)


def hidden_activation(visible, parameters):
    """``c + W s(v)`` for every row of ``visible`` (dense or sparse)."""
    return hidden_input(
        parameters.units.interaction(visible),
        parameters.weights,
        parameters.hidden_bias,
    )


def hidden_probabilities(visible, parameters):
    """P(h_j = 1 | v) for every row of ``visible``."""
    return hidden_probabilities_of(
        parameters.units.interaction(visible),
        parameters.weights,
        parameters.hidden_bias,
    )


def visible_means(hidden, parameters, out=None):
    """E[v | h] for every row of ``hidden`` (states or probabilities), into ``out``."""
    if not isinstance(hidden, np.ndarray):
        top_down = hidden @ parameters.weights
        return parameters.units.mean(top_down, parameters.visible_bias)
    top_down = np.matmul(hidden, parameters.weights, out=out)
    return parameters.units.mean(top_down, parameters.visible_bias, out=top_down)


def sample_bernoulli(probabilities, rng):
    """Binary states drawn with the given probabilities, in their dtype."""
    if not isinstance(probabilities, np.ndarray):
        xp = namespace(probabilities)
        uniform = rng.uniform(probabilities.shape)
        return xp.astype(uniform < probabilities, probabilities.dtype)
    uniform = rng.random(probabilities.shape, dtype=DRAW_DTYPE)
    return np.less(uniform, probabilities).astype(probabilities.dtype)


def sample_hiddens(visible, parameters, rng):
    """Draw h ~ P(h | v)."""
    return sample_bernoulli(hidden_probabilities(visible, parameters), rng)


def sample_visibles(hidden, parameters, rng):
    """Draw v ~ P(v | h)."""
    top_down = hidden @ parameters.weights
    if not isinstance(top_down, np.ndarray):
        return parameters.units.sample(
            top_down, parameters.visible_bias, rng, None, None
        )
    return parameters.units.sample(
        top_down,
        parameters.visible_bias,
        rng,
        np.empty(top_down.shape, dtype=DRAW_DTYPE),
        top_down,
    )


def sample_base_visibles(n_samples, parameters, base_visible_bias, rng):
    """Draw visible states of the base model: the units alone, no weights.

    ``base_visible_bias`` (the data's log-odds, or zero for standardised
    units) replaces the visible bias; the units keep their variances.
    """
    weights = parameters.weights
    no_hidden = zeros((n_samples, weights.shape[0]), dtype_name(weights), weights)
    base = parameters._replace(visible_bias=base_visible_bias)
    return sample_visibles(no_hidden, base, rng)


def gibbs_chain(hidden, parameters, n_steps, rng):
    """Run ``n_steps`` alternating Gibbs steps starting from hidden states.

    Returns
    -------
    visible : ndarray of shape (n_chains, n_visible)
        The last visible sample.
    hidden_probabilities : ndarray of shape (n_chains, n_hidden)
        P(h = 1 | v) at that visible sample (the Rao-Blackwellised statistic).
    hidden : ndarray of shape (n_chains, n_hidden)
        A hidden sample drawn from those probabilities, to continue the chain.
    """
    for _ in range(n_steps):
        visible = sample_visibles(hidden, parameters, rng)
        probabilities = hidden_probabilities(visible, parameters)
        hidden = sample_bernoulli(probabilities, rng)
    return visible, probabilities, hidden


def free_energy(visible, parameters):
    """F(v) of every row of ``visible`` (dense, or sparse for binary units)."""
    return free_energy_from_activation(
        visible, hidden_activation(visible, parameters), parameters
    )


def free_energy_from_activation(visible, activation, parameters):
    """F(v) given ``activation = c + W s(v)`` of ``visible`` (numpy's overwritten)."""
    if not isinstance(activation, np.ndarray):
        energy = -namespace(activation).sum(softplus(activation), axis=1)
        return energy + parameters.units.energy(visible, parameters.visible_bias)
    energy = -softplus(activation, out=activation).sum(axis=1)
    energy += parameters.units.energy(visible, parameters.visible_bias)
    return energy


def sufficient_statistics(visible, hidden, parameters, sample_weight=None):
    """Weighted means of ``-dE/dtheta`` for every trained array.

    Parameters
    ----------
    visible : ndarray of shape (n_rows, n_visible)
    hidden : ndarray of shape (n_rows, n_hidden)
        Hidden states or probabilities matching each visible row (every
        statistic is linear in ``h``).
    parameters : RBMParameters
    sample_weight : ndarray of shape (n_rows,), default=None
        Probabilities of the rows (uniform when None); they must sum to one.

    Returns
    -------
    statistics : list of ndarray
        ``[<h s(v)'>, <s(v)>, <h>, *unit statistics]``, in the order of
        ``parameters.arrays``.
    """
    n_rows = visible.shape[0]
    if sample_weight is None:
        sample_weight = np.full(n_rows, 1.0 / n_rows)
    units = parameters.units
    interaction = np.asarray(units.interaction(visible), dtype=float)
    top_down = hidden @ parameters.weights
    return [
        (hidden * sample_weight[:, None]).T @ interaction,
        sample_weight @ interaction,
        sample_weight @ hidden,
        *units.statistics(
            visible, interaction, top_down, parameters.visible_bias, sample_weight
        ),
    ]


def log_likelihood_gradient(
    parameters,
    positive_visible,
    positive_hidden,
    negative_visible,
    negative_hidden,
    negative_weight=None,
):
    """Gradient of the mean log-likelihood with respect to ``parameters.arrays``.

    The difference of the sufficient statistics' means under the data
    (``positive_*``, with P(h | v) for each training row) and under the model
    (``negative_*``: samples, or enumerated states weighted by their model
    probabilities ``negative_weight``). This plain form is the reference the
    fused training step is tested against.

    Returns
    -------
    gradient : list of ndarray
        One array per entry of ``parameters.arrays``.
    """
    positive = sufficient_statistics(positive_visible, positive_hidden, parameters)
    negative = sufficient_statistics(
        negative_visible, negative_hidden, parameters, negative_weight
    )
    return [np.subtract(p, n) for p, n in zip(positive, negative, strict=True)]
