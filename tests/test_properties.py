"""Property-based tests: every public method on inputs of every shape and scale.

Whatever hypothesis draws (from one row or one feature, float32 or float64,
dense or sparse where accepted, magnitudes from 1e-300 to 1e300), every
output is finite, has the right shape and dtype, and comes with no warning
(pytest turns warnings into errors); the only other outcome allowed is a
ValueError that says what is wrong. Budgets keep the file to seconds.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from skebm import HopfieldMemory, RBMTransformer
from skebm._hopfield._networks import NETWORKS

BUDGET = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


@st.composite
def data(draw, kinds=("binary", "unit", "real")):
    n_rows = draw(st.integers(1, 12))
    n_features = draw(st.integers(1, 6))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    kind = draw(st.sampled_from(kinds))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    if kind == "binary":
        X = (rng.random((n_rows, n_features)) < 0.5).astype(float)
    elif kind == "unit":
        X = rng.random((n_rows, n_features))
    else:
        magnitudes = (
            [1e-300, 1e-3, 1.0, 1e150, 1e300]
            if dtype == np.float64
            else [1e-30, 1e-3, 1.0, 1e15, 1e30]
        )
        magnitude = draw(st.sampled_from(magnitudes))
        X = rng.normal(size=(n_rows, n_features)) * magnitude
        if draw(st.booleans()):
            X[:, 0] = X[0, 0]  # a constant column
    if draw(st.booleans()):
        X[-1] = X[0]  # a duplicate row
    return X.astype(dtype)


def assert_finite(output, shape, dtype):
    output = np.asarray(output)
    assert output.shape == shape
    assert output.dtype == dtype
    assert np.all(np.isfinite(output))


@BUDGET
@given(X=data(), n_components=st.integers(1, 4), sparse=st.booleans())
def test_rbm_transformer_outputs_are_finite_for_any_input(X, n_components, sparse):
    binary_range = X.min() >= 0 and X.max() <= 1
    if sparse and binary_range:
        X = sp.csr_matrix(X)
    rbm = RBMTransformer(n_components, n_iter=2, batch_size=4, random_state=0)
    rbm.fit(X)
    n_rows, n_features = X.shape
    dtype = X.dtype
    assert_finite(rbm.transform(X), (n_rows, n_components), dtype)
    # predict and gibbs refuse sparse input by design (a dense result)
    dense = X.toarray() if sp.issparse(X) else X
    assert_finite(rbm.predict(dense), (n_rows, n_features), dtype)
    assert_finite(rbm.score_samples(X), (n_rows,), dtype)
    assert_finite(rbm.free_energy(X), (n_rows,), dtype)
    assert_finite(rbm.gibbs(dense), (n_rows, n_features), dtype)
    assert_finite(rbm.sample(2, n_gibbs_steps=2), (2, n_features), dtype)
    assert np.isfinite(rbm.score(X))
    assert np.isfinite(rbm.estimate_log_partition("exact")[0])
    rbm.partial_fit(X)
    assert_finite(rbm.transform(X), (n_rows, n_components), dtype)


@BUDGET
@given(
    X=data(),
    rule=st.sampled_from(sorted(NETWORKS)),
    clamp_seed=st.integers(0, 2**16),
)
def test_hopfield_memory_outputs_are_finite_for_any_input(X, rule, clamp_seed):
    memory = HopfieldMemory(rule, random_state=0)
    clamp = np.random.default_rng(clamp_seed).random(X.shape) < 0.3
    try:
        memory.fit(X)
        memory.partial_fit(X[:1])
        outputs = {
            "predict": memory.predict(X),
            "clamped predict": memory.predict(X, clamp=clamp),
            "transform": memory.transform(X),
            "score_samples": memory.score_samples(X),
            "energy": memory.energy(X),
        }
    except ValueError as error:
        # a refusal must say what is wrong: name a parameter or a value
        assert str(error) and ("X" in str(error) or "beta" in str(error))
        event("refused with a ValueError")
        return
    n_rows, n_features = X.shape
    for name in ("predict", "clamped predict"):
        assert_finite(outputs[name], (n_rows, n_features), outputs[name].dtype)
    assert outputs["transform"].shape[0] == n_rows
    assert np.all(np.isfinite(outputs["transform"]))
    assert_finite(outputs["score_samples"], (n_rows,), outputs["score_samples"].dtype)
    assert_finite(outputs["energy"], (n_rows,), outputs["energy"].dtype)
    assert np.isfinite(memory.score(X))


@pytest.mark.parametrize("estimator", [RBMTransformer(2, n_iter=1), HopfieldMemory()])
@BUDGET
@given(bad=st.sampled_from([np.nan, np.inf, -np.inf]))
def test_non_finite_input_is_refused_with_a_clear_error(estimator, bad):
    X = np.random.default_rng(0).random((5, 3))
    X[2, 1] = bad
    with pytest.raises(ValueError, match="(?i)nan|inf"):
        estimator.fit(X)
