"""What every RBM estimator shares: the model held in its public attributes.

:class:`BaseRBM` turns the fitted attributes (``components_``,
``intercept_visible_``, ``intercept_hidden_``, ``std_visible_``) into the
arrays the mathematics takes and back, holds the trainer, standardises and
checks the input, and computes and caches log Z. The estimators built on it
(:class:`~skebm.RBMTransformer`) add the public methods; their parameters
(``n_components``, ``visible``, ``method``, ``batch_size``, ``partition_method``
and the rest) are read here under the same names.

A model fitted on arrays of another array-API namespace (with scikit-learn's
``array_api_dispatch``) holds its fitted arrays in that namespace, on the
device of the training data, and computes there; numpy arrays keep the
numpy code.
"""

# SPDX-License-Identifier: BSD-3-Clause

import threading
import time
import warnings
import zlib
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import logit
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split

from skebm._array_api import (
    accumulation_dtype,
    astype,
    copy,
    device_of,
    is_numpy,
    like,
    namespace,
    to_numpy,
    zeros,
)
from skebm._persistence import (
    VersionedStateMixin,
    generator_from_state,
    generator_state,
)
from skebm._random import draws_for
from skebm._rbm._data import (
    as_generator,
    checked_row_chunks,
    column_mean,
    column_mean_std,
    dense_rows,
    value_range,
)
from skebm._rbm._model import RBMParameters, free_energy
from skebm._rbm._monitor import (
    EpochMonitor,
    LogPartitionTracker,
    chain_samples,
    take_rows,
)
from skebm._rbm._partition import log_partition, resolved_method
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
    check_same_namespace,
    get_namespace,
    validate_fitted_data,
)
from skebm._verbose import report_progress
from skebm.exceptions import UnreliableLogPartitionWarning

# Rows per block in transform, predict and score_samples: a block and its
# hidden activations stay in cache across the check, product and elementwise
# passes.
_INFERENCE_CHUNK_ROWS = 512
# Above this standard error (nats) an AIS estimate of log Z is not trusted.
_UNRELIABLE_AIS_STD_ERROR = 0.5
# The error the warning's advice aims at.
_TARGET_AIS_STD_ERROR = 0.3
# Visible biases start at the data's log-odds, clipped away from +-infinity.
_LOG_ODDS_CLIP = 1e-3
# Per-epoch log-likelihood records look at no more than this many training rows.
_MAX_MONITORED_ROWS = 1000
# Parameter averages take about this many iterates an epoch.
_AVERAGED_ITERATES_PER_EPOCH = 100
# The per-epoch record's log Z tracking: at most this many chains annealed
# each way between consecutive epochs' models, in this many steps.
_MONITOR_MAX_CHAINS = 100
_MONITOR_BRIDGE_STEPS = 10
# ... after this many Gibbs sweeps of each model's samples under it.
_MONITOR_SWEEPS = 5
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


def _fingerprint(arrays):
    """A checksum of the arrays' values, with their dtypes and shapes.

    CRC-32 reads memory at several GB/s (a cryptographic digest of a
    784 x 500 model costs more than a tenth of scoring 5000 rows); a change
    that keeps all the checksums has odds of one in four billion.
    """
    checksum = 0
    arrays = [to_numpy(array) for array in arrays]
    for array in arrays:
        array = np.ascontiguousarray(array)
        checksum = zlib.crc32(memoryview(array).cast("B"), checksum)
    return checksum, tuple((array.dtype.str, array.shape) for array in arrays)


def check_int_at_least(name, value, minimum):
    """``value`` as an int, refusing other types and values below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def _warn_if_unreliable(std_error, chains_setting, betas_setting, stacklevel=3):
    """Warn that an AIS estimate is unreliable, naming the settings to raise.

    The standard error falls as the square root of the number of chains, so
    the warning says how many would bring it to :data:`_TARGET_AIS_STD_ERROR`.
    """
    if std_error <= _UNRELIABLE_AIS_STD_ERROR:
        return
    (chains_name, n_chains), (betas_name, n_betas) = chains_setting, betas_setting
    needed = int(np.ceil(n_chains * (std_error / _TARGET_AIS_STD_ERROR) ** 2))
    warnings.warn(
        f"The AIS estimate of log Z has a standard error of {std_error:.2f} "
        f"nats: a few of its {n_chains} chains dominate it. Raise "
        f"{chains_name} (now {n_chains}) to about {needed} for an error near "
        f"{_TARGET_AIS_STD_ERROR} nats. If estimates with a larger {betas_name} "
        f"(now {n_betas}) come out higher, raise that too: the annealing is "
        "too short.",
        UnreliableLogPartitionWarning,
        stacklevel=stacklevel,
    )


def _numpy_dtype(X):
    """The numpy dtype of X's floating dtype (of any namespace)."""
    return np.dtype("float32" if X.dtype == namespace(X).float32 else "float64")


def _mean(values):
    """The mean of a vector as a float, accumulated in float64 where possible."""
    if is_numpy(values):
        return float(values.mean(dtype=np.float64))
    xp = namespace(values)
    return float(xp.mean(astype(values, _dtype_name_of(xp, values, wide=True))))


def _dtype_name_of(xp, array, wide=False):
    """ "float32" or "float64": ``array``'s, or the widest its device has."""
    if wide and accumulation_dtype(xp, device_of(array)) == xp.float64:
        return "float64"
    return "float32" if array.dtype == xp.float32 else "float64"


def _dtype_name(estimator):
    """The name of the fitted model's dtype."""
    weights = estimator.components_
    return _dtype_name_of(namespace(weights), weights)


class BaseRBM(VersionedStateMixin, BaseEstimator):
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

    @property
    def log_partition_(self):
        """log Z of the current parameters, computed on first access and cached."""
        return self._cached_log_partition()[0]

    @property
    def log_partition_std_(self):
        """Standard error of ``log_partition_`` (0 when computed exactly)."""
        return self._cached_log_partition()[1]

    def estimate_log_partition(
        self, method="ais", *, n_chains=None, n_betas=None, random_state=None
    ):
        """Compute or estimate the log partition function log Z of the model.

        Unlike :attr:`log_partition_`, which follows ``partition_method`` and
        is cached, every call computes anew, with the method and settings
        asked for: run forward and reverse AIS to bracket log Z, or a longer
        run to check an estimate.

        Parameters
        ----------
        method : {"ais", "reverse_ais", "exact"}, default="ais"
            ``"exact"`` enumerates the smaller binary layer (up to 24 units).
            ``"ais"`` anneals from a base model without weights to the model
            (annealed importance sampling, Salakhutdinov & Murray, 2008):
            unbiased for Z, so its log errs low on average. ``"reverse_ais"``
            anneals from samples of the model, drawn by Gibbs sampling from
            the persistent chains (``h_samples_``), back to the base model
            (Burda, Grosse & Salakhutdinov, 2015): its log errs high, so
            the two bracket log Z.
        n_chains : int, default=None
            Number of annealing runs averaged; ``None`` means ``ais_n_chains``.
        n_betas : int, default=None
            Number of inverse temperatures; ``None`` means ``ais_n_betas``.
        random_state : int, RandomState instance or None, default=None
            Seeds the annealing; ``None`` means the seed the estimator drew at
            fit, with which :attr:`log_partition_` was computed.

        Returns
        -------
        log_z : float
            log Z of the model as it scores its input (for gaussian units, of
            the standardised features).
        std_error : float
            Standard error of the estimate by the delta method, 0 when
            exact. An estimate whose error exceeds 0.5 nats warns with
            :class:`~skebm.exceptions.UnreliableLogPartitionWarning`.

        See Also
        --------
        log_partition_ : The cached log Z that ``score_samples`` uses.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skebm import RBMTransformer
        >>> X = load_digits().data[:200] > 8
        >>> rbm = RBMTransformer(8, n_iter=10, random_state=0).fit(X.astype(float))
        >>> exact, _ = rbm.estimate_log_partition("exact")
        >>> low, _ = rbm.estimate_log_partition(n_chains=50, n_betas=1000)
        >>> high, _ = rbm.estimate_log_partition("reverse_ais", n_betas=1000)
        >>> bool(abs(low - exact) < 0.2 and abs(high - exact) < 0.2)
        True
        """
        check_is_fitted(self)
        if method not in ("ais", "reverse_ais", "exact"):
            raise ValueError(
                f"method must be 'ais', 'reverse_ais' or 'exact'; got {method!r}."
            )
        if n_chains is None:
            n_chains = self.ais_n_chains
        if n_betas is None:
            n_betas = self.ais_n_betas
        n_chains = check_int_at_least("n_chains", n_chains, 1)
        n_betas = check_int_at_least("n_betas", n_betas, 2)
        if random_state is None:
            rng = self._ais_rng()
        else:
            rng = self._namespace_draws(as_generator(random_state))
        value, std_error = log_partition(
            self._model_parameters(),
            method,
            base_visible_bias=self._base_visible_bias,
            n_chains=n_chains,
            n_betas=n_betas,
            model_hidden=self.h_samples_,
            rng=rng,
            method_name="method",
        )
        _warn_if_unreliable(std_error, ("n_chains", n_chains), ("n_betas", n_betas))
        return value, std_error

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

    def _ais_rng(self):
        """The random numbers of :attr:`log_partition_`'s annealing."""
        return self._namespace_draws(np.random.default_rng(self._ais_seed))

    def _initialize(self, X, rng):
        """Resolve the visible units, standardisation, parameters and trainer.

        The statistics of X are computed where X lives; the initial
        parameters are drawn by numpy (the same in every namespace) and
        moved to X's namespace and device.
        """
        units, base_visible_bias = self._initialize_visible(X)
        self._initialize_model(
            units, base_visible_bias, _numpy_dtype(X), rng, reference=X
        )

    def _initialize_visible(self, X):
        """Resolve ``visible_`` and the standardisation of X.

        Returns the unit type of X's columns and the visible bias of the base
        model of AIS (the data's log-odds, or zero for standardised units).
        """
        dtype = _numpy_dtype(X)
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

    def _mean_log_likelihood(self, Z, parameters, log_z):
        """Mean log p(x) of standardised dense rows ``Z`` given their model's log Z."""
        log_likelihood = -_mean(free_energy(Z, parameters))
        return float(log_likelihood - log_z - self._log_jacobian())

    def _log_jacobian(self):
        """``sum_i log scale_i``: the density of X from that of the standardised."""
        if not self._unit_type.standardized:
            return 0.0
        if not is_numpy(self.scale_):
            xp = namespace(self.scale_)
            return float(xp.sum(xp.log(self.scale_)))
        return float(np.log(self.scale_).sum(dtype=np.float64))

    def _check_namespace(self, X, method):
        """Refuse X of another namespace or device than the fitted model's.

        scikit-learn's check, under ``array_api_dispatch``; without it, X
        is converted to numpy, which a model fitted on other arrays refuses
        too.
        """
        check_is_fitted(self)
        check_same_namespace(X, self, attribute="components_", method=method)
        if not is_numpy(self.components_) and not get_namespace(X)[1]:
            raise ValueError(
                f"{type(self).__name__} was fitted on arrays of "
                f"{namespace(self.components_).__name__}; call "
                f"{method}() on such arrays with "
                "sklearn.set_config(array_api_dispatch=True)."
            )

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
        weights = astype(parameters.weights * column_factor, _dtype_name(self))
        return weights, parameters.hidden_bias - weights @ self.mean_

    def _free_energy(self, X):
        """F(x) of validated X, including the Jacobian of the standardisation."""
        parameters = self._model_parameters()
        if is_numpy(X):
            energy = np.empty(X.shape[0], dtype=X.dtype)
        else:
            energy = zeros(X.shape[0], _dtype_name(self), X)
        for rows, chunk in self._checked_row_chunks(X):
            if self._unit_type.standardized:
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
        # Threads asking at once wait for one computation (AIS at the default
        # settings takes most of a minute on MNIST) rather than each run it.
        with self._log_partition_lock:
            cache = self._log_partition_cache
            if cache is None or cache[0] != key:
                self._log_partition_cache = (key, self._log_partition_of(parameters))
            return self._log_partition_cache[1]

    def _log_partition_of(self, parameters, n_betas=None, n_chains=None):
        """log Z and its standard error by ``partition_method``.

        AIS runs at the estimator's settings, or at those given (for the
        per-epoch record: then without progress lines or warnings).
        """
        monitor = n_betas is not None
        if not monitor:
            n_betas, n_chains = self.ais_n_betas, self.ais_n_chains
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
            rng=self._ais_rng(),
            callback=report_ais_progress if self.verbose and not monitor else None,
            method_name="partition_method",
        )
        if not monitor:
            _warn_if_unreliable(
                std_error,
                ("ais_n_chains", self.ais_n_chains),
                ("ais_n_betas", self.ais_n_betas),
                stacklevel=5,
            )
        return value, std_error

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
                rows = order[start : start + self.batch_size]
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

    def _epoch_monitor(self, monitored, validation, n_samples, n_checkpoints, n_epochs):
        """The :class:`EpochMonitor` of a fit: mean log-likelihoods.

        Of the monitored training rows and of the held-out rows (when
        ``validation`` is not None), with one log Z: exact for small models,
        else by a :class:`LogPartitionTracker` that estimates it by AIS for
        the first (and, on long fits, the last) of the ``n_epochs`` epochs
        and follows it in between, with samples of the training's chains
        observed ``n_checkpoints`` times an epoch of ``n_samples`` rows.
        """
        initial = self._trainer.parameters
        if resolved_method(self.partition_method, initial) == "exact":
            observe = None
            estimate_last = False

            def log_partition_of(parameters, last):
                return self._log_partition_of(parameters)[0]

        else:
            # An epoch of updates costs some three Gibbs steps a row. The AIS
            # of the first epoch's model costs an eighth of the estimator's
            # or, on short fits, some 2.5% of the fit's steps; so does that of
            # the last epoch's, on fits long enough to afford the eighth (on
            # shorter ones, following log Z errs less than a shorter AIS).
            # Annealing each way between consecutive epochs' models costs
            # 2 * n_chains * (_MONITOR_BRIDGE_STEPS + _MONITOR_SWEEPS) steps,
            # a few hundredths of an epoch.
            eighth = self.ais_n_betas * self.ais_n_chains // 8
            affordable = max(3 * n_epochs * n_samples // 40, 20_000)
            estimate_last = affordable >= eighth
            work = min(eighth, affordable)
            n_ais_chains = max(self.ais_n_chains // 2, 10)
            n_ais_betas = max(work // n_ais_chains, 100)
            rng = np.random.default_rng([self._ais_seed, 1])
            draws = self._ais_rng()
            n_chains = int(np.clip(n_samples // 100, 20, _MONITOR_MAX_CHAINS))
            log_partition_of = LogPartitionTracker(
                lambda parameters: self._log_partition_of(
                    parameters, n_betas=n_ais_betas, n_chains=n_ais_chains
                )[0],
                draws,
                rng,
                n_chains=n_chains,
                n_bridge_steps=_MONITOR_BRIDGE_STEPS,
                n_sweeps=_MONITOR_SWEEPS,
            )
            rows_per_checkpoint = -(-n_chains // n_checkpoints)

            def observe(trainer):
                log_partition_of.add_samples(
                    chain_samples(trainer, rows_per_checkpoint, draws, rng)
                )

        def scores(parameters, last):
            log_z = log_partition_of(parameters, last and estimate_last)
            named = [
                (
                    "train log-likelihood",
                    self._mean_log_likelihood(monitored, parameters, log_z),
                )
            ]
            if validation is not None:
                named.append(
                    (
                        "validation log-likelihood",
                        self._mean_log_likelihood(validation, parameters, log_z),
                    )
                )
            return named

        return EpochMonitor(scores, observe)

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
            batch = self._minibatch(X, order[start : start + self.batch_size], targets)
            self._train_step(batch, self.learning_rate)
            rate = (_AVERAGING_GAMMA + 1) / (average.count + 1 + _AVERAGING_GAMMA)
            average.update(self._trainer.parameters.arrays, rate)
        self._set_fitted_parameters(average.arrays)
