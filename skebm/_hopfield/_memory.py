"""Hopfield associative memories, classical and modern, as a scikit-learn estimator."""

# SPDX-License-Identifier: BSD-3-Clause

import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils import check_random_state

from skebm._array_api import (
    astype,
    check_fitted_namespace,
    copy,
    input_namespace,
    is_numpy,
    like,
    namespace,
)
from skebm._hopfield._dynamics import SWEEP_LIMIT
from skebm._hopfield._networks import NETWORKS, Settings
from skebm._hopfield._rules import nominal_capacity
from skebm._persistence import VersionedStateMixin
from skebm._sklearn_compat import (
    Interval,
    StrOptions,
    _fit_context,
    check_is_fitted,
    validate_data,
    validate_fitted_data,
)
from skebm._verbose import report_progress
from skebm.exceptions import RecallNotConvergedWarning


def _sum_may_overflow():
    """Silence the overflow of scikit-learn's first finiteness check.

    It sums X, which overflows (an "invalid value" warning) for finite data
    near the float range; its element-wise check then decides.
    """
    return np.errstate(over="ignore", invalid="ignore")


class HopfieldMemory(
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    VersionedStateMixin,
    BaseEstimator,
):
    """Associative memory: store the rows of X, recall them from noisy probes.

    :meth:`fit` stores the rows of X as memories; :meth:`predict` runs the
    network's dynamics from each row and returns the memory-like state it
    settles into, in the values of X (a feature that took two values at fit
    is recalled as one of them, exactly). Six rules are available: the classical
    pairwise networks (Hebb, Storkey, pseudo-inverse), the dense associative
    memories of Krotov and Hopfield (polynomial) and Demircigil et al.
    (exponential), and the modern continuous Hopfield network of Ramsauer et
    al. (softmax attention).

    Read more in the :ref:`User Guide <hopfield_guide>`. With scikit-learn's
    ``array_api_dispatch``, every rule stores and recalls torch or CuPy
    arrays on their device (:ref:`gpu_guide`).

    Parameters
    ----------
    rule : {"softmax", "exponential", "polynomial", "hebbian", "storkey", \
            "pseudoinverse"}, default="softmax"
        How memories are stored and recalled. ``"hebbian"``, ``"storkey"``
        and ``"pseudoinverse"`` build symmetric pairwise weights;
        ``"polynomial"`` and ``"exponential"`` keep the memories and use an
        energy that is a sum over memories of ``F(memory . state)``; these
        five have binary (+-1) states. ``"softmax"``, the default, has
        continuous states and recalls best in the benchmarks (see the
        :ref:`User Guide <hopfield_default>`).

    update : {"auto", "async", "sync"}, default="auto"
        Dynamics of the binary rules: ``"async"`` updates one unit at a time,
        sweeping the units in the fixed order ``update_order_``, and stops at
        a fixed point; ``"sync"`` updates every unit at once and stops at a
        fixed point or a cycle. ``"auto"`` is ``"async"`` for the pairwise
        rules and ``"sync"`` for ``"polynomial"`` and ``"exponential"``, which
        recall better near capacity that way (see the
        :ref:`User Guide <hopfield_dynamics>`). Ignored by ``"softmax"``.

    degree : int, default=3
        Degree ``d`` of ``F(x) = max(x, 0) ** d`` for ``rule="polynomial"``;
        at least 2 (``d = 2`` is the Hebbian network).

    beta : float, default=1.0
        Inverse temperature of ``"exponential"`` (``F(x) = exp(beta x)``) and
        ``"softmax"`` (``softmax(beta Xi s)``), acting on overlaps
        ``memory . state`` that range over ``[-n_features, n_features]``.
        Larger values separate the memories more sharply.
        Range: (0, inf).

    n_sweeps : int, default=100
        Largest number of recall sweeps: visits of every unit (binary rules)
        or softmax updates. A row usually stops well before, at a fixed point.
        Range: [1, inf).

    tol : float, default=1e-6
        ``"softmax"`` stops updating a row once no value moves by more than
        ``tol`` (on the encoded scale, where the data range is [-1, 1]).
        Range: [0, inf).

    random_state : int, RandomState instance or None, default=None
        Draws the order of the units in asynchronous sweeps. Pass an int for
        reproducible results.

    verbose : int, default=0
        When positive, :meth:`fit` and :meth:`partial_fit` print one line (in
        the format of :class:`RBMTransformer`'s epochs) with the number of
        memories, the load and the time taken.

    Attributes
    ----------
    memories_ : ndarray of shape (n_memories, n_features)
        The stored patterns in the state space: +-1 for the binary rules,
        the encoded values in [-1, 1] for ``"softmax"``. float32 when X was
        float32 at fit (recall then computes in float32), else float64.

    weights_ : ndarray of shape (n_features, n_features)
        Symmetric weights with a zero diagonal (pairwise rules only).

    thresholds_ : ndarray of shape (n_features,)
        Thresholds ``theta`` (pairwise rules only; the rules set them to 0).

    center_ : ndarray of shape (n_features,)
        Midpoint of the smallest and largest value seen of each feature.

    scale_ : ndarray of shape (n_features,)
        Half the range of each feature (0 for a constant feature).

    data_min_ : ndarray of shape (n_features,)
        Smallest value seen of each feature.

    data_max_ : ndarray of shape (n_features,)
        Largest value seen of each feature.

    binary_features_ : ndarray of bool of shape (n_features,)
        True where the feature took exactly two values in the stored rows,
        ``data_min_`` and ``data_max_``; :meth:`predict` returns one of
        these two values there, for every rule (see Notes).

    update_order_ : ndarray of shape (n_features,)
        Order of the units in an asynchronous sweep.

    load_ : float
        Number of memories per feature, ``n_memories / n_features``.

    capacity_ : float
        The rule's nominal capacity for this number of features, in
        memories (see Notes); compare ``load_`` with
        ``capacity_ / n_features_in_``. No warning is given for an over-full
        memory.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    RBMTransformer : An energy-based model with hidden units, fitted by
        maximum likelihood.

    Notes
    -----
    **Encoding.** Each feature is centred at the midpoint of its smallest and
    largest value seen and divided by half that range, so {0, 1} and +-1
    data become +-1, and grey levels 0..16 are centred at 8. The binary rules
    take the sign (a value at the midpoint gives +1); ``"softmax"`` works on
    the encoded values. A feature constant in the stored data is encoded as
    the midpoint, whatever value a probe gives it, and recalled as its
    constant. ``"softmax"`` refuses (ValueError) a probe value more than
    1e100 half-ranges from a feature's midpoint, whose overlaps and energy
    would overflow.

    **Decoding.** :meth:`predict` maps the final state ``s`` back to the
    data's values, feature by feature: a feature recalled as binary (every
    feature for the binary rules, the ``binary_features_`` for
    ``"softmax"``) becomes ``data_max_`` where ``center_ + scale_ * s`` is at
    or above the midpoint ``center_`` and ``data_min_`` below it, so {0, 1},
    +-1 or {0, 255} data recall exactly as such; the other features of
    ``"softmax"`` become ``center_ + scale_ * s``, within the stored range.
    Clamped units keep the probe's value (the nearer of the two values of a
    binary feature, the larger at the midpoint; a constant feature's
    constant). :meth:`transform` returns the continuous similarities (the
    softmax attention), which no decoding touches.

    **Energies** (``s`` a state, ``xi^mu`` the memories, ``n`` units, ``P``
    memories; lower is more memory-like):

    - pairwise rules: ``E(s) = -1/2 s'Ws - theta's``, with ``W`` built by
      Hebb's, Storkey's or the pseudo-inverse rule and ``w_ii = 0``;
    - ``"polynomial"``: ``E(s) = -sum_mu max(xi^mu . s / n, 0) ** degree``;
    - ``"exponential"``: ``E(s) = -(1/beta) log sum_mu exp(beta xi^mu . s)``;
    - ``"softmax"``: ``E(s) = -(1/beta) log sum_mu exp(beta xi^mu . s) +
      s.s / 2 + (1/beta) log P + M^2 / 2`` (``M`` the largest memory norm),
      decreased by ``s <- Xi' softmax(beta Xi s)``.

    A binary unit takes the sign of its drive, the value of lower energy; a
    unit whose drive is zero (up to rounding) keeps its state. The User Guide
    gives each rule's weights and updates.

    **Nominal capacity** (``capacity_``): hebbian ``n / (2 ln n)``, storkey
    ``n / sqrt(2 ln n)``, pseudoinverse ``n``, polynomial
    ``n^(d-1) / (2 (2d-3)!! ln n)``, exponential and softmax ``2^(n/2)``.

    References
    ----------
    .. [1] Hopfield, J. J. (1982). Neural networks and physical systems with
       emergent collective computational abilities. PNAS 79, 2554-2558.
    .. [2] Storkey, A. (1997). Increasing the capacity of a Hopfield network
       without sacrificing functionality. ICANN.
    .. [3] Personnaz, L., Guyon, I. and Dreyfus, G. (1985). Information
       storage and retrieval in spin-glass like neural networks. J. Physique
       Lett. 46, L359-L365.
    .. [4] Krotov, D. and Hopfield, J. J. (2016). Dense associative memory for
       pattern recognition. NeurIPS.
    .. [5] Demircigil, M., Heusel, J., Loewe, M., Upgang, S. and Vermet, F.
       (2017). On a model of associative memory with huge storage capacity.
       J. Stat. Phys. 168, 288-299.
    .. [6] Ramsauer, H. et al. (2021). Hopfield networks is all you need.
       ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> from skebm import HopfieldMemory
    >>> X = np.array([[1, 1, 1, 1, 0, 0, 0, 0],
    ...               [1, 0, 1, 0, 1, 0, 1, 0]])
    >>> memory = HopfieldMemory("storkey", random_state=0).fit(X)
    >>> memory.predict([[1, 1, 1, 0, 0, 0, 0, 0]])
    array([[1., 1., 1., 1., 0., 0., 0., 0.]])
    >>> memory.transform([[1, 1, 1, 0, 0, 0, 0, 0]])
    array([[1., 0.]])
    >>> modern = HopfieldMemory().fit(X)
    >>> modern.predict([[1, 0, 1, 0, 1, 0, 0, 0]]).round(3)
    array([[1., 0., 1., 0., 1., 0., 1., 0.]])
    """

    _parameter_constraints: dict = {
        "rule": [StrOptions(set(NETWORKS))],
        "update": [StrOptions({"auto", "async", "sync"})],
        "degree": [Interval(Integral, 2, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="neither")],
        "n_sweeps": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        rule="softmax",
        *,
        update="auto",
        degree=3,
        beta=1.0,
        n_sweeps=100,
        tol=1e-6,
        random_state=None,
        verbose=0,
    ):
        self.rule = rule
        self.update = update
        self.degree = degree
        self.beta = beta
        self.n_sweeps = n_sweeps
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Store the rows of X as memories.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Patterns to store: binary ({0, 1} or +-1) or real values, which
            are encoded as described in the Notes.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : HopfieldMemory
            The fitted memory.
        """
        begin = time.perf_counter()
        xp, _ = input_namespace(X)
        with _sum_may_overflow():
            X = validate_data(self, X, dtype=[xp.float64, xp.float32])
        self.update_order_ = like(
            check_random_state(self.random_state).permutation(X.shape[1]), X
        )
        self._store(X, previous=None)
        self._report("fit", begin)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Add the rows of X to the stored memories.

        ``fit(A).partial_fit(B)`` recalls exactly as ``fit(vstack([A, B]))``.
        When X widens the range of a feature, the encoding follows and the
        memories stored so far are encoded again.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Patterns to add.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : HopfieldMemory
            The updated memory.
        """
        if not hasattr(self, "memories_"):
            return self.fit(X)
        begin = time.perf_counter()
        self._check_namespace(X, "partial_fit")
        input_namespace(X)
        with _sum_may_overflow():
            X = validate_data(self, X, dtype=self.memories_.dtype, reset=False)
        self._store(X, previous=self._stored_rows)
        self._report("partial_fit", begin)
        return self

    # -------------------------------------------------------------- public API

    def predict(self, X, clamp=None):
        """Recall: the state each row settles into, on the scale of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Probes (noisy or partial patterns).

        clamp : array-like of bool of shape (n_samples, n_features), \
                default=None
            Units held at their given values during recall, for example the
            known half of an image to complete the other half.

        Returns
        -------
        X_recalled : ndarray of shape (n_samples, n_features)
            Recalled patterns in the values of the training data (see
            Decoding in the Notes): exactly ``data_min_`` or ``data_max_``
            for the binary rules and the ``binary_features_``.
        """
        self._check_namespace(X, "predict")
        X, states, clamp = self._validate_probe(X, clamp)
        return self._decode(self._recall(states, clamp), X, clamp)

    def transform(self, X):
        """Similarity of each row, after recall, to every stored memory.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Probes.

        Returns
        -------
        similarity : ndarray of shape (n_samples, n_memories)
            For the binary rules the overlap ``xi^mu . s / n_features`` in
            [-1, 1] of the recalled state ``s`` with each memory; for
            ``"softmax"`` the attention ``softmax(beta Xi s)`` on each
            memory (rows sum to one).
        """
        self._check_namespace(X, "transform")
        _, states, _ = self._validate_probe(X, None)
        states = self._recall(states, None)
        return self._network.similarity(states, self._settings())

    def energy(self, X):
        """Energy of each row, encoded (and binarised for the binary rules).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            States to evaluate.

        Returns
        -------
        energy : ndarray of shape (n_samples,)
            The rule's energy (see Notes); lower is more memory-like.
        """
        self._check_namespace(X, "energy")
        return self._energy(X)

    def score_samples(self, X):
        """Minus the energy of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            States to score.

        Returns
        -------
        score : ndarray of shape (n_samples,)
            ``-energy(X)``: higher is more memory-like.
        """
        self._check_namespace(X, "score_samples")
        return -self._energy(X)

    def score(self, X, y=None):
        """Mean of :meth:`score_samples`, the score ``GridSearchCV`` maximises.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            States to score.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        score : float
            Mean minus energy.
        """
        scores = self.score_samples(X)
        if is_numpy(scores):
            return float(np.mean(scores))
        return float(namespace(scores).mean(scores))

    # ---------------------------------------------------------------- private

    def _energy(self, X):
        _, states, _ = self._validate_probe(X, None)
        return self._network.energy(states, self._settings())

    def _store(self, X, previous):
        """Store X after ``previous`` rows (raw values) and update the network."""
        xp = namespace(X)
        low = astype(xp.min(X, axis=0), "float64")
        high = astype(xp.max(X, axis=0), "float64")
        reencode = previous is None
        if not reencode:
            widened_low = xp.minimum(self.data_min_, low)
            widened_high = xp.maximum(self.data_max_, high)
            reencode = not (
                bool(xp.all(widened_low == self.data_min_))
                and bool(xp.all(widened_high == self.data_max_))
            )
            low, high = widened_low, widened_high
        self.data_min_, self.data_max_ = low, high
        # Halves first: neither can overflow, even for data near the float
        # range, and both are exact for two values such as {0, 1}.
        self.center_ = low * 0.5 + high * 0.5
        self.scale_ = high * 0.5 - low * 0.5
        if previous is None:
            self._stored_rows = copy(X)
        elif xp is np:
            self._stored_rows = np.vstack([previous, X])
        else:
            self._stored_rows = xp.concat([previous, X])
        rows = self._stored_rows
        dtype_name = "float32" if rows.dtype == xp.float32 else "float64"
        self.binary_features_ = (low < high) & xp.all(
            (rows == astype(low, dtype_name)) | (rows == astype(high, dtype_name)),
            axis=0,
        )

        if reencode:
            # A new encoding restarts the network from every row stored.
            self._network = NETWORKS[self.rule](
                self.rule, self.update_order_, dtype=dtype_name
            )
            self._network.add(self._encode(self._stored_rows))
        else:
            self._network.add(self._encode(X))
        self.memories_ = self._network.memories
        for name, value in self._network.fitted_attributes().items():
            setattr(self, name, value)

        n_memories, n_features = self.memories_.shape
        self.load_ = n_memories / n_features
        self.capacity_ = nominal_capacity(self.rule, n_features, self.degree)
        self._n_features_out = n_memories

    def _encode(self, X):
        """Data to states: centred, scaled, and binarised for the binary rules."""
        return self._network.encode(X, self.center_, self.scale_)

    def _decode(self, states, X, clamp):
        """Recalled states to the data's values (Decoding, in the Notes)."""
        xp = namespace(states)
        if not self._network.binary_states:
            # Convex combinations of the memories: only rounding leaves [-1, 1].
            states = xp.clip(states, -1.0, 1.0)
        decoded = self.center_ + self.scale_ * astype(states, "float64", copy=False)
        if clamp is not None:
            decoded = xp.where(clamp, X, decoded)
        two_values = xp.where(decoded >= self.center_, self.data_max_, self.data_min_)
        if self._network.binary_states:
            return two_values
        # A constant feature is its constant, clamped or not.
        snapped = self.binary_features_ | ~(self.scale_ > 0)
        return xp.where(snapped, two_values, decoded)

    def _settings(self):
        """The parameters that recall, energy and similarity read."""
        return Settings(
            update=self.update,
            degree=self.degree,
            beta=self.beta,
            n_sweeps=self.n_sweeps,
            tol=self.tol,
        )

    def _validate_probe(self, X, clamp):
        """The validated probes X, their encoded states and the checked clamp."""
        check_is_fitted(self)
        xp = namespace(self.memories_)
        with _sum_may_overflow():
            X = validate_fitted_data(self, X, dtype=xp.float64)
        if clamp is not None:
            clamp = np.asarray(clamp) if xp is np else like(clamp, X)
            if clamp.dtype != (bool if xp is np else xp.bool):
                raise TypeError(
                    f"clamp must be an array of booleans; got dtype {clamp.dtype}."
                )
            if clamp.shape != X.shape:
                raise ValueError(
                    f"clamp must have the shape of X, {X.shape}; got {clamp.shape}."
                )
        return X, self._encode(X), clamp

    def _report(self, event, begin):
        if self.verbose:
            report_progress(
                self,
                event,
                time.perf_counter() - begin,
                {
                    "memories": self.memories_.shape[0],
                    "load": float(self.load_),
                    "capacity": float(self.capacity_),
                },
            )

    def _recall(self, states, clamp):
        states, status = self._network.recall(states, clamp, self._settings())
        if is_numpy(status):
            n_unsettled = int(np.count_nonzero(status == SWEEP_LIMIT))
        else:
            xp = namespace(status)
            n_unsettled = int(xp.sum(xp.astype(status == SWEEP_LIMIT, xp.int64)))
        if n_unsettled and self._network.warns_when_unsettled:
            warnings.warn(
                f"Recall of {n_unsettled} of {len(status)} rows stopped at "
                f"n_sweeps={self.n_sweeps} before settling; increase n_sweeps.",
                RecallNotConvergedWarning,
                stacklevel=3,
            )
        return states

    def _check_namespace(self, X, method):
        check_fitted_namespace(self, X, attribute="memories_", method=method)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = True
        tags.input_tags.sparse = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
