"""The per-epoch record: log Z followed from model to model, against exact values."""

import contextlib
import io

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_blobs

from skebm import RBMTransformer
from skebm._rbm._monitor import LogPartitionTracker
from skebm._rbm._partition import exact_log_partition
from tests._rbm_models import all_binary_states, random_parameters
from tests.test_rbm_partition import _exact_samples, _nearby


class _CountedExact:
    """Exact log Z, counting the calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, parameters):
        self.calls += 1
        return exact_log_partition(parameters)


def _tracker(estimate, rng, n_chains, n_sweeps=0):
    return LogPartitionTracker(
        estimate, rng, rng, n_chains=n_chains, n_bridge_steps=5, n_sweeps=n_sweeps
    )


@pytest.mark.parametrize("n_sweeps", [0, 3])
def test_tracker_follows_log_z_along_a_sequence_of_models(n_sweeps):
    rng = np.random.default_rng(0)
    models = [random_parameters(10, 6, scale=0.5, seed=3)]
    for step in range(6):
        models.append(_nearby(models[-1], 0.2, seed=10 + step))
    exact = [exact_log_partition(model) for model in models]
    assert np.ptp(exact) > 1.0  # the models do differ
    estimate = _CountedExact()
    tracker = _tracker(estimate, rng, 300, n_sweeps)
    for model, log_z in zip(models, exact, strict=True):
        for _ in range(3):  # samples of the model in training come in pieces
            tracker.add_samples(_exact_samples(model, 100, rng))
        assert abs(tracker(model) - log_z) < 0.1
    assert estimate.calls == 1  # the first model's; the others are followed


def test_tracker_estimates_the_last_model_afresh():
    rng = np.random.default_rng(0)
    models = [random_parameters(8, 4, scale=0.5, seed=s) for s in (1, 2)]
    estimate = _CountedExact()
    tracker = _tracker(lambda parameters: estimate(parameters) + 1.0, rng, 50)
    for model in models:
        tracker.add_samples(_exact_samples(model, 50, rng))
    tracker(models[0])
    # The second model's value comes from the estimate (here 1 nat off),
    # not from the step.
    assert tracker(models[1], last=True) == exact_log_partition(models[1]) + 1.0
    assert estimate.calls == 2


def test_tracker_keeps_its_own_copy_of_the_model():
    rng = np.random.default_rng(0)
    model = random_parameters(6, 4, scale=0.5, seed=1)
    tracker = _tracker(exact_log_partition, rng, 10)
    tracker.add_samples(all_binary_states(6))
    tracker(model)
    model.weights[...] += 1.0
    assert not np.shares_memory(tracker.parameters.weights, model.weights)
    assert np.all(tracker.parameters.weights != model.weights)


def _fit_quietly(estimator, X):
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        estimator.fit(X)
    return printed.getvalue()


def _binary_digits():
    # 900 rows: fewer than the 1000 the record reads, so it reads them all.
    return (load_digits().data[:900] >= 8).astype(float)


@pytest.mark.parametrize(
    "X, visible",
    [
        (_binary_digits(), "bernoulli"),
        (make_blobs(600, n_features=6, centers=5, random_state=0)[0], "gaussian"),
    ],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_record_by_ais_tracking_is_smooth_and_ends_at_the_exact_value(X, visible, seed):
    # 12 hidden units: exact log Z is at hand, but the record is asked to
    # estimate it the way it does for large models.
    rbm = RBMTransformer(
        n_components=12,
        visible=visible,
        partition_method="ais",
        n_iter=30,
        verbose=1,
        random_state=seed,
    )
    printed = _fit_quietly(rbm, X)
    scores = np.array(rbm.train_scores_)
    assert len(scores) == 30 and printed.count("train log-likelihood") == 30
    exact = rbm.set_params(partition_method="exact").score_samples(X).mean()
    assert abs(scores[-1] - exact) < 0.5
    assert scores[-1] > scores[0] + 0.5  # training does improve the model
    assert np.diff(scores[2:]).min() > -0.5


def test_verbose_does_not_change_the_fitted_model():
    X = _binary_digits()[:300]
    settings = dict(n_components=24, n_iter=5, random_state=0, partition_method="ais")
    quiet = RBMTransformer(**settings).fit(X)
    loud = RBMTransformer(**settings, verbose=1)
    _fit_quietly(loud, X)
    np.testing.assert_array_equal(quiet.components_, loud.components_)
    np.testing.assert_array_equal(quiet.intercept_hidden_, loud.intercept_hidden_)
