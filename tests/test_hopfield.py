"""HopfieldMemory: encoding, recall, partial_fit, clamp, scores, bad input."""

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skebm import HopfieldMemory

RULES = ["hebbian", "storkey", "pseudoinverse", "polynomial", "exponential", "softmax"]
BINARY_RULES = RULES[:-1]


def patterns(n_memories=4, n_features=32, seed=0):
    """Random {0, 1} patterns, far apart."""
    return np.random.default_rng(seed).integers(0, 2, size=(n_memories, n_features))


def flipped(X, n_flips, seed=1):
    rng = np.random.default_rng(seed)
    probes = X.astype(float).copy()
    for row in probes:
        columns = rng.choice(X.shape[1], n_flips, replace=False)
        row[columns] = X.max() + X.min() - row[columns]
    return probes


@pytest.fixture(scope="module")
def binary_digits():
    return (load_digits().data >= 8).astype(float)


# ------------------------------------------------------------------ recall


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("update", ["async", "sync"])
def test_noisy_probes_recall_their_stored_pattern(rule, update):
    X = patterns()
    memory = HopfieldMemory(rule, update=update, random_state=0).fit(X)
    assert_allclose(memory.predict(flipped(X, 3)), X, atol=1e-6)
    assert_allclose(memory.predict(X), X, atol=1e-6)


@pytest.mark.parametrize("rule", RULES)
def test_binary_and_bipolar_data_recall_alike(rule):
    X01 = patterns(seed=2)
    probes01 = flipped(X01, 4, seed=3)
    recalled01 = HopfieldMemory(rule, random_state=0).fit(X01).predict(probes01)
    recalled_pm = (
        HopfieldMemory(rule, random_state=0).fit(2 * X01 - 1).predict(2 * probes01 - 1)
    )
    assert_allclose(2 * recalled01 - 1, recalled_pm, atol=1e-12)
    if rule != "softmax":
        assert set(np.unique(recalled01)) <= {0.0, 1.0}
        assert set(np.unique(recalled_pm)) <= {-1.0, 1.0}


@pytest.mark.parametrize("rule", BINARY_RULES)
def test_binary_rules_recall_grey_levels_as_the_two_extremes(rule):
    X = patterns(seed=4) * 16  # grey levels 0..16
    grey = np.clip(X + np.where(X > 8, -5, 5), 0, 16)
    memory = HopfieldMemory(rule, random_state=0).fit(X)
    assert_array_equal(memory.center_[X.min(axis=0) < X.max(axis=0)], 8.0)
    assert_array_equal(memory.predict(grey), X)


def test_softmax_recalls_grey_levels_between_the_extremes():
    X = np.random.default_rng(5).integers(0, 17, size=(6, 20)).astype(float)
    memory = HopfieldMemory().fit(X)
    recalled = memory.predict(X + 0.5)
    assert_allclose(recalled, X, atol=0.2)
    assert len(np.unique(recalled)) > 17
    assert np.all((recalled >= X.min(axis=0)) & (recalled <= X.max(axis=0)))


@pytest.mark.parametrize("rule", BINARY_RULES)
def test_a_value_at_the_midpoint_and_a_constant_feature_count_as_plus_one(rule):
    X = np.array([[0.0, 1.0, 5.0], [2.0, 0.0, 5.0]])
    memory = HopfieldMemory(rule, random_state=0).fit(X)
    assert_array_equal(memory.memories_, [[-1, 1, 1], [1, -1, 1]])
    states = memory._encode(np.array([[1.0, 0.5, 5.0]]))
    assert_array_equal(states, [[1, 1, 1]])
    assert_array_equal(memory._encode(np.array([[1.0, 0.5, -7.0]])), [[1, 1, 1]])
    assert_array_equal(memory.predict(X)[:, 2], 5.0)


def test_softmax_memories_are_the_centred_values():
    X = np.array([[0.0, 4.0], [2.0, 0.0], [1.0, 2.0]])
    memory = HopfieldMemory().fit(X)
    assert_allclose(memory.memories_, [[-1, 1], [1, -1], [0, 0]])
    assert_allclose(memory.center_, [1, 2])
    assert_allclose(memory.scale_, [1, 2])


@pytest.mark.parametrize("rule", BINARY_RULES)
def test_results_are_deterministic_and_row_independent_on_binary_data(rule):
    # Few features and many memories: many exact ties in the fields.
    rng = np.random.default_rng(6)
    X = rng.integers(0, 2, size=(30, 4))
    probes = rng.integers(0, 2, size=(40, 4))
    memory = HopfieldMemory(rule, random_state=0).fit(X)
    for method in ("predict", "transform", "score_samples"):
        whole = getattr(memory, method)(probes)
        one_by_one = np.array([getattr(memory, method)(row[None])[0] for row in probes])
        assert_allclose(whole, one_by_one, rtol=1e-12)
        assert_allclose(getattr(memory, method)(probes[::-1]), whole[::-1])


def test_update_order_is_drawn_from_random_state():
    X = patterns(n_features=50)
    first = HopfieldMemory("hebbian", random_state=0).fit(X).update_order_
    again = HopfieldMemory("hebbian", random_state=0).fit(X).update_order_
    other = HopfieldMemory("hebbian", random_state=1).fit(X).update_order_
    assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert_array_equal(np.sort(first), np.arange(50))


# ----------------------------------------------------------- fitted state


@pytest.mark.parametrize("rule", ["hebbian", "storkey", "pseudoinverse"])
def test_pairwise_weights_are_symmetric_with_zero_diagonal(rule):
    memory = HopfieldMemory(rule).fit(patterns(n_memories=10))
    assert memory.weights_.shape == (32, 32)
    assert_allclose(memory.weights_, memory.weights_.T, atol=1e-12)
    assert_array_equal(np.diag(memory.weights_), 0)
    assert_array_equal(memory.thresholds_, 0)


def test_dense_and_softmax_rules_have_no_weight_matrix():
    for rule in ("polynomial", "exponential", "softmax"):
        assert not hasattr(HopfieldMemory(rule).fit(patterns()), "weights_")


def test_load_and_capacity_describe_the_memory():
    memory = HopfieldMemory("hebbian").fit(patterns(n_memories=16, n_features=64))
    assert memory.load_ == 0.25
    assert memory.capacity_ == pytest.approx(64 / (2 * np.log(64)))


def test_an_over_full_memory_gives_no_warning():
    # pytest turns warnings into errors
    HopfieldMemory("hebbian").fit(patterns(n_memories=100, n_features=8))


# ------------------------------------------------------------- partial_fit


@pytest.mark.parametrize("rule", RULES)
def test_partial_fit_recalls_exactly_as_fit_on_all_rows(rule):
    rng = np.random.default_rng(7)
    A = rng.integers(0, 2, size=(5, 24)).astype(float)
    A[:, 3] = 1.0  # constant in A, not in B: the encoding widens
    B = rng.integers(0, 2, size=(6, 24)).astype(float)
    probes = flipped(np.vstack([A, B]), 3)
    for first, second in [(A, B), (B, A)]:
        both = np.vstack([first, second])
        whole = HopfieldMemory(rule, random_state=0).fit(both)
        parts = HopfieldMemory(rule, random_state=0).fit(first).partial_fit(second)
        assert_array_equal(parts.memories_, whole.memories_)
        assert_array_equal(parts.predict(probes), whole.predict(probes))
        assert_array_equal(parts.transform(probes), whole.transform(probes))
        assert_array_equal(parts.score_samples(probes), whole.score_samples(probes))
        assert parts.load_ == whole.load_
        assert len(parts.get_feature_names_out()) == len(both)


@pytest.mark.parametrize("rule", ["hebbian", "storkey"])
def test_partial_fit_in_many_chunks_matches_fit(rule):
    X = patterns(n_memories=12, n_features=40, seed=8)
    memory = HopfieldMemory(rule, random_state=0)
    for start in range(0, 12, 3):
        memory.partial_fit(X[start : start + 3])
    assert_array_equal(memory.weights_, HopfieldMemory(rule).fit(X).weights_)


def test_partial_fit_first_call_fits():
    X = patterns()
    memory = HopfieldMemory(random_state=0).partial_fit(X)
    assert_array_equal(memory.memories_, HopfieldMemory().fit(X).memories_)


def test_partial_fit_with_a_different_number_of_features_raises():
    memory = HopfieldMemory().fit(patterns(n_features=6))
    with pytest.raises(ValueError, match="X has 5 features.*expecting 6 features"):
        memory.partial_fit(patterns(n_features=5))


# -------------------------------------------------------------------- clamp


@pytest.mark.parametrize("rule", RULES)
def test_clamped_units_keep_their_given_values(rule):
    X = patterns()
    probes = flipped(X, 8)
    clamp = np.zeros(X.shape, dtype=bool)
    clamp[:, :6] = True
    memory = HopfieldMemory(rule, random_state=0).fit(X)
    recalled = memory.predict(probes, clamp=clamp)
    assert_array_equal(recalled[clamp], probes[clamp])


def test_softmax_completes_digits_from_their_clamped_upper_half(binary_digits):
    digits = binary_digits[:40]
    memory = HopfieldMemory().fit(digits)
    probes = digits.copy()
    probes[:, 32:] = 0.5
    clamp = np.zeros(digits.shape, dtype=bool)
    clamp[:, :32] = True
    recalled = memory.predict(probes, clamp=clamp)
    exact = np.all((recalled > 0.5) == (digits > 0.5), axis=1)
    assert exact.mean() >= 0.9


@pytest.mark.parametrize(
    ("clamp", "error", "match"),
    [
        (np.ones((2, 3), dtype=bool), ValueError, "shape"),
        (np.ones(4, dtype=bool), ValueError, "shape"),
        (np.ones((2, 4)), TypeError, "boolean"),
        ([[1, 0, 1, 0], [0, 0, 0, 0]], TypeError, "boolean"),
    ],
)
def test_a_bad_clamp_raises(clamp, error, match):
    memory = HopfieldMemory().fit(patterns(n_features=4))
    with pytest.raises(error, match=match):
        memory.predict(np.zeros((2, 4)), clamp=clamp)


# ---------------------------------------------------- transform and scores


@pytest.mark.parametrize("rule", RULES)
def test_transform_gives_the_similarity_to_every_memory(rule):
    X = patterns()
    memory = HopfieldMemory(rule, random_state=0).fit(X)
    similarity = memory.transform(flipped(X, 3))
    assert similarity.shape == (4, 4)
    assert_array_equal(similarity.argmax(axis=1), np.arange(4))
    if rule == "softmax":
        assert_allclose(similarity.sum(axis=1), 1.0)
    else:
        assert_allclose(np.diag(similarity), 1.0)
    names = memory.get_feature_names_out()
    assert list(names) == [f"hopfieldmemory{i}" for i in range(4)]


@pytest.mark.parametrize("rule", RULES)
def test_stored_patterns_have_lower_energy_than_random_states(rule):
    X = patterns()
    memory = HopfieldMemory(rule, random_state=0).fit(X)
    noise = np.random.default_rng(9).integers(0, 2, size=(50, 32))
    assert memory.score_samples(X).min() > memory.score_samples(noise).max()
    assert_allclose(memory.score_samples(X), -memory.energy(X))
    assert isinstance(memory.score(X), float)
    assert memory.score(X) == pytest.approx(memory.score_samples(X).mean())


def test_pairwise_energy_follows_the_documented_convention():
    X = patterns(n_memories=3, n_features=10)
    memory = HopfieldMemory("storkey").fit(X)
    s = 2.0 * X - 1
    expected = [-0.5 * v @ memory.weights_ @ v for v in s]
    assert_allclose(memory.energy(X), expected)


def test_binary_rules_score_the_binarised_row():
    X = patterns()
    memory = HopfieldMemory("hebbian").fit(X)
    assert_allclose(memory.score_samples(X * 0.8 + 0.1), memory.score_samples(X))


def test_dense_energies_do_not_overflow_for_large_memories():
    X = np.random.default_rng(10).integers(0, 2, size=(3, 2000))
    for rule, params in [
        ("exponential", {"beta": 5.0}),
        ("polynomial", {"degree": 200}),
    ]:
        energy = HopfieldMemory(rule, **params).fit(X).energy(X)
        assert np.all(np.isfinite(energy))


# ------------------------------------------------------ sklearn ecosystem


def test_joblib_round_trip_keeps_recall(tmp_path):
    X = patterns()
    memory = HopfieldMemory("storkey", random_state=0).fit(X)
    joblib.dump(memory, tmp_path / "memory.joblib")
    loaded = joblib.load(tmp_path / "memory.joblib")
    probes = flipped(X, 5)
    assert_array_equal(loaded.predict(probes), memory.predict(probes))
    assert_array_equal(loaded.transform(probes), memory.transform(probes))


def test_grid_search_selects_parameters_by_score(binary_digits):
    search = GridSearchCV(
        HopfieldMemory("exponential"), {"beta": [0.5, 2.0]}, cv=2
    ).fit(binary_digits[:60])
    assert search.best_params_["beta"] in (0.5, 2.0)
    clone(search.best_estimator_)


def test_memory_similarities_feed_a_classifier_in_a_pipeline():
    digits = load_digits()
    X, y = digits.data[:500], digits.target[:500]
    # Each row recalls its nearest stored digit; the classifier learns its label.
    model = make_pipeline(HopfieldMemory(), LogisticRegression(max_iter=500))
    model.fit(X[:300], y[:300])
    assert model[-1].coef_.shape == (10, 300)
    assert model.score(X[300:], y[300:]) > 0.8


# -------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("X", "error"),
    [
        ([[0.0, np.nan], [1.0, 0.0]], ValueError),
        ([[0.0, np.inf], [1.0, 0.0]], ValueError),
        (np.array([[1 + 1j, 0], [0, 1]]), ValueError),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), ValueError),
        (np.empty((0, 3)), ValueError),
        ([0.0, 1.0, 1.0], ValueError),
    ],
    ids=["nan", "inf", "complex", "object", "empty", "1d"],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit", "predict", "transform"])
def test_bad_data_raises(X, error, method):
    memory = HopfieldMemory()
    if method not in ("fit", "partial_fit"):
        memory.fit([[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(error):
        getattr(memory, method)(X)


def test_wrong_width_raises():
    memory = HopfieldMemory().fit(patterns(n_features=4))
    for method in ("predict", "transform", "score_samples", "energy"):
        with pytest.raises(ValueError, match="X has 3 features"):
            getattr(memory, method)(np.zeros((2, 3)))


@pytest.mark.parametrize(
    "params",
    [
        {"rule": "boltzmann"},
        {"update": "random"},
        {"degree": 1},
        {"degree": 2.5},
        {"beta": 0.0},
        {"beta": -1.0},
        {"n_sweeps": 0},
        {"tol": -1e-3},
    ],
)
def test_invalid_parameters_raise(params):
    with pytest.raises(ValueError, match=next(iter(params))):
        HopfieldMemory(**params).fit(patterns())


def test_sparse_input_is_refused_with_a_clear_message():
    import scipy.sparse as sp

    memory = HopfieldMemory().fit(patterns())
    with pytest.raises(TypeError, match="[Ss]parse"):
        memory.predict(sp.csr_matrix(patterns()))


def test_recall_is_the_same_without_the_kept_reordered_weights(monkeypatch):
    from skebm._hopfield import _networks

    rng = np.random.default_rng(0)
    X = rng.choice([-1.0, 1.0], size=(8, 70))
    probes = X * np.where(rng.random(X.shape) < 0.15, -1, 1)
    kept = HopfieldMemory("storkey", random_state=0).fit(X)
    monkeypatch.setattr(_networks, "_KEEP_ORDERED_WEIGHTS_UP_TO", 50)
    not_kept = HopfieldMemory("storkey", random_state=0).fit(X)
    assert kept._network.weights_in_order is not None
    assert not_kept._network.weights_in_order is None
    assert_array_equal(kept.predict(probes), not_kept.predict(probes))
