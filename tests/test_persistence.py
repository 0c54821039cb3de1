"""Persistence: skops round trips, generators pickled as state, version warning."""

import pickle

import numpy as np
import pytest
import skops.io as sio
from numpy.testing import assert_array_equal

import skebm
from skebm import HopfieldMemory, RBMTransformer
from skebm._persistence import generator_from_state, generator_state
from skebm.exceptions import InconsistentVersionWarning

RULES = ["hebbian", "storkey", "pseudoinverse", "polynomial", "exponential", "softmax"]
RBM_UNITS = ["bernoulli", "gaussian", "gaussian_unit_variance"]


def rbm_data(visible, n_rows=80, n_features=10, seed=0):
    rng = np.random.default_rng(seed)
    if visible == "bernoulli":
        return (rng.random((n_rows, n_features)) < 0.4).astype(float)
    return 3.0 + 2.0 * rng.standard_normal((n_rows, n_features))


def fitted_rbm(visible):
    X = rbm_data(visible)
    rbm = RBMTransformer(4, visible=visible, n_iter=3, batch_size=10, random_state=0)
    return rbm.fit(X), X


def fitted_memory(rule):
    X = np.random.default_rng(0).integers(0, 2, size=(4, 32)).astype(float)
    return HopfieldMemory(rule, random_state=0).fit(X), X


def outputs(estimator, X):
    return {
        name: getattr(estimator, name)(X)
        for name in ("transform", "predict", "score_samples")
    }


def skops_round_trip(estimator, tmp_path):
    path = tmp_path / "model.skops"
    sio.dump(estimator, path)
    untrusted = sio.get_untrusted_types(file=path)
    return sio.load(path, trusted=untrusted), untrusted


# -------------------------------------------------------------- skops


@pytest.mark.parametrize("visible", RBM_UNITS)
def test_skops_round_trip_of_rbm_gives_identical_outputs(visible, tmp_path):
    rbm, X = fitted_rbm(visible)
    loaded, _ = skops_round_trip(rbm, tmp_path)
    expected = outputs(rbm, X)
    for name, value in outputs(loaded, X).items():
        assert_array_equal(value, expected[name], err_msg=name)
    assert_array_equal(loaded.gibbs(X), rbm.gibbs(X))


@pytest.mark.parametrize("rule", RULES)
def test_skops_round_trip_of_hopfield_memory_gives_identical_outputs(rule, tmp_path):
    memory, X = fitted_memory(rule)
    loaded, _ = skops_round_trip(memory, tmp_path)
    expected = outputs(memory, X)
    for name, value in outputs(loaded, X).items():
        assert_array_equal(value, expected[name], err_msg=name)


def fitted_estimator(kind):
    """A fitted estimator named "rbm-<visible>", "memory-<rule>" or "streamed"."""
    if kind == "streamed":
        return RBMTransformer(3, random_state=0).partial_fit(rbm_data("bernoulli"))
    family, option = kind.split("-", 1)
    return (fitted_rbm if family == "rbm" else fitted_memory)(option)[0]


@pytest.mark.parametrize(
    "kind",
    [f"rbm-{v}" for v in RBM_UNITS] + [f"memory-{r}" for r in RULES] + ["streamed"],
)
def test_skops_reports_only_skebm_types_as_untrusted(kind, tmp_path):
    _, untrusted = skops_round_trip(fitted_estimator(kind), tmp_path)
    assert untrusted
    assert all(name.startswith("skebm.") for name in untrusted), untrusted


# -------------------------------------------------------------- generators


def test_generator_state_rebuilds_a_generator_that_continues_the_stream():
    rng = np.random.default_rng(42)
    rng.random(7)
    restored = generator_from_state(generator_state(rng))
    assert_array_equal(restored.random(5), rng.random(5))


def test_generator_state_naming_an_unknown_bit_generator_is_refused():
    state = generator_state(np.random.default_rng(0))
    with pytest.raises(ValueError, match="'seed'"):
        generator_from_state({**state, "bit_generator": "seed"})


def test_pickled_rbm_holds_no_generator_object():
    rbm, _ = fitted_rbm("bernoulli")
    state = rbm.__getstate__()
    assert isinstance(state["_sampling_rng"], dict)
    assert isinstance(state["_trainer"].__getstate__()["rng"], dict)
    assert "_log_partition_lock" not in state
    assert isinstance(rbm._sampling_rng, np.random.Generator)


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_pickled_mid_training_partial_fit_continues_as_the_uninterrupted_run(
    visible,
):
    X = rbm_data(visible, n_rows=120)
    chunks = np.array_split(X, 3)
    uninterrupted = RBMTransformer(4, visible=visible, batch_size=10, random_state=0)
    resumed = RBMTransformer(4, visible=visible, batch_size=10, random_state=0)
    uninterrupted.partial_fit(chunks[0])
    resumed = pickle.loads(pickle.dumps(resumed.partial_fit(chunks[0])))
    for chunk in chunks[1:]:
        uninterrupted.partial_fit(chunk)
        resumed.partial_fit(chunk)
    assert_array_equal(resumed.components_, uninterrupted.components_)
    assert_array_equal(resumed.h_samples_, uninterrupted.h_samples_)
    assert_array_equal(resumed.gibbs(X), uninterrupted.gibbs(X))


def test_pickled_rbm_computes_log_partition_after_loading():
    rbm, X = fitted_rbm("bernoulli")
    rbm.score_samples(X)
    loaded = pickle.loads(pickle.dumps(rbm))
    loaded.components_ = loaded.components_ * 1.5
    assert loaded.log_partition_ != rbm.log_partition_


# -------------------------------------------------------------- versions


@pytest.mark.parametrize("kind", ["rbm-bernoulli", "memory-softmax"])
def test_model_pickled_by_another_skebm_version_warns_naming_both(kind):
    estimator = fitted_estimator(kind)
    state = estimator.__getstate__()
    assert state["_skebm_version"] == skebm.__version__
    state["_skebm_version"] = "0.0.1"
    restored = type(estimator).__new__(type(estimator))
    with pytest.warns(InconsistentVersionWarning) as record:
        restored.__setstate__(state)
    message = str(record[0].message)
    assert "0.0.1" in message and skebm.__version__ in message
    assert record[0].message.original_version == "0.0.1"
    assert "_skebm_version" not in restored.__dict__


def test_model_pickled_by_another_skebm_version_warns_through_pickle(monkeypatch):
    memory, X = fitted_memory("hebbian")
    monkeypatch.setattr(skebm, "__version__", "0.0.1")
    data = pickle.dumps(memory)
    monkeypatch.undo()
    with pytest.warns(InconsistentVersionWarning, match="from skebm version 0.0.1"):
        loaded = pickle.loads(data)
    assert_array_equal(loaded.predict(X), memory.predict(X))


def test_model_pickled_by_the_same_version_loads_silently():
    rbm, X = fitted_rbm("gaussian")
    # pytest turns any warning into an error here.
    loaded = pickle.loads(pickle.dumps(rbm))
    assert_array_equal(loaded.transform(X), rbm.transform(X))
