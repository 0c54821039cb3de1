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
