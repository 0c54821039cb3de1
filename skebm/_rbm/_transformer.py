"""Restricted Boltzmann Machine as a scikit-learn transformer."""

# SPDX-License-Identifier: BSD-3-Clause

import time
import warnings
import zlib
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import logit
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.model_selection import train_test_split

from skebm._rbm._data import (
    as_generator,
    check_finite,
    checked_row_chunks,
    column_mean,
    column_mean_variance,
    dense_rows,
    value_range,
)
from skebm._rbm._model import (
    RBMParameters,
    free_energy,
    gibbs_chain,
    hidden_probabilities_of,
    sample_hiddens,
    sample_visibles,
)
from skebm._rbm._partition import log_partition
from skebm._rbm._trainer import (
    ContrastiveDivergence,
    EarlyStopping,
    LinearDecaySchedule,
    ParameterAverage,
)
from skebm._rbm._units import VISIBLE_UNITS, make_units
from skebm._sklearn_compat import (
    Interval,
    StrOptions,
    _fit_context,
    check_is_fitted,
    validate_data,
    validate_fitted_data,
)
from skebm._verbose import report_progress
from skebm.exceptions import UnreliableLogPartitionWarning

# Per-epoch log-likelihood records look at no more than this many training rows.
_MAX_MONITORED_ROWS = 1000
# Rows per block in transform, predict and score_samples: a block and its
# hidden activations stay in cache across the check, product and elementwise
# passes.
_INFERENCE_CHUNK_ROWS = 512
# Gaussian visible units are unbounded: their steps are this much smaller.
_GAUSSIAN_STEP_FACTOR = 0.1
# Above this standard error (nats) an AIS estimate of log Z is not trusted.
_UNRELIABLE_AIS_STD_ERROR = 0.5
# Visible biases start at the data's log-odds, clipped away from +-infinity.
_LOG_ODDS_CLIP = 1e-3
# partial_fit averages its iterates with weight (gamma + 1) / (t + gamma): a
# window over the most recent 1 / (gamma + 1) of the updates (Shamir & Zhang, 2013).
_AVERAGING_GAMMA = 3.0


def _fingerprint(arrays):
    """A checksum of the arrays' values, with their dtypes and shapes.

    CRC-32 reads memory at several GB/s (a cryptographic digest of a
    784 x 500 model costs more than a tenth of scoring 5000 rows); a change
    that keeps all the checksums has odds of one in four billion.
    """
    checksum = 0
    for array in arrays:
        array = np.ascontiguousarray(array)
        checksum = zlib.crc32(memoryview(array).cast("B"), checksum)
    return checksum, tuple((array.dtype.str, array.shape) for array in arrays)


class RBMTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Restricted Boltzmann Machine with binary hidden units.

    An undirected model of the joint distribution of visible units ``v`` (the
    features of X) and binary hidden units ``h``, fitted by stochastic
    maximum likelihood: contrastive divergence (CD-k) or persistent
    contrastive divergence (PCD-k). The hidden-unit probabilities are
    features (:meth:`transform`), the mean-field reconstruction recalls the
    input (:meth:`predict`) and :meth:`score_samples` is the normalised
    log-likelihood ``log p(x)``, with the partition function computed exactly
    or estimated by annealed importance sampling.

    The parameters shared with :class:`sklearn.neural_network.BernoulliRBM`
    keep their names and meanings: ``RBMTransformer(**BernoulliRBM().get_params())``
    builds a model, and a step of ``learning_rate`` times the minibatch mean
    gradient is the same step.

    Read more in the :ref:`User Guide <rbm_guide>`.

    Parameters
    ----------
    n_components : int, default=256
        Number of binary hidden units. Range: [1, inf).

    learning_rate : float, default=0.05
        Step size: each minibatch moves the parameters by ``learning_rate``
        times the (momentum-smoothed) mean gradient of the log-likelihood over
        the minibatch; gaussian visible units take a step ten times smaller.
        Range: (0, inf).

    batch_size : int, default=10
        Number of rows per minibatch, and the number of persistent chains with
        ``method="pcd"``. Range: [1, inf).

    n_iter : int, default=500
        Number of passes (epochs) over the training data in :meth:`fit`.
        Range: [0, inf).

    verbose : int, default=0
        When positive, print one line per epoch with the training (and, with
        early stopping, validation) mean log-likelihood and the time taken.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the minibatch order, the Gibbs sampling,
        the validation split and the annealed importance sampling. Pass an int
        for reproducible results.

    visible : {"auto", "bernoulli", "gaussian", "gaussian_unit_variance"}, \
            default="auto"
        Kind of visible unit. ``"bernoulli"`` requires X in [0, 1] (binary
        data or probabilities). ``"gaussian"`` takes real-valued X,
        standardised with statistics stored at fit, and learns the variance
        of each unit given the hidden units (``std_visible_``);
        ``"gaussian_unit_variance"`` keeps those variances at one.
        ``"auto"`` picks bernoulli when every value of X lies in [0, 1] and
        gaussian otherwise.

    method : {"pcd", "cd"}, default="pcd"
        Estimator of the model expectation in the gradient: persistent chains
        kept across minibatches (``"pcd"``) or chains restarted at the data
        (``"cd"``).

    n_gibbs_steps : int, default=1
        Number of Gibbs steps ``k`` per minibatch in CD-k and PCD-k.
        Range: [1, inf).

    momentum : float, default=0.5
        Smoothing of the gradient: the step follows an exponential moving
        average ``g <- momentum * g + (1 - momentum) * gradient``.
        Range: [0, 1).

    weight_decay : float, default=1e-3
        L2 penalty on the weights, decoupled from the momentum: before each
        step the weights shrink by a factor ``1 - step * weight_decay``.
        Range: [0, inf).

    sparsity_target : float or None, default=None
        Target mean activation of the hidden units; ``None`` disables the
        sparsity penalty. Range: (0, 1) or None.

    sparsity_cost : float, default=0.1
        Strength of the sparsity penalty, used with ``sparsity_target``.
        Range: [0, inf).

    decay_fraction : float, default=0.5
        Last fraction of the ``n_iter`` epochs of :meth:`fit` over which the
        learning rate decays linearly to zero and the parameters are averaged
        over epochs. ``0`` trains at a constant rate. Range: [0, 1].

    shuffle : bool, default=True
        Whether to shuffle the rows before each epoch.

    warm_start : bool, default=False
        Reuse the parameters and chains of the previous call to :meth:`fit`
        instead of initialising them.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and stop when their mean
        log-likelihood has not improved by ``tol`` for ``n_iter_no_change``
        epochs; the best parameters seen are kept.

    validation_fraction : float, default=0.1
        Fraction of the rows held out with ``early_stopping``. Range: (0, 1).

    n_iter_no_change : int, default=10
        Epochs without improvement before early stopping. Range: [1, inf).

    tol : float, default=1e-4
        Improvement, in nats per row, that counts for early stopping.
        Range: [0, inf).

    partition_method : {"auto", "exact", "ais"}, default="auto"
        How ``log Z`` is obtained: ``"exact"`` enumerates the states of the
        smaller binary layer (for gaussian units, the hidden layer);
        ``"ais"`` uses annealed importance sampling; ``"auto"`` is exact when
        that layer has at most 20 units and AIS otherwise.

    ais_n_chains : int, default=100
        Number of independent AIS runs averaged. Range: [1, inf).

    ais_n_betas : int, default=10000
        Number of inverse temperatures in the AIS schedule. Range: [2, inf).

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Weight matrix ``W``.

    intercept_hidden_ : ndarray of shape (n_components,)
        Hidden biases ``c``.

    intercept_visible_ : ndarray of shape (n_features,)
        Visible biases ``b`` (of the standardised features for gaussian units).

    std_visible_ : ndarray of shape (n_features,)
        Standard deviation of each gaussian visible unit given the hidden
        units, on the standardised scale (multiply by ``scale_`` for the
        scale of X); learned with ``visible="gaussian"``, ones with
        ``"gaussian_unit_variance"``. Learned deviations stop at 0.01, so
        that a (near-)constant feature keeps a finite density. Only set for
        gaussian visible units.

    h_samples_ : ndarray of shape (batch_size, n_components)
        Hidden states of the persistent chains (the last negative samples for
        ``method="cd"``).

    visible_ : {"bernoulli", "gaussian", "gaussian_unit_variance"}
        The kind of visible unit used.

    mean_ : ndarray of shape (n_features,)
        Mean subtracted from X before the model sees it (zeros for bernoulli).

    scale_ : ndarray of shape (n_features,)
        Standard deviation X is divided by (ones for bernoulli; a constant
        feature keeps scale 1).

    n_iter_ : int
        Number of epochs run by the last :meth:`fit`, or number of calls to
        :meth:`partial_fit`.

    train_scores_ : list of float or None
        Mean training log-likelihood after each epoch, recorded when
        ``verbose`` or ``early_stopping`` is set (at most 1000 rows).

    validation_scores_ : list of float or None
        Mean validation log-likelihood after each epoch with
        ``early_stopping``.

    best_validation_score_ : float or None
        The best of ``validation_scores_``.

    log_partition_ : float
        ``log Z`` of the current parameters, computed on first access and
        cached until they change.

    log_partition_std_ : float
        Standard error of ``log_partition_`` (0 when it is exact).

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn.neural_network.BernoulliRBM : scikit-learn's RBM, whose
        ``score_samples`` is a stochastic pseudo-likelihood.
    HopfieldMemory : Associative memory on the same energy-based footing.

    Notes
    -----
    With weights ``W``, visible bias ``b`` and hidden bias ``c`` the energy
    is ``E(v, h) = -b.v - c.h - h.W.v`` for bernoulli visible units and
    ``E(v, h) = sum_i (v_i^2 / 2 - b_i v_i) / sigma_i^2 - c.h - h.W.(v /
    sigma^2)`` for gaussian ones (Cho, Ilin & Raiko, 2011), on the
    standardised features, with ``sigma = std_visible_``. Summing out the
    hidden units gives the free energy ``F(v)`` and ``log p(v) = -F(v) - log
    Z``; for gaussian units ``score_samples`` is the density of the original
    X, ``log p(z) - sum_i log scale_i``. The gradient of the mean
    log-likelihood is a difference of data and model expectations; the
    model term is estimated by ``k`` Gibbs steps from the data (CD) or from
    persistent chains (PCD). How the defaults were chosen, and what they
    reach, is in the user guide and ``benchmarks/``.

    References
    ----------
    .. [1] Hinton, G. E. (2010). A practical guide to training restricted
       Boltzmann machines. UTML TR 2010-003.
    .. [2] Tieleman, T. (2008). Training restricted Boltzmann machines using
       approximations to the likelihood gradient. ICML.
    .. [3] Salakhutdinov, R. and Murray, I. (2008). On the quantitative
       analysis of deep belief networks. ICML.
    .. [4] Cho, K., Ilin, A. and Raiko, T. (2011). Improved learning of
       Gaussian-Bernoulli restricted Boltzmann machines. ICANN.

    Examples
    --------
    >>> import numpy as np
    >>> from skebm import RBMTransformer
    >>> X = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    >>> rbm = RBMTransformer(n_components=2, n_iter=20, random_state=0).fit(X)
    >>> rbm.transform(X).shape
    (4, 2)
    >>> rbm.visible_
    'bernoulli'
    >>> total = np.exp(rbm.score_samples(
    ...     [[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)])).sum()
    >>> round(float(total), 6)
    1.0
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_iter": [Interval(Integral, 0, None, closed="left")],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "visible": [StrOptions({"auto", *VISIBLE_UNITS})],
        "method": [StrOptions({"cd", "pcd"})],
        "n_gibbs_steps": [Interval(Integral, 1, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "sparsity_target": [Interval(Real, 0, 1, closed="neither"), None],
        "sparsity_cost": [Interval(Real, 0, None, closed="left")],
        "decay_fraction": [Interval(Real, 0, 1, closed="both")],
        "shuffle": ["boolean"],
        "warm_start": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "partition_method": [StrOptions({"auto", "exact", "ais"})],
        "ais_n_chains": [Interval(Integral, 1, None, closed="left")],
        "ais_n_betas": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(
        self,
        n_components=256,
        *,
        learning_rate=0.05,
        batch_size=10,
        n_iter=500,
        verbose=0,
        random_state=None,
        visible="auto",
        method="pcd",
        n_gibbs_steps=1,
        momentum=0.5,
        weight_decay=1e-3,
        sparsity_target=None,
        sparsity_cost=0.1,
        decay_fraction=0.5,
        shuffle=True,
        warm_start=False,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        partition_method="auto",
        ais_n_chains=100,
        ais_n_betas=10000,
    ):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.verbose = verbose
        self.random_state = random_state
        self.visible = visible
        self.method = method
        self.n_gibbs_steps = n_gibbs_steps
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.sparsity_target = sparsity_target
        self.sparsity_cost = sparsity_cost
        self.decay_fraction = decay_fraction
        self.shuffle = shuffle
        self.warm_start = warm_start
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.partition_method = partition_method
        self.ais_n_chains = ais_n_chains
        self.ais_n_betas = ais_n_betas

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model to X by (persistent) contrastive divergence.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data: values in [0, 1] for bernoulli visible units,
            real values for gaussian ones.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : RBMTransformer
            The fitted model.
        """
        X = validate_data(self, X, accept_sparse="csr", dtype=(np.float64, np.float32))
        rng = as_generator(self.random_state)
        if self.warm_start and hasattr(self, "components_"):
            self._check_visible_range(X)
            X = X.astype(self.components_.dtype, copy=False)
            self._restart_trainer_from_fitted()
        else:
            self._initialize(X, rng)
        trainer = self._trainer

        X_train, X_valid = X, None
        if self.early_stopping:
            X_train, X_valid = self._split_validation(X, rng)
        monitoring = bool(self.verbose) or self.early_stopping
        self.train_scores_ = [] if monitoring else None
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = None
        monitored_rows = rng.permutation(X_train.shape[0])[:_MAX_MONITORED_ROWS]
        if monitoring:
            Z_monitor = self._standardized_dense(X_train[monitored_rows])
            Z_valid = None if X_valid is None else self._standardized_dense(X_valid)

        n_samples = X_train.shape[0]
        n_batches = max(int(np.ceil(n_samples / self.batch_size)), 1)
        total_updates = max(self.n_iter * n_batches, 1)
        schedule = LinearDecaySchedule(self.learning_rate, self.decay_fraction)
        decay_start_epoch = self.n_iter * (1 - self.decay_fraction)
        average = None
        stopper = EarlyStopping(self.n_iter_no_change, self.tol)
        update = 0
        self.n_iter_ = 0
        for epoch in range(self.n_iter):
            begin = time.perf_counter()
            order = rng.permutation(n_samples) if self.shuffle else np.arange(n_samples)
            for start in range(0, n_samples, self.batch_size):
                rows = order[start : start + self.batch_size]
                self._train_step(
                    self._minibatch(X_train, rows), schedule(update / total_updates)
                )
                update += 1
            self.n_iter_ = epoch + 1

            if self.decay_fraction > 0 and epoch + 1 > decay_start_epoch:
                if average is None:
                    average = ParameterAverage(trainer.parameters.arrays)
                else:
                    average.update(trainer.parameters.arrays)
            if not monitoring:
                continue

            current = trainer.parameters
            if average is not None:
                current = current.with_arrays(average.arrays)
            train_score = self._mean_log_likelihood(Z_monitor, current)
            self.train_scores_.append(train_score)
            scores = {"train log-likelihood": train_score}
            stop = False
            if Z_valid is not None:
                valid_score = self._mean_log_likelihood(Z_valid, current)
                self.validation_scores_.append(valid_score)
                scores["validation log-likelihood"] = valid_score
                stop = stopper.record(valid_score, current.arrays)
                self.best_validation_score_ = stopper.best_score
            if self.verbose:
                report_progress(
                    self,
                    f"Iteration {self.n_iter_}",
                    time.perf_counter() - begin,
                    scores,
                )
            if stop:
                break

        if stopper.best_arrays is not None:
            final = stopper.best_arrays
        elif average is not None:
            final = average.arrays
        else:
            final = trainer.parameters.arrays
        self._set_fitted_parameters(final)
        self._streaming_average = None
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Fit the model to one chunk of data: one pass over it in minibatches.

        The first call initialises the model (and, for gaussian units, the
        standardisation) from this chunk; later calls continue the persistent
        chains at a constant ``learning_rate`` (``n_iter`` and
        ``decay_fraction`` do not apply). The parameters it exposes are a
        running average of the iterates, weighted ``4 / (t + 3)`` at update
        ``t`` (Shamir & Zhang, 2013): with no known end there is no decay,
        and the average plays its part, so that streaming the data in chunks
        reaches the likelihood of :meth:`fit` on the whole.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : RBMTransformer
            The updated model.
        """
        first_call = not hasattr(self, "components_")
        X = validate_data(
            self,
            X,
            accept_sparse="csr",
            dtype=(np.float64, np.float32),
            reset=first_call,
        )
        if first_call:
            self._initialize(X, as_generator(self.random_state))
            self.train_scores_ = None
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.n_iter_ = 0
        else:
            self._check_visible_range(X)
            X = X.astype(self.components_.dtype, copy=False)
        if self._streaming_average is None:
            # Updates drive the raw iterates; the public parameters are their
            # running average, since with no known end there is no decay.
            self._restart_trainer_from_fitted()
            self._streaming_average = ParameterAverage(self._trainer.parameters.arrays)
            self._streaming_average.count = 0
        average = self._streaming_average
        n_samples = X.shape[0]
        rng = self._trainer.rng
        order = rng.permutation(n_samples) if self.shuffle else np.arange(n_samples)
        for start in range(0, n_samples, self.batch_size):
            batch = self._minibatch(X, order[start : start + self.batch_size])
            self._train_step(batch, self.learning_rate)
            rate = (_AVERAGING_GAMMA + 1) / (average.count + 1 + _AVERAGING_GAMMA)
            average.update(self._trainer.parameters.arrays, rate)
        self._set_fitted_parameters(average.arrays)
        self.n_iter_ += 1
        return self

    # -------------------------------------------------------------- public API

    def transform(self, X):
        """Hidden-unit probabilities P(h = 1 | x).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to transform.

        Returns
        -------
        h : ndarray of shape (n_samples, n_components)
            Probability that each hidden unit is on, given each row.
        """
        X = self._validate_input(X)
        hidden = np.empty((X.shape[0], self.n_components), dtype=X.dtype)
        weights, hidden_bias = self._input_space_hidden_parameters()
        for rows, chunk in self._checked_row_chunks(X):
            hidden_probabilities_of(chunk, weights, hidden_bias, out=hidden[rows])
        return hidden

    def predict(self, X):
        """Recall X: the mean-field reconstruction E[v | h = P(h | x)].

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to reconstruct. Sparse input is refused: the reconstruction
            is dense and could exhaust memory; densify it explicitly
            (``X.toarray()``) if it fits.

        Returns
        -------
        X_recalled : ndarray of shape (n_samples, n_features)
            The reconstruction, on the scale of X (probabilities for
            bernoulli units).
        """
        if sp.issparse(X):
            raise TypeError(
                "RBMTransformer.predict does not accept sparse input: the "
                "reconstruction is a dense array of the same shape, which can "
                "exhaust memory for a large sparse matrix. Densify it explicitly "
                "(X.toarray()) if it fits in memory."
            )
        X = self._validate_input(X)
        parameters = self._model_parameters()
        reconstruction = np.empty_like(X, order="C")
        weights, hidden_bias = self._input_space_hidden_parameters()
        for rows, chunk in self._checked_row_chunks(X):
            hidden = hidden_probabilities_of(chunk, weights, hidden_bias)
            out = reconstruction[rows]
            np.matmul(hidden, parameters.weights, out=out)
            parameters.units.mean(out, parameters.visible_bias, out=out)
        return self._unstandardize(reconstruction)

    def score_samples(self, X):
        """Normalised log-likelihood log p(x) of each row.

        ``-F(x) - log Z``: the partition function is computed exactly or by
        AIS (see ``partition_method``) the first time it is needed and cached.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
            log p(x) in nats (a log density for gaussian units).
        """
        X = self._validate_input(X)
        log_likelihood = self._free_energy(X)
        log_likelihood += self.log_partition_
        return np.negative(log_likelihood, out=log_likelihood)

    def score(self, X, y=None):
        """Mean log-likelihood of X, the score ``GridSearchCV`` maximises.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        score : float
            Mean of :meth:`score_samples`.
        """
        return float(np.mean(self.score_samples(X), dtype=np.float64))

    def free_energy(self, X):
        """Free energy F(x) = -log sum_h exp(-E(x, h)) of each row.

        For gaussian units it is that of the original X, so that
        ``score_samples(X) == -free_energy(X) - log_partition_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        free_energy : ndarray of shape (n_samples,)
            The free energy of each row.
        """
        return self._free_energy(self._validate_input(X))

    def gibbs(self, X):
        """One step of block Gibbs sampling: h ~ P(h | x), then v ~ P(v | h).

        Successive calls continue one random stream seeded by
        ``random_state``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Visible states to start from.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            Visible states after one step, on the scale of X.
        """
        X = self._validate_input(X)
        low, high = value_range(X)
        check_finite(low, high, X.dtype)
        self._unit_type.check_range(low, high, X)
        X = self._standardize(dense_rows(X))
        parameters = self._model_parameters()
        rng = self._sampling_rng
        hiddens = sample_hiddens(X, parameters, rng)
        return self._unstandardize(sample_visibles(hiddens, parameters, rng))

    def sample(self, n_samples=1, *, n_gibbs_steps=1000, random_state=None):
        """Draw samples from the model with independent Gibbs chains.

        Each chain starts from independent visible units with the base-rate
        biases (the data's log-odds, or its mean for gaussian units) and runs
        ``n_gibbs_steps`` block Gibbs steps.

        Parameters
        ----------
        n_samples : int, default=1
            Number of chains, hence of samples.

        n_gibbs_steps : int, default=1000
            Gibbs steps per chain before its state is returned.

        random_state : int, RandomState instance or None, default=None
            Seed of the chains; ``None`` uses the estimator's ``random_state``.

        Returns
        -------
        X_sampled : ndarray of shape (n_samples, n_features)
            Samples on the scale of the training data.
        """
        check_is_fitted(self)
        if isinstance(n_samples, bool) or not isinstance(n_samples, Integral):
            raise TypeError(f"n_samples must be an int, got {n_samples!r}.")
        if n_samples < 1:
            raise ValueError(f"n_samples must be >= 1, got {n_samples}.")
        if isinstance(n_gibbs_steps, bool) or not isinstance(n_gibbs_steps, Integral):
            raise TypeError(f"n_gibbs_steps must be an int, got {n_gibbs_steps!r}.")
        if n_gibbs_steps < 1:
            raise ValueError(f"n_gibbs_steps must be >= 1, got {n_gibbs_steps}.")
        rng = as_generator(self.random_state if random_state is None else random_state)
        parameters = self._model_parameters()
        dtype = parameters.weights.dtype
        no_input = np.zeros((n_samples, self.n_features_in_), dtype=dtype)
        start = parameters.units.sample(
            no_input,
            self._base_visible_bias.astype(dtype),
            rng,
            np.empty_like(no_input),
            no_input,
        )
        hiddens = sample_hiddens(start, parameters, rng)
        visibles, _, _ = gibbs_chain(hiddens, parameters, n_gibbs_steps, rng)
        return self._unstandardize(visibles)

    @property
    def log_partition_(self):
        """log Z of the current parameters, computed on first access and cached."""
        return self._cached_log_partition()[0]

    @property
    def log_partition_std_(self):
        """Standard error of ``log_partition_`` (0 when computed exactly)."""
        return self._cached_log_partition()[1]

    # ---------------------------------------------------------------- private

    def _initialize(self, X, rng):
        """Resolve the visible units, standardisation, parameters and trainer."""
        dtype = X.dtype
        n_features = X.shape[1]
        low, high = value_range(X)
        if self.visible == "auto":
            self.visible_ = "bernoulli" if low >= 0 and high <= 1 else "gaussian"
        else:
            self.visible_ = self.visible
        self._check_visible_range(X)

        if self.visible_ == "bernoulli":
            self.mean_ = np.zeros(n_features, dtype=dtype)
            self.scale_ = np.ones(n_features, dtype=dtype)
            self._base_visible_bias = logit(
                np.clip(column_mean(X), _LOG_ODDS_CLIP, 1 - _LOG_ODDS_CLIP)
            )
        else:
            mean, variance = column_mean_variance(X)
            scale = np.sqrt(variance)
            # A constant column keeps unit scale rather than dividing by zero.
            scale[
                scale <= 10 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1)
            ] = 1.0
            self.mean_ = mean.astype(dtype)
            self.scale_ = scale.astype(dtype)
            self._base_visible_bias = np.zeros(n_features)
            self.std_visible_ = np.ones(n_features, dtype=dtype)

        units = make_units(self.visible_, n_features, dtype=dtype)
        weights, hidden_bias = units.initial_weights(
            self.n_components, n_features, rng, dtype
        )
        parameters = RBMParameters(
            weights, self._base_visible_bias.astype(dtype), hidden_bias, units
        )
        self._trainer = ContrastiveDivergence(
            parameters,
            persistent=self.method == "pcd",
            n_gibbs_steps=self.n_gibbs_steps,
            momentum=self.momentum,
            weight_decay=self.weight_decay,
            n_chains=self.batch_size,
            sparsity_target=self.sparsity_target,
            sparsity_cost=self.sparsity_cost,
            rng=rng,
        )
        self._sampling_rng = np.random.default_rng(rng.integers(np.iinfo(np.int32).max))
        self._ais_seed = int(rng.integers(np.iinfo(np.int32).max))
        self._n_features_out = self.n_components
        self._streaming_average = None
        self._log_partition_cache = None
        self._set_fitted_parameters(parameters.arrays)

    def _restart_trainer_from_fitted(self):
        """Start the trainer's iterates from the public parameters.

        The trainer's hyper-parameters follow ``get_params`` (they may have
        changed since the last fit); its chains and momentum carry on.
        """
        trainer = self._trainer
        fitted = self._model_parameters()
        for iterate, value in zip(
            trainer.parameters.arrays, fitted.arrays, strict=True
        ):
            iterate[...] = value
        trainer.persistent = self.method == "pcd"
        trainer.n_gibbs_steps = self.n_gibbs_steps
        trainer.momentum = self.momentum
        trainer.weight_decay = self.weight_decay
        trainer.sparsity_target = self.sparsity_target
        trainer.sparsity_cost = self.sparsity_cost

    def _set_fitted_parameters(self, arrays):
        """Public attributes from trained arrays (copied): ``[W, b, c, *units]``."""
        weights, visible_bias, hidden_bias, *unit_arrays = arrays
        self.components_ = weights.copy()
        self.intercept_visible_ = visible_bias.copy()
        self.intercept_hidden_ = hidden_bias.copy()
        if unit_arrays:
            (log_variance,) = unit_arrays
            self.std_visible_ = np.exp(0.5 * log_variance)
        self.h_samples_ = self._trainer.chains

    def _model_parameters(self):
        """The model as arrays, from the public attributes (the model's truth)."""
        log_variance = None
        if self.visible_ == "gaussian":
            log_variance = 2 * np.log(self.std_visible_)
        return RBMParameters(
            self.components_,
            self.intercept_visible_,
            self.intercept_hidden_,
            make_units(self.visible_, log_variance=log_variance),
        )

    def _train_step(self, batch, step):
        """One stochastic gradient step on a (standardised, dense) minibatch."""
        if self.visible_ != "bernoulli":
            step = step * _GAUSSIAN_STEP_FACTOR
        # Divergence is reported as one clear error below rather than as a
        # stream of numpy overflow warnings on the way to NaN.
        with np.errstate(over="ignore", invalid="ignore"):
            finite = self._trainer.step(batch, step)
        if not finite:
            raise ValueError(
                "Training diverged: the parameters became infinite or NaN. "
                f"Use a smaller learning_rate (got {self.learning_rate}) or "
                "a larger weight_decay."
            )

    @property
    def _unit_type(self):
        """The class of the visible units, for what needs no parameters."""
        return VISIBLE_UNITS[self.visible_]

    def _check_visible_range(self, X):
        if X.shape[0]:
            self._unit_type.check_range(*value_range(X), X)

    def _split_validation(self, X, rng):
        n_valid = int(np.ceil(self.validation_fraction * X.shape[0]))
        if n_valid < 1 or X.shape[0] - n_valid < 1:
            raise ValueError(
                f"early_stopping needs at least one training and one validation "
                f"row; got n_samples={X.shape[0]} with "
                f"validation_fraction={self.validation_fraction}."
            )
        X_train, X_valid = train_test_split(
            X, test_size=n_valid, random_state=int(rng.integers(np.iinfo(np.int32).max))
        )
        return X_train, X_valid

    def _mean_log_likelihood(self, Z, parameters):
        """Mean log p(x) of standardised dense rows ``Z`` under ``parameters``.

        A monitor, not the final figure: AIS runs with a fortieth of the work.
        """
        log_z, _ = self._log_partition_of(parameters, monitor=True)
        log_likelihood = -free_energy(Z, parameters).mean(dtype=np.float64)
        return float(log_likelihood - log_z - self._log_jacobian())

    def _log_jacobian(self):
        """``sum_i log scale_i``: the density of X from that of the standardised."""
        if self.visible_ == "bernoulli":
            return 0.0
        return float(np.log(self.scale_).sum(dtype=np.float64))

    def _validate_input(self, X):
        """Validated X in the model's dtype; its values are checked chunk by chunk.

        The check for NaN, infinity and the units' range happens in
        :meth:`_checked_row_chunks`, on each block of rows while it is in
        cache for the products that follow, so that X is read from memory
        once.
        """
        check_is_fitted(self)
        X = validate_fitted_data(
            self,
            X,
            accept_sparse="csr",
            dtype=(np.float64, np.float32),
            ensure_all_finite=False,
        )
        return X.astype(self.components_.dtype, copy=False)

    def _checked_row_chunks(self, X):
        """Yield (row slice, block of rows) of X, each checked before use."""
        return checked_row_chunks(X, self._unit_type, _INFERENCE_CHUNK_ROWS)

    def _minibatch(self, X, rows):
        """Rows of X, standardised, gathered straight into the training buffer."""
        batch = self._trainer.batch_buffer(len(rows))
        if sp.issparse(X):
            batch[...] = X[rows].toarray()
        else:
            np.take(X, rows, axis=0, out=batch)
        if self.visible_ != "bernoulli":
            batch -= self.mean_
            batch /= self.scale_
        return batch

    def _standardized_dense(self, X):
        return self._standardize(dense_rows(X))

    def _standardize(self, X):
        if self.visible_ == "bernoulli":
            return X
        X = X - self.mean_
        X /= self.scale_
        return X

    def _unstandardize(self, Z):
        if self.visible_ == "bernoulli":
            return Z
        Z *= self.scale_
        Z += self.mean_
        return Z

    def _input_space_hidden_parameters(self):
        """W and c acting on the original X: s(v) and standardisation folded in."""
        parameters = self._model_parameters()
        if self.visible_ == "bernoulli":
            return parameters.weights, parameters.hidden_bias
        # s(v) is elementwise linear in v = (x - mean_) / scale_ for these units
        column_factor = parameters.units.interaction(1.0 / self.scale_[None, :])[0]
        weights = (parameters.weights * column_factor).astype(self.components_.dtype)
        return weights, parameters.hidden_bias - weights @ self.mean_

    def _free_energy(self, X):
        """F(x) of validated X, including the Jacobian of the standardisation."""
        parameters = self._model_parameters()
        energy = np.empty(X.shape[0], dtype=X.dtype)
        for rows, chunk in self._checked_row_chunks(X):
            if self.visible_ != "bernoulli":
                chunk = self._standardize(dense_rows(chunk))
            energy[rows] = free_energy(chunk, parameters)
        energy += self._log_jacobian()
        return energy

    def _cached_log_partition(self):
        """log Z and its standard error, recomputed when the parameters change."""
        check_is_fitted(self)
        parameters = self._model_parameters()
        key = (
            _fingerprint(parameters.arrays),
            self.partition_method,
            self.ais_n_chains,
            self.ais_n_betas,
        )
        cache = self._log_partition_cache
        if cache is None or cache[0] != key:
            self._log_partition_cache = (key, self._log_partition_of(parameters))
        return self._log_partition_cache[1]

    def _log_partition_of(self, parameters, monitor=False):
        n_betas, n_chains = self.ais_n_betas, self.ais_n_chains
        if monitor:
            n_betas, n_chains = max(n_betas // 10, 100), max(n_chains // 4, 10)
        begin = time.perf_counter()

        def report_ais_progress(step, n_steps):
            # About ten lines per estimate, for the long runs verbose asks about.
            if step % max(n_steps // 10, 1) == 0:
                report_progress(
                    self,
                    f"AIS {100 * step // n_steps}% of {n_steps} inverse temperatures",
                    time.perf_counter() - begin,
                )

        value, std_error = log_partition(
            parameters,
            self.partition_method,
            base_visible_bias=self._base_visible_bias,
            n_chains=n_chains,
            n_betas=n_betas,
            rng=np.random.default_rng(self._ais_seed),
            callback=report_ais_progress if self.verbose and not monitor else None,
        )
        if std_error > _UNRELIABLE_AIS_STD_ERROR and not monitor:
            warnings.warn(
                f"The AIS estimate of log Z has a standard error of "
                f"{std_error:.2f} nats (ais_n_chains={self.ais_n_chains}, "
                f"ais_n_betas={self.ais_n_betas}): a few chains dominate it. "
                "Increase ais_n_betas and ais_n_chains.",
                UnreliableLogPartitionWarning,
                stacklevel=4,
            )
        return value, std_error

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
