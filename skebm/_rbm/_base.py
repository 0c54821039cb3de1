"""What every RBM estimator shares: the model held in its public attributes.

:class:`BaseRBM` turns the fitted attributes (``components_``,
``intercept_visible_``, ``intercept_hidden_``, ``std_visible_``) into the
arrays the mathematics takes and back, holds the trainer, runs the epochs of
a fit, and standardises and checks the input; log Z and the log-likelihood
come from :class:`~skebm._rbm._likelihood.LogLikelihoodMixin`. The estimators
built on it (:class:`~skebm.RBMTransformer`, :class:`~skebm.RBMClassifier`)
add the public methods; their parameters (``n_components``, ``visible``,
``method``, ``batch_size`` and the rest) are read here under the same names.

A model fitted on arrays of another array-API namespace (with scikit-learn's
``array_api_dispatch``) holds its fitted arrays in that namespace, on the
device of the training data, and computes there; numpy arrays keep the
numpy code.
"""

# SPDX-License-Identifier: BSD-3-Clause

import threading
import time
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import logit
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split

from skebm._array_api import (
    astype,
    check_fitted_namespace,
    copy,
    dtype_name,
    is_numpy,
    like,
    namespace,
    numpy_dtype,
    zeros,
)
from skebm._persistence import (
    VersionedStateMixin,
    generator_from_state,
    generator_state,
)
from skebm._random import draws_for
from skebm._rbm._data import (
    check_finite,
    checked_row_chunks,
    column_mean,
    column_mean_std,
    dense_rows,
    value_range,
)
from skebm._rbm._likelihood import LogLikelihoodMixin
from skebm._rbm._model import RBMParameters, free_energy
from skebm._rbm._monitor import take_rows
from skebm._rbm._trainer import (
    ContrastiveDivergence,
    EarlyStopping,
    LinearDecaySchedule,
    NamespaceContrastiveDivergence,
    ParameterAverage,
)
from skebm._rbm._units import VISIBLE_UNITS, make_units
from skebm._sklearn_compat import (
    Interval,
    StrOptions,
    check_is_fitted,
    validate_fitted_data,
)
from skebm._verbose import report_progress

# Rows per block in transform, predict and score_samples: a block and its
# hidden activations stay in cache across the check, product and elementwise
# passes.
_INFERENCE_CHUNK_ROWS = 512
# Visible biases start at the data's log-odds, clipped away from +-infinity.
_LOG_ODDS_CLIP = 1e-3
# Per-epoch log-likelihood records look at no more than this many training rows.
_MAX_MONITORED_ROWS = 1000
# Parameter averages take about this many iterates an epoch.
_AVERAGED_ITERATES_PER_EPOCH = 100
# n_iter="auto": as many epochs as make this many parameter updates (about
# 34 epochs of 60 000 rows in minibatches of 10), and never more than
# _AUTO_MAX_EPOCHS (load_digits' 1347 training rows reach it).
_AUTO_UPDATES = 200_000
_AUTO_MAX_EPOCHS = 500
# partial_fit averages its iterates with weight (gamma + 1) / (t + gamma): a
# window over the most recent 1 / (gamma + 1) of the updates (Shamir & Zhang, 2013).
_AVERAGING_GAMMA = 3.0


def _averaged(average, arrays):
    """``average`` (a :class:`ParameterAverage` or None) updated with ``arrays``."""
    if average is None:
        return ParameterAverage(arrays)
    average.update(arrays)
    return average


class BaseRBM(LogLikelihoodMixin, VersionedStateMixin, BaseEstimator):
    """Base class of the RBM estimators; not for direct use.

    Every output is computed from the public parameters, so assigning new
    arrays to them changes the model; log Z is cached under a checksum of
    those arrays, computed once when many threads ask for it at the same time.
    """

    # The parameters every RBM estimator has, under the same names.
    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_iter": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "visible": [StrOptions({"auto", *VISIBLE_UNITS})],
        "method": [StrOptions({"cd", "pcd"})],
        "n_gibbs_steps": [Interval(Integral, 1, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
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

    # visible="auto" on data outside [0, 1]
    _auto_real_units = "gaussian"
    # n_iter="auto": epochs for this many updates, never more than the maximum
    _auto_updates = _AUTO_UPDATES
    _auto_max_epochs = _AUTO_MAX_EPOCHS

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_log_partition_lock", None)
        if isinstance(state.get("_sampling_rng"), np.random.Generator):
            state["_sampling_rng"] = generator_state(state["_sampling_rng"])
        return state

    def __setstate__(self, state):
        if isinstance(state.get("_sampling_rng"), dict):
            state = {
                **state,
                "_sampling_rng": generator_from_state(state["_sampling_rng"]),
            }
        super().__setstate__(state)
        if hasattr(self, "_log_partition_cache"):
            self._log_partition_lock = threading.Lock()

    def _namespace_draws(self, rng):
        """``rng`` itself for a numpy model, else draws in its namespace."""
        if is_numpy(self.components_):
            return rng
        return draws_for(rng, self.components_)

    def _initialize(self, X, rng):
        """Resolve the visible units, standardisation, parameters and trainer.

        The statistics of X are computed where X lives; the initial
        parameters are drawn by numpy (the same in every namespace) and
        moved to X's namespace and device.
        """
        units, base_visible_bias = self._initialize_visible(X)
        self._initialize_model(
            units, base_visible_bias, numpy_dtype(X), rng, reference=X
        )

    def _initialize_visible(self, X):
        """Resolve ``visible_`` and the standardisation of X.

        Returns the unit type of X's columns and the visible bias of the base
        model of AIS (the data's log-odds, or zero for standardised units).
        """
        dtype = numpy_dtype(X)
        n_features = X.shape[1]
        low, high = value_range(X)
        if self.visible == "auto":
            self.visible_ = (
                "bernoulli" if low >= 0 and high <= 1 else self._auto_real_units
            )
        else:
            self.visible_ = self.visible
        self._check_visible_range(X)

        if not self._unit_type.standardized:
            self.mean_ = np.zeros(n_features, dtype=dtype)
            self.scale_ = np.ones(n_features, dtype=dtype)
            base_visible_bias = logit(
                np.clip(column_mean(X), _LOG_ODDS_CLIP, 1 - _LOG_ODDS_CLIP)
            )
        else:
            mean, scale = column_mean_std(X)
            # A constant column keeps unit scale rather than dividing by zero.
            scale[
                scale <= 10 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1)
            ] = 1.0
            self.mean_ = mean.astype(dtype)
            self.scale_ = scale.astype(dtype)
            base_visible_bias = np.zeros(n_features)
            self.std_visible_ = np.ones(n_features, dtype=dtype)
        return make_units(self.visible_, n_features, dtype=dtype), base_visible_bias

    def _initialize_model(self, units, base_visible_bias, dtype, rng, reference=None):
        """Initial parameters (visible bias at the base model's), trainer, seeds.

        With ``reference``, an array of another namespace, the parameters and
        the standardisation move to its namespace and device.
        """
        weights, hidden_bias = units.initial_weights(
            self.n_components, base_visible_bias.size, rng, dtype
        )
        parameters = RBMParameters(
            weights, base_visible_bias.astype(dtype), hidden_bias, units
        )
        if reference is not None and not is_numpy(reference):
            parameters = parameters.with_arrays(
                [like(array, reference) for array in parameters.arrays]
            )
            for name in ("mean_", "scale_", "std_visible_"):
                if hasattr(self, name):
                    setattr(self, name, like(getattr(self, name), reference))
            base_visible_bias = like(base_visible_bias, reference)
        self._base_visible_bias = base_visible_bias
        self._trainer = self._make_trainer(parameters, rng)
        self._sampling_rng = np.random.default_rng(rng.integers(np.iinfo(np.int32).max))
        if not is_numpy(parameters.weights):
            self._sampling_rng = draws_for(self._sampling_rng, parameters.weights)
        self._ais_seed = int(rng.integers(np.iinfo(np.int32).max))
        self._n_features_out = self.n_components
        self._streaming_average = None
        self._log_partition_cache = None
        self._log_partition_lock = threading.Lock()
        self._set_fitted_parameters(parameters.arrays)

    def _trainer_settings(self):
        """The trainer's hyper-parameters, read from ``get_params`` at every fit."""
        return {
            "persistent": self.method == "pcd",
            "n_gibbs_steps": self.n_gibbs_steps,
            "momentum": self.momentum,
            "weight_decay": self.weight_decay,
        }

    def _make_trainer(self, parameters, rng):
        if not is_numpy(parameters.weights):
            return NamespaceContrastiveDivergence(
                parameters,
                n_chains=self.batch_size,
                rng=draws_for(rng, parameters.weights),
                **self._trainer_settings(),
            )
        return ContrastiveDivergence(
            parameters, n_chains=self.batch_size, rng=rng, **self._trainer_settings()
        )

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
        for name, value in self._trainer_settings().items():
            setattr(trainer, name, value)

    def _set_fitted_parameters(self, arrays):
        """Public attributes from trained arrays (copied): ``[W, b, c, *units]``."""
        model = self._trainer.parameters.with_arrays([copy(a) for a in arrays])
        self.components_ = model.weights
        self.intercept_visible_ = model.visible_bias
        self.intercept_hidden_ = model.hidden_bias
        for name, value in model.units.fitted_attributes().items():
            setattr(self, name, value)
        self.h_samples_ = self._trainer.chains

    def _model_parameters(self):
        """The model as arrays, from the public attributes (the model's truth)."""
        return RBMParameters(
            self.components_,
            self.intercept_visible_,
            self.intercept_hidden_,
            self._unit_type.from_fitted(self),
        )

    def _train_step(self, batch, step):
        """One stochastic gradient step on a (standardised, dense) minibatch."""
        step = step * self._unit_type.step_factor
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

    def _check_rows(self, X):
        """Refuse NaN, infinity and values outside the units' range in X."""
        low, high = value_range(X)
        check_finite(low, high, X.dtype)
        self._unit_type.check_range(low, high, X)

    def _as_training_input(self, X):
        """Validated X for more training of the fitted model: its range, its dtype."""
        self._check_visible_range(X)
        if is_numpy(X):
            return X.astype(self.components_.dtype, copy=False)
        return namespace(X).astype(X, self.components_.dtype, copy=False)

    def _split_validation(self, X, rng, stratify=None):
        n_valid = int(np.ceil(self.validation_fraction * X.shape[0]))
        if n_valid < 1 or X.shape[0] - n_valid < 1:
            raise ValueError(
                f"early_stopping needs at least one training and one validation "
                f"row; got n_samples={X.shape[0]} with "
                f"validation_fraction={self.validation_fraction}."
            )
        train_rows, valid_rows = train_test_split(
            np.arange(X.shape[0]),
            test_size=n_valid,
            random_state=int(rng.integers(np.iinfo(np.int32).max)),
            stratify=stratify,
        )
        return train_rows, valid_rows

    def _check_namespace(self, X, method):
        check_fitted_namespace(self, X, attribute="components_", method=method)

    def _validate_input(self, X):
        """Validated X in the model's dtype; its values are checked chunk by chunk.

        The check for NaN, infinity and the units' range happens in
        :meth:`_checked_row_chunks`, on each block of rows while it is in
        cache for the products that follow, so that X is read from memory
        once.
        """
        check_is_fitted(self)
        xp = namespace(self.components_)
        X = validate_fitted_data(
            self,
            X,
            accept_sparse="csr",
            dtype=(xp.float64, xp.float32),
            ensure_all_finite=False,
        )
        if xp is not np:
            return xp.astype(X, self.components_.dtype, copy=False)
        return X.astype(self.components_.dtype, copy=False)

    def _checked_row_chunks(self, X):
        """Yield (row slice, block of rows) of X, each checked before use."""
        return checked_row_chunks(X, self._unit_type, _INFERENCE_CHUNK_ROWS)

    def _minibatch(self, X, rows, targets=None):
        """Rows of X, standardised, gathered straight into the training buffer.

        ``targets`` (one-hot labels) fill the columns after X's. X of
        another namespace gives a new array (the standard has no ``out``).
        """
        if not is_numpy(X):
            xp = namespace(X)
            batch = xp.take(X, like(rows, X), axis=0)
            if self._unit_type.standardized:
                batch = (batch - self.mean_) / self.scale_
            return batch
        batch = self._trainer.batch_buffer(len(rows))
        features = batch
        if targets is not None:
            features = batch[:, : X.shape[1]]
            np.take(targets, rows, axis=0, out=batch[:, X.shape[1] :])
        if sp.issparse(X):
            features[...] = X[rows].toarray()
        elif features is batch:
            np.take(X, rows, axis=0, out=batch)
        else:
            features[...] = X[rows]
        if self._unit_type.standardized:
            features -= self.mean_
            features /= self.scale_
        return batch

    def _standardized_dense(self, X):
        return self._standardize(dense_rows(X))

    def _standardize(self, X):
        if not self._unit_type.standardized:
            return X
        X = X - self.mean_
        X /= self.scale_
        return X

    def _unstandardize(self, Z):
        if not self._unit_type.standardized:
            return Z
        Z *= self.scale_
        Z += self.mean_
        return Z

    def _input_space_hidden_parameters(self):
        """W and c acting on the original X: s(v) and standardisation folded in."""
        parameters = self._model_parameters()
        if not self._unit_type.standardized:
            return parameters.weights, parameters.hidden_bias
        # s(v) is elementwise linear in v = (x - mean_) / scale_ for these units
        column_factor = parameters.units.interaction(1.0 / self.scale_[None, :])[0, :]
        weights = astype(
            parameters.weights * column_factor, dtype_name(parameters.weights)
        )
        return weights, parameters.hidden_bias - weights @ self.mean_

    def _free_energy(self, X):
        """F(x) of validated X, including the Jacobian of the standardisation."""
        parameters = self._model_parameters()
        if is_numpy(X):
            energy = np.empty(X.shape[0], dtype=X.dtype)
        else:
            energy = zeros(X.shape[0], dtype_name(self.components_), X)
        for rows, chunk in self._checked_row_chunks(X):
            if self._unit_type.standardized:
                chunk = self._standardize(dense_rows(chunk))
            energy[rows] = free_energy(chunk, parameters)
        energy += self._log_jacobian()
        return energy

    def _n_epochs(self, n_batches):
        """The number of epochs: ``n_iter``, or the rule of ``n_iter="auto"``."""
        if self.n_iter != "auto":
            return self.n_iter
        updates = self._auto_updates
        return int(min(self._auto_max_epochs, np.ceil(updates / n_batches)))

    def _fit_epochs(self, X, rng, targets=None):
        """Epochs of minibatch updates on X, with what goes with them.

        The learning rate decays over the last ``decay_fraction`` of the
        epochs while the iterates are averaged (every ``n_batches // 100``
        updates) into the fitted parameters; with
        ``verbose`` or ``early_stopping`` each epoch is scored (see
        :meth:`_epoch_monitor`) on at most 1000 training rows (and on the
        held-out rows), and early stopping keeps the best parameters. The
        public parameters are set at the end. Rows are gathered from X by
        index: X is never copied. ``targets``, one-hot labels, go with the
        rows (and stratify the held-out split).
        """
        trainer = self._trainer
        train_rows = np.arange(X.shape[0])
        valid_rows = None
        if self.early_stopping:
            train_rows, valid_rows = self._split_validation(
                X, rng, stratify=None if targets is None else targets.argmax(axis=1)
            )
        monitoring = bool(self.verbose) or self.early_stopping
        self.train_scores_ = [] if monitoring else None
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = None
        monitored_rows = train_rows[
            rng.permutation(train_rows.size)[:_MAX_MONITORED_ROWS]
        ]

        n_samples = train_rows.size
        n_batches = max(int(np.ceil(n_samples / self.batch_size)), 1)
        n_epochs = self._n_epochs(n_batches)
        average_every = max(n_batches // _AVERAGED_ITERATES_PER_EPOCH, 1)
        if monitoring:
            valid = None
            if valid_rows is not None:
                valid = self._monitored_rows(X, targets, valid_rows)
            n_checkpoints = max(n_batches // average_every, 1)
            monitor = self._epoch_monitor(
                self._monitored_rows(X, targets, monitored_rows),
                valid,
                n_samples,
                n_checkpoints,
                n_epochs,
            )
        total_updates = max(n_epochs * n_batches, 1)
        schedule = LinearDecaySchedule(self.learning_rate, self.decay_fraction)
        decay_start_epoch = n_epochs * (1 - self.decay_fraction)
        average = None
        stopper = EarlyStopping(self.n_iter_no_change, self.tol)
        update = 0
        self.n_iter_ = 0
        for epoch in range(n_epochs):
            begin = time.perf_counter()
            order = (
                train_rows[rng.permutation(n_samples)] if self.shuffle else train_rows
            )
            if not is_numpy(X):
                # The order goes to X's device once per epoch, not per batch.
                order = like(order, X)
            decaying = self.decay_fraction > 0 and epoch + 1 > decay_start_epoch
            epoch_average = None
            for batch, start in enumerate(range(0, n_samples, self.batch_size)):
                # The standard leaves slices past the end unspecified.
                rows = order[start : min(start + self.batch_size, n_samples)]
                self._train_step(
                    self._minibatch(X, rows, targets), schedule(update / total_updates)
                )
                update += 1
                # Every few updates the iterate goes into an average: over the
                # decay, the fitted model's (Polyak averaging); before it, when
                # monitoring, the epoch's, which the record scores (one PCD
                # iterate's log-likelihood swings by nats between updates).
                if (batch + 1) % average_every != 0:
                    continue
                if monitoring:
                    monitor.observe(trainer)
                if decaying:
                    average = _averaged(average, trainer.parameters.arrays)
                elif monitoring:
                    epoch_average = _averaged(epoch_average, trainer.parameters.arrays)
            self.n_iter_ = epoch + 1
            if not monitoring:
                continue

            scored = average or epoch_average
            model = trainer.parameters
            if scored is not None:
                model = model.with_arrays(scored.arrays)
            last = epoch == n_epochs - 1
            if self._record_epoch(monitor, model, last, stopper, begin):
                break

        if stopper.best_arrays is not None:
            final = stopper.best_arrays
        elif average is not None:
            final = average.arrays
        else:
            final = trainer.parameters.arrays
        self._set_fitted_parameters(final)
        self._streaming_average = None

    def _record_epoch(self, monitor, model, last, stopper, begin):
        """Score the epoch's ``model``, record and print it; True means stop.

        The scores go to ``train_scores_`` (and, with early stopping,
        ``validation_scores_`` and ``stopper``); ``begin`` is when the
        epoch began, for the printed time.
        """
        scores = monitor(model, last=last)
        self.train_scores_.append(scores[0][1])
        stop = False
        if self.early_stopping:
            valid_score = scores[1][1]
            self.validation_scores_.append(valid_score)
            stop = stopper.record(valid_score, model.arrays)
            self.best_validation_score_ = stopper.best_score
        if self.verbose:
            report_progress(
                self,
                f"Iteration {self.n_iter_}",
                time.perf_counter() - begin,
                dict(scores),
            )
        return stop

    def _monitored_rows(self, X, targets, rows):
        """What :meth:`_epoch_monitor` reads of ``rows``: here X's, standardised."""
        return self._standardized_dense(take_rows(X, rows))

    def _stream_chunk(self, X, targets=None):
        """One pass over a chunk in minibatches, for ``partial_fit``.

        Updates drive the raw iterates at a constant ``learning_rate``; the
        public parameters are their running average, weighted ``(gamma + 1) /
        (t + gamma)`` at update ``t`` (Shamir & Zhang, 2013): with no known
        end there is no decay, and the average plays its part.
        """
        if self._streaming_average is None:
            self._restart_trainer_from_fitted()
            self._streaming_average = ParameterAverage(self._trainer.parameters.arrays)
            self._streaming_average.count = 0
        average = self._streaming_average
        n_samples = X.shape[0]
        rng = self._trainer.rng
        order = rng.permutation(n_samples) if self.shuffle else np.arange(n_samples)
        for start in range(0, n_samples, self.batch_size):
            rows = order[start : min(start + self.batch_size, n_samples)]
            batch = self._minibatch(X, rows, targets)
            self._train_step(batch, self.learning_rate)
            rate = (_AVERAGING_GAMMA + 1) / (average.count + 1 + _AVERAGING_GAMMA)
            average.update(self._trainer.parameters.arrays, rate)
        self._set_fitted_parameters(average.arrays)
