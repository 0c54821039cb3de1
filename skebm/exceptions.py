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
