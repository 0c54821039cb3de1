"""The family objects behind HopfieldMemory, used directly and through it."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone

from skebm import HopfieldMemory
from skebm._hopfield._networks import (
    NETWORKS,
    DenseNetwork,
    PairwiseNetwork,
    Settings,
    SoftmaxNetwork,
)
from skebm._hopfield._rules import storkey_weights
from skebm.exceptions import RecallNotConvergedWarning
from tests._hopfield_helpers import bipolar

N_UNITS = 48


def independent_weights(rule, memories):
    """Pairwise weights from the textbook formulas, zero diagonal."""
    n_units = memories.shape[1]
    if rule == "hebbian":
        weights = sum(np.outer(m, m) for m in memories) / n_units
    elif rule == "pseudoinverse":
        weights = memories.T @ np.linalg.inv(memories @ memories.T) @ memories
    else:  # Storkey's rule is checked loop by loop in test_hopfield_rules.
        weights = storkey_weights(memories)
    weights = np.array(weights, dtype=float)
    np.fill_diagonal(weights, 0.0)
    return weights


def independent_energy(rule, state, memories, settings):
    """The documented energy of one state, term by term."""
    overlaps = [float(m @ state) for m in memories]
    beta = settings.beta
    if rule in ("hebbian", "storkey", "pseudoinverse"):
        weights = independent_weights(rule, memories)
        return -0.5 * state @ weights @ state
    if rule == "polynomial":
        n_units = len(state)
        return -sum(max(o / n_units, 0.0) ** settings.degree for o in overlaps)
    log_sum = np.log(sum(np.exp(beta * o) for o in overlaps)) / beta
    if rule == "exponential":
        return -log_sum
    largest_norm2 = max(float(m @ m) for m in memories)
    return (
        -log_sum
        + 0.5 * state @ state
        + np.log(len(memories)) / beta
        + 0.5 * largest_norm2
    )


def independent_similarity(rule, state, memories, settings):
    overlaps = memories @ state
    if rule != "softmax":
        return overlaps / len(state)
    weights = np.exp(settings.beta * overlaps)
    return weights / weights.sum()


@pytest.mark.parametrize("rule", sorted(NETWORKS))
def test_each_family_used_directly_recalls_and_ranks_a_stored_pattern(rule):
    rng = np.random.default_rng(0)
    memories = bipolar((3, N_UNITS), rng)
    settings = Settings(beta=0.5)
    network = NETWORKS[rule](rule, rng.permutation(N_UNITS)).add(memories)
    corrupted = memories[:1].copy()
    corrupted[0, rng.choice(N_UNITS, 6, replace=False)] *= -1
    states = np.vstack([memories[:1], corrupted])

    recalled, _ = network.recall(memories[:1], None, settings)
    assert_allclose(recalled, memories[:1], atol=1e-6)

    energies = network.energy(states, settings)
    expected = [independent_energy(rule, s, memories, settings) for s in states]
    assert_allclose(energies, expected, rtol=1e-10, atol=1e-10)
    assert energies[0] < energies[1]

    assert_allclose(
        network.similarity(states, settings),
        [independent_similarity(rule, s, memories, settings) for s in states],
        rtol=1e-10,
        atol=1e-12,
    )


@pytest.mark.parametrize(
    ("rule", "family"),
    [
        ("hebbian", PairwiseNetwork),
        ("storkey", PairwiseNetwork),
        ("pseudoinverse", PairwiseNetwork),
        ("polynomial", DenseNetwork),
        ("exponential", DenseNetwork),
        ("softmax", SoftmaxNetwork),
    ],
)
def test_each_rule_is_served_by_its_family(rule, family):
    memory = HopfieldMemory(rule, random_state=0).fit(
        bipolar((3, 10), np.random.default_rng(1))
    )
    assert type(memory._network) is family
    assert memory.memories_ is memory._network.memories
    for name, value in memory._network.fitted_attributes().items():
        assert getattr(memory, name) is value


@pytest.mark.parametrize("rule", ["pseudoinverse", "polynomial"])
def test_adding_in_two_calls_stores_what_one_call_stores(rule):
    rng = np.random.default_rng(2)
    memories = bipolar((7, 20), rng)
    order = rng.permutation(20)
    one = NETWORKS[rule](rule, order).add(memories)
    two = NETWORKS[rule](rule, order).add(memories[:4]).add(memories[4:])
    assert_array_equal(two.memories, one.memories)
    probes = bipolar((5, 20), rng)
    assert_array_equal(two.energy(probes, Settings()), one.energy(probes, Settings()))


def test_the_network_pickles_with_the_memory_and_clone_leaves_it_behind():
    X = bipolar((4, 30), np.random.default_rng(3))
    memory = HopfieldMemory("hebbian", random_state=0).fit(X)
    restored = pickle.loads(pickle.dumps(memory))
    assert_array_equal(
        restored._network.weights_in_order, memory._network.weights_in_order
    )
    assert restored.weights_ is restored._network.weights
    assert_array_equal(restored.predict(X), memory.predict(X))
    assert not hasattr(clone(memory), "_network")


@pytest.mark.parametrize(
    ("rule", "n_memories", "dynamics"),
    [("storkey", 25, "async"), ("polynomial", 400, "sync")],
)
def test_auto_update_is_async_for_pairwise_and_sync_for_dense_rules(
    rule, n_memories, dynamics
):
    rng = np.random.default_rng(3)
    patterns = bipolar((n_memories, 100), rng)
    targets = patterns[rng.integers(n_memories, size=60)]
    probes = targets * np.where(rng.random(targets.shape) < 0.2, -1, 1)
    recalled = {
        update: HopfieldMemory(rule, update=update, random_state=0)
        .fit(patterns)
        .predict(probes)
        for update in ("auto", "async", "sync")
    }
    # The two dynamics end apart on some probes, so "auto" picks one of them.
    assert np.any(recalled["async"] != recalled["sync"])
    assert_array_equal(recalled["auto"], recalled[dynamics])


def test_recall_settings_set_after_fit_act_at_the_next_call():
    rng = np.random.default_rng(4)
    X = bipolar((6, 40), rng)
    probes = X * np.where(rng.random(X.shape) < 0.3, -1, 1)
    memory = HopfieldMemory("softmax").fit(X)
    blunt = HopfieldMemory("softmax", beta=0.05).fit(X)
    memory.set_params(beta=0.05)
    assert_array_equal(memory.transform(probes), blunt.transform(probes))
    assert_array_equal(memory.energy(probes), blunt.energy(probes))
    hebbian = HopfieldMemory("hebbian", update="sync").fit(X)
    hebbian.set_params(n_sweeps=1)
    with pytest.warns(RecallNotConvergedWarning, match="n_sweeps=1"):
        hebbian.predict(probes)


# ------------------------------------------------------- chunks and dtypes


@pytest.mark.parametrize("rule", ["polynomial", "exponential", "softmax"])
@pytest.mark.parametrize("update", ["sync", "async"])
def test_recall_in_chunks_of_probes_equals_recall_all_at_once(
    rule, update, monkeypatch
):
    from skebm._hopfield import _dense, _networks

    rng = np.random.default_rng(11)
    X = rng.integers(0, 2, size=(40, 30)).astype(float)
    probes = np.abs(X - (rng.random(X.shape) < 0.15))
    probes = np.vstack([probes, rng.random((7, 30))])
    clamp = rng.random(probes.shape) < 0.2
    params = {"update": update, "beta": 0.3, "random_state": 0}
    whole = HopfieldMemory(rule, **params).fit(X)
    expected = [
        whole.predict(probes),
        whole.predict(probes, clamp=clamp),
        whole.transform(probes),
        whole.score_samples(probes),
    ]
    # One or two probes per chunk, and the memories summed in blocks of 3.
    monkeypatch.setattr(_networks, "_PROBE_CHUNK_ELEMENTS", 80)
    monkeypatch.setattr(_dense, "_MEMORY_BLOCK_ELEMENTS", 90)
    chunked = HopfieldMemory(rule, **params).fit(X)
    assert_array_equal(chunked.predict(probes), expected[0])
    assert_array_equal(chunked.predict(probes, clamp=clamp), expected[1])
    assert_allclose(chunked.transform(probes), expected[2], rtol=1e-12, atol=1e-15)
    assert_allclose(chunked.score_samples(probes), expected[3], rtol=1e-12)


@pytest.mark.parametrize("rule", ["exponential", "softmax"])
def test_recall_memory_stays_below_one_probes_by_memories_matrix(rule, monkeypatch):
    import tracemalloc

    from skebm._hopfield import _networks

    rng = np.random.default_rng(12)
    X = rng.integers(0, 2, size=(4000, 16)).astype(np.float32)
    probes = X[:2000]
    memory = HopfieldMemory(rule).fit(X)
    full_matrix = probes.shape[0] * X.shape[0] * 8  # 64 MB
    monkeypatch.setattr(_networks, "_PROBE_CHUNK_ELEMENTS", 2**18)
    tracemalloc.start()
    try:
        memory.predict(probes)
        memory.transform(probes[:1])
        memory.score_samples(probes)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < full_matrix / 4


@pytest.mark.parametrize("rule", list(NETWORKS))
def test_float32_memories_stay_float32(rule):
    rng = np.random.default_rng(13)
    X64 = rng.integers(0, 2, size=(6, 40)).astype(np.float64)
    probes = np.abs(X64 - (rng.random(X64.shape) < 0.1))
    memory32 = HopfieldMemory(rule, random_state=0).fit(X64.astype(np.float32))
    memory64 = HopfieldMemory(rule, random_state=0).fit(X64)
    assert memory32.memories_.dtype == np.float32
    assert memory32.transform(probes).dtype == np.float32
    memory32.partial_fit(X64[:2])
    assert memory32.memories_.dtype == np.float32
    memory64.partial_fit(X64[:2])
    assert_array_equal(memory32.predict(probes), memory64.predict(probes))
    assert_allclose(
        memory32.transform(probes), memory64.transform(probes), rtol=1e-5, atol=1e-6
    )
    assert_allclose(
        memory32.score_samples(probes), memory64.score_samples(probes), rtol=1e-5
    )
