import io
import tracemalloc
import warnings
from contextlib import redirect_stdout

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy import integrate
from scipy.special import expit
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from sklearn.neural_network import BernoulliRBM

from skebm import RBMTransformer
from skebm._rbm._model import gibbs_chain, log_likelihood_gradient
from tests._rbm_models import all_binary_states, random_binary

# ----------------------------------------------------------------- likelihood


@pytest.mark.parametrize("n_features, n_components", [(5, 3), (3, 7)])
def test_score_samples_sums_to_one_over_all_binary_inputs(n_features, n_components):
    X = random_binary(30, n_features)
    rbm = RBMTransformer(n_components, n_iter=20, learning_rate=0.5, random_state=0)
    rbm.fit(X)
    states = all_binary_states(n_features)
    assert_allclose(np.exp(rbm.score_samples(states)).sum(), 1.0, rtol=0, atol=1e-10)


def test_score_samples_sums_to_one_for_large_weights():
    rbm = RBMTransformer(4, n_iter=1, random_state=0).fit(random_binary(20, 4))
    rbm.components_ = 30 * np.random.default_rng(0).standard_normal((4, 4))
    assert_allclose(
        np.exp(rbm.score_samples(all_binary_states(4))).sum(), 1.0, atol=1e-10
    )


@pytest.mark.parametrize("visible", ["gaussian", "gaussian_unit_variance"])
def test_gaussian_score_samples_integrates_to_one_on_one_visible_unit(visible):
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(200, 1))
    rbm = RBMTransformer(5, visible=visible, n_iter=20, random_state=0).fit(X)
    if visible == "gaussian":
        # a multimodal model with a narrow learned deviation
        rbm.components_ = np.array([[-2.0], [1.5], [0.5], [3.0], [-1.0]])
        rbm.std_visible_ = np.array([0.3])

    def density(x):
        return np.exp(rbm.score_samples([[x]]))[0]

    total, _ = integrate.quad(density, -40, 40, limit=400)
    assert_allclose(total, 1.0, atol=1e-8)


@pytest.mark.parametrize("visible", ["gaussian", "gaussian_unit_variance"])
def test_gaussian_score_samples_integrates_to_one_on_two_visible_units(visible):
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.normal(0, 5, 300), rng.normal(1, 0.5, 300)])
    rbm = RBMTransformer(4, n_iter=20, random_state=0)
    rbm.set_params(visible=visible).fit(X)
    if visible == "gaussian":
        rbm.components_ = rng.normal(0, 1.5, size=(4, 2))
        rbm.std_visible_ = np.array([0.4, 0.7])

    def density(x1, x0):
        return np.exp(rbm.score_samples([[x0, x1]]))[0]

    total, _ = integrate.dblquad(density, -40, 40, -6, 8, epsabs=1e-10)
    assert_allclose(total, 1.0, atol=1e-6)


def test_auto_on_real_values_learns_the_variances():
    rng = np.random.default_rng(2)
    # two strongly correlated features: hidden units carry the correlation
    # and the noise left around their means is narrower than the features
    latent = rng.normal(size=(500, 1))
    X = latent @ [[1.0, 1.0]] + 0.1 * rng.normal(size=(500, 2))
    rbm = RBMTransformer(8, n_iter=50, learning_rate=0.5, random_state=0).fit(X)
    assert rbm.visible_ == "gaussian"
    assert rbm.std_visible_.shape == (2,) and np.all(rbm.std_visible_ < 0.7)


def test_score_is_the_mean_log_likelihood_as_a_float(digits_model, binary_digits):
    score = digits_model.score(binary_digits[:50])
    assert type(score) is float
    assert_allclose(score, digits_model.score_samples(binary_digits[:50]).mean())


def test_free_energy_and_log_partition_give_score_samples(digits_model, binary_digits):
    X = binary_digits[:10]
    assert_allclose(
        digits_model.score_samples(X),
        -digits_model.free_energy(X) - digits_model.log_partition_,
    )


# --------------------------------------------------------------- other methods


def test_transform_is_the_hidden_probability(digits_model, binary_digits):
    X = binary_digits[:7]
    expected = expit(X @ digits_model.components_.T + digits_model.intercept_hidden_)
    assert_allclose(digits_model.transform(X), expected)


def test_predict_is_the_mean_field_reconstruction(digits_model, binary_digits):
    X = binary_digits[:7]
    hidden = digits_model.transform(X)
    expected = expit(
        hidden @ digits_model.components_ + digits_model.intercept_visible_
    )
    assert_allclose(digits_model.predict(X), expected)


@pytest.mark.parametrize("visible", ["gaussian", "gaussian_unit_variance"])
def test_gaussian_predict_and_transform_work_on_the_original_scale(visible):
    rng = np.random.default_rng(0)
    X = rng.normal([100.0, -5.0, 0.0], [10.0, 0.1, 1.0], size=(50, 3))
    rbm = RBMTransformer(4, visible=visible, n_iter=5, random_state=0).fit(X)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    assert_allclose(rbm.mean_, X.mean(axis=0))
    variance = rbm.std_visible_**2
    if visible == "gaussian_unit_variance":
        assert_array_equal(variance, 1)
    else:
        assert not np.allclose(variance, 1)
    hidden = expit((Z / variance) @ rbm.components_.T + rbm.intercept_hidden_)
    assert_allclose(rbm.transform(X), hidden)
    expected = (
        hidden @ rbm.components_ + rbm.intercept_visible_
    ) * rbm.scale_ + rbm.mean_
    assert_allclose(rbm.predict(X), expected)


def test_gaussian_score_samples_is_the_mixture_density_of_x():
    rng = np.random.default_rng(3)
    X = rng.normal([2.0, -1.0], [3.0, 0.5], size=(80, 2))
    rbm = RBMTransformer(3, n_iter=10, random_state=0).fit(X)
    # p(x) = sum_h p(h) N(x; mean_ + scale_ (b + W'h), (scale_ std_visible_)^2)
    hidden = all_binary_states(3)
    variance = rbm.std_visible_**2
    means = hidden @ rbm.components_ + rbm.intercept_visible_
    log_prior = hidden @ rbm.intercept_hidden_ + 0.5 * (
        (means**2 - rbm.intercept_visible_**2) / variance
    ).sum(axis=1)
    log_prior -= np.logaddexp.reduce(log_prior)
    from scipy.stats import norm

    component = norm.logpdf(
        X[:, None, :],
        rbm.mean_ + rbm.scale_ * means[None],
        rbm.scale_ * rbm.std_visible_,
    ).sum(axis=2)
    expected = np.logaddexp.reduce(component + log_prior, axis=1)
    assert_allclose(rbm.score_samples(X), expected, rtol=1e-10)


def test_constant_feature_does_not_divide_by_zero():
    X = np.column_stack([np.full(20, 3.0), np.linspace(-2, 5, 20)])
    rbm = RBMTransformer(3, n_iter=5, random_state=0).fit(X)
    assert rbm.scale_[0] == 1
    assert np.all(np.isfinite(rbm.score_samples(X)))


def test_constant_feature_variance_stops_at_the_floor_without_warning():
    X = np.column_stack([np.full(200, 3.0), np.random.default_rng(0).normal(size=200)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rbm = RBMTransformer(3, n_iter=300, learning_rate=0.5, random_state=0).fit(X)
        scores = rbm.score_samples(X)
    assert rbm.std_visible_[0] < 0.1 * rbm.std_visible_[1]
    assert rbm.std_visible_[0] >= 0.01 * (1 - 1e-6)
    assert np.all(np.isfinite(scores))


def test_predict_refuses_sparse_input_and_says_how_to_densify(
    digits_model, binary_digits
):
    with pytest.raises(TypeError, match="sparse.*toarray"):
        digits_model.predict(sp.csr_matrix(binary_digits[:5]))


def test_sparse_input_gives_the_same_model_and_outputs_as_dense(binary_digits):
    X = binary_digits[:200]
    dense = RBMTransformer(8, n_iter=3, random_state=0).fit(X)
    sparse = RBMTransformer(8, n_iter=3, random_state=0).fit(sp.csr_matrix(X))
    assert_allclose(sparse.components_, dense.components_)
    assert_allclose(sparse.transform(sp.csr_matrix(X)), dense.transform(X))
    assert_allclose(sparse.score_samples(sp.csr_matrix(X)), dense.score_samples(X))
    streamed = RBMTransformer(8, random_state=0).partial_fit(sp.csr_matrix(X))
    assert_allclose(
        streamed.components_,
        RBMTransformer(8, random_state=0).partial_fit(X).components_,
    )


def test_sparse_gaussian_input_is_scored_like_dense():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4)) * (rng.random((30, 4)) < 0.5)
    rbm = RBMTransformer(3, visible="gaussian", n_iter=3, random_state=0).fit(X)
    assert_allclose(rbm.score_samples(sp.csr_matrix(X)), rbm.score_samples(X))
    assert_allclose(rbm.transform(sp.csr_matrix(X)), rbm.transform(X))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved_in_fitted_arrays_and_outputs(dtype, binary_digits):
    X = binary_digits[:100].astype(dtype)
    rbm = RBMTransformer(8, n_iter=2, random_state=0).fit(X)
    for array in (
        rbm.components_,
        rbm.intercept_hidden_,
        rbm.intercept_visible_,
        rbm.h_samples_,
    ):
        assert array.dtype == dtype
    for output in (
        rbm.transform(X),
        rbm.predict(X),
        rbm.score_samples(X),
        rbm.gibbs(X),
    ):
        assert output.dtype == dtype
    assert rbm.sample(3, n_gibbs_steps=2).dtype == dtype


@pytest.mark.parametrize(
    "params",
    [
        {"n_components": 16},
        {"n_components": 16, "method": "cd"},
        {"n_components": 16, "visible": "gaussian"},
    ],
)
def test_float32_and_float64_train_the_same_model(params):
    # scikit-learn's test_rbm.py::test_convergence_dtype_consistency: the
    # random draws must not depend on the dtype of the data.
    X = load_digits().data[:100] / 16
    if params.get("visible") == "gaussian":
        X = 3 * X
    features = [
        RBMTransformer(batch_size=5, n_iter=5, random_state=42, **params).fit_transform(
            X.astype(dtype)
        )
        for dtype in (np.float64, np.float32)
    ]
    assert features[1].dtype == np.float32
    assert_allclose(features[1], features[0], rtol=1e-4, atol=1e-6)


def test_outputs_are_deterministic_and_row_independent(digits_model, binary_digits):
    X = binary_digits[:40]
    order = np.random.default_rng(0).permutation(40)
    for method in ("transform", "predict", "score_samples"):
        full = getattr(digits_model, method)(X)
        assert_array_equal(full, getattr(digits_model, method)(X))
        assert_allclose(getattr(digits_model, method)(X[order]), full[order])
        assert_allclose(getattr(digits_model, method)(X[:3]), full[:3])


def test_gibbs_returns_binary_states_and_advances_its_stream(
    digits_model, binary_digits
):
    first = digits_model.gibbs(binary_digits[:30])
    second = digits_model.gibbs(binary_digits[:30])
    assert set(np.unique(first)) <= {0.0, 1.0}
    assert not np.array_equal(first, second)


def test_sample_draws_from_the_model_distribution():
    X = random_binary(100, 3, seed=2, p=0.3)
    rbm = RBMTransformer(2, n_iter=30, learning_rate=0.5, random_state=0).fit(X)
    samples = rbm.sample(20000, n_gibbs_steps=30, random_state=0)
    codes = (samples @ (2 ** np.arange(3))).astype(int)
    empirical = np.bincount(codes, minlength=8) / len(codes)
    exact = np.exp(rbm.score_samples(all_binary_states(3)))
    assert 0.5 * np.abs(empirical - exact).sum() < 0.02


def test_sample_is_reproducible_from_random_state(digits_model):
    first = digits_model.sample(5, n_gibbs_steps=10, random_state=3)
    assert_array_equal(first, digits_model.sample(5, n_gibbs_steps=10, random_state=3))
    assert first.shape == (5, 64)


# -------------------------------------------------------------------- training


def test_bernoulli_rbm_parameters_are_accepted():
    params = BernoulliRBM(n_components=7, learning_rate=0.05, batch_size=3).get_params()
    rbm = RBMTransformer(**params)
    assert rbm.get_params()["n_components"] == 7
    assert rbm.get_params()["learning_rate"] == 0.05


def test_one_update_moves_parameters_by_learning_rate_times_gradient(binary_digits):
    rbm = RBMTransformer(
        6, batch_size=5, momentum=0.0, weight_decay=0.0, random_state=0
    ).partial_fit(binary_digits[:20])
    batch = binary_digits[20:25]
    parameters = rbm._trainer.parameters
    before = [p.copy() for p in parameters.arrays]
    chains = rbm._trainer.chains.copy()
    rbm._trainer.rng = np.random.default_rng(5)
    rbm._train_step(batch, 0.3)
    reference = rbm._model_parameters()._replace(
        weights=before[0], visible_bias=before[1], hidden_bias=before[2]
    )
    negative_visible, negative_hidden, _ = gibbs_chain(
        chains, reference, 1, np.random.default_rng(5)
    )
    gradient = log_likelihood_gradient(
        reference,
        batch,
        expit(batch @ before[0].T + before[2]),
        negative_visible,
        negative_hidden,
    )
    for new, old, g in zip(parameters.arrays, before, gradient, strict=True):
        assert_allclose(new - old, 0.3 * g, atol=1e-12)


def test_default_training_beats_independent_pixels_on_held_out_digits(binary_digits):
    X_train, X_test = train_test_split(binary_digits, test_size=0.3, random_state=1)
    rbm = RBMTransformer(16, n_iter=60, random_state=0).fit(X_train)
    p = np.clip(X_train.mean(axis=0), 1e-3, 1 - 1e-3)
    independent = (X_test @ np.log(p) + (1 - X_test) @ np.log(1 - p)).mean()
    assert rbm.score(X_test) > independent + 4


@pytest.mark.parametrize("method", ["cd", "pcd"])
def test_training_improves_the_likelihood(method, binary_digits):
    X = binary_digits[:600]
    untrained = RBMTransformer(16, n_iter=0, random_state=0).fit(X)
    trained = RBMTransformer(
        16,
        n_iter=15,
        learning_rate=0.1,
        method=method,
        n_gibbs_steps=2,
        random_state=0,
    )
    assert trained.fit(X).score(X) > untrained.score(X) + 3


def test_partial_fit_streaming_comes_close_to_fit(binary_digits):
    X_train, X_test = train_test_split(binary_digits, test_size=0.3, random_state=0)
    n_epochs = 30
    full = RBMTransformer(16, n_iter=n_epochs, random_state=0).fit(X_train)
    streamed = RBMTransformer(16, random_state=0)
    for _ in range(n_epochs):
        for chunk in np.array_split(X_train, 5):
            assert streamed.partial_fit(chunk) is streamed
    assert streamed.h_samples_.shape == (10, 16)
    assert streamed.score(X_test) > full.score(X_test) - 0.5
    baseline = BernoulliRBM(16, random_state=0)
    for _ in range(n_epochs):
        for chunk in np.array_split(X_train, 5):
            baseline.partial_fit(chunk)
    p = np.clip(X_train.mean(axis=0), 1e-3, 1 - 1e-3)
    independent = (X_test @ np.log(p) + (1 - X_test) @ np.log(1 - p)).mean()
    assert streamed.score(X_test) > independent + 3


def test_partial_fit_honours_batch_size(binary_digits, monkeypatch):
    batch_sizes = []
    original = RBMTransformer._train_step

    def spy(self, batch, step):
        batch_sizes.append(batch.shape[0])
        return original(self, batch, step)

    monkeypatch.setattr(RBMTransformer, "_train_step", spy)
    rbm = RBMTransformer(8, batch_size=30, random_state=0)
    rbm.partial_fit(binary_digits[:100]).partial_fit(binary_digits[100:130])
    assert sorted(batch_sizes) == sorted([30, 30, 30, 10, 30])
    assert rbm.h_samples_.shape == (30, 8)


def test_fit_is_reproducible_and_warm_start_continues(binary_digits):
    X = binary_digits[:300]
    first = RBMTransformer(8, n_iter=3, random_state=0).fit(X)
    second = RBMTransformer(8, n_iter=3, random_state=0).fit(X)
    assert_array_equal(first.components_, second.components_)
    warm = RBMTransformer(8, n_iter=3, random_state=0, warm_start=True).fit(X)
    before = warm.components_.copy()
    warm.fit(X)
    cold = RBMTransformer(8, n_iter=3, random_state=0).fit(X)
    assert not np.allclose(warm.components_, cold.components_)
    assert not np.allclose(warm.components_, before)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_fit_does_not_copy_X(early_stopping):
    # Minibatches and the held-out split are gathered by row index; only the
    # held-out rows (10 %) and the monitored rows are copied. (A short AIS
    # keeps the monitor's own memory out of the way.)
    X = random_binary(8000, 125)
    rbm = RBMTransformer(
        16,
        n_iter=1,
        early_stopping=early_stopping,
        partition_method="ais",
        ais_n_betas=20,
        random_state=0,
    )
    tracemalloc.start()
    try:
        rbm.fit(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.5 * X.nbytes


@pytest.mark.parametrize("magnitude", [1e150, 1e300])
@pytest.mark.parametrize("visible", ["gaussian", "gaussian_unit_variance"])
def test_gaussian_units_give_finite_outputs_on_huge_values(magnitude, visible):
    X = np.random.default_rng(0).normal(size=(60, 4)) * magnitude
    rbm = RBMTransformer(3, visible=visible, n_iter=3, random_state=0).fit(X)
    assert np.all(np.isfinite(rbm.scale_)) and np.all(rbm.scale_ > magnitude / 10)
    for method in ("transform", "predict", "score_samples", "free_energy", "gibbs"):
        output = getattr(rbm, method)(X)
        assert np.all(np.isfinite(output)), method
    assert np.isfinite(rbm.score(X))
    # the density of X / magnitude, shifted by the Jacobian
    small = RBMTransformer(3, visible=visible, n_iter=3, random_state=0).fit(
        X / magnitude
    )
    assert_allclose(
        rbm.score_samples(X),
        small.score_samples(X / magnitude) - 4 * np.log(magnitude),
        rtol=1e-6,
    )


def test_verbose_prints_one_line_per_epoch_with_log_likelihood(binary_digits):
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        rbm = RBMTransformer(8, n_iter=4, verbose=1, random_state=0).fit(
            binary_digits[:200]
        )
    lines = buffer.getvalue().strip().splitlines()
    assert len(lines) == 4 == len(rbm.train_scores_)
    assert all("log-likelihood" in line for line in lines)
    assert_allclose(
        float(lines[-1].split("= ")[1].split(",")[0]), rbm.train_scores_[-1], atol=1e-4
    )


def test_early_stopping_keeps_the_best_validation_parameters(binary_digits):
    rbm = RBMTransformer(
        16,
        n_iter=200,
        early_stopping=True,
        n_iter_no_change=3,
        tol=0.05,
        learning_rate=0.3,
        random_state=0,
    ).fit(binary_digits)
    assert rbm.n_iter_ < 200
    assert len(rbm.validation_scores_) == rbm.n_iter_
    assert rbm.best_validation_score_ == max(rbm.validation_scores_)


def test_sparsity_target_lowers_hidden_activity(binary_digits):
    X = binary_digits[:500]
    plain = RBMTransformer(16, n_iter=10, random_state=0).fit(X)
    sparse = RBMTransformer(
        16, n_iter=10, sparsity_target=0.05, sparsity_cost=1.0, random_state=0
    )
    sparse.fit(X)
    assert sparse.transform(X).mean() < plain.transform(X).mean() - 0.05


# ----------------------------------------------------------- model selection


def test_grid_search_without_scorer_selects_by_held_out_log_likelihood(binary_digits):
    X = binary_digits[:400]
    cv = KFold(3, shuffle=True, random_state=0)
    grid = {"n_components": [2, 12], "learning_rate": [0.001, 0.1]}
    search = GridSearchCV(RBMTransformer(n_iter=40, random_state=0), grid, cv=cv).fit(X)
    manual = []
    for params in search.cv_results_["params"]:
        scores = []
        for train, test in cv.split(X):
            model = RBMTransformer(n_iter=40, random_state=0, **params).fit(X[train])
            scores.append(model.score(X[test]))
        manual.append(np.mean(scores))
    assert_allclose(search.cv_results_["mean_test_score"], manual)
    assert search.best_params_ == search.cv_results_["params"][int(np.argmax(manual))]
    assert np.ptp(manual) > 0.5  # the grid points really differ in likelihood


def test_joblib_round_trip_gives_identical_outputs(
    tmp_path, digits_model, binary_digits
):
    X = binary_digits[:20]
    path = tmp_path / "rbm.joblib"
    joblib.dump(digits_model, path)
    loaded = joblib.load(path)
    for method in ("transform", "predict", "score_samples"):
        assert_array_equal(getattr(loaded, method)(X), getattr(digits_model, method)(X))


def test_feature_names_out_and_pandas_output(digits_model, binary_digits):
    pd = pytest.importorskip("pandas")
    names = digits_model.get_feature_names_out()
    assert list(names) == [f"rbmtransformer{i}" for i in range(16)]
    rbm = RBMTransformer(3, n_iter=1, random_state=0).set_output(transform="pandas")
    frame = rbm.fit_transform(pd.DataFrame(binary_digits[:10]).add_prefix("pixel"))
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [
        "rbmtransformer0",
        "rbmtransformer1",
        "rbmtransformer2",
    ]


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "X, error, match",
    [
        ([[0.0, np.nan]], ValueError, "NaN"),
        ([[0.0, np.inf]], ValueError, "infinity"),
        (np.array([[1 + 1j, 0]]), ValueError, "[Cc]omplex"),
        (np.array([["a", "b"]], dtype=object), ValueError, "could not convert"),
        (np.empty((0, 2)), ValueError, "0 sample"),
        ([0.0, 1.0, 0.5], ValueError, "2D array"),
    ],
)
def test_bad_input_is_refused_with_a_message(X, error, match):
    with pytest.raises(error, match=match):
        RBMTransformer(2).fit(X)


def test_bernoulli_units_refuse_values_outside_unit_interval_and_name_the_range():
    with pytest.raises(ValueError, match=r"\[0, 1\].*\[-0\.5, 2\]"):
        RBMTransformer(2, visible="bernoulli").fit([[0.0, 2.0], [-0.5, 1.0]])
    rbm = RBMTransformer(2, n_iter=1).fit([[0.0, 1.0], [1.0, 0.0]])
    assert rbm.visible_ == "bernoulli"
    for method in ("transform", "predict", "score_samples", "partial_fit"):
        with pytest.raises(ValueError, match=r"\[0, 1\].*\[0, 3\]"):
            getattr(rbm, method)([[0.0, 3.0]])


def test_auto_picks_gaussian_for_real_valued_data():
    assert (
        RBMTransformer(2, n_iter=1).fit([[0.0, 3.0], [1.0, -1.0]]).visible_
        == "gaussian"
    )


def test_wrong_number_of_features_after_fit_is_refused(digits_model):
    for method in ("transform", "predict", "score_samples", "partial_fit"):
        with pytest.raises(ValueError, match="64 features"):
            getattr(digits_model, method)(np.zeros((2, 5)))


@pytest.mark.parametrize(
    "params",
    [
        {"n_components": 0},
        {"learning_rate": -1.0},
        {"batch_size": 0},
        {"method": "pcd2"},
        {"visible": "poisson"},
        {"momentum": 1.0},
        {"partition_method": "magic"},
        {"validation_fraction": 1.0},
    ],
)
def test_invalid_parameters_are_refused_by_name(params):
    with pytest.raises(ValueError, match=list(params)[0]):
        RBMTransformer(**params).fit([[0.0, 1.0]])


def test_sample_refuses_bad_arguments(digits_model):
    with pytest.raises(ValueError, match="n_samples"):
        digits_model.sample(0)
    with pytest.raises(TypeError, match="n_gibbs_steps"):
        digits_model.sample(2, n_gibbs_steps=1.5)


def test_no_runtime_warning_on_large_inputs_and_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(0, 1e6, size=(40, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rbm = RBMTransformer(6, n_iter=5, random_state=0).fit(X)
        rbm.components_ = rbm.components_ * 1e4
        outputs = [rbm.transform(X * 1e3), rbm.predict(X), rbm.score_samples(X)]
        binary = RBMTransformer(6, n_iter=2, random_state=0).fit(random_binary(30, 5))
        binary.components_ = binary.components_ * 1e6
        binary.intercept_hidden_ = binary.intercept_hidden_ + 1e6
        outputs += [
            binary.transform(random_binary(5, 5)),
            binary.score_samples(random_binary(5, 5)),
        ]
        outputs += [
            binary.predict(random_binary(5, 5)),
            binary.free_energy(random_binary(5, 5)),
        ]
    for output in outputs:
        assert np.all(np.isfinite(output))


def test_divergent_training_raises_a_clear_error_without_numpy_warnings():
    rng = np.random.default_rng(0)
    X = rng.normal(0, 1, size=(200, 30)) @ rng.normal(0, 3, size=(30, 30))
    rbm = RBMTransformer(64, learning_rate=1e4, momentum=0.0, n_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="diverged.*learning_rate"):
            rbm.fit(X)
