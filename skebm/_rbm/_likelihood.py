"""The log-likelihood of an RBM estimator, and the log Z it needs.

:class:`LogLikelihoodMixin` gives an RBM estimator ``log_partition_`` (log Z
by ``partition_method``, cached under a checksum of the public parameters),
:meth:`~LogLikelihoodMixin.estimate_log_partition` (log Z afresh, by the
method asked for), mean log-likelihoods of standardised rows, and the
per-epoch record of those during a fit. The mathematics is in
:mod:`~skebm._rbm._partition` and :mod:`~skebm._rbm._monitor`; this module
reads the estimator's parameters and settings into it.
"""

# SPDX-License-Identifier: BSD-3-Clause

import time
import warnings
import zlib

import numpy as np

from skebm._array_api import is_numpy, mean_as_float, namespace, to_numpy
from skebm._rbm._data import as_generator, check_int_at_least
from skebm._rbm._model import free_energy
from skebm._rbm._monitor import EpochMonitor, LogPartitionTracker, chain_samples
from skebm._rbm._partition import log_partition, resolved_method
from skebm._sklearn_compat import check_is_fitted
from skebm._verbose import report_progress
from skebm.exceptions import UnreliableLogPartitionWarning

# Above this standard error (nats) an AIS estimate of log Z is not trusted.
_UNRELIABLE_AIS_STD_ERROR = 0.5
# The error the warning's advice aims at.
_TARGET_AIS_STD_ERROR = 0.3
# The per-epoch record's log Z tracking: at most this many chains annealed
# each way between consecutive epochs' models, in this many steps.
_MONITOR_MAX_CHAINS = 100
_MONITOR_BRIDGE_STEPS = 10
# ... after this many Gibbs sweeps of each model's samples under it.
_MONITOR_SWEEPS = 5


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


class LogLikelihoodMixin:
    """log Z and log-likelihoods for an RBM estimator built on ``BaseRBM``.

    It reads the fitted model through ``_model_parameters()``, ``_unit_type``
    and ``scale_``, the trainer as ``_trainer``, the persistent chains as
    ``h_samples_``, and the settings ``partition_method``, ``ais_n_chains``,
    ``ais_n_betas`` and ``verbose``. ``BaseRBM`` sets at fit what it keeps:
    the base model's visible bias (``_base_visible_bias``), the seed of its
    annealing (``_ais_seed``) and the cache with its lock
    (``_log_partition_cache``, ``_log_partition_lock``).
    """

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

    def _ais_rng(self):
        """The random numbers of :attr:`log_partition_`'s annealing."""
        return self._namespace_draws(np.random.default_rng(self._ais_seed))

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

    def _mean_log_likelihood(self, Z, parameters, log_z):
        """Mean log p(x) of standardised dense rows ``Z`` given their model's log Z."""
        log_likelihood = -mean_as_float(free_energy(Z, parameters))
        return float(log_likelihood - log_z - self._log_jacobian())

    def _log_jacobian(self):
        """``sum_i log scale_i``: the density of X from that of the standardised."""
        if not self._unit_type.standardized:
            return 0.0
        if not is_numpy(self.scale_):
            xp = namespace(self.scale_)
            return float(xp.sum(xp.log(self.scale_)))
        return float(np.log(self.scale_).sum(dtype=np.float64))

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
