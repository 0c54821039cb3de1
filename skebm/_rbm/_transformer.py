"""Restricted Boltzmann Machine as a scikit-learn transformer."""

# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin

from skebm._array_api import (
    input_namespace,
    is_numpy,
    like,
    mean_as_float,
)
from skebm._rbm._base import BaseRBM
from skebm._rbm._data import (
    as_generator,
    check_int_at_least,
    dense_rows,
)
from skebm._rbm._model import (
    gibbs_chain,
    hidden_probabilities_of,
    sample_base_visibles,
    sample_hiddens,
    sample_visibles,
    visible_means,
)
from skebm._sklearn_compat import (
    Interval,
    _fit_context,
    check_is_fitted,
    validate_data,
)


class RBMTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseRBM):
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

    Read more in the :ref:`User Guide <rbm_guide>`. With scikit-learn's
    ``array_api_dispatch``, it fits and computes on torch or CuPy arrays, on
    their device (:ref:`gpu_guide`).

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

    n_iter : int or "auto", default="auto"
        Number of passes (epochs) over the training data in :meth:`fit`.
        ``"auto"`` makes about 200 000 parameter updates but no more than 500
        epochs: ``min(500, ceil(200_000 / n_batches))`` with ``n_batches =
        ceil(n_samples / batch_size)`` (rows held out by ``early_stopping``
        excepted). With the default batch size that is 500 epochs up to
        4000 rows and 34 epochs of 60 000 rows. Range: [0, inf).

    verbose : int, default=0
        When positive, print one line per epoch with the training (and, with
        early stopping, validation) mean log-likelihood and the time taken.
        The model scored is the mean of the epoch's iterates (the running
        average during the learning rate's decay), and its log Z is exact
        or followed from epoch to epoch (see the :ref:`User Guide
        <rbm_guide>`); the record does not change the fitted model.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the minibatch order, the Gibbs sampling,
        the validation split and the annealed importance sampling. Pass an int
        for reproducible results. Arrays of another array-API namespace
        (torch, CuPy) draw from that library's generator, seeded from this:
        fits in different namespaces differ, each reproducible (see the
        :ref:`GPU page <gpu_guide>`).

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
        (about a hundred iterates an epoch). ``0`` trains at a constant rate.
        Range: [0, 1].

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

    ais_n_chains : int, default=150
        Number of independent AIS runs averaged. Range: [1, inf).

    ais_n_betas : int, default=8000
        Number of inverse temperatures in the AIS schedule. Range: [2, inf).
        The defaults bring the standard error of a 784 x 500 MNIST model's
        log Z to about 0.3 nats in well under a minute (see the user guide).

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
        ``verbose`` or ``early_stopping`` is set (at most 1000 rows), of the
        model that ``verbose`` describes.

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
        **BaseRBM._parameter_constraints,
        "sparsity_target": [Interval(Real, 0, 1, closed="neither"), None],
        "sparsity_cost": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=256,
        *,
        learning_rate=0.05,
        batch_size=10,
        n_iter="auto",
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
        ais_n_chains=150,
        ais_n_betas=8000,
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

    def _trainer_settings(self):
        return {
            **super()._trainer_settings(),
            "sparsity_target": self.sparsity_target,
            "sparsity_cost": self.sparsity_cost,
        }

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
        warm = self.warm_start and hasattr(self, "components_")
        if warm:
            self._check_namespace(X, "fit")
        xp, _ = input_namespace(X)
        X = validate_data(self, X, accept_sparse="csr", dtype=(xp.float64, xp.float32))
        rng = as_generator(self.random_state)
        if warm:
            X = self._as_training_input(X)
            self._restart_trainer_from_fitted()
        else:
            self._initialize(X, rng)
        self._fit_epochs(X, rng)
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
        if not first_call:
            self._check_namespace(X, "partial_fit")
        xp, _ = input_namespace(X)
        X = validate_data(
            self,
            X,
            accept_sparse="csr",
            dtype=(xp.float64, xp.float32),
            reset=first_call,
        )
        if first_call:
            self._initialize(X, as_generator(self.random_state))
            self.train_scores_ = None
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.n_iter_ = 0
        else:
            X = self._as_training_input(X)
        self._stream_chunk(X)
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
        self._check_namespace(X, "transform")
        X = self._validate_input(X)
        weights, hidden_bias = self._input_space_hidden_parameters()
        if not is_numpy(X):
            self._check_rows(X)
            return hidden_probabilities_of(X, weights, hidden_bias)
        hidden = np.empty((X.shape[0], self.n_components), dtype=X.dtype)
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
        self._check_namespace(X, "predict")
        X = self._validate_input(X)
        parameters = self._model_parameters()
        weights, hidden_bias = self._input_space_hidden_parameters()
        if not is_numpy(X):
            self._check_rows(X)
            hidden = hidden_probabilities_of(X, weights, hidden_bias)
            return self._unstandardize(visible_means(hidden, parameters))
        reconstruction = np.empty_like(X, order="C")
        for rows, chunk in self._checked_row_chunks(X):
            hidden = hidden_probabilities_of(chunk, weights, hidden_bias)
            visible_means(hidden, parameters, out=reconstruction[rows])
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
        self._check_namespace(X, "score_samples")
        X = self._validate_input(X)
        log_likelihood = self._free_energy(X)
        log_likelihood += self.log_partition_
        if not is_numpy(log_likelihood):
            return -log_likelihood
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
        return mean_as_float(self.score_samples(X))

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
        self._check_namespace(X, "free_energy")
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
        self._check_namespace(X, "gibbs")
        X = self._validate_input(X)
        self._check_rows(X)
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
        check_int_at_least("n_samples", n_samples, 1)
        check_int_at_least("n_gibbs_steps", n_gibbs_steps, 1)
        rng = as_generator(self.random_state if random_state is None else random_state)
        rng = self._namespace_draws(rng)
        parameters = self._model_parameters()
        weights = parameters.weights
        base_bias = like(self._base_visible_bias, weights, dtype=weights.dtype)
        start = sample_base_visibles(n_samples, parameters, base_bias, rng)
        hiddens = sample_hiddens(start, parameters, rng)
        visibles, _, _ = gibbs_chain(hiddens, parameters, n_gibbs_steps, rng)
        return self._unstandardize(visibles)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = True
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
