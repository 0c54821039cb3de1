"""Array API support: RBMTransformer and HopfieldMemory on other namespaces.

scikit-learn's public array-API checks with array-api-strict (always) and
torch on the CPU (where installed); the outputs of a model whose parameters
are those of a numpy fit equal the numpy outputs; fits are reproducible in
each namespace; mixed namespaces, sparse, complex and integer input behave
as they do for scikit-learn's own array-API estimators.
"""

import contextlib
import copy
import io
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils.estimator_checks import (
    check_array_api_input,
    check_array_api_same_namespace,
)

from skebm import HopfieldMemory, RBMClassifier, RBMTransformer
from skebm._array_api import to_numpy
from skebm._random import draws_for

strict = pytest.importorskip("array_api_strict")

HOPFIELD_RULES = [
    "softmax",
    "exponential",
    "storkey",
    "hebbian",
    "pseudoinverse",
    "polynomial",
]
# Gaussian units take scikit-learn's real-valued check data as they are;
# bernoulli units need [0, 1], which a scaler in front provides.
CHECKED_ESTIMATORS = [
    RBMTransformer(16, visible="gaussian", n_iter=5),
    RBMTransformer(16, visible="gaussian_unit_variance", n_iter=5),
    make_pipeline(
        MinMaxScaler(clip=True), RBMTransformer(16, visible="bernoulli", n_iter=5)
    ),
    *[HopfieldMemory(rule) for rule in HOPFIELD_RULES],
    HopfieldMemory("hebbian", update="sync"),
    HopfieldMemory("exponential", update="async"),
]
NAMESPACES = [
    ("array_api_strict", "CPU_DEVICE", "float64"),
    ("array_api_strict", "device1", "float32"),
    ("torch", "cpu", "float64"),
    ("torch", "cpu", "float32"),
]


def _name(estimator):
    return repr(estimator).replace(" ", "").replace("\n", "")


def _namespace(name):
    """The module ``name`` (torch skips where it is not installed)."""
    return strict if name == "array_api_strict" else pytest.importorskip(name)


def _xp_and_device(name, dtype_name="float64"):
    """scikit-learn's array-API wrapper of ``name`` and a device, with the dtype."""
    module = _namespace(name)
    with sklearn.config_context(array_api_dispatch=True):
        from skebm._sklearn_compat import get_namespace

        xp, _ = get_namespace(module.asarray([1.0]))
    return xp, getattr(xp, dtype_name)


@pytest.mark.parametrize("estimator", CHECKED_ESTIMATORS, ids=_name)
@pytest.mark.parametrize(
    "namespace, device, dtype", NAMESPACES, ids=lambda value: str(value)
)
def test_sklearn_check_array_api_input(estimator, namespace, device, dtype):
    _namespace(namespace)
    check_array_api_input(
        type(estimator).__name__,
        estimator,
        namespace,
        device_name=device,
        dtype_name=dtype,
    )


# (A pipeline's error names its last step, not the pipeline that the check
# looks for; bernoulli units meet the same check in the mixed-namespace tests.)
@pytest.mark.parametrize(
    "estimator",
    [e for e in CHECKED_ESTIMATORS if not hasattr(e, "steps")],
    ids=_name,
)
@pytest.mark.parametrize("namespace", ["array_api_strict", "torch"])
def test_sklearn_check_array_api_same_namespace(estimator, namespace):
    _namespace(namespace)
    check_array_api_same_namespace(type(estimator).__name__, estimator, namespace)


def _digits(visible):
    X = load_digits().data[:200]
    return (X > 8).astype(float) if visible == "bernoulli" else X


def _moved(estimator, xp):
    """A copy of a numpy-fitted estimator with its array attributes in ``xp``."""
    moved = copy.deepcopy(estimator)
    for name, value in vars(estimator).items():
        if isinstance(value, np.ndarray):
            setattr(moved, name, xp.asarray(value))
    moved._log_partition_cache = None
    return moved


@pytest.mark.parametrize("namespace", ["array_api_strict", "torch"])
@pytest.mark.parametrize("visible", ["bernoulli", "gaussian", "gaussian_unit_variance"])
def test_rbm_outputs_equal_numpy_for_the_same_parameters(namespace, visible):
    xp, _ = _xp_and_device(namespace)
    X = _digits(visible)
    fitted = RBMTransformer(12, n_iter=3, visible=visible, random_state=0).fit(X)
    model = _moved(fitted, xp)
    X_xp = xp.asarray(X)
    with sklearn.config_context(array_api_dispatch=True):
        for method in ("transform", "score_samples", "predict", "free_energy"):
            result = getattr(model, method)(X_xp)
            assert type(result) is type(X_xp)
            assert_allclose(
                to_numpy(result), getattr(fitted, method)(X), rtol=1e-8, atol=1e-8
            )
        assert abs(model.score(X_xp) - fitted.score(X)) < 1e-8
        exact, _ = model.estimate_log_partition("exact")
    assert abs(exact - fitted.estimate_log_partition("exact")[0]) < 1e-8


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_ais_in_array_api_strict_draws_the_numbers_numpy_draws(visible):
    # array-api-strict draws with the numpy Generator itself: the same chains.
    X = _digits(visible)
    fitted = RBMTransformer(12, n_iter=3, visible=visible, random_state=0).fit(X)
    model = _moved(fitted, strict)
    settings = {"n_chains": 20, "n_betas": 300, "random_state": 1}
    with sklearn.config_context(array_api_dispatch=True):
        log_z, std_error = model.estimate_log_partition("ais", **settings)
        reverse, _ = model.estimate_log_partition("reverse_ais", **settings)
    expected, expected_std_error = fitted.estimate_log_partition("ais", **settings)
    assert abs(log_z - expected) < 1e-6
    assert abs(std_error - expected_std_error) < 1e-6
    expected_reverse, _ = fitted.estimate_log_partition("reverse_ais", **settings)
    assert abs(reverse - expected_reverse) < 1e-6


@pytest.mark.parametrize(
    "settings",
    # A last minibatch shorter than the others (the standard leaves slices
    # past the end unspecified, and array-api-strict refuses them), with the
    # held-out split and its scores.
    [{}, {"batch_size": 7, "early_stopping": True}],
)
@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_rbm_fit_in_array_api_strict_follows_the_numpy_fit(visible, settings):
    # The namespace trainer makes the numpy step's update with the same draws.
    X = _digits(visible)
    params = dict(n_iter=3, visible=visible, random_state=0, **settings)
    fitted = RBMTransformer(12, **params).fit(X)
    with sklearn.config_context(array_api_dispatch=True):
        model = RBMTransformer(12, **params).fit(strict.asarray(X))
    assert_allclose(to_numpy(model.components_), fitted.components_, atol=1e-8)
    assert_allclose(to_numpy(model.h_samples_), fitted.h_samples_)
    if settings:
        assert_allclose(model.validation_scores_, fitted.validation_scores_)


@pytest.mark.parametrize("namespace", ["array_api_strict", "torch"])
@pytest.mark.parametrize("rule", HOPFIELD_RULES)
def test_hopfield_outputs_equal_numpy(namespace, rule):
    # Storing is deterministic: the same rows give the same memory.
    xp, _ = _xp_and_device(namespace)
    X = (load_digits().data[:12] > 8).astype(float)
    probes = np.abs(X - (np.random.default_rng(0).random(X.shape) < 0.1))
    fitted = HopfieldMemory(rule, random_state=0).fit(X)
    with sklearn.config_context(array_api_dispatch=True):
        model = HopfieldMemory(rule, random_state=0).fit(xp.asarray(X))
        assert_allclose(to_numpy(model.memories_), fitted.memories_)
        for method in ("transform", "score_samples", "predict", "energy"):
            result = getattr(model, method)(xp.asarray(probes))
            assert_allclose(
                to_numpy(result),
                getattr(fitted, method)(probes),
                rtol=1e-8,
                atol=1e-8,
                err_msg=method,
            )
        clamp = np.zeros(probes.shape, dtype=bool)
        clamp[:, :20] = True
        clamped = model.predict(xp.asarray(probes), clamp=xp.asarray(clamp))
        assert_allclose(to_numpy(clamped), fitted.predict(probes, clamp=clamp))


@pytest.mark.parametrize("namespace", ["array_api_strict", "torch"])
def test_hopfield_partial_fit_in_a_namespace_equals_one_fit(namespace):
    xp, _ = _xp_and_device(namespace)
    X = load_digits().data[:20]
    with sklearn.config_context(array_api_dispatch=True):
        whole = HopfieldMemory().fit(xp.asarray(X))
        parts = HopfieldMemory().fit(xp.asarray(X[:10]))
        parts.partial_fit(xp.asarray(X[10:]))
        assert_allclose(
            to_numpy(parts.predict(xp.asarray(X))),
            to_numpy(whole.predict(xp.asarray(X))),
        )


@pytest.mark.parametrize("namespace", ["array_api_strict", "torch"])
@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_rbm_fit_in_a_namespace_is_reproducible(namespace, visible):
    xp, _ = _xp_and_device(namespace)
    X = xp.asarray(_digits(visible)[:60])
    with sklearn.config_context(array_api_dispatch=True):
        first, second = (
            RBMTransformer(8, n_iter=2, visible=visible, random_state=3).fit(X)
            for _ in range(2)
        )
        assert_array_equal(to_numpy(first.components_), to_numpy(second.components_))
        assert_array_equal(to_numpy(first.gibbs(X)), to_numpy(second.gibbs(X)))
        assert_array_equal(to_numpy(first.sample(3)), to_numpy(second.sample(3)))


def test_draws_of_torch_come_from_a_torch_generator_on_the_arrays_device():
    torch = pytest.importorskip("torch")
    reference = torch.zeros(2, dtype=torch.float64)
    first = draws_for(np.random.default_rng(0), reference).uniform((3, 4))
    again = draws_for(np.random.default_rng(0), reference).uniform((3, 4))
    assert isinstance(first, torch.Tensor) and first.device == reference.device
    assert first.dtype == torch.float32
    assert torch.equal(first, again)


def test_draws_of_array_api_strict_are_those_of_the_numpy_generator():
    draws = draws_for(np.random.default_rng(0), strict.zeros(2))
    expected = np.random.default_rng(0).random((3, 4), dtype=np.float32)
    assert_array_equal(np.asarray(draws.uniform((3, 4))), expected)


@pytest.mark.parametrize("namespace", ["array_api_strict", "torch"])
def test_a_model_fitted_in_a_namespace_pickles(namespace):
    xp, _ = _xp_and_device(namespace)
    X = xp.asarray(_digits("bernoulli")[:50])
    with sklearn.config_context(array_api_dispatch=True):
        model = RBMTransformer(8, n_iter=2, random_state=0).fit(X)
        restored = pickle.loads(pickle.dumps(model))
        expected = to_numpy(model.transform(X))
        assert_array_equal(to_numpy(restored.transform(X)), expected)
        assert_array_equal(to_numpy(restored.gibbs(X)), to_numpy(model.gibbs(X)))
        restored.partial_fit(X)


@pytest.mark.parametrize("namespace", ["array_api_strict", "torch"])
def test_methods_without_X_compute_in_the_models_namespace_outside_dispatch(
    namespace,
):
    # sample and estimate_log_partition read no X: nothing to check against
    # the switch, so they compute where the model lives, as log_partition_ does.
    xp, _ = _xp_and_device(namespace)
    X = xp.asarray(_digits("bernoulli")[:50])
    with sklearn.config_context(array_api_dispatch=True):
        model = RBMTransformer(8, n_iter=2, random_state=0).fit(X)
        inside = model.estimate_log_partition(n_chains=20, n_betas=200)
        samples_inside = model.sample(3, n_gibbs_steps=5, random_state=0)
    outside = model.estimate_log_partition(n_chains=20, n_betas=200)
    samples = model.sample(3, n_gibbs_steps=5, random_state=0)
    assert outside == inside
    assert type(samples) is type(model.components_)
    assert_array_equal(to_numpy(samples), to_numpy(samples_inside))
    assert model.log_partition_ == model.estimate_log_partition("exact")[0]


def _numpy_namespace_error(estimator, fit_X, X, method):
    """The error ``estimator`` fitted on ``fit_X`` raises for X in ``method``."""
    with sklearn.config_context(array_api_dispatch=True):
        estimator.fit(fit_X)
        with pytest.raises(ValueError) as error:
            getattr(estimator, method)(X)
    return str(error.value)


@pytest.mark.parametrize(
    "estimator, method",
    [
        (RBMTransformer(4, n_iter=1), "transform"),
        (RBMTransformer(4, n_iter=1), "score_samples"),
        (RBMTransformer(4, n_iter=1), "partial_fit"),
        (HopfieldMemory(), "predict"),
        (HopfieldMemory(), "score_samples"),
        (HopfieldMemory(), "partial_fit"),
    ],
    ids=str,
)
@pytest.mark.parametrize(
    "direction", ["numpy X, strict model", "strict X, numpy model"]
)
def test_mixed_namespaces_are_refused_as_by_pca(estimator, method, direction):
    X = load_digits().data[:40] / 16
    fit_X, X_other = strict.asarray(X), X
    if direction == "strict X, numpy model":
        fit_X, X_other = X, strict.asarray(X)
    message = _numpy_namespace_error(estimator, fit_X, X_other, method)
    pca_message = _numpy_namespace_error(PCA(2), fit_X, X_other, "transform")
    assert "must use the same namespace and the same device" in message
    assert message.split("fit(). ")[1] == pca_message.split("fit(). ")[1].replace(
        "transform", method
    )


@pytest.mark.parametrize("estimator", [RBMTransformer(4, n_iter=1), HopfieldMemory()])
def test_sparse_input_to_a_namespace_model_is_refused(estimator):
    X = load_digits().data[:40] / 16
    with sklearn.config_context(array_api_dispatch=True):
        estimator.fit(strict.asarray(X))
        with pytest.raises(ValueError, match="sparse array input"):
            estimator.transform(sp.csr_matrix(X))


def test_sparse_input_under_dispatch_is_fitted_by_numpy():
    X = sp.csr_matrix((load_digits().data[:40] > 8).astype(float))
    with sklearn.config_context(array_api_dispatch=True):
        model = RBMTransformer(4, n_iter=1, random_state=0).fit(X)
        assert isinstance(model.components_, np.ndarray)
        assert isinstance(model.transform(X), np.ndarray)


@pytest.mark.parametrize("estimator", [RBMTransformer(4, n_iter=1), HopfieldMemory()])
def test_a_namespace_model_refuses_input_without_dispatch(estimator):
    X = load_digits().data[:40] / 16
    with sklearn.config_context(array_api_dispatch=True):
        estimator.fit(strict.asarray(X))
    with pytest.raises(ValueError, match="fitted on arrays of array_api_strict"):
        estimator.score_samples(X)


@pytest.mark.parametrize("namespace", ["array_api_strict", "torch"])
def test_rbm_classifier_refuses_other_namespaces_by_name(namespace):
    # numpy only: scikit-learn's numpy-only estimators (BernoulliRBM) fail on
    # such input with an error about dtypes; this one says what to pass.
    xp, _ = _xp_and_device(namespace)
    X = _digits("bernoulli")[:60]
    y = np.arange(60) % 3
    fitted = RBMClassifier(4, n_iter=1, random_state=0).fit(X, y)
    expected = fitted.predict_proba(X)
    message = f"RBMClassifier computes with numpy only; X is an array of {namespace}"
    with sklearn.config_context(array_api_dispatch=True):
        for call in (
            lambda: RBMClassifier(4, n_iter=1).fit(xp.asarray(X), y),
            lambda: RBMClassifier(4).partial_fit(xp.asarray(X), y, classes=[0, 1, 2]),
            lambda: fitted.predict_proba(xp.asarray(X)),
            lambda: fitted.transform(xp.asarray(X)),
        ):
            with pytest.raises(TypeError, match=message):
                call()
        # numpy input under the dispatch is the numpy code's, as before
        assert_array_equal(fitted.predict_proba(X), expected)


@pytest.mark.parametrize("namespace", ["array_api_strict", "torch"])
@pytest.mark.parametrize("estimator", [RBMTransformer(4, n_iter=1), HopfieldMemory()])
def test_complex_input_is_refused_as_numpy_refuses_it(namespace, estimator):
    xp, _ = _xp_and_device(namespace)
    X = np.ones((5, 3)) + 1j
    with pytest.raises(ValueError, match="Complex data not supported") as expected:
        estimator.fit(X)
    with sklearn.config_context(array_api_dispatch=True):
        with pytest.raises(ValueError) as error:
            estimator.fit(xp.asarray(X))
    assert str(error.value).splitlines()[0] == str(expected.value).splitlines()[0]


@pytest.mark.parametrize("namespace", ["array_api_strict", "torch"])
@pytest.mark.parametrize(
    "estimator",
    [
        RBMTransformer(4, n_iter=2, random_state=0),
        HopfieldMemory("storkey", random_state=0),
    ],
    ids=str,
)
def test_integer_input_is_converted_to_float_as_numpy_converts_it(namespace, estimator):
    xp, _ = _xp_and_device(namespace)
    X = (load_digits().data[:40] > 8).astype(np.int64)
    expected = copy.deepcopy(estimator).fit(X).transform(X)
    with sklearn.config_context(array_api_dispatch=True):
        model = estimator.fit(xp.asarray(X))
        result = model.transform(xp.asarray(X))
    assert result.dtype == xp.float64
    if isinstance(estimator, HopfieldMemory):
        assert_allclose(to_numpy(result), expected)


@pytest.mark.parametrize("estimator", [RBMTransformer(), HopfieldMemory()])
def test_array_api_support_tag(estimator):
    assert estimator.__sklearn_tags__().array_api_support


@pytest.mark.parametrize(
    "namespace, device, dtype", NAMESPACES, ids=lambda value: str(value)
)
def test_per_epoch_record_follows_log_z_in_the_namespace(namespace, device, dtype):
    # 24 hidden units: log Z by AIS, so the record follows it with the
    # training's chains, in the namespace of the data.
    module = _namespace(namespace)
    X = (load_digits().data[:500] >= 8).astype(dtype)
    X_xp = module.asarray(X)
    with sklearn.config_context(array_api_dispatch=True):
        rbm = RBMTransformer(24, n_iter=8, ais_n_betas=1000, verbose=1, random_state=0)
        with contextlib.redirect_stdout(io.StringIO()):
            rbm.fit(X_xp)
        full = float(to_numpy(rbm.score_samples(X_xp)).mean())
    scores = np.array(rbm.train_scores_)
    assert np.isfinite(scores).all()
    assert np.diff(scores[2:]).min() > -0.5
    assert abs(scores[-1] - full) < 1.0
