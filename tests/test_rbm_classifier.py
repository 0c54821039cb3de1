"""RBMClassifier: exact probabilities and likelihoods, labels, training, bad input."""

import io
from contextlib import redirect_stdout

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split

from skebm import RBMClassifier, RBMTransformer
from tests._rbm_models import all_binary_states


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits(return_X_y=True)
    return train_test_split((X >= 8).astype(np.float64), y, random_state=0)


def small_problem(n_samples=60, n_features=5, n_classes=3, seed=0):
    """Binary rows whose class shifts the probability of each feature."""
    rng = np.random.default_rng(seed)
    y = rng.integers(n_classes, size=n_samples)
    centres = rng.random((n_classes, n_features))
    X = (rng.random((n_samples, n_features)) < centres[y]).astype(float)
    return X, y


def brute_force_joint(clf, X):
    """log sum_h exp(-E(x, y, h)) from the fitted attributes, h enumerated."""
    hiddens = all_binary_states(clf.n_components)
    result = np.empty((len(X), clf.classes_.size))
    for label in range(clf.classes_.size):
        minus_energy = (
            (X @ clf.intercept_visible_)[:, None]
            + clf.intercept_class_[label]
            + (hiddens @ (clf.intercept_hidden_ + clf.class_components_[:, label]))
            + X @ clf.components_.T @ hiddens.T
        )
        result[:, label] = logsumexp(minus_energy, axis=1)
    return result


# --------------------------------------------------- against brute force


@pytest.mark.parametrize("objective", ["discriminative", "hybrid", "generative"])
def test_predict_proba_is_the_brute_force_conditional_of_the_energy(objective):
    X, y = small_problem()
    clf = RBMClassifier(4, objective=objective, n_iter=20, random_state=0).fit(X, y)
    joint = brute_force_joint(clf, X)
    expected = np.exp(joint - logsumexp(joint, axis=1, keepdims=True))
    assert_allclose(clf.predict_proba(X), expected, rtol=1e-10)
    assert_allclose(clf.predict_log_proba(X), np.log(expected), rtol=1e-10)
    assert_array_equal(clf.predict(X), clf.classes_[expected.argmax(1)])


def test_score_samples_sums_to_one_over_every_binary_input():
    X, y = small_problem(n_features=5)
    clf = RBMClassifier(3, objective="hybrid", generative_weight=0.5, n_iter=30)
    clf.set_params(random_state=0).fit(X, y)
    total = np.exp(clf.score_samples(all_binary_states(5))).sum()
    assert_allclose(total, 1.0, atol=1e-10)
    # log p(x) is log sum_y p(x, y), with the joint of the energy
    joint = brute_force_joint(clf, all_binary_states(5))
    assert_allclose(
        clf.score_samples(all_binary_states(5)),
        logsumexp(joint, axis=1) - logsumexp(joint),
    )


def test_transform_is_the_hidden_mean_with_the_label_summed_out():
    X, y = small_problem()
    clf = RBMClassifier(3, n_iter=10, random_state=0).fit(X, y)
    hiddens = all_binary_states(3)
    joint = np.stack(
        [
            (X @ clf.intercept_visible_)[:, None]
            + clf.intercept_class_[label]
            + hiddens @ (clf.intercept_hidden_ + clf.class_components_[:, label])
            + X @ clf.components_.T @ hiddens.T
            for label in range(3)
        ],
        axis=1,
    )  # (rows, classes, hidden states)
    weights = np.exp(joint - logsumexp(joint, axis=(1, 2), keepdims=True))
    expected = np.einsum("rcs,sj->rj", weights, hiddens)
    assert_allclose(clf.transform(X), expected, rtol=1e-10)


def test_ais_estimate_of_the_joint_log_partition_brackets_the_exact_value():
    X, y = small_problem(n_samples=200, n_features=12, n_classes=4)
    clf = RBMClassifier(12, objective="generative", n_iter=30, random_state=0)
    clf.fit(X, y)
    exact, _ = clf.estimate_log_partition("exact")
    forward, _ = clf.estimate_log_partition("ais", n_chains=200, n_betas=2000)
    reverse, _ = clf.estimate_log_partition("reverse_ais", n_chains=200, n_betas=2000)
    assert forward - 0.05 < exact + 0.05
    assert abs(forward - exact) < 0.1 and abs(reverse - exact) < 0.1
    assert clf.log_partition_ == pytest.approx(exact)


# ------------------------------------------------------------------ labels


def test_string_labels_come_back_as_strings():
    X, y = small_problem(n_classes=3)
    names = np.array(["cat", "dog", "emu"])[y]
    clf = RBMClassifier(8, n_iter=30, random_state=0).fit(X, names)
    assert_array_equal(clf.classes_, ["cat", "dog", "emu"])
    assert set(clf.predict(X)) <= {"cat", "dog", "emu"}
    numeric = RBMClassifier(8, n_iter=30, random_state=0).fit(X, y)
    assert_array_equal(clf.predict(X), clf.classes_[numeric.predict(X)])


@pytest.mark.parametrize("n_classes", [2, 5])
def test_binary_and_multiclass_problems_are_learned(n_classes):
    X, y = small_problem(n_samples=300, n_features=20, n_classes=n_classes, seed=1)
    clf = RBMClassifier(32, n_iter=30, random_state=0).fit(X[:200], y[:200])
    assert clf.predict_proba(X).shape == (300, n_classes)
    chance = np.bincount(y[200:]).max() / 100
    assert clf.score(X[200:], y[200:]) > chance + 0.2


def test_digits_accuracy_beats_nearest_class_mean(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    clf = RBMClassifier(100, n_iter=20, random_state=0).fit(X_train, y_train)
    means = np.stack([X_train[y_train == c].mean(0) for c in range(10)])
    nearest = np.argmin(((X_test[:, None] - means) ** 2).sum(2), axis=1)
    assert clf.score(X_test, y_test) > np.mean(nearest == y_test) + 0.03


# ------------------------------------------------------- scikit-learn use


def test_grid_search_over_objective_and_generative_weight():
    X, y = small_problem(n_samples=120, n_features=10)
    search = GridSearchCV(
        RBMClassifier(8, n_iter=5, random_state=0),
        {"objective": ["discriminative", "hybrid"], "generative_weight": [0.01, 1.0]},
        cv=2,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_["objective"] in {"discriminative", "hybrid"}
    assert search.score(X, y) == pytest.approx(
        np.mean(search.best_estimator_.predict(X) == y)
    )


def test_joblib_round_trip_keeps_every_output(tmp_path):
    X, y = small_problem()
    labels = np.array(["a", "b", "c"])[y]
    clf = RBMClassifier(6, n_iter=10, random_state=0).fit(X, labels)
    joblib.dump(clf, tmp_path / "clf.joblib")
    loaded = joblib.load(tmp_path / "clf.joblib")
    assert_array_equal(loaded.predict(X), clf.predict(X))
    assert_allclose(loaded.predict_proba(X), clf.predict_proba(X))
    assert_allclose(loaded.score_samples(X), clf.score_samples(X))
    assert_allclose(loaded.transform(X), clf.transform(X))


def test_partial_fit_in_chunks_ends_near_fit(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    fitted = RBMClassifier(100, n_iter=10, random_state=0).fit(X_train, y_train)
    streamed = RBMClassifier(100, random_state=0)
    for _ in range(10):
        for chunk in np.array_split(np.arange(len(y_train)), 5):
            streamed.partial_fit(X_train[chunk], y_train[chunk], classes=np.arange(10))
    assert streamed.n_iter_ == 50
    assert streamed.score(X_test, y_test) > fitted.score(X_test, y_test) - 0.03


def test_float32_input_gives_a_float32_model():
    X, y = small_problem()
    clf = RBMClassifier(4, n_iter=5, random_state=0).fit(X.astype(np.float32), y)
    assert clf.components_.dtype == np.float32
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    assert clf.transform(X.astype(np.float32)).dtype == np.float32


def test_warm_start_continues_from_the_fitted_parameters():
    X, y = small_problem()
    clf = RBMClassifier(4, n_iter=5, warm_start=True, random_state=0).fit(X, y)
    first = clf.components_.copy()
    clf.set_params(n_iter=1, learning_rate=1e-6).fit(X, y)
    assert_allclose(clf.components_, first, atol=1e-4)


def test_early_stopping_keeps_the_best_validation_accuracy():
    X, y = small_problem(n_samples=200, n_features=10)
    clf = RBMClassifier(
        8, n_iter=40, early_stopping=True, n_iter_no_change=3, random_state=0
    ).fit(X, y)
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert all(0 <= score <= 1 for score in clf.validation_scores_)
    assert clf.n_iter_ == len(clf.validation_scores_) <= 40


def test_verbose_reports_the_training_conditional_likelihood():
    X, y = small_problem()
    output = io.StringIO()
    with redirect_stdout(output):
        clf = RBMClassifier(4, n_iter=3, verbose=1, random_state=0).fit(X, y)
    lines = output.getvalue().splitlines()
    assert len(lines) == 3 and "train log p(y | x)" in lines[0]
    assert all(score <= 0 for score in clf.train_scores_)


def test_sparse_input_gives_the_dense_results():
    import scipy.sparse as sp

    X, y = small_problem()
    clf = RBMClassifier(4, n_iter=5, random_state=0).fit(sp.csr_matrix(X), y)
    dense = clone(clf).fit(X, y)
    assert_allclose(clf.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X))


def test_gaussian_features_are_classified():
    X, y = small_problem(n_samples=300, n_features=10, seed=2)
    X = 3 * X + np.random.default_rng(0).normal(size=X.shape)
    clf = RBMClassifier(16, random_state=0).fit(X[:200], y[:200])
    assert clf.visible_ == "gaussian_unit_variance"
    assert clf.score(X[200:], y[200:]) > np.bincount(y[200:]).max() / 100 + 0.2
    learned = RBMClassifier(16, visible="gaussian", random_state=0)
    learned.fit(X[:200], y[:200])
    assert learned.score(X[200:], y[200:]) > np.bincount(y[200:]).max() / 100 + 0.2


# ----------------------------------------------------------------- bad input


def test_a_single_class_is_refused():
    with pytest.raises(ValueError, match="two classes.*only one class"):
        RBMClassifier(2).fit([[0.0, 1.0], [1.0, 0.0]], [1, 1])
    with pytest.raises(ValueError, match="two classes"):
        RBMClassifier(2).partial_fit([[0.0, 1.0]], [1], classes=[1])


def test_partial_fit_needs_classes_first_and_refuses_unseen_labels():
    X, y = small_problem()
    with pytest.raises(ValueError, match="classes must be passed"):
        RBMClassifier(2).partial_fit(X, y)
    clf = RBMClassifier(2).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"not in classes_.*\[7, 9\]"):
        clf.partial_fit(X[:3], [0, 7, 9])
    with pytest.raises(ValueError, match="not the same"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
    refused = RBMClassifier(2)
    with pytest.raises(ValueError, match=r"not in classes_.*\[5\]"):
        refused.partial_fit(X[:2], [0, 5], classes=[0, 1])
    assert not hasattr(refused, "classes_")
    refused.partial_fit(X[:2], [0, 1], classes=[0, 1])
    assert refused.n_iter_ == 1


@pytest.mark.parametrize(
    "X, match",
    [
        ([[0.0, np.nan], [1.0, 0.0]], "NaN"),
        ([[0.0, np.inf], [1.0, 0.0]], "infinity"),
        (np.array([[1 + 1j, 0], [0, 1]]), "[Cc]omplex"),
        (np.empty((0, 2)), "0 sample"),
    ],
)
def test_bad_input_is_refused_with_the_transformers_message(X, match):
    y = [0, 1][: len(X)]
    with pytest.raises(ValueError, match=match):
        RBMClassifier(2).fit(X, y)
    with pytest.raises(ValueError, match=match):
        RBMTransformer(2).fit(X)


def test_bad_input_after_fit_is_refused_like_the_transformer():
    X, y = small_problem()
    clf = RBMClassifier(2, n_iter=1).fit(X, y)
    rbm = RBMTransformer(2, n_iter=1).fit(X)
    for bad, match in [
        (np.full((1, 5), np.nan), "NaN"),
        (np.full((1, 5), np.inf), "infinity"),
        (np.full((1, 5), 3.0), r"\[0, 1\].*\[3, 3\]"),
        (np.zeros((1, 4)), "5 features"),
    ]:
        for method in ("predict", "predict_proba", "transform", "score_samples"):
            with pytest.raises(ValueError, match=match):
                getattr(clf, method)(bad)
        with pytest.raises(ValueError, match=match):
            rbm.transform(bad)


def test_continuous_targets_are_refused():
    with pytest.raises(ValueError, match="Unknown label type"):
        RBMClassifier(2).fit([[0.0, 1.0], [1.0, 0.0]], [0.5, 1.5])
