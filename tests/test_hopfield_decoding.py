"""HopfieldMemory.predict answers in the data's own values (issue 12, item 1)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skebm import HopfieldMemory

RULES = ["hebbian", "storkey", "pseudoinverse", "polynomial", "exponential", "softmax"]

# Pairs of values a binary feature may take, in several encodings.
ENCODINGS = {
    "zero_one": (0.0, 1.0),
    "bipolar": (-1.0, 1.0),
    "bytes": (0.0, 255.0),
    "booleans": (float(False), float(True)),
    "awkward": (0.1, 0.7),
    "wide": (-3.0, 1e6),
}


def binary_patterns(encodings, n_memories=6, seed=0):
    """{0, 1} patterns and their values in one encoding per feature."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(n_memories, 24))
    low = np.array([ENCODINGS[encodings[j % len(encodings)]][0] for j in range(24)])
    high = np.array([ENCODINGS[encodings[j % len(encodings)]][1] for j in range(24)])
    return bits, np.where(bits == 1, high, low), low, high


def noisy_probes(bits, low, high, seed=1):
    """Stored patterns with bits flipped, and values anywhere in the range."""
    rng = np.random.default_rng(seed)
    flipped = np.where(rng.random(bits.shape) < 0.1, 1 - bits, bits)
    probes = np.where(flipped == 1, high, low)
    anywhere = low + rng.random(bits.shape) * (high - low)
    return np.vstack([probes, anywhere])


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize(
    "encodings", [[name] for name in ENCODINGS] + [list(ENCODINGS)], ids=str
)
def test_predict_returns_exactly_the_two_values_each_binary_feature_took(
    rule, encodings
):
    bits, X, low, high = binary_patterns(encodings)
    memory = HopfieldMemory(rule, random_state=0).fit(X)
    recalled = memory.predict(noisy_probes(bits, low, high))
    assert np.all((recalled == low) | (recalled == high))
    if rule in ("polynomial", "exponential", "softmax"):  # within capacity
        assert_array_equal(memory.predict(X), X)
    assert memory.binary_features_.all()


@pytest.mark.parametrize("beta", [0.01, 0.05, 0.5, 1.0])
def test_softmax_with_a_small_beta_recalls_binary_values_not_their_average(beta):
    # Attention spread over the memories gives states between the extremes:
    # predict decodes them, transform keeps them.
    bits, X, low, high = binary_patterns(["zero_one"], n_memories=20, seed=2)
    memory = HopfieldMemory(beta=beta).fit(X)
    probes = noisy_probes(bits, low, high, seed=3)
    recalled = memory.predict(probes)
    assert set(np.unique(recalled)) <= {0.0, 1.0}
    attention = memory.transform(probes)
    assert_allclose(attention.sum(axis=1), 1.0)
    assert np.all((attention > 0) & (attention < 1))


def test_softmax_decodes_a_binary_feature_by_the_side_of_its_midpoint():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    memory = HopfieldMemory(beta=1e-3).fit(X)
    # Equal attention on both memories: the state is the midpoint, the
    # larger value by the convention of the binary rules' encoding.
    assert_array_equal(memory.predict([[0.5, 0.5]]), [[1.0, 1.0]])
    assert_array_equal(memory.predict([[0.2, 0.2]]), [[0.0, 0.0]])


def test_softmax_keeps_continuous_features_continuous_beside_binary_ones():
    rng = np.random.default_rng(4)
    binary = rng.integers(0, 2, size=(8, 10)) * 255.0
    grey = rng.integers(0, 17, size=(8, 10)).astype(float)
    X = np.hstack([binary, grey])
    memory = HopfieldMemory(beta=0.2).fit(X)
    assert_array_equal(memory.binary_features_, np.arange(20) < 10)
    recalled = memory.predict(X + rng.normal(0, 2, size=X.shape))
    assert set(np.unique(recalled[:, :10])) <= {0.0, 255.0}
    continuous = recalled[:, 10:]
    assert not np.all(np.isin(continuous, grey))
    assert np.all(continuous >= grey.min(axis=0)) and np.all(
        continuous <= grey.max(axis=0)
    )


@pytest.mark.parametrize("rule", RULES)
def test_clamped_units_of_binary_features_are_returned_as_one_of_the_two_values(
    rule,
):
    bits, X, low, high = binary_patterns(["bytes"], seed=5)
    probes = X.copy()
    probes[:, 12:] = 127.5  # the midpoint: no information
    probes[:, :2] = 100.0  # clamped values between the two
    clamp = np.zeros(X.shape, dtype=bool)
    clamp[:, :12] = True
    recalled = HopfieldMemory(rule, random_state=0).fit(X).predict(probes, clamp)
    assert np.all((recalled == 0.0) | (recalled == 255.0))
    assert_array_equal(recalled[:, :2], 0.0)
    assert_array_equal(recalled[:, 2:12], X[:, 2:12])


@pytest.mark.parametrize("rule", ["softmax", "exponential"])
def test_a_constant_feature_is_recalled_as_its_constant_even_when_clamped(rule):
    X = np.array([[0.0, 1.0, 0.3], [1.0, 0.0, 0.3]])
    memory = HopfieldMemory(rule).fit(X)
    assert_array_equal(memory.binary_features_, [True, True, False])
    clamp = np.array([[False, False, True]])
    assert_array_equal(memory.predict([[0.0, 1.0, 9.0]], clamp=clamp), [X[0]])


def test_binary_features_follow_partial_fit():
    A = np.array([[0.0, 1.0, 5.0], [1.0, 0.0, 5.0]])
    B = np.array([[0.5, 1.0, 6.0]])
    memory = HopfieldMemory().fit(A)
    assert_array_equal(memory.binary_features_, [True, True, False])
    memory.partial_fit(B)
    assert_array_equal(memory.binary_features_, [False, True, True])
    whole = HopfieldMemory().fit(np.vstack([A, B]))
    assert_array_equal(memory.binary_features_, whole.binary_features_)
