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

from skebm._hopfield_dynamics import (
    SWEEP_LIMIT,
    dense_energy,
    dense_recall,
    pairwise_energy,
    pairwise_recall,
    softmax_attention,
    softmax_energy,
    softmax_recall,
)
from skebm._hopfield_rules import (
    hebbian_correlation,
    nominal_capacity,
    pseudoinverse_weights,
    storkey_weights,
)
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

_PAIRWISE_RULES = ("hebbian", "storkey", "pseudoinverse")
_DENSE_RULES = ("polynomial", "exponential")
# Largest n_features for which fit keeps a reordered copy of the pairwise
# weights (128 MB in float64).
_KEEP_ORDERED_WEIGHTS_UP_TO = 4096


class HopfieldMemory(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Associative memory: store the rows of X, recall them from noisy probes.

    :meth:`fit` stores the rows of X as memories; :meth:`predict` runs the
    network's dynamics from each row and returns the memory-like state it
    settles into, on the scale of X. Six rules are available: the classical
    pairwise networks (Hebb, Storkey, pseudo-inverse), the dense associative
    memories of Krotov and Hopfield (polynomial) and Demircigil et al.
    (exponential), and the modern continuous Hopfield network of Ramsauer et
    al. (softmax attention).

    Parameters
    ----------
    rule : {"softmax", "exponential", "polynomial", "hebbian", "storkey", \
            "pseudoinverse"}, default="softmax"
        How memories are stored and recalled. ``"hebbian"``, ``"storkey"``
        and ``"pseudoinverse"`` build symmetric pairwise weights;
        ``"polynomial"`` and ``"exponential"`` keep the memories and use an
        energy that is a sum over memories of ``F(memory . state)``; these
        five have binary (+-1) states. ``"softmax"`` has continuous states.
        See Notes for why the default is ``"softmax"``.

    update : {"auto", "async", "sync"}, default="auto"
        Dynamics of the binary rules: ``"async"`` updates one unit at a time,
        sweeping the units in the fixed order ``update_order_``, and stops at
        a fixed point; ``"sync"`` updates every unit at once and stops at a
        fixed point or a cycle. ``"auto"`` is ``"async"`` for the pairwise
        rules and ``"sync"`` for ``"polynomial"`` and ``"exponential"`` (see
        Notes). Ignored by ``"softmax"``.

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
        the encoded values in [-1, 1] for ``"softmax"``.

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
    constant. :meth:`predict` maps the
    recalled state back: {0, 1} data recalls as {0, 1}, grey levels as the
    two extremes (binary rules) or values between them (softmax).

    **Energies and updates** (``s`` a state, ``xi^mu`` the memories, ``n``
    units, ``P`` memories):

    - pairwise rules: ``E(s) = -1/2 s'Ws - theta's``, and each update
      ``s_i <- sign(sum_j w_ij s_j + theta_i)`` never raises it. Hebb:
      ``w_ij = (1/n) sum_mu xi_i^mu xi_j^mu``. Storkey: for each new
      pattern, ``w_ij += (xi_i xi_j - xi_i h_ji - h_ij xi_j) / n`` with
      ``h_ij = sum_{k != i, j} w_ik xi_k``. Pseudo-inverse: the projection
      ``Xi' (Xi Xi')^+ Xi`` onto the span of the memories. All with
      ``w_ii = 0``.
    - ``"polynomial"``: ``E(s) = -sum_mu F(xi^mu . s / n)`` with
      ``F(x) = max(x, 0) ** degree`` (Krotov and Hopfield's energy divided by
      ``n ** degree``, which keeps it finite).
    - ``"exponential"``: ``E(s) = -(1/beta) log sum_mu exp(beta xi^mu . s)``,
      the logarithm of Demircigil et al.'s ``-sum_mu exp(beta xi^mu . s)``,
      which overflows beyond about ``700 / beta`` units.
    - the dense rules update ``s_i <- sign(sum_mu F(xi_i^mu + r^mu) -
      F(-xi_i^mu + r^mu))``, ``r^mu = sum_{j != i} xi_j^mu s_j``: each unit
      takes the value of lower energy.
    - ``"softmax"``: ``E(s) = -(1/beta) log sum_mu exp(beta xi^mu . s) +
      s.s / 2 + (1/beta) log P + M^2 / 2`` (``M`` the largest memory norm),
      decreased by ``s <- Xi' softmax(beta Xi s)``.

    A unit whose drive is zero (up to rounding) keeps its state.

    **Dynamics.** Asynchronous updates never raise the energy, so with
    pairwise weights they always end at a fixed point: ``update="auto"``
    uses them for the pairwise rules. Near a dense rule's capacity the
    first units visited see a probe still far from its memory, and their
    errors compound along the sweep; a synchronous step computes every
    unit from the probe itself, the setting of the capacity results of
    Krotov and Hopfield and of Demircigil et al. At degree 3, 100 units,
    400 memories and 20% of the bits flipped, synchronous recall is exact
    for 99.4% of 2000 probes and asynchronous recall for 97.3%, so
    ``"auto"`` is ``"sync"`` for the dense rules.

    **Nominal capacity** (``capacity_``): hebbian ``n / (2 ln n)``, storkey
    ``n / sqrt(2 ln n)``, pseudoinverse ``n``, polynomial
    ``n^(d-1) / (2 (2d-3)!! ln n)``, exponential and softmax ``2^(n/2)``.

    **Default.** ``"softmax"`` recalls best across the benchmarks in
    ``benchmarks/bench_hopfield_capacity.py``: like ``"exponential"`` it
    recalls random patterns far beyond the pairwise rules (all 200 probes
    with 20% of the bits flipped at 3200 memories of 100 units), and it
    also recalls correlated data (binarised digits) and completes images
    from a clamped half best, since unknown values at the midpoint add
    nothing to its overlaps. It is the only rule whose states are not forced
    to +-1: use a binary rule for recalled values exactly at the extremes.

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
        "rule": [StrOptions({*_PAIRWISE_RULES, *_DENSE_RULES, "softmax"})],
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
        X = validate_data(self, X, dtype=np.float64)
        self.update_order_ = check_random_state(self.random_state).permutation(
            X.shape[1]
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
        X = validate_data(self, X, dtype=np.float64, reset=False)
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
            Recalled patterns, decoded to the scale of the training data.
        """
        states = self._recall(*self._validate_probe(X, clamp))
        return self._decode(states)

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
        states = self._recall(*self._validate_probe(X, None))
        if self.rule == "softmax":
            return softmax_attention(states, self.memories_, self.beta)
        return states @ self.memories_.T / self.n_features_in_

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
        states, _ = self._validate_probe(X, None)
        return self._energy(states)

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
        return -self.energy(X)

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
        return float(np.mean(self.score_samples(X)))

    # ---------------------------------------------------------------- private

    def _store(self, X, previous):
        """Store X after ``previous`` rows (raw values) and update the rule."""
        low, high = X.min(axis=0), X.max(axis=0)
        reencode = previous is None
        if not reencode:
            widened_low = np.minimum(self.data_min_, low)
            widened_high = np.maximum(self.data_max_, high)
            reencode = not (
                np.array_equal(widened_low, self.data_min_)
                and np.array_equal(widened_high, self.data_max_)
            )
            low, high = widened_low, widened_high
        self.data_min_, self.data_max_ = low, high
        self.center_ = (low + high) / 2.0
        self.scale_ = (high - low) / 2.0
        self._stored_rows = X.copy() if previous is None else np.vstack([previous, X])

        if reencode:
            self.memories_ = self._encode(self._stored_rows)
            added = self.memories_
            weights, correlation = None, None
        else:
            added = self._encode(X)
            self.memories_ = np.vstack([self.memories_, added])
            weights = getattr(self, "weights_", None)
            correlation = getattr(self, "_correlation", None)

        n_features = X.shape[1]
        if self.rule == "hebbian":
            self._correlation = hebbian_correlation(added, correlation)
            self.weights_ = self._correlation / n_features
        elif self.rule == "storkey":
            self.weights_ = storkey_weights(added, weights)
        elif self.rule == "pseudoinverse":
            self.weights_ = pseudoinverse_weights(self.memories_)
        if self.rule in _PAIRWISE_RULES:
            self.thresholds_ = np.zeros(n_features)
            # Asynchronous sweeps take the weights in the order of the sweep.
            # Reordering them per recall costs about four products of one
            # probe, so small recalls want it kept; past a size the copy's
            # memory matters more, and each recall reorders.
            order = self.update_order_
            self._weights_in_update_order = (
                self.weights_[np.ix_(order, order)]
                if n_features <= _KEEP_ORDERED_WEIGHTS_UP_TO
                else None
            )

        n_memories = self.memories_.shape[0]
        self.load_ = n_memories / n_features
        self.capacity_ = nominal_capacity(self.rule, n_features, self.degree)
        self._n_features_out = n_memories

    def _encode(self, X):
        """Data to states: centred, scaled, and binarised for the binary rules."""
        varies = self.scale_ > 0
        if self.rule != "softmax":
            # The sign of X - center, without the arithmetic (a third of the
            # time of recalling a probe in a large pairwise network).
            positive = X >= self.center_
            # A feature constant in the data carries no information: state +1.
            positive |= ~varies
            encoded = positive.astype(np.float64)
            encoded *= 2.0
            encoded -= 1.0
            return encoded
        encoded = X - self.center_
        encoded /= np.where(varies, self.scale_, 1.0)
        # A constant feature sits at the midpoint, whatever a probe gives it.
        encoded[:, ~varies] = 0.0
        return encoded

    def _decode(self, states):
        return self.center_ + self.scale_ * states

    def _validate_probe(self, X, clamp):
        check_is_fitted(self)
        X = validate_fitted_data(self, X, dtype=np.float64)
        if clamp is not None:
            clamp = np.asarray(clamp)
            if clamp.dtype != bool:
                raise TypeError(
                    f"clamp must be an array of booleans; got dtype {clamp.dtype}."
                )
            if clamp.shape != X.shape:
                raise ValueError(
                    f"clamp must have the shape of X, {X.shape}; got {clamp.shape}."
                )
        return self._encode(X), clamp

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
        states, status = self._run_dynamics(states, clamp)
        n_unsettled = int(np.count_nonzero(status == SWEEP_LIMIT))
        # Binary dynamics always settle (async) or cycle (sync) unless n_sweeps
        # is too small; softmax may approach a metastable state slowly, and its
        # state after n_sweeps is the answer, not a failure.
        if n_unsettled and self.rule != "softmax":
            warnings.warn(
                f"Recall of {n_unsettled} of {len(status)} rows stopped at "
                f"n_sweeps={self.n_sweeps} before settling; increase n_sweeps.",
                RecallNotConvergedWarning,
                stacklevel=3,
            )
        return states

    def _run_dynamics(self, states, clamp):
        if self.rule == "softmax":
            return softmax_recall(
                states,
                self.memories_,
                self.beta,
                n_sweeps=self.n_sweeps,
                tol=self.tol,
                clamp=clamp,
            )
        if self.rule in _DENSE_RULES:
            return dense_recall(
                states,
                self.memories_,
                rule=self.rule,
                degree=self.degree,
                beta=self.beta,
                order=self.update_order_,
                update=self._dynamics(),
                n_sweeps=self.n_sweeps,
                clamp=clamp,
            )
        return pairwise_recall(
            states,
            self.weights_,
            self.thresholds_,
            order=self.update_order_,
            update=self._dynamics(),
            n_sweeps=self.n_sweeps,
            clamp=clamp,
            weights_in_order=self._weights_in_update_order,
        )

    def _dynamics(self):
        """The update of the binary rules that ``update`` stands for."""
        if self.update != "auto":
            return self.update
        return "sync" if self.rule in _DENSE_RULES else "async"

    def _energy(self, states):
        if self.rule == "softmax":
            return softmax_energy(states, self.memories_, self.beta)
        if self.rule in _DENSE_RULES:
            return dense_energy(
                states,
                self.memories_,
                rule=self.rule,
                degree=self.degree,
                beta=self.beta,
            )
        return pairwise_energy(states, self.weights_, self.thresholds_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags
