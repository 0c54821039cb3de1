"""Warnings raised by skebm.

Every warning skebm raises is a subclass of :class:`SkebmWarning`, itself a
:class:`UserWarning`, so that one filter silences or escalates them all::

    import warnings
    from skebm.exceptions import SkebmWarning

    warnings.simplefilter("error", SkebmWarning)
"""

# SPDX-License-Identifier: BSD-3-Clause

from sklearn.exceptions import ConvergenceWarning

__all__ = [
    "InconsistentVersionWarning",
    "RecallNotConvergedWarning",
    "SkebmWarning",
    "UnreliableLogPartitionWarning",
]


class SkebmWarning(UserWarning):
    """Base class of every warning raised by skebm."""


class UnreliableLogPartitionWarning(SkebmWarning):
    """An AIS estimate of log Z whose standard error exceeds half a nat.

    The importance weights are then dominated by a few chains and the
    estimate (and every log-likelihood computed from it) may be far off:
    raise ``ais_n_betas`` and ``ais_n_chains``.
    """


class InconsistentVersionWarning(SkebmWarning):
    """A model unpickled by a skebm version other than the one that pickled it.

    skebm's private state may change between versions, so such a model may
    fail or give different results; fit it again, or load it with the version
    named in the message. Like scikit-learn's
    :class:`~sklearn.exceptions.InconsistentVersionWarning`, which scikit-learn
    raises for its own version.

    Parameters
    ----------
    estimator_name : str
        Name of the unpickled estimator's class.
    current_version : str
        The skebm version loading the model.
    original_version : str
        The skebm version that pickled it.
    """

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version

    def __str__(self):
        return (
            f"Trying to unpickle estimator {self.estimator_name} from skebm "
            f"version {self.original_version} when using version "
            f"{self.current_version}. This might lead to breaking code or "
            "invalid results. Use at your own risk, or fit the model again."
        )


class RecallNotConvergedWarning(SkebmWarning, ConvergenceWarning):
    """Hopfield recall stopped at ``n_sweeps`` before some rows settled.

    Those rows reached neither a fixed point nor (synchronous updates) a
    cycle; raise ``n_sweeps``. Only the binary rules warn: their dynamics
    always settle given enough sweeps, whereas the softmax rule may approach
    a metastable state slowly and returns its state after ``n_sweeps``.
    It is also a :class:`sklearn.exceptions.ConvergenceWarning`, so the
    filters that silence or escalate scikit-learn's iteration limits apply
    to it too.
    """
