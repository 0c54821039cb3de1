"""The classification RBM's mathematics against brute force and finite differences."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import logsumexp

from skebm._rbm._classification import (
    class_log_probabilities,
    discriminative_gradient,
    expected_hidden,
)
from skebm._rbm._model import RBMParameters
from skebm._rbm._partition import exact_log_partition
from skebm._rbm._units import LabelledUnits, make_units
from tests._rbm_models import all_binary_states, random_visible


def labelled_parameters(n_features, n_hidden, n_classes, units="bernoulli", seed=0):
    rng = np.random.default_rng(seed)
    log_variance = 2 * np.log(rng.uniform(0.5, 2.0, n_features))
    return RBMParameters(
        rng.standard_normal((n_hidden, n_features + n_classes)),
        rng.standard_normal(n_features + n_classes),
        rng.standard_normal(n_hidden),
        LabelledUnits(
            make_units(units, n_features, log_variance=log_variance), n_classes
        ),
    )


def brute_force_log_joint(features, parameters):
    """log sum_h exp(-E(x, y, h)) for every row and class, from the energy.

    E(x, y, h) = E_x(x) - d.y - c.h - h.W.s(x) - h.U.y, summed over every
    binary h by enumeration.
    """
    units = parameters.units
    weights, label_weights = units.split(parameters.weights)
    feature_bias, label_bias = units.split(parameters.visible_bias)
    features_units = units.features
    if features_units.name == "bernoulli":
        variance = np.ones(features.shape[1])
        feature_energy = -features @ feature_bias
    else:
        variance = np.exp(features_units.log_variance)
        feature_energy = ((0.5 * features**2 - features * feature_bias) / variance).sum(
            1
        )
    hiddens = all_binary_states(weights.shape[0])
    result = np.empty((features.shape[0], label_bias.size))
    for label in range(label_bias.size):
        minus_energy = (
            -feature_energy[:, None]
            + label_bias[label]
            + (hiddens @ parameters.hidden_bias)[None, :]
            + (features / variance) @ weights.T @ hiddens.T
            + (hiddens @ label_weights[:, label])[None, :]
        )
        result[:, label] = logsumexp(minus_energy, axis=1)
    return result


@pytest.mark.parametrize("units", ["bernoulli", "gaussian"])
def test_class_probabilities_match_brute_force_over_hidden_states(units):
    parameters = labelled_parameters(5, 4, 3, units)
    features = random_visible(7, 5, units)
    log_joint = brute_force_log_joint(features, parameters)
    expected = log_joint - logsumexp(log_joint, axis=1, keepdims=True)
    assert_allclose(class_log_probabilities(features, parameters), expected)


def test_expected_hidden_matches_brute_force_over_classes_and_hidden_states():
    parameters = labelled_parameters(4, 3, 3)
    features = random_visible(6, 4, "bernoulli")
    units = parameters.units
    weights, label_weights = units.split(parameters.weights)
    hiddens = all_binary_states(3)
    feature_bias, label_bias = units.split(parameters.visible_bias)
    expected = np.zeros((6, 3))
    total = np.zeros(6)
    for label in range(3):
        weight = np.exp(
            (features @ feature_bias)[:, None]
            + label_bias[label]
            + (hiddens @ (parameters.hidden_bias + label_weights[:, label]))[None]
            + features @ weights.T @ hiddens.T
        )
        expected += weight @ hiddens
        total += weight.sum(1)
    assert_allclose(expected_hidden(features, parameters), expected / total[:, None])


@pytest.mark.parametrize("units", ["bernoulli", "gaussian"])
def test_discriminative_gradient_matches_finite_differences(units):
    parameters = labelled_parameters(4, 3, 3, units, seed=1)
    features = random_visible(5, 4, units, seed=2)
    targets = np.eye(3)[[0, 2, 1, 1, 0]]

    def mean_log_likelihood(arrays):
        model = parameters.with_arrays(arrays)
        return (class_log_probabilities(features, model) * targets).sum(1).mean()

    gradient = discriminative_gradient(features, targets, parameters)
    arrays = parameters.arrays
    assert len(gradient) == len(arrays)
    step = 1e-6
    for index, array in enumerate(arrays):
        numerical = np.zeros_like(array)
        for position in np.ndindex(array.shape):
            shifted = [a.copy() for a in arrays]
            shifted[index][position] += step
            up = mean_log_likelihood(shifted)
            shifted[index][position] -= 2 * step
            down = mean_log_likelihood(shifted)
            numerical[position] = (up - down) / (2 * step)
        assert_allclose(gradient[index], numerical, atol=1e-7, err_msg=str(index))


def test_labelled_log_normalizer_sums_every_binary_input_and_label():
    parameters = labelled_parameters(3, 2, 4)
    units = parameters.units
    top_down = np.random.default_rng(0).standard_normal((5, 7))
    expected = []
    for row in top_down:
        states = [
            np.concatenate([x, np.eye(4)[label]])
            for x in all_binary_states(3)
            for label in range(4)
        ]
        terms = [
            -units.energy(state[None], parameters.visible_bias)[0] + state @ row
            for state in states
        ]
        expected.append(logsumexp(terms))
    assert_allclose(units.log_normalizer(top_down, parameters.visible_bias), expected)


def test_exact_log_partition_of_the_joint_model_matches_brute_force():
    parameters = labelled_parameters(4, 3, 3)
    log_joint = brute_force_log_joint(all_binary_states(4), parameters)
    assert_allclose(exact_log_partition(parameters), logsumexp(log_joint))


def test_labels_are_drawn_one_hot_with_the_softmax_probabilities():
    parameters = labelled_parameters(2, 2, 3)
    units = parameters.units
    rng = np.random.default_rng(0)
    top_down = np.tile([0.0, 0.0, 0.5, -1.0, 1.0], (20000, 1))
    out = units.sample(
        top_down.copy(),
        parameters.visible_bias,
        rng,
        np.empty(top_down.shape, dtype=np.float32),
        np.empty_like(top_down),
    )
    labels = out[:, 2:]
    assert_allclose(labels.sum(1), 1)
    logits = top_down[0, 2:] + parameters.visible_bias[2:]
    expected = np.exp(logits - logsumexp(logits))
    assert_allclose(labels.mean(0), expected, atol=0.015)
    features_mean = 1 / (1 + np.exp(-parameters.visible_bias[:2]))
    assert_allclose(out[:, :2].mean(0), features_mean, atol=0.015)
