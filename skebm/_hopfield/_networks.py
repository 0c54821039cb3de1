"""One object per family of Hopfield rules: what a fitted memory stores.

:class:`~skebm.HopfieldMemory` keeps one of these as its private ``_network``,
chosen from :data:`NETWORKS` by its ``rule``; everything that differs between
the families (how data become states, what is stored, how states are
recalled, the energy and the similarity to the memories) is a method here,
and the estimator only validates, delegates and reports.

A network is built at fit with the rule and the sweep order; storing adds
encoded patterns (``add``). The parameters that the estimator reads at each
call (``update``, ``degree``, ``beta``, ``n_sweeps``, ``tol``) come with every
recall, energy and similarity as a :class:`Settings`, so a network holds only
what storing produced, and a parameter set after fit acts as it always has.
"""

# SPDX-License-Identifier: BSD-3-Clause

from typing import NamedTuple

import numpy as np

from skebm._array_api import astype, is_numpy, namespace, zeros
from skebm._hopfield._dense import dense_energy, dense_interaction, dense_recall
from skebm._hopfield._pairwise import pairwise_energy, pairwise_recall
from skebm._hopfield._rules import (
    hebbian_correlation,
    pseudoinverse_weights,
    storkey_weights,
)
from skebm._hopfield._softmax import softmax_attention, softmax_energy, softmax_recall

# Largest n_features for which a pairwise network keeps a reordered copy of
# its weights (128 MB in float64).
_KEEP_ORDERED_WEIGHTS_UP_TO = 4096

# The dense and softmax networks recall, score and compare probes in chunks of
# rows whose (rows x memories) and (rows x features) matrices hold at most this
# many values (32 MB in float64), so that their working memory does not grow
# with the number of probes.
_PROBE_CHUNK_ELEMENTS = 2**22

# Largest magnitude of an encoded softmax state (the data's range is [-1, 1]):
# squares and overlaps of states up to this size stay far from overflow.
_LARGEST_SOFTMAX_STATE = 1e100


class Settings(NamedTuple):
    """The estimator's parameters that recall, energy and similarity read."""

    update: str = "auto"
    degree: int = 3
    beta: float = 1.0
    n_sweeps: int = 100
    tol: float = 1e-6


class _Network:
    """A family's fitted network: the rule, the sweep order and the memories.

    Parameters
    ----------
    rule : str
        The estimator's ``rule``.
    order : ndarray of shape (n_features,)
        Order of the units in an asynchronous sweep.
    dtype : {np.float64, np.float32}, default=np.float64
        dtype of the stored memories.
    """

    def __init__(self, rule, order, dtype=np.float64):
        self.rule = rule
        self.order = order
        self.dtype = np.dtype(dtype)
        self.memories = None

    # The dtype is pickled as its name: skops.io then has no numpy type for
    # the user to trust.
    def __getstate__(self):
        return {**self.__dict__, "dtype": self.dtype.str}

    def __setstate__(self, state):
        self.__dict__.update(state, dtype=np.dtype(state["dtype"]))

    def add(self, patterns):
        """Store encoded patterns after those stored so far; return self."""
        if not is_numpy(patterns):
            patterns = astype(patterns, self.dtype.name, copy=False)
            if self.memories is not None:
                patterns = namespace(patterns).concat([self.memories, patterns])
            self.memories = patterns
            return self
        patterns = np.asarray(patterns, dtype=self.dtype)
        self.memories = (
            patterns if self.memories is None else np.vstack([self.memories, patterns])
        )
        return self

    def _in_chunks(self, function, states, clamp=None):
        """``function(states, clamp)`` on chunks of rows, the results stacked.

        A chunk has about ``_PROBE_CHUNK_ELEMENTS / max(n_memories,
        n_features)`` rows (recall also holds a few rows x features arrays);
        the result of a row does not depend on the other rows.
        """
        chunk = max(1, _PROBE_CHUNK_ELEMENTS // max(self.memories.shape))
        n_samples = states.shape[0]
        if n_samples <= chunk:
            return function(states, clamp)
        bounds = [
            slice(start, min(start + chunk, n_samples))
            for start in range(0, n_samples, chunk)
        ]
        results = [
            function(states[rows, ...], None if clamp is None else clamp[rows, ...])
            for rows in bounds
        ]
        concatenate = np.concatenate if is_numpy(states) else namespace(states).concat
        if isinstance(results[0], tuple):
            return tuple(concatenate(parts) for parts in zip(*results, strict=True))
        return concatenate(results)

    def fitted_attributes(self):
        """Public fitted attributes of this family beyond ``memories_``."""
        return {}


class _BinaryNetwork(_Network):
    """What the binary (+-1) families share: encoding, similarity, dynamics."""

    # The update that ``update="auto"`` stands for.
    auto_update = "async"
    # Binary dynamics always settle (async) or cycle (sync) unless n_sweeps is
    # too small, so a row stopped by n_sweeps deserves a warning.
    warns_when_unsettled = True
    # Recalled states are +-1 only.
    binary_states = True

    @staticmethod
    def encode(X, center, scale):
        """Data to +-1 states: the sign of ``X - center`` (+1 at the midpoint).

        A feature constant in the data (``scale`` 0) carries no information
        and is +1.
        """
        # The sign of X - center, without the arithmetic (a third of the time
        # of recalling a probe in a large pairwise network).
        positive = X >= center
        positive |= ~(scale > 0)
        encoded = astype(positive, "float64")
        encoded *= 2.0
        encoded -= 1.0
        return encoded

    def similarity(self, states, settings):
        """Overlap ``xi^mu . s / n`` of each state with each memory.

        In the memories' dtype: the +-1 overlaps are exact in float32 too.
        """
        overlaps = astype(states, self.dtype.name, copy=False) @ self.memories.T
        overlaps /= self.memories.shape[1]
        return overlaps

    def _update(self, settings):
        """The update that ``settings.update`` stands for."""
        return self.auto_update if settings.update == "auto" else settings.update


class PairwiseNetwork(_BinaryNetwork):
    """Hebb, Storkey or pseudo-inverse weights, recalled through ``W s + theta``.

    Attributes
    ----------
    weights : ndarray of shape (n_features, n_features)
    thresholds : ndarray of shape (n_features,)
    weights_in_order : ndarray of shape (n_features, n_features) or None
        ``weights`` in sweep order, kept up to ``_KEEP_ORDERED_WEIGHTS_UP_TO``
        features.
    """

    def __init__(self, rule, order, dtype=np.float64):
        super().__init__(rule, order, dtype)
        self.weights = None
        self.thresholds = None
        self.weights_in_order = None
        self._correlation = None

    def _hebbian(self, added):
        # The integer correlation is kept so that adding patterns later gives
        # bit for bit the weights of storing them all at once.
        self._correlation = hebbian_correlation(added, self._correlation)
        return self._correlation / added.shape[1]

    def _storkey(self, added):
        return storkey_weights(added, self.weights)

    def _pseudoinverse(self, added):
        return pseudoinverse_weights(self.memories)

    _WEIGHT_RULES = {
        "hebbian": _hebbian,
        "storkey": _storkey,
        "pseudoinverse": _pseudoinverse,
    }

    def add(self, patterns):
        super().add(patterns)
        self.weights = self._WEIGHT_RULES[self.rule](self, patterns)
        n_features = patterns.shape[1]
        self.thresholds = zeros(n_features, "float64", patterns)
        # Asynchronous sweeps take the weights in the order of the sweep.
        # Reordering them per recall costs about four products of one probe,
        # so small recalls want it kept; past a size the copy's memory matters
        # more, and each recall reorders. (Other namespaces sweep unit by unit.)
        order = self.order
        self.weights_in_order = (
            self.weights[np.ix_(order, order)]
            if n_features <= _KEEP_ORDERED_WEIGHTS_UP_TO and is_numpy(self.weights)
            else None
        )
        return self

    def fitted_attributes(self):
        return {"weights_": self.weights, "thresholds_": self.thresholds}

    def recall(self, states, clamp, settings):
        return pairwise_recall(
            states,
            self.weights,
            self.thresholds,
            order=self.order,
            update=self._update(settings),
            n_sweeps=settings.n_sweeps,
            clamp=clamp,
            weights_in_order=self.weights_in_order,
        )

    def energy(self, states, settings):
        return pairwise_energy(states, self.weights, self.thresholds)


class DenseNetwork(_BinaryNetwork):
    """Polynomial or exponential dense associative memory on the memories.

    Near a dense rule's capacity the first units of an asynchronous sweep see
    a probe still far from its memory, and their errors compound; a
    synchronous step computes every unit from the probe itself, so
    ``update="auto"`` is synchronous here.
    """

    auto_update = "sync"

    def _interaction(self, settings):
        return dense_interaction(
            self.rule,
            self.memories.shape[1],
            degree=settings.degree,
            beta=settings.beta,
        )

    def recall(self, states, clamp, settings):
        interaction = self._interaction(settings)

        def recall_chunk(chunk, chunk_clamp):
            return dense_recall(
                chunk,
                self.memories,
                interaction,
                order=self.order,
                update=self._update(settings),
                n_sweeps=settings.n_sweeps,
                clamp=chunk_clamp,
            )

        return self._in_chunks(recall_chunk, states, clamp)

    def energy(self, states, settings):
        interaction = self._interaction(settings)

        def energy_of_chunk(chunk, _):
            return dense_energy(chunk, self.memories, interaction)

        return self._in_chunks(energy_of_chunk, states)


class SoftmaxNetwork(_Network):
    """The modern continuous Hopfield network: attention over the memories.

    States are continuous (the encoded values), and recall ignores
    ``update`` and the sweep order.
    """

    # Softmax may approach a metastable state slowly, and its state after
    # n_sweeps is the answer, not a failure.
    warns_when_unsettled = False
    # Recalled states are continuous (convex combinations of the memories).
    binary_states = False

    @staticmethod
    def encode(X, center, scale):
        """Data to states: centred and divided by half the range.

        A feature constant in the data sits at the midpoint, 0, whatever
        value a probe gives it. A value more than ``_LARGEST_SOFTMAX_STATE``
        half-ranges from the midpoint raises a ValueError.
        """
        varies = scale > 0
        xp = namespace(X)
        with np.errstate(over="ignore"):
            # Halves first, so that X - center cannot overflow; halving is
            # exact, so the result is (X - center) / scale to the last bit.
            encoded = X * 0.5 - center * 0.5
            encoded /= xp.where(varies, scale, 1.0)
            encoded *= 2.0
        if xp is np:
            encoded[:, ~varies] = 0.0
        else:
            encoded = xp.where(varies, encoded, 0.0)
        too_far = ~(xp.abs(encoded) <= _LARGEST_SOFTMAX_STATE)
        if bool(xp.any(too_far)):
            rows, features = xp.nonzero(too_far)
            row, feature = int(rows[0]), int(features[0])
            raise ValueError(
                f"X[{row}, {feature}] = {X[row, feature]:.6g} lies too far from "
                f"the values stored for feature {feature} (midpoint "
                f"{center[feature]:.6g}, half-range {scale[feature]:.6g}): "
                "rule='softmax' accepts values within "
                f"{_LARGEST_SOFTMAX_STATE:g} half-ranges of the midpoint."
            )
        return encoded

    def similarity(self, states, settings):
        """Attention ``softmax(beta Xi s)`` of each state on each memory."""

        def attention_of_chunk(chunk, _):
            return softmax_attention(chunk, self.memories, settings.beta)

        return self._in_chunks(attention_of_chunk, states)

    def recall(self, states, clamp, settings):
        def recall_chunk(chunk, chunk_clamp):
            return softmax_recall(
                chunk,
                self.memories,
                settings.beta,
                n_sweeps=settings.n_sweeps,
                tol=settings.tol,
                clamp=chunk_clamp,
            )

        return self._in_chunks(recall_chunk, states, clamp)

    def energy(self, states, settings):
        def energy_of_chunk(chunk, _):
            return softmax_energy(chunk, self.memories, settings.beta)

        return self._in_chunks(energy_of_chunk, states)


# The family of each rule, as HopfieldMemory's ``rule`` names it.
NETWORKS = {
    "hebbian": PairwiseNetwork,
    "storkey": PairwiseNetwork,
    "pseudoinverse": PairwiseNetwork,
    "polynomial": DenseNetwork,
    "exponential": DenseNetwork,
    "softmax": SoftmaxNetwork,
}
