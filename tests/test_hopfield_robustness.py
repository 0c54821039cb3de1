"""HopfieldMemory gives finite outputs or a clear ValueError (issue 12, item 3).

Every public method, every rule, on data at extreme magnitudes, with constant
columns, duplicate rows or a single row; pytest turns any numpy warning into
an error.
"""

import numpy as np
import pytest

from skebm import HopfieldMemory

RULES = ["hebbian", "storkey", "pseudoinverse", "polynomial", "exponential", "softmax"]


def _bits(n_rows=6, n_features=12, seed=0):
    return np.random.default_rng(seed).integers(0, 2, size=(n_rows, n_features))


def _data(case):
    rng = np.random.default_rng(1)
    bits = _bits().astype(float)
    if case == "bits_1e150":
        return bits * 1e150
    if case == "bits_1e300":
        return bits * 1e300
    if case == "bits_near_float_max":
        return np.where(bits > 0, 1.7e308, -1.7e308)
    if case == "normal_1e300":
        return rng.normal(size=(6, 12)) * 1e300
    if case == "tiny_1e-300":
        return rng.normal(size=(6, 12)) * 1e-300
    if case == "constant_columns":
        bits[:, [0, 5, 11]] = [3.0, -2.0, 1e300]
        return bits
    if case == "all_columns_constant":
        return np.full((4, 12), 7.0)
    if case == "duplicate_rows":
        return np.vstack([bits[:2]] * 4)
    if case == "single_row":
        return bits[:1]
    raise ValueError(case)


CASES = [
    "bits_1e150",
    "bits_1e300",
    "bits_near_float_max",
    "normal_1e300",
    "tiny_1e-300",
    "constant_columns",
    "all_columns_constant",
    "duplicate_rows",
    "single_row",
]


def _check_every_method(memory, X, probes):
    n_memories = memory.memories_.shape[0]
    recalled = memory.predict(probes)
    assert recalled.shape == probes.shape and np.all(np.isfinite(recalled))
    assert np.all((recalled >= memory.data_min_) & (recalled <= memory.data_max_))
    clamp = np.zeros(probes.shape, dtype=bool)
    clamp[:, :3] = True
    assert np.all(np.isfinite(memory.predict(probes, clamp=clamp)))
    similarity = memory.transform(probes)
    assert similarity.shape == (len(probes), n_memories)
    assert np.all(np.isfinite(similarity))
    for method in ("score_samples", "energy"):
        values = getattr(memory, method)(probes)
        assert values.shape == (len(probes),) and np.all(np.isfinite(values))
    assert np.isfinite(memory.score(probes))
    assert np.all(np.isfinite(memory.fit_transform(X)))


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("rule", RULES)
def test_every_method_is_finite_on_extreme_and_degenerate_data(rule, case):
    X = _data(case)
    memory = HopfieldMemory(rule, random_state=0).fit(X)
    assert np.all(np.isfinite(memory.center_)) and np.all(np.isfinite(memory.scale_))
    # Probes: the stored rows, and values spread over the stored range.
    rng = np.random.default_rng(2)
    weight = rng.random((5, X.shape[1]))
    inside = (1 - weight) * memory.data_min_ + weight * memory.data_max_
    _check_every_method(memory, X, np.vstack([X, inside]))
    memory.partial_fit(X[:1])
    assert np.all(np.isfinite(memory.predict(X)))


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("magnitude", [1e150, 1e300, 1.7e308])
def test_probes_far_outside_the_stored_range_are_finite_or_refused(rule, magnitude):
    X = _bits().astype(float)
    memory = HopfieldMemory(rule, random_state=0).fit(X)
    probes = np.where(_bits(3, seed=3) > 0, magnitude, -magnitude)
    if rule == "softmax":
        # A state 1e150 half-ranges out would overflow the energy and the
        # overlaps: the error names the value and the feature.
        for method in ("predict", "transform", "score_samples", "score", "energy"):
            with pytest.raises(ValueError, match=r"X\[0, \d+\] = .* feature \d+"):
                getattr(memory, method)(probes)
        return
    _check_every_method(memory, X, probes)


@pytest.mark.parametrize("rule", ["softmax", "exponential"])
@pytest.mark.parametrize("beta", [1e-300, 1e-8, 1e8, 1e300])
def test_extreme_beta_gives_finite_outputs(rule, beta):
    X = _bits(8, 16).astype(float)
    probes = np.abs(X - (np.random.default_rng(4).random(X.shape) < 0.1))
    memory = HopfieldMemory(rule, beta=beta).fit(X)
    _check_every_method(memory, X, probes)


@pytest.mark.parametrize("degree", [2, 50, 1000])
def test_extreme_polynomial_degree_gives_finite_outputs(degree):
    X = _bits(8, 16).astype(float)
    memory = HopfieldMemory("polynomial", degree=degree).fit(X)
    _check_every_method(memory, X, X)
