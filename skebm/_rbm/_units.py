"""Visible unit types of a restricted Boltzmann machine.

A unit type owns everything that depends on the kind of visible unit: the
part of the energy that involves the visible units alone, the statistic the
weights act on, the conditional mean and the sampler of P(v | h), the closed
form of the sum (or integral) over visible states used for exact log Z, and
the gradient statistics of its own parameters. With weights ``W`` of shape
(n_hidden, n_visible), hidden bias ``c`` and the unit type's visible energy
``E_v(v)`` and interaction ``s(v)``, the energy of a joint state is::

    E(v, h) = E_v(v) - c.h - h.W.s(v)

The interaction ``s(v)`` scales each unit by a constant (``v`` or ``v /
sigma^2``), which lets the estimator fold its standardisation into the
weights. The model's mathematics (:mod:`skebm._rbm._model`) is written once
against this interface; adding a unit type means adding one class here and an entry
in :data:`VISIBLE_UNITS`.

Every method takes and returns arrays of the dtype it is given, so that
float32 models stay float32, and of the namespace it is given: numpy arrays
run numpy's in-place code; arrays of other array-API namespaces run the same
formulas with the standard's operations, drawing from a source of
:mod:`skebm._random` where the numpy code takes a numpy Generator.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import logsumexp
from sklearn.utils.extmath import safe_sparse_dot

from skebm._array_api import namespace
from skebm._rbm._data import value_range
from skebm._special import logistic, logistic_for_sampling, softplus

# Smallest standard deviation a learned-variance unit may reach, in units of
# the standardised feature: a (near-)constant feature would otherwise drive
# its variance to zero and its log-density to infinity.
MIN_GAUSSIAN_STD = 1e-2
# Learned variances take steps this much smaller than the weights, so that the
# hidden units settle on their directions before the noise around them
# shrinks; at the full step the first directions found claim all the
# variance (on a whitened two-source mixture, half the starts ended with every
# hidden unit on one source). PyDeep's Gaussian-binary RBM uses the same ratio.
_VARIANCE_STEP_FACTOR = 0.1
# Standard deviation of the small random weights most unit types start from
# (five times Hinton's 2010 0.01: the hidden units break their symmetry
# sooner; see the user guide).
_INITIAL_WEIGHT_SCALE = 0.05
# A learned-variance model starts as a Gaussian at the data's mean with each
# hidden unit's component this likely relative to it (PyDeep's choice).
_INITIAL_COMPONENT_WEIGHT = 0.1
_LOG_2PI = float(np.log(2 * np.pi))
# Every uniform and normal draw is made in this dtype, whatever the model's,
# so that a float32 and a float64 model see the same random numbers and train
# the same model (scikit-learn's dtype-consistency promise); 24 bits are more
# than a draw compared with a probability, or added as noise, can use.
DRAW_DTYPE = np.float32


def _row_dot(X, vector):
    """``X @ vector`` as a 1-D array, for dense or sparse X."""
    if not isinstance(X, np.ndarray) and namespace(X) is not np:
        return X @ vector
    return np.asarray(safe_sparse_dot(X, vector)).ravel()


class VisibleUnits:
    """What every unit type shares: no parameters of its own by default.

    A unit type defines, on top of this, ``name`` (the value of the
    estimators' ``visible``), ``interaction(visible, out=None)`` (``s(v)``),
    ``energy(visible, bias)`` (``E_v`` of each row), ``mean(top_down, bias,
    out=None)`` (E[v | h] from ``h @ W``), ``sample(top_down, bias, rng,
    noise, out)`` and ``log_normalizer(top_down, bias)`` (``log`` of the sum
    or integral of ``exp(-E_v(v) + s(v).a)`` over v for each row ``a``);
    a unit type with trained parameters of its own overrides the methods
    below that concern them.
    """

    # The visible states can be enumerated (2**n_visible of them) for exact log Z.
    binary = False
    # The estimator standardises real-valued input (mean_, scale_) for them.
    standardized = True
    # Unbounded visible states make large steps diverge: the learning rate is
    # multiplied by this.
    step_factor = 0.1

    @property
    def parameters(self):
        """The unit type's own trained arrays (none)."""
        return []

    def statistics(self, visible, interaction, top_down, bias, row_weights):
        """``sum_r w_r (-dE/dtheta)(v_r, h_r)`` for the own parameters (none)."""
        return []

    def interaction_gradients(self, interaction, upstream, row_weights):
        """``d/dtheta sum_r w_r upstream_r.s(v_r)`` for the own parameters (none).

        The chain rule through ``s(v)``, for objectives that see the visible
        units only through the interaction (the classification RBM's
        discriminative one).
        """
        return []

    def precondition(self, gradients):
        """Turn the gradients of ``[W, b, c, *own]`` into step directions.

        The plain gradient here; a unit type may scale it (in place) by a
        positive diagonal, which keeps the fixed points and can tame the
        noise.
        """
        return gradients

    def clip(self):
        """Keep the own parameters in their valid range (nothing to keep)."""

    def with_parameters(self, *own):
        """The same unit type with its own trained arrays ``own``."""
        return type(self)(*own) if own else self

    def fitted_attributes(self):
        """The estimator's public attributes holding the own parameters (none)."""
        return {}

    @classmethod
    def from_fitted(cls, estimator):
        """The unit type with its own parameters read from ``estimator``."""
        return cls()

    @staticmethod
    def check_range(low, high, X):
        """Refuse data outside the units' support; ``[low, high]`` is part of X's.

        Any real value is accepted here.
        """

    def initial_weights(self, n_hidden, n_visible, rng, dtype):
        """Initial ``W`` and ``c``: small random weights, zero biases."""
        weights = rng.normal(0.0, _INITIAL_WEIGHT_SCALE, (n_hidden, n_visible))
        return weights.astype(dtype), np.zeros(n_hidden, dtype=dtype)


class BernoulliUnits(VisibleUnits):
    """Binary visible units: ``E_v(v) = -b.v`` and ``P(v_i = 1 | h) = s(b_i + W_i'h)``.

    ``s`` is the logistic function; the weights act on ``v`` itself.
    """

    name = "bernoulli"
    binary = True
    standardized = False
    step_factor = 1.0

    @staticmethod
    def check_range(low, high, X):
        """Refuse values outside [0, 1], naming the range of the whole X."""
        if low >= 0 and high <= 1:
            return
        low, high = value_range(X)
        raise ValueError(
            "Bernoulli visible units need X in [0, 1] (binary values or "
            f"probabilities); got values in [{low:g}, {high:g}]. Use "
            "visible='gaussian' for real-valued data."
        )

    def interaction(self, visible, out=None):
        """The statistic ``s(v)`` the weights act on: ``v``; dense or sparse."""
        return visible

    def energy(self, visible, bias):
        """``E_v(v)`` of every row (dense or sparse)."""
        return -_row_dot(visible, bias)

    def mean(self, top_down, bias, out=None):
        """E[v | h] from the top-down input ``h @ W``."""
        if not isinstance(top_down, np.ndarray):
            return logistic(top_down + bias)
        out = np.add(top_down, bias, out=out)
        return logistic(out, out=out)

    def sample(self, top_down, bias, rng, noise, out):
        """Draw v ~ P(v | h) into ``out``; ``noise`` is scratch of the same shape.

        ``noise`` has :data:`DRAW_DTYPE` and ``out`` may be ``top_down``. The
        logistic is in its tanh form, whose absolute error (1e-16) is all that
        a draw needs. Arrays of other namespaces take a source of draws for
        ``rng`` and no buffers (``noise`` and ``out`` are ignored).
        """
        if not isinstance(top_down, np.ndarray):
            xp = namespace(top_down)
            probabilities = logistic_for_sampling(top_down + bias)
            return xp.astype(rng.uniform(top_down.shape) < probabilities, bias.dtype)
        np.add(top_down, bias, out=out)
        logistic_for_sampling(out, out=out)
        rng.random(out=noise, dtype=noise.dtype)
        return np.less(noise, out, out=out, casting="unsafe")

    def log_normalizer(self, top_down, bias):
        """``log sum_v exp(-E_v(v) + s(v).a)`` for each row ``a`` of ``top_down``."""
        xp = namespace(top_down)
        return xp.sum(softplus(top_down + bias), axis=1)


class UnitVarianceGaussianUnits(VisibleUnits):
    """Gaussian visible units of variance one: ``P(v_i | h) = N(b_i + W_i'h, 1)``.

    ``E_v(v) = |v|^2 / 2 - b.v``. The choice of the feature-learning recipes
    that standardise their data and let the hidden units model the rest.
    """

    name = "gaussian_unit_variance"
    std = 1.0

    def interaction(self, visible, out=None):
        return visible

    def energy(self, visible, bias):
        return _row_sums(0.5 * visible - bias, visible)

    def mean(self, top_down, bias, out=None):
        if not isinstance(top_down, np.ndarray):
            return top_down + bias
        return np.add(top_down, bias, out=out)

    def sample(self, top_down, bias, rng, noise, out):
        if not isinstance(top_down, np.ndarray):
            return top_down + bias + _normal_like(rng, top_down)
        np.add(top_down, bias, out=out)
        rng.standard_normal(out=noise, dtype=noise.dtype)
        return np.add(out, noise, out=out)

    def log_normalizer(self, top_down, bias):
        # int exp(-v^2/2 + (b + a) v) dv = sqrt(2 pi) exp((b + a)^2 / 2)
        shifted = top_down + bias
        return 0.5 * top_down.shape[1] * _LOG_2PI + 0.5 * _row_sums(shifted, shifted)


class GaussianUnits(VisibleUnits):
    """Gaussian visible units with learned variances (Cho, Ilin & Raiko, 2011).

    ``E_v(v) = sum_i (v_i^2 / 2 - b_i v_i) / sigma_i^2`` and the weights act
    on ``v / sigma^2``, so that ``P(v_i | h) = N(b_i + W_i'h, sigma_i^2)``:
    the hidden units move the mean and each visible unit keeps its own
    variance. The variances are trained as ``z = log sigma^2``, which keeps
    them positive and makes their gradient well scaled; ``sigma`` stops at
    :data:`MIN_GAUSSIAN_STD`.

    Parameters
    ----------
    log_variance : ndarray of shape (n_visible,)
        ``log sigma^2``; updated in place by training.
    """

    name = "gaussian"

    def __init__(self, log_variance):
        self.log_variance = log_variance

    @property
    def parameters(self):
        return [self.log_variance]

    def fitted_attributes(self):
        """``std_visible_``: the deviations, which users read and may assign."""
        return {"std_visible_": self.std}

    @classmethod
    def from_fitted(cls, estimator):
        std = estimator.std_visible_
        return cls(2 * namespace(std).log(std))

    @property
    def precision(self):
        return namespace(self.log_variance).exp(-self.log_variance)

    @property
    def std(self):
        return namespace(self.log_variance).exp(0.5 * self.log_variance)

    def interaction(self, visible, out=None):
        if not isinstance(visible, np.ndarray):
            return visible * self.precision
        return np.multiply(visible, self.precision, out=out)

    def energy(self, visible, bias):
        halved = 0.5 * visible - bias
        return _row_sums(halved, self.interaction(visible))

    def mean(self, top_down, bias, out=None):
        if not isinstance(top_down, np.ndarray):
            return top_down + bias
        return np.add(top_down, bias, out=out)

    def sample(self, top_down, bias, rng, noise, out):
        if not isinstance(top_down, np.ndarray):
            xp = namespace(top_down)
            std = xp.astype(self.std, top_down.dtype)
            return top_down + bias + _normal_like(rng, top_down) * std
        np.add(top_down, bias, out=out)
        rng.standard_normal(out=noise, dtype=noise.dtype)
        np.multiply(noise, self.std.astype(noise.dtype, copy=False), out=noise)
        return np.add(out, noise, out=out)

    def log_normalizer(self, top_down, bias):
        # int exp(-(v^2/2 - (b + a) v) / s^2) dv = sqrt(2 pi) s exp((b + a)^2 / (2 s^2))
        shifted = top_down + bias
        constant = 0.5 * namespace(shifted).sum(_LOG_2PI + self.log_variance)
        return constant + 0.5 * _row_sums(shifted, shifted * self.precision)

    def statistics(self, visible, interaction, top_down, bias, row_weights):
        """``sum_r w_r (-dE/dz)(v_r, h_r)`` with ``top_down_r = h_r @ W``.

        ``-dE/dz_i = (v_i^2 / 2 - v_i (b_i + W_i'h)) / sigma_i^2``, linear in
        ``h``, so hidden probabilities may stand for hidden states.
        """
        centred = 0.5 * visible - bias - top_down
        return [row_weights @ (interaction * centred)]

    def interaction_gradients(self, interaction, upstream, row_weights):
        """``ds_i/dz_i = -s_i``: ``s(v) = v exp(-z)``."""
        return [-(row_weights @ (upstream * interaction))]

    def precondition(self, gradients):
        """Scale the steps of ``W`` and ``b`` by ``sigma^2`` per visible unit.

        Their gradients carry ``s(v) = v / sigma^2``, whose sampling noise
        grows as ``1 / sigma``: without this diagonal preconditioner a small
        variance cannot settle, and the steps depend on each unit's scale.
        With it, they come from ``v`` itself, as for unit variances. The
        variances' own steps are a tenth of the others'.
        """
        weights, visible_bias, _, log_variance = gradients
        if not isinstance(weights, np.ndarray):
            variance = namespace(weights).exp(self.log_variance)
            return [
                weights * variance,
                visible_bias * variance,
                gradients[2],
                log_variance * _VARIANCE_STEP_FACTOR,
            ]
        variance = np.exp(self.log_variance)
        np.multiply(weights, variance, out=weights)
        np.multiply(visible_bias, variance, out=visible_bias)
        np.multiply(log_variance, _VARIANCE_STEP_FACTOR, out=log_variance)
        return gradients

    def clip(self):
        if not isinstance(self.log_variance, np.ndarray):
            xp = namespace(self.log_variance)
            lowest = 2 * float(np.log(MIN_GAUSSIAN_STD))
            self.log_variance[...] = xp.clip(self.log_variance, min=lowest)
            return
        np.maximum(
            self.log_variance, 2 * np.log(MIN_GAUSSIAN_STD), out=self.log_variance
        )

    def initial_weights(self, n_hidden, n_visible, rng, dtype):
        """Hidden units in pairs of opposite weights, ``+-u``.

        The directions ``u`` are orthonormal (a fresh random orthonormal
        basis for every ``n_visible`` pairs, each further out than the last,
        from one deviation to less than two), so the start is a symmetric,
        evenly spread mixture: a Gaussian at the data's mean and, for each
        hidden unit, a component one to two standard deviations out along
        its direction, :data:`_INITIAL_COMPONENT_WEIGHT` times as likely. From
        small random weights the hidden units of a standardised (or
        whitened) data set never leave the single-Gaussian model.
        """
        n_pairs = (n_hidden + 1) // 2
        n_bases = -(-n_pairs // n_visible)
        directions = []
        while len(directions) < n_pairs:
            basis, _ = np.linalg.qr(rng.standard_normal((n_visible, n_visible)))
            # Each further basis reaches a little further (all within two
            # deviations), so that no two units start alike (identical units
            # stay identical), and many units on few features stay near the data.
            distance = 1 + (len(directions) // n_visible) / n_bases
            directions.extend(distance * basis.T)
        directions = np.array(directions[:n_pairs])
        weights = np.concatenate([directions, -directions])[:n_hidden]
        # the component of h_j alone weighs exp(c_j + |w_j|^2 / 2) at b = 0
        hidden_bias = np.log(_INITIAL_COMPONENT_WEIGHT) - 0.5 * (weights**2).sum(1)
        return weights.astype(dtype), hidden_bias.astype(dtype)


def _row_sums(left, right):
    """``sum_i left_ri right_ri`` of every row (numpy's einsum, or the standard's)."""
    if isinstance(left, np.ndarray) and isinstance(right, np.ndarray):
        return np.einsum("ij,ij->i", left, right)
    return namespace(left, right).sum(left * right, axis=1)


def _normal_like(draws, array):
    """Standard normal draws of ``array``'s shape and dtype from a draw source."""
    return namespace(array).astype(draws.normal(array.shape), array.dtype)


def _softmax_rows(logits, out=None):
    """Row-wise softmax, shifted by each row's maximum so that exp cannot overflow."""
    out = np.subtract(logits, logits.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


class LabelledUnits(VisibleUnits):
    """Feature units followed by a one-hot label: the classification RBM's layer.

    The first ``n_features`` columns are units of the type ``features``; the
    last ``n_classes`` columns are one categorical unit ``y``, a one-hot
    vector, with ``E_v([x, y]) = E_x(x) - d.y`` and ``P(y | h) =
    softmax(d + U'h)`` (``U``, the weights' last columns, and ``d``, the
    bias's last entries). The classification RBM is then an RBM on ``[x,
    y]``, and its contrastive-divergence training, Gibbs sampling and log Z
    (exact or by AIS) are those of any other unit type (Larochelle & Bengio,
    2008).

    Parameters
    ----------
    features : VisibleUnits
        The unit type of the features, which keeps its own parameters.
    n_classes : int
    """

    binary = False

    def __init__(self, features, n_classes):
        self.features = features
        self.n_classes = n_classes
        self.standardized = features.standardized
        self.step_factor = features.step_factor

    def split(self, array):
        """The features' and the label's parts of the last axis of ``array``."""
        return array[..., : -self.n_classes], array[..., -self.n_classes :]

    @property
    def parameters(self):
        return self.features.parameters

    def fitted_attributes(self):
        return self.features.fitted_attributes()

    def check_range(self, low, high, X):
        self.features.check_range(low, high, X)

    def interaction(self, visible, out=None):
        features, label = self.split(visible)
        if not self.features.parameters and out is None:
            return visible  # s(x) = x for the unit types without own parameters
        if out is None:
            out = np.empty_like(visible)
        out_features, out_label = self.split(out)
        out_features[...] = self.features.interaction(features)
        out_label[...] = label
        return out

    def energy(self, visible, bias):
        features, label = self.split(visible)
        feature_bias, label_bias = self.split(bias)
        return self.features.energy(features, feature_bias) - label @ label_bias

    def mean(self, top_down, bias, out=None):
        if out is None:
            out = np.empty_like(top_down)
        feature_bias, label_bias = self.split(bias)
        (top_features, top_label), (out_features, out_label) = (
            self.split(top_down),
            self.split(out),
        )
        self.features.mean(top_features, feature_bias, out=out_features)
        _softmax_rows(top_label + label_bias, out=out_label)
        return out

    def sample(self, top_down, bias, rng, noise, out):
        """Draw ``x ~ P(x | h)``, then the label ``y ~ P(y | h)`` as a one-hot row."""
        feature_bias, label_bias = self.split(bias)
        top_features, top_label = self.split(top_down)
        out_features, out_label = self.split(out)
        n_rows, n_features = top_features.shape
        # Generators write only into contiguous arrays: the features' noise is
        # the first n_rows * n_features entries of the scratch, not a column slice.
        feature_noise = noise.reshape(-1)[: n_rows * n_features].reshape(
            n_rows, n_features
        )
        label_probabilities = _softmax_rows(top_label + label_bias)
        self.features.sample(
            top_features, feature_bias, rng, feature_noise, out_features
        )
        uniform = rng.random((n_rows, 1), dtype=DRAW_DTYPE)
        drawn = (np.cumsum(label_probabilities, axis=1) < uniform).sum(axis=1)
        out_label[...] = 0
        out_label[np.arange(n_rows), np.minimum(drawn, self.n_classes - 1)] = 1
        return out

    def log_normalizer(self, top_down, bias):
        feature_bias, label_bias = self.split(bias)
        top_features, top_label = self.split(top_down)
        return self.features.log_normalizer(top_features, feature_bias) + logsumexp(
            top_label + label_bias, axis=1
        )

    def statistics(self, visible, interaction, top_down, bias, row_weights):
        return self.features.statistics(
            self.split(visible)[0],
            self.split(interaction)[0],
            self.split(top_down)[0],
            self.split(bias)[0],
            row_weights,
        )

    def interaction_gradients(self, interaction, upstream, row_weights):
        return self.features.interaction_gradients(
            self.split(interaction)[0], self.split(upstream)[0], row_weights
        )

    def precondition(self, gradients):
        weights, visible_bias, hidden_bias, *own = gradients
        self.features.precondition(
            [self.split(weights)[0], self.split(visible_bias)[0], hidden_bias, *own]
        )
        return gradients

    def clip(self):
        self.features.clip()

    def initial_weights(self, n_hidden, n_visible, rng, dtype):
        """The features' initial weights, then small random label weights."""
        weights, hidden_bias = self.features.initial_weights(
            n_hidden, n_visible - self.n_classes, rng, dtype
        )
        label_weights = rng.normal(
            0.0, _INITIAL_WEIGHT_SCALE, (n_hidden, self.n_classes)
        ).astype(dtype)
        return np.hstack([weights, label_weights]), hidden_bias

    def with_parameters(self, *own):
        """The same layer with the features' own parameters ``own``."""
        features = type(self.features)(*own) if own else self.features
        return LabelledUnits(features, self.n_classes)


# The values of RBMTransformer's ``visible`` parameter (other than "auto").
VISIBLE_UNITS = {
    units.name: units
    for units in (BernoulliUnits, GaussianUnits, UnitVarianceGaussianUnits)
}


def make_units(name, n_visible=None, log_variance=None, dtype=np.float64):
    """The unit type ``name``; learned variances start at ``log_variance`` (or 1)."""
    units = VISIBLE_UNITS[name]
    if units is GaussianUnits:
        if log_variance is None:
            log_variance = np.zeros(n_visible, dtype=dtype)
        return GaussianUnits(np.asarray(log_variance))
    return units()
