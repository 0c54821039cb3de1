"""Stochastic maximum-likelihood training of an RBM, apart from the estimator.

The trainer owns the optimiser's state: the momentum increments, the
persistent chains, the sparsity penalty's running activity, the step of the
previous update and the preallocated buffers. The estimator holds one and
calls :meth:`ContrastiveDivergence.step` per minibatch, as scikit-learn's MLP
holds an optimiser from ``_stochastic_optimizers.py``. The learning-rate
schedule and the parameter averages are small objects of their own.

:meth:`ContrastiveDivergence.step` computes the update of
:func:`skebm._rbm._model.log_likelihood_gradient` (preconditioned by the
unit type, see ``precondition``) fused into as few passes as possible; the
tests hold the two to each other. :class:`NamespaceContrastiveDivergence`
makes the same update on arrays of another array-API namespace.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skebm._array_api import copy, device_of, like, namespace
from skebm._persistence import generator_from_state, generator_state
from skebm._rbm._classification import discriminative_gradient
from skebm._rbm._model import hidden_probabilities_of, sample_bernoulli
from skebm._rbm._units import DRAW_DTYPE
from skebm._special import logistic_for_sampling


class LinearDecaySchedule:
    """A constant learning rate that decays linearly to zero at the end.

    Parameters
    ----------
    learning_rate : float
    decay_fraction : float
        The last fraction of training over which the rate decays; 0 keeps it
        constant.
    """

    def __init__(self, learning_rate, decay_fraction):
        self.learning_rate = learning_rate
        self.decay_fraction = decay_fraction

    def __call__(self, progress):
        """The rate after ``progress`` (from 0 to 1) of the training."""
        if self.decay_fraction == 0:
            return self.learning_rate
        return self.learning_rate * min(1.0, (1.0 - progress) / self.decay_fraction)


class ParameterAverage:
    """A running weighted average of parameter arrays (Polyak averaging).

    ``update(arrays)`` moves the average towards ``arrays`` by ``rate``: the
    plain mean of every update with the default ``rate = 1 / count``, or a
    window over the recent ones with a rate such as ``(gamma + 1) / (t +
    gamma)`` (Shamir & Zhang, 2013).
    """

    def __init__(self, arrays):
        self.arrays = [copy(a) for a in arrays]
        self.count = 1

    def update(self, arrays, rate=None):
        self.count += 1
        if rate is None:
            rate = 1.0 / self.count
        for mean, value in zip(self.arrays, arrays, strict=True):
            mean += rate * (value - mean)


class EarlyStopping:
    """Keep the best validation score and its parameters; say when to stop.

    A score counts as an improvement when it beats the best by more than
    ``tol``; training stops after ``n_iter_no_change`` scores without one.
    The best parameters are those of the highest score, improvement or not.
    """

    def __init__(self, n_iter_no_change, tol):
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.best_score = None
        self.best_arrays = None
        self.scores_without_improvement = 0

    def record(self, score, arrays):
        """Take the score of ``arrays`` (copied if best); True means stop."""
        best = self.best_score
        if best is None or score > best + self.tol:
            self.scores_without_improvement = 0
        else:
            self.scores_without_improvement += 1
        if best is None or score > best:
            self.best_score = score
            self.best_arrays = [copy(a) for a in arrays]
        return self.scores_without_improvement >= self.n_iter_no_change


def _sample_in_place(probabilities, uniform, rng, out):
    """Write Bernoulli draws with the given probabilities into ``out``."""
    rng.random(out=uniform, dtype=uniform.dtype)
    return np.less(uniform, probabilities, out=out, casting="unsafe")


def _sampling_hidden_probabilities(interaction, weights, hidden_bias, out):
    """P(h = 1 | v) from the rows of ``s(v)``, in the tanh form, into ``out``."""
    return hidden_probabilities_of(
        interaction, weights, hidden_bias, out=out, squash=logistic_for_sampling
    )


class ContrastiveDivergence:
    """CD-k or PCD-k updates of an RBM's parameters in place.

    The update of each trained array ``theta`` is ``theta <- theta +
    increment`` with ``increment = step * velocity`` and ``velocity <-
    momentum * velocity + (1 - momentum) * gradient``, a moving average of
    the gradient that keeps a step ``step`` times the gradient. Weight decay
    is decoupled from the momentum: the weights shrink by ``1 - step *
    weight_decay`` before each increment.

    Parameters
    ----------
    parameters : RBMParameters
        The model, whose arrays are updated in place.
    persistent : bool
        Persistent chains (PCD, Tieleman 2008) or chains started at the data.
    n_gibbs_steps : int
    momentum : float
    weight_decay : float
    n_chains : int
        Number of persistent chains.
    sparsity_target, sparsity_cost : float or None, float
        Hinton's (2010) sparsity penalty; None disables it.
    rng : numpy.random.Generator
    """

    def __init__(
        self,
        parameters,
        *,
        persistent,
        n_gibbs_steps,
        momentum,
        weight_decay,
        n_chains,
        sparsity_target=None,
        sparsity_cost=0.0,
        rng,
    ):
        self.parameters = parameters
        self.persistent = persistent
        self.n_gibbs_steps = n_gibbs_steps
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.sparsity_target = sparsity_target
        self.sparsity_cost = sparsity_cost
        self.rng = rng
        n_hidden = parameters.weights.shape[0]
        dtype = parameters.weights.dtype
        xp = namespace(parameters.weights)
        # (np.zeros_like and xp.zeros_like agree; creation needs the device.)
        self.increments = [xp.zeros_like(a) for a in parameters.arrays]
        if xp is np:
            self.chains = np.zeros((n_chains, n_hidden), dtype=dtype)
            self.hidden_activity = np.full(n_hidden, 0.5, dtype=dtype)
        else:
            device = device_of(parameters.weights)
            self.chains = xp.zeros((n_chains, n_hidden), dtype=dtype, device=device)
            self.hidden_activity = xp.full(n_hidden, 0.5, dtype=dtype, device=device)
        self.previous_step = None
        self._buffers = {}

    # The buffers are a cache: pickling (joblib.dump, clone across processes)
    # drops them. The generator goes as its state (see skebm._persistence).
    def __getstate__(self):
        return {**self.__dict__, "_buffers": {}, "rng": generator_state(self.rng)}

    def __setstate__(self, state):
        self.__dict__.update(state, rng=generator_from_state(state["rng"]))

    def batch_buffer(self, n_rows):
        """Rows of the training buffer where the next minibatch may be gathered."""
        return self._buffers_for(n_rows)["visible"][:n_rows]

    def _buffers_for(self, n_positive):
        n_negative = self.chains.shape[0] if self.persistent else n_positive
        n_hidden, n_visible = self.parameters.weights.shape
        dtype = self.parameters.weights.dtype
        key = (n_positive, n_negative, n_visible, n_hidden, dtype)
        buffers = self._buffers.get(key)
        if buffers is None:
            # The positive and the negative rows are stacked so that both
            # halves of the weight gradient come out of one matrix product.
            n_rows = n_positive + n_negative
            visible = np.empty((n_rows, n_visible), dtype=dtype)
            learns = bool(self.parameters.units.parameters)
            buffers = {
                "visible": visible,
                # s(v) where it differs from v (units with own parameters).
                "interaction": np.empty_like(visible) if learns else visible,
                "hidden": np.empty((n_rows, n_hidden), dtype=dtype),
                "hidden_uniform": np.empty(
                    (max(n_negative, n_positive), n_hidden), dtype=DRAW_DTYPE
                ),
                "visible_noise": np.empty((n_negative, n_visible), dtype=DRAW_DTYPE),
                "weight_gradient": np.empty((n_hidden, n_visible), dtype=dtype),
                # Their weighted sum is the difference of data and model means.
                "row_weights": np.concatenate(
                    [
                        np.full(n_positive, 1.0 / n_positive),
                        np.full(n_negative, -1.0 / n_negative),
                    ]
                ).astype(dtype),
            }
            self._buffers[key] = buffers
        return buffers

    def step(self, batch, step):
        """One update from the minibatch ``batch`` with learning rate ``step``.

        Parameters
        ----------
        batch : ndarray of shape (n_rows, n_visible)
            The (standardised, dense) training rows; may be
            :meth:`batch_buffer`.
        step : float

        Returns
        -------
        finite : bool
            False when the update made the parameters infinite or NaN.
        """
        buffers = self._buffers_for(batch.shape[0])
        self._run_chains(batch, buffers)
        gradients = self._scaled_gradients(batch.shape[0], buffers, step)
        self._apply(self.parameters.units.precondition(gradients), step)
        return self._finite()

    def _finite(self):
        """False when the last update made the parameters infinite or NaN."""
        # A sum is finite only if every term is: two reductions check all.
        # Numpy's warnings on the way to NaN are the caller's to silence (the
        # estimators turn divergence into one clear error).
        return bool(
            np.isfinite(np.add.reduce(self.increments[1]))
            and np.isfinite(np.add.reduce(self.increments[2]))
        )

    def _run_chains(self, batch, buffers):
        """Stack the data and the chains' next states, with P(h | v) of both.

        The first rows of each buffer get the minibatch, the others the
        negative (model) samples of CD-k or PCD-k; ``self.chains`` moves on.
        """
        weights, visible_bias, hidden_bias, units = self.parameters
        rng = self.rng
        n_positive = batch.shape[0]
        stacked_visible = buffers["visible"]
        stacked_interaction = buffers["interaction"]
        stacked_hidden = buffers["hidden"]
        hidden_uniform = buffers["hidden_uniform"]
        n_negative = stacked_visible.shape[0] - n_positive
        positive_visible = stacked_visible[:n_positive]
        negative_visible = stacked_visible[n_positive:]
        positive_interaction = stacked_interaction[:n_positive]
        negative_interaction = stacked_interaction[n_positive:]
        positive_hidden = stacked_hidden[:n_positive]
        negative_hidden = stacked_hidden[n_positive:]
        separate_interaction = stacked_interaction is not stacked_visible
        hidden_states = np.empty((n_negative, weights.shape[0]), dtype=weights.dtype)

        if not np.may_share_memory(batch, positive_visible):
            positive_visible[...] = batch
        if separate_interaction:
            units.interaction(positive_visible, out=positive_interaction)
        if self.persistent:
            # The data's hidden probabilities are not needed before the last
            # Gibbs step: they come out of its product, stacked with the chains'.
            hidden_states[...] = self.chains
        else:
            _sampling_hidden_probabilities(
                positive_interaction, weights, hidden_bias, positive_hidden
            )
            _sample_in_place(
                positive_hidden, hidden_uniform[:n_positive], rng, hidden_states
            )

        for gibbs_step in range(self.n_gibbs_steps):
            np.matmul(hidden_states, weights, out=negative_visible)
            units.sample(
                negative_visible,
                visible_bias,
                rng,
                buffers["visible_noise"],
                negative_visible,
            )
            if separate_interaction:
                units.interaction(negative_visible, out=negative_interaction)
            if self.persistent and gibbs_step == self.n_gibbs_steps - 1:
                _sampling_hidden_probabilities(
                    stacked_interaction, weights, hidden_bias, stacked_hidden
                )
            else:
                _sampling_hidden_probabilities(
                    negative_interaction, weights, hidden_bias, negative_hidden
                )
            _sample_in_place(
                negative_hidden, hidden_uniform[:n_negative], rng, hidden_states
            )
        self.chains = hidden_states

    def _scaled_gradients(self, n_positive, buffers, step):
        """``step * (1 - momentum)`` times each array's gradient (in buffers)."""
        weights, visible_bias, _, units = self.parameters
        stacked_visible = buffers["visible"]
        stacked_interaction = buffers["interaction"]
        stacked_hidden = buffers["hidden"]
        row_weights = buffers["row_weights"]
        n_negative = stacked_visible.shape[0] - n_positive
        positive_hidden = stacked_hidden[:n_positive]
        negative_hidden = stacked_hidden[n_positive:]

        unit_statistics = []
        if stacked_interaction is not stacked_visible:
            unit_statistics = units.statistics(
                stacked_visible,
                stacked_interaction,
                stacked_hidden @ weights,
                visible_bias,
                row_weights,
            )
        if self.sparsity_target is not None:
            activity = self.hidden_activity
            activity *= 0.9
            activity += 0.1 * np.add.reduce(positive_hidden, axis=0) / n_positive
            penalty = self.sparsity_cost * (self.sparsity_target - activity)

        # The hidden rows are scaled so that one product gives
        # step * (1 - momentum) * (<h s'>_data - <h s'>_model) and their sum
        # the same multiple of <h>_data - <h>_model.
        gradient_scale = step * (1.0 - self.momentum)
        np.multiply(positive_hidden, gradient_scale / n_positive, out=positive_hidden)
        np.multiply(negative_hidden, -gradient_scale / n_negative, out=negative_hidden)
        weight_gradient = buffers["weight_gradient"]
        np.matmul(stacked_hidden.T, stacked_interaction, out=weight_gradient)
        visible_gradient = np.matmul(row_weights, stacked_interaction)
        visible_gradient *= gradient_scale
        hidden_gradient = np.add.reduce(stacked_hidden, axis=0)
        if self.sparsity_target is not None:
            hidden_gradient += gradient_scale * penalty
            positive_mean = np.add.reduce(stacked_interaction[:n_positive], axis=0)
            weight_gradient += gradient_scale * np.outer(
                penalty, positive_mean / n_positive
            )
        return [
            weight_gradient,
            visible_gradient,
            hidden_gradient,
            *(gradient_scale * statistic for statistic in unit_statistics),
        ]

    def _apply(self, gradients, step):
        """Move the momentum increments, then the parameters by them."""
        previous = self.previous_step
        decay_increments = self.momentum * (step / previous if previous else 0.0)
        for increment, gradient in zip(self.increments, gradients, strict=True):
            np.multiply(increment, decay_increments, out=increment)
            np.add(increment, gradient, out=increment)
        if self.weight_decay:
            weights = self.parameters.weights
            np.multiply(weights, 1.0 - step * self.weight_decay, out=weights)
        for array, increment in zip(
            self.parameters.arrays, self.increments, strict=True
        ):
            np.add(array, increment, out=array)
        self.parameters.units.clip()
        self.previous_step = step


class NamespaceContrastiveDivergence(ContrastiveDivergence):
    """:class:`ContrastiveDivergence` on arrays of another array-API namespace.

    The same update, written with the standard's operations: no buffers and
    no ``out=`` (the standard has neither), one product per half of the
    weight gradient. ``rng`` is a source of draws of :mod:`skebm._random`;
    a numpy-backed one draws the numbers, in the order, that the numpy step
    draws, so that the two steps agree to rounding.
    """

    def __getstate__(self):
        return {**self.__dict__, "_buffers": {}}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def batch_buffer(self, n_rows):  # pragma: no cover - the estimator takes rows
        raise NotImplementedError("Arrays of other namespaces have no buffers.")

    def step(self, batch, step):
        xp = namespace(batch)
        weights, visible_bias, hidden_bias, units = self.parameters
        rng = self.rng

        positive_interaction = units.interaction(batch)
        positive_hidden = hidden_probabilities_of(
            positive_interaction, weights, hidden_bias, squash=logistic_for_sampling
        )
        hidden_states = self.chains
        if not self.persistent:
            hidden_states = sample_bernoulli(positive_hidden, rng)
        for _ in range(self.n_gibbs_steps):
            negative_visible = units.sample(
                hidden_states @ weights, visible_bias, rng, None, None
            )
            negative_interaction = units.interaction(negative_visible)
            negative_hidden = hidden_probabilities_of(
                negative_interaction, weights, hidden_bias, squash=logistic_for_sampling
            )
            hidden_states = sample_bernoulli(negative_hidden, rng)
        self.chains = hidden_states

        n_positive, n_negative = batch.shape[0], negative_visible.shape[0]
        visible = xp.concat([batch, negative_visible])
        interaction = xp.concat([positive_interaction, negative_interaction])
        hidden = xp.concat([positive_hidden, negative_hidden])
        row_weights = self._row_weights(n_positive, n_negative)
        unit_statistics = []
        if units.parameters:
            unit_statistics = units.statistics(
                visible, interaction, hidden @ weights, visible_bias, row_weights
            )
        gradient_scale = step * (1.0 - self.momentum)
        scaled_hidden = hidden * (row_weights * gradient_scale)[:, None]
        weight_gradient = scaled_hidden.T @ interaction
        visible_gradient = (row_weights @ interaction) * gradient_scale
        hidden_gradient = xp.sum(scaled_hidden, axis=0)
        if self.sparsity_target is not None:
            activity = 0.9 * self.hidden_activity
            activity += 0.1 * xp.sum(positive_hidden, axis=0) / n_positive
            self.hidden_activity = activity
            penalty = self.sparsity_cost * (self.sparsity_target - activity)
            hidden_gradient += gradient_scale * penalty
            positive_mean = xp.sum(positive_interaction, axis=0) / n_positive
            weight_gradient += gradient_scale * (penalty[:, None] * positive_mean)
        gradients = units.precondition(
            [
                weight_gradient,
                visible_gradient,
                hidden_gradient,
                *(gradient_scale * statistic for statistic in unit_statistics),
            ]
        )
        self._apply_in_namespace(gradients, step)
        return bool(
            xp.all(xp.isfinite(self.increments[1]))
            and xp.all(xp.isfinite(self.increments[2]))
        )

    def _row_weights(self, n_positive, n_negative):
        """``1 / n_positive`` on the data's rows, ``-1 / n_negative`` on the chains'."""
        key = (n_positive, n_negative)
        if key not in self._buffers:
            weights = self.parameters.weights
            row_weights = np.concatenate(
                [
                    np.full(n_positive, 1.0 / n_positive),
                    np.full(n_negative, -1.0 / n_negative),
                ]
            )
            self._buffers[key] = like(row_weights, weights, dtype=weights.dtype)
        return self._buffers[key]

    def _apply_in_namespace(self, gradients, step):
        """:meth:`ContrastiveDivergence._apply`, each array updated in place."""
        previous = self.previous_step
        decay_increments = self.momentum * (step / previous if previous else 0.0)
        self.increments = [
            increment * decay_increments + gradient
            for increment, gradient in zip(self.increments, gradients, strict=True)
        ]
        if self.weight_decay:
            weights = self.parameters.weights
            weights[...] = weights * (1.0 - step * self.weight_decay)
        for array, increment in zip(
            self.parameters.arrays, self.increments, strict=True
        ):
            array[...] = array + increment
        self.parameters.units.clip()
        self.previous_step = step


class ClassificationTrainer(ContrastiveDivergence):
    """Updates of a classification RBM: discriminative, generative or hybrid.

    The model is an RBM on ``[x, y]`` with :class:`~skebm._rbm._units.LabelledUnits`
    and each minibatch row holds the features then the one-hot label. The
    step follows the gradient of ``log p(y | x)`` (exact, see
    :func:`~skebm._rbm._classification.discriminative_gradient`) when
    ``discriminative``, plus ``generative_weight`` times the CD/PCD estimate
    of the gradient of ``log p(x, y)``: the hybrid objective of Larochelle &
    Bengio (2008). Momentum, weight decay and preconditioning are those of
    :class:`ContrastiveDivergence`.

    Parameters
    ----------
    parameters : RBMParameters
    discriminative : bool
    generative_weight : float
        0 trains the discriminative objective alone (no chains are run).
    **settings
        The other parameters of :class:`ContrastiveDivergence`.
    """

    def __init__(self, parameters, *, discriminative, generative_weight, **settings):
        super().__init__(parameters, **settings)
        self.discriminative = discriminative
        self.generative_weight = generative_weight

    def step(self, batch, step):
        n_rows = batch.shape[0]
        gradients = None
        if self.generative_weight:
            buffers = self._buffers_for(n_rows)
            self._run_chains(batch, buffers)
            gradients = self._scaled_gradients(
                n_rows, buffers, step * self.generative_weight
            )
        if self.discriminative:
            features, targets = self.parameters.units.split(batch)
            discriminative = discriminative_gradient(features, targets, self.parameters)
            scale = step * (1.0 - self.momentum)
            if gradients is None:
                gradients = [np.multiply(g, scale, out=g) for g in discriminative]
            else:
                for total, part in zip(gradients, discriminative, strict=True):
                    total += scale * part
        self._apply(self.parameters.units.precondition(gradients), step)
        return self._finite()
