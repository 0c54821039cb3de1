"""The classification restricted Boltzmann machine as a scikit-learn classifier."""

# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

import numpy as np
from scipy.special import logsumexp
from sklearn.base import (
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.multiclass import check_classification_targets

from skebm._array_api import check_numpy_input
from skebm._rbm._base import BaseRBM
from skebm._rbm._classification import (
    check_at_least_two_classes,
    class_hidden_inputs,
    class_log_probabilities,
    class_record,
    class_scores,
    expected_hidden,
    one_hot,
)
from skebm._rbm._data import as_generator
from skebm._rbm._model import RBMParameters
from skebm._rbm._monitor import EpochMonitor
from skebm._rbm._trainer import ClassificationTrainer
from skebm._rbm._units import LabelledUnits
from skebm._sklearn_compat import (
    Interval,
    StrOptions,
    _fit_context,
    validate_data,
)

# Inference computes o[r, y, j] for a block of rows at a time: at most this
# many entries (16 MB in float64), whatever the numbers of classes and units.
_MAX_BLOCK_ENTRIES = 2**21
# Class biases start at the log class frequencies, each count smoothed by one.
_PRIOR_SMOOTHING = 1.0


class RBMClassifier(
    ClassNamePrefixFeaturesOutMixin, ClassifierMixin, TransformerMixin, BaseRBM
):
    """Classification restricted Boltzmann machine.

    An RBM of the inputs ``x`` and their one-hot label ``y`` together, with
    binary hidden units ``h``; since the hidden units sum out in closed form,
    ``p(y | x)`` is exact, a softmax over the classes of free energies
    (Larochelle & Bengio, 2008). It is trained for the discriminative
    likelihood ``log p(y | x)`` by its exact gradient, for the joint
    likelihood ``log p(x, y)`` by (persistent) contrastive divergence, or
    for both, and keeps everything an RBM offers: hidden features
    (:meth:`transform`) and the normalised log-likelihood of the inputs
    (:meth:`score_samples`).

    Read more in the :ref:`User Guide <rbm_classifier_guide>`.

    Parameters
    ----------
    n_components : int, default=500
        Number of binary hidden units.

    objective : {"discriminative", "hybrid", "generative"}, default="hybrid"
        What training maximises: ``"discriminative"`` the mean ``log p(y |
        x)``, by its exact gradient; ``"generative"`` the mean ``log p(x,
        y)``, by CD-k or PCD-k (``method``); ``"hybrid"`` the first plus
        ``generative_weight`` times the second. The default is the one that
        classified best on the benchmarks of binarised digits and MNIST (see
        the User Guide); the generative term regularises, and is what makes
        :meth:`score_samples` a model of the inputs.

    generative_weight : float, default=0.2
        Weight of the generative term of the ``"hybrid"`` objective (the
        paper's alpha); ignored by the others. 0.1 to 0.2 classified
        binarised digits best among 0.01 to 1 (see the User Guide); tune it
        on small data sets, where its regularisation matters most.
        The generative term's step is ``generative_weight *
        learning_rate``.

    learning_rate : float, default=1.0
        Step size: each update moves the parameters by ``learning_rate``
        times the minibatch mean gradient (smoothed by ``momentum``); the
        generative term moves them by ``generative_weight`` times that. It
        decays linearly to zero over the last ``decay_fraction`` of training.
        Twenty times :class:`RBMTransformer`'s default: the discriminative
        gradient is small where the hidden units saturate, and training
        underfits at 0.05. Gaussian feature units take a tenth of the step.

    batch_size : int, default=50
        Number of examples per minibatch, and of persistent chains (five
        times :class:`RBMTransformer`'s: the discriminative gradient of a
        row is noisier than its share of a generative one).

    n_iter : int or "auto", default="auto"
        Number of epochs. ``"auto"`` runs as many as make 36 000 updates,
        at most 200: ``min(200, ceil(36000 / n_batches))`` with ``n_batches
        = ceil(n_samples / batch_size)`` counted on the training rows
        (:class:`RBMTransformer`'s rule, with its own numbers): 30 epochs
        on the 60 000 MNIST digits, 200 on ``load_digits``.

    verbose : int, default=0
        Print each epoch's training ``log p(y | x)`` (on at most 1000 rows)
        and, with ``early_stopping``, the validation accuracy.

    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, sampling and AIS.

    visible : {"auto", "bernoulli", "gaussian", "gaussian_unit_variance"}, \
            default="auto"
        Type of the units of ``x``, as in :class:`RBMTransformer`. ``"auto"``
        picks bernoulli when X lies in [0, 1] and, unlike
        :class:`RBMTransformer`, ``"gaussian_unit_variance"`` (standardised
        features) otherwise: the learned variances of ``"gaussian"`` model
        densities better but make training with many hidden units on few
        features unstable, which a classifier does not need.

    method : {"cd", "pcd"}, default="pcd"
        How the generative term's model samples are drawn.

    n_gibbs_steps : int, default=1
        Gibbs steps per update for the generative term.

    momentum : float, default=0.5
        Momentum of the updates, in [0, 1).

    weight_decay : float, default=1e-4
        L2 penalty on the weights (``components_`` and
        ``class_components_``).

    decay_fraction : float, default=0.5
        Fraction of the epochs at the end over which the learning rate decays
        linearly to zero while the parameters are averaged.

    shuffle : bool, default=True
        Shuffle the rows before each epoch.

    warm_start : bool, default=False
        Continue from the fitted parameters in the next ``fit``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified), stop when
        the validation accuracy has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, and keep the best epoch's parameters.

    validation_fraction : float, default=0.1
        Fraction of the rows held out for early stopping.

    n_iter_no_change : int, default=10
        Epochs without improvement before early stopping.

    tol : float, default=1e-4
        Smallest improvement of the validation accuracy that counts.

    partition_method : {"auto", "exact", "ais"}, default="auto"
        How :meth:`score_samples` gets log Z of the joint model, as in
        :class:`RBMTransformer`: exact when the model has at most 20 hidden
        units, annealed importance sampling otherwise.

    ais_n_chains : int, default=150
        Number of AIS chains.

    ais_n_betas : int, default=8000
        Number of AIS inverse temperatures.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    components_ : ndarray of shape (n_components, n_features)
        Weights ``W`` between the hidden units and the features.

    class_components_ : ndarray of shape (n_components, n_classes)
        Weights ``U`` between the hidden units and the classes.

    intercept_visible_ : ndarray of shape (n_features,)
        Biases ``b`` of the features.

    intercept_class_ : ndarray of shape (n_classes,)
        Biases ``d`` of the classes.

    intercept_hidden_ : ndarray of shape (n_components,)
        Biases ``c`` of the hidden units.

    std_visible_ : ndarray of shape (n_features,)
        Standard deviations of gaussian feature units (standardised
        features); only for ``visible_="gaussian"``.

    visible_ : str
        The feature units in use.

    mean_, scale_ : ndarray of shape (n_features,)
        The standardisation of gaussian feature units (0 and 1 otherwise).

    h_samples_ : ndarray of shape (batch_size, n_components)
        Hidden states of the persistent chains.

    log_partition_ : float
        log Z of the joint model, computed on first access and cached.

    log_partition_std_ : float
        Standard error of ``log_partition_`` (0 when exact).

    n_iter_ : int
        Epochs run.

    train_scores_ : list of float or None
        Per-epoch mean ``log p(y | x)`` on at most 1000 training rows (with
        ``verbose`` or ``early_stopping``).

    validation_scores_ : list of float or None
        Per-epoch validation accuracy (with ``early_stopping``).

    best_validation_score_ : float or None
        Best validation accuracy (with ``early_stopping``).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    RBMTransformer : The RBM of the inputs alone, whose features feed any
        classifier.
    sklearn.neural_network.MLPClassifier : A feed-forward network classifier.

    Notes
    -----
    The energy, with ``y`` one-hot and ``E_x(x) = -b.x`` for bernoulli
    features::

        E(x, y, h) = E_x(x) - d.y - c.h - h.W.x - h.U.y

    and, with ``o_yj = c_j + U_jy + W_j.x``::

        p(y | x) = softmax_y(d_y + sum_j softplus(o_yj))

    The discriminative gradient is exact; the generative one is the CD/PCD
    estimate of an RBM on ``[x, y]`` whose label is one softmax unit, and
    log Z of that RBM is exact or estimated by AIS with the code of
    :class:`RBMTransformer`.

    References
    ----------
    .. [1] Larochelle, H. and Bengio, Y. (2008). Classification using
       discriminative restricted Boltzmann machines. ICML.
    .. [2] Larochelle, H., Mandel, M., Pascanu, R. and Bengio, Y. (2012).
       Learning algorithms for the classification restricted Boltzmann
       machine. JMLR 13.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from skebm import RBMClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X >= 8, y, random_state=0)
    >>> clf = RBMClassifier(100, n_iter=20, random_state=0).fit(X_train, y_train)
    >>> clf.predict_proba(X_test[:2]).shape
    (2, 10)
    >>> bool(clf.score(X_test, y_test) > 0.9)
    True
    """

    _parameter_constraints: dict = {
        **BaseRBM._parameter_constraints,
        "objective": [StrOptions({"discriminative", "hybrid", "generative"})],
        "generative_weight": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=500,
        *,
        objective="hybrid",
        generative_weight=0.2,
        learning_rate=1.0,
        batch_size=50,
        n_iter="auto",
        verbose=0,
        random_state=None,
        visible="auto",
        method="pcd",
        n_gibbs_steps=1,
        momentum=0.5,
        weight_decay=1e-4,
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
        self.objective = objective
        self.generative_weight = generative_weight
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
    def fit(self, X, y):
        """Fit the model to X and its labels y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data: values in [0, 1] for bernoulli feature units,
            real values for gaussian ones.

        y : array-like of shape (n_samples,)
            Class labels of any type, with at least two classes.

        Returns
        -------
        self : RBMClassifier
            The fitted model.
        """
        check_numpy_input(self, X)
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=(np.float64, np.float32)
        )
        check_classification_targets(y)
        rng = as_generator(self.random_state)
        if self.warm_start and hasattr(self, "components_"):
            X = self._as_training_input(X)
            targets = one_hot(y, self.classes_, X.dtype)
            self._restart_trainer_from_fitted()
        else:
            classes = np.unique(y)
            check_at_least_two_classes(classes, "y")
            self.classes_ = classes
            targets = one_hot(y, self.classes_, X.dtype)
            self._initialize(X, targets, rng)
        self._fit_epochs(X, rng, targets)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Fit the model to one chunk of data: one pass over it in minibatches.

        The first call initialises the model from this chunk (and
        ``classes``); later calls continue at a constant ``learning_rate``,
        exposing a running average of the iterates, as
        :meth:`RBMTransformer.partial_fit` does.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.

        y : array-like of shape (n_samples,)
            Its labels, all among ``classes``.

        classes : array-like of shape (n_classes,), default=None
            Every class of the whole stream. Required on the first call and
            optional afterwards, where it must equal ``classes_``.

        Returns
        -------
        self : RBMClassifier
            The updated model.
        """
        first_call = not hasattr(self, "classes_")
        if first_call and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: "
                "the model needs every class of the stream from the start."
            )
        if classes is not None:
            classes = np.unique(classes)
            if not first_call and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"classes={classes!r} is not the same as on the first call "
                    f"to partial_fit, which was {self.classes_!r}."
                )
        check_numpy_input(self, X)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=(np.float64, np.float32),
            reset=first_call,
        )
        check_classification_targets(y)
        if first_call:
            check_at_least_two_classes(classes, "classes")
            # Checked before classes_ is set: a refused first call leaves the
            # estimator unfitted.
            targets = one_hot(y, classes, X.dtype)
            self.classes_ = classes
            self._initialize(X, targets, as_generator(self.random_state))
            self.train_scores_ = None
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.n_iter_ = 0
        else:
            X = self._as_training_input(X)
            targets = one_hot(y, self.classes_, X.dtype)
        self._stream_chunk(X, targets)
        self.n_iter_ += 1
        return self

    # -------------------------------------------------------------- public API

    def predict_log_proba(self, X):
        """Log of the class probabilities, ``log p(y | x)``, computed exactly.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to classify.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log p(y | x)`` for each class, in the order of ``classes_``.
        """
        X = self._validate_input(X)
        parameters = self._model_parameters()
        log_proba = np.empty((X.shape[0], self.classes_.size), dtype=X.dtype)
        for rows, chunk in self._class_blocks(X):
            log_proba[rows] = class_log_probabilities(chunk, parameters)
        return log_proba

    def predict_proba(self, X):
        """Class probabilities ``p(y | x)``, computed exactly.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to classify.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            ``p(y | x)`` for each class, in the order of ``classes_``.
        """
        return np.exp(self.predict_log_proba(X))

    def predict(self, X):
        """The most probable class of each row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to classify.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        log_proba = self.predict_log_proba(X)
        return self.classes_[np.argmax(log_proba, axis=1)]

    # Defined for its docstring: the inherited one links a label of
    # scikit-learn's documentation that this build cannot resolve.
    def score(self, X, y, sample_weight=None):
        """Accuracy of :meth:`predict` against y: what ``GridSearchCV`` maximises.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.

        y : array-like of shape (n_samples,)
            True labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        score : float
            The (weighted) fraction of rows classified correctly.
        """
        return super().score(X, y, sample_weight=sample_weight)

    def transform(self, X):
        """Hidden features ``E[h | x]``, the label summed out under ``p(y | x)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to transform.

        Returns
        -------
        h : ndarray of shape (n_samples, n_components)
            ``sum_y p(y | x) P(h = 1 | x, y)`` for each hidden unit.
        """
        X = self._validate_input(X)
        parameters = self._model_parameters()
        hidden = np.empty((X.shape[0], self.n_components), dtype=X.dtype)
        for rows, chunk in self._class_blocks(X):
            hidden[rows] = expected_hidden(chunk, parameters)
        return hidden

    def score_samples(self, X):
        """Normalised log-likelihood ``log p(x)`` of each row, the label summed out.

        ``log sum_y exp(-F(x, y)) - log Z``, with log Z of the joint model
        computed exactly or by AIS (see ``partition_method``), once, and
        cached.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
            ``log p(x)`` in nats (a log density for gaussian units).
        """
        X = self._validate_input(X)
        parameters = self._model_parameters()
        units = parameters.units
        feature_bias = units.split(parameters.visible_bias)[0]
        log_likelihood = np.empty(X.shape[0], dtype=X.dtype)
        for rows, chunk in self._class_blocks(X):
            inputs, _ = class_hidden_inputs(chunk, parameters)
            log_likelihood[rows] = logsumexp(
                class_scores(inputs, parameters), axis=1
            ) - units.features.energy(chunk, feature_bias)
        log_likelihood -= self.log_partition_ + self._log_jacobian()
        return log_likelihood

    # ---------------------------------------------------------------- internals

    # The learned variances serve density models; a classifier of many
    # hidden units on few real features learns more stably without them.
    _auto_real_units = "gaussian_unit_variance"
    # MNIST's 1200 minibatches of 50 reach 1.7% test error in 30 epochs;
    # binarised digits' 27 want the 200 (0.967 mean test accuracy over
    # three splits, 0.959 after 100).
    _auto_updates = 36_000
    _auto_max_epochs = 200

    def _initialize(self, X, targets, rng):
        """The model of ``[x, y]``: class biases start at the log class frequencies."""
        feature_units, base_feature_bias = self._initialize_visible(X)
        counts = targets.sum(axis=0, dtype=np.float64) + _PRIOR_SMOOTHING
        log_priors = np.log(counts / counts.sum())
        self._initialize_model(
            LabelledUnits(feature_units, self.classes_.size),
            np.concatenate([base_feature_bias, log_priors]),
            X.dtype,
            rng,
        )

    def _trainer_settings(self):
        return {
            **super()._trainer_settings(),
            "discriminative": self.objective != "generative",
            "generative_weight": {
                "discriminative": 0.0,
                "hybrid": self.generative_weight,
                "generative": 1.0,
            }[self.objective],
        }

    def _make_trainer(self, parameters, rng):
        return ClassificationTrainer(
            parameters, n_chains=self.batch_size, rng=rng, **self._trainer_settings()
        )

    def _set_fitted_parameters(self, arrays):
        """The base's attributes, with ``[W, U]`` and ``[b, d]`` split by role."""
        super()._set_fitted_parameters(arrays)
        units = self._trainer.parameters.units
        weights, class_weights = units.split(self.components_)
        self.components_ = np.ascontiguousarray(weights)
        self.class_components_ = np.ascontiguousarray(class_weights)
        self.intercept_visible_, self.intercept_class_ = units.split(
            self.intercept_visible_
        )

    def _model_parameters(self):
        dtype = self.components_.dtype
        return RBMParameters(
            np.hstack([self.components_, self.class_components_]).astype(
                dtype, copy=False
            ),
            np.concatenate([self.intercept_visible_, self.intercept_class_]).astype(
                dtype, copy=False
            ),
            self.intercept_hidden_,
            LabelledUnits(self._unit_type.from_fitted(self), self.classes_.size),
        )

    def _validate_input(self, X):
        check_numpy_input(self, X)
        return super()._validate_input(X)

    def _class_blocks(self, X):
        """Checked, standardised, dense blocks of X sized for ``o[r, y, j]``."""
        rows_per_block = max(
            1, _MAX_BLOCK_ENTRIES // (self.classes_.size * self.n_components)
        )
        for start in range(0, X.shape[0], rows_per_block):
            stop = min(start + rows_per_block, X.shape[0])
            for rows, chunk in self._checked_row_chunks(X[start:stop]):
                yield (
                    slice(start + rows.start, start + rows.stop),
                    self._standardized_dense(chunk),
                )

    def _monitored_rows(self, X, targets, rows):
        return self._standardized_dense(X[rows]), targets[rows]

    def _epoch_monitor(self, monitored, validation, n_samples, n_checkpoints, n_epochs):
        """Mean ``log p(y | x)`` of the monitored rows; accuracy of the held out."""

        return EpochMonitor(
            lambda parameters, last: class_record(parameters, monitored, validation)
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
