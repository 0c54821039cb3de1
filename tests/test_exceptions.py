import warnings

import numpy as np
import pytest

from skebm import HopfieldMemory, RBMTransformer
from skebm.exceptions import (
    InconsistentVersionWarning,
    RecallNotConvergedWarning,
    SkebmWarning,
    UnreliableLogPartitionWarning,
)


@pytest.mark.parametrize(
    "warning",
    [
        UnreliableLogPartitionWarning,
        RecallNotConvergedWarning,
        InconsistentVersionWarning,
    ],
)
def test_every_skebm_warning_is_a_skebm_and_user_warning(warning):
    assert issubclass(warning, SkebmWarning)
    assert issubclass(SkebmWarning, UserWarning)


def test_recall_not_converged_is_a_scikit_learn_convergence_warning():
    from sklearn.exceptions import ConvergenceWarning

    assert issubclass(RecallNotConvergedWarning, ConvergenceWarning)


def test_short_ais_on_a_sharp_model_warns_that_log_z_is_unreliable():
    rng = np.random.default_rng(0)
    X = (rng.random((50, 30)) < 0.5).astype(float)
    rbm = RBMTransformer(
        25,
        n_iter=1,
        partition_method="ais",
        ais_n_chains=5,
        ais_n_betas=3,
        random_state=0,
    ).fit(X)
    rbm.components_ = 4.0 * rng.standard_normal(rbm.components_.shape)
    with pytest.warns(UnreliableLogPartitionWarning, match="ais_n_betas"):
        rbm.score_samples(X)


def test_exact_log_partition_never_warns():
    X = (np.random.default_rng(0).random((50, 8)) < 0.5).astype(float)
    rbm = RBMTransformer(4, n_iter=2, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rbm.score_samples(X)
    assert rbm.log_partition_std_ == 0


def test_recall_stopped_by_n_sweeps_warns_with_the_count():
    rng = np.random.default_rng(0)
    patterns = rng.choice([-1.0, 1.0], size=(5, 100))
    probes = patterns.copy()
    probes[:, :30] *= -1
    memory = HopfieldMemory("hebbian", update="sync", n_sweeps=1).fit(patterns)
    with pytest.warns(RecallNotConvergedWarning, match=r"of 5 rows.*n_sweeps=1"):
        memory.predict(probes)
    settled = HopfieldMemory("hebbian", update="sync").fit(patterns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        settled.predict(probes)
