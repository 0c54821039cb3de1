"""The fused training step against the plain gradient, and the optimiser's parts."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skebm._rbm._classification import discriminative_gradient
from skebm._rbm._model import (
    RBMParameters,
    gibbs_chain,
    hidden_probabilities,
    log_likelihood_gradient,
)
from skebm._rbm._trainer import (
    ClassificationTrainer,
    ContrastiveDivergence,
    EarlyStopping,
    LinearDecaySchedule,
    ParameterAverage,
)
from skebm._rbm._units import MIN_GAUSSIAN_STD, LabelledUnits, make_units
from tests._rbm_models import UNIT_NAMES, random_parameters, random_visible


def parameters_in(dtype, units, seed=0):
    parameters = random_parameters(7, 5, scale=0.5, seed=seed, units=units)
    own = parameters.units.parameters
    return RBMParameters(
        *(a.astype(dtype) for a in parameters[:3]),
        make_units(
            units, 7, log_variance=own[0].astype(dtype) if own else None, dtype=dtype
        ),
    )


def persistent_trainer(parameters, n_chains):
    return ContrastiveDivergence(
        parameters,
        persistent=True,
        n_gibbs_steps=1,
        momentum=0.5,
        weight_decay=0.0,
        n_chains=n_chains,
        rng=np.random.default_rng(0),
    )


@pytest.mark.parametrize("units", UNIT_NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_step_with_momentum_decay_and_sparsity_matches_a_plain_update(
    dtype, units
):
    rng = np.random.default_rng(0)
    parameters = parameters_in(dtype, units)
    batch = random_visible(4, 7, units).astype(dtype)
    chains = (rng.random((3, 5)) < 0.5).astype(dtype)
    increments = [0.01 * rng.standard_normal(a.shape) for a in parameters.arrays]
    activity = np.full(5, 0.3)
    step, previous_step, momentum, weight_decay = 0.2, 0.4, 0.6, 0.01
    target, cost = 0.1, 0.5

    # Plain numpy, term by term in float64 (the chains drawn in the training
    # dtype, which sets the stream of random numbers).
    negative_visible, negative_hidden, next_chains = gibbs_chain(
        chains, parameters, 1, np.random.default_rng(5)
    )
    reference = RBMParameters(
        *(a.astype(float) for a in parameters[:3]),
        make_units(
            units,
            7,
            log_variance=(
                parameters.units.log_variance.astype(float)
                if parameters.units.parameters
                else None
            ),
        ),
    )
    batch64 = batch.astype(float)
    positive_hidden = hidden_probabilities(batch64, reference)
    gradient = log_likelihood_gradient(
        reference,
        batch64,
        positive_hidden,
        negative_visible.astype(float),
        negative_hidden.astype(float),
    )
    expected_activity = 0.9 * activity + 0.1 * positive_hidden.mean(axis=0)
    penalty = cost * (target - expected_activity)
    interaction = np.asarray(reference.units.interaction(batch64))
    gradient[0] += np.outer(penalty, interaction.mean(axis=0))
    gradient[2] += penalty
    if units == "gaussian":
        # learned variances: the steps of W and b are scaled by sigma^2, the
        # variances' own by a tenth
        variance = np.exp(reference.units.log_variance)
        gradient[0] *= variance
        gradient[1] *= variance
        gradient[3] *= 0.1
    velocity_decay = momentum * step / previous_step
    expected_increments = [
        velocity_decay * increment + step * (1 - momentum) * g
        for increment, g in zip(increments, gradient, strict=True)
    ]
    expected = [
        a + i for a, i in zip(reference.arrays, expected_increments, strict=True)
    ]
    expected[0] = reference.weights * (1 - step * weight_decay) + expected_increments[0]

    trainer = ContrastiveDivergence(
        parameters,
        persistent=True,
        n_gibbs_steps=1,
        momentum=momentum,
        weight_decay=weight_decay,
        n_chains=3,
        sparsity_target=target,
        sparsity_cost=cost,
        rng=np.random.default_rng(5),
    )
    trainer.chains[...] = chains
    trainer.increments = [i.astype(dtype) for i in increments]
    trainer.hidden_activity[...] = activity
    trainer.previous_step = previous_step
    assert trainer.step(batch, step)
    tolerance = 1e-12 if dtype == np.float64 else 2e-5
    for new, value in zip(parameters.arrays, expected, strict=True):
        assert new.dtype == dtype
        assert_allclose(new, value, atol=tolerance)
    for new, value in zip(trainer.increments, expected_increments, strict=True):
        assert_allclose(new, value, atol=tolerance)
    assert_allclose(trainer.hidden_activity, expected_activity, atol=tolerance)
    assert_allclose(trainer.chains, next_chains)


def test_contrastive_divergence_starts_its_chains_at_the_data():
    parameters = parameters_in(np.float64, "bernoulli")
    batch = random_visible(4, 7, "bernoulli")
    trainer = ContrastiveDivergence(
        parameters,
        persistent=False,
        n_gibbs_steps=2,
        momentum=0.0,
        weight_decay=0.0,
        n_chains=3,
        rng=np.random.default_rng(1),
    )
    before = [a.copy() for a in parameters.arrays]
    rng = np.random.default_rng(1)
    uniform = rng.random((4, 5), dtype=np.float32)
    start = (uniform < hidden_probabilities(batch, parameters)).astype(float)
    negative_visible, negative_hidden, _ = gibbs_chain(start, parameters, 2, rng)
    gradient = log_likelihood_gradient(
        parameters,
        batch,
        hidden_probabilities(batch, parameters),
        negative_visible,
        negative_hidden,
    )
    assert trainer.step(batch, 0.3)
    for new, old, g in zip(parameters.arrays, before, gradient, strict=True):
        assert_allclose(new, old + 0.3 * g, atol=1e-12)


def test_learned_variances_never_fall_below_the_floor():
    parameters = parameters_in(np.float64, "gaussian")
    # a constant feature: its variance would shrink without end
    batch = random_visible(10, 7, "gaussian")
    batch[:, 0] = 0.0
    trainer = persistent_trainer(parameters, 10)
    with np.errstate(all="raise"):
        for _ in range(3000):
            assert trainer.step(batch, 0.5)
    std = parameters.units.std
    assert std.min() >= MIN_GAUSSIAN_STD * (1 - 1e-12)
    assert_allclose(std[0], MIN_GAUSSIAN_STD)


def test_trainer_pickles_without_its_buffers():
    parameters = parameters_in(np.float64, "gaussian")
    trainer = persistent_trainer(parameters, 2)
    trainer.step(random_visible(3, 7, "gaussian"), 0.1)
    assert trainer._buffers
    copy = pickle.loads(pickle.dumps(trainer))
    assert copy._buffers == {}
    assert_allclose(copy.chains, trainer.chains)
    for a, b in zip(copy.parameters.arrays, trainer.parameters.arrays, strict=True):
        assert_allclose(a, b)


def test_linear_decay_schedule():
    schedule = LinearDecaySchedule(0.1, 0.5)
    assert schedule(0.0) == schedule(0.5) == 0.1
    assert_allclose(schedule(0.75), 0.05)
    assert_allclose(schedule(1.0), 0.0)
    assert LinearDecaySchedule(0.1, 0.0)(0.99) == 0.1


def test_parameter_average_is_the_plain_mean_by_default():
    values = [np.array([1.0, 2.0]), np.array([3.0, 6.0]), np.array([5.0, 1.0])]
    average = ParameterAverage([values[0]])
    for value in values[1:]:
        average.update([value])
    assert_allclose(average.arrays[0], np.mean(values, axis=0))
    assert values[0][0] == 1.0  # the first array was copied, not aliased


def test_early_stopping_counts_scores_without_a_tol_improvement_and_keeps_the_best():
    stopper = EarlyStopping(n_iter_no_change=2, tol=0.5)
    arrays = [np.zeros(2)]
    assert not stopper.record(-10.0, arrays)
    arrays[0][:] = 1  # the kept best is a copy
    assert not stopper.record(-9.8, arrays)  # better, but by less than tol
    assert stopper.best_score == -9.8 and stopper.best_arrays[0][0] == 1
    assert stopper.record(-11.0, [np.full(2, 2.0)])  # second without improvement
    assert stopper.best_arrays[0][0] == 1
    assert not EarlyStopping(1, 0.0).record(0.0, arrays)


def _labelled_model(units, seed=0):
    parameters = random_parameters(7, 5, scale=0.5, seed=seed, units=units)
    return RBMParameters(
        *parameters[:3], LabelledUnits(make_units(units, 4, log_variance=None), 3)
    )


def _one_step(parameters, discriminative, generative_weight, batch, step=0.1):
    trainer = ClassificationTrainer(
        parameters.with_arrays([a.copy() for a in parameters.arrays]),
        discriminative=discriminative,
        generative_weight=generative_weight,
        persistent=True,
        n_gibbs_steps=1,
        momentum=0.0,
        weight_decay=0.0,
        n_chains=4,
        rng=np.random.default_rng(3),
    )
    trainer.step(batch, step)
    moved = zip(trainer.parameters.arrays, parameters.arrays, strict=True)
    return [after - before for after, before in moved]


@pytest.mark.parametrize("units", ["bernoulli", "gaussian_unit_variance"])
def test_classification_step_is_the_discriminative_plus_weighted_generative_step(units):
    parameters = _labelled_model(units)
    features = random_visible(6, 4, units, seed=1)
    targets = np.eye(3)[[0, 1, 2, 2, 1, 0]]
    batch = np.hstack([features, targets])

    discriminative = _one_step(parameters, True, 0.0, batch)
    expected = discriminative_gradient(features, targets, parameters)
    for moved, gradient in zip(discriminative, expected, strict=True):
        assert_allclose(moved, 0.1 * gradient, atol=1e-12)

    generative = _one_step(parameters, False, 1.0, batch)
    hybrid = _one_step(parameters, True, 0.3, batch)
    for total, d, g in zip(hybrid, discriminative, generative, strict=True):
        assert_allclose(total, d + 0.3 * g, atol=1e-12)
    # The generative step is contrastive divergence on [x, one-hot y]
    plain = ContrastiveDivergence(
        parameters.with_arrays([a.copy() for a in parameters.arrays]),
        persistent=True,
        n_gibbs_steps=1,
        momentum=0.0,
        weight_decay=0.0,
        n_chains=4,
        rng=np.random.default_rng(3),
    )
    plain.step(batch, 0.1)
    for moved, array, start in zip(
        generative, plain.parameters.arrays, parameters.arrays, strict=True
    ):
        assert_allclose(moved, array - start, atol=1e-12)
