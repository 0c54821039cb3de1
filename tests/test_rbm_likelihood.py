"""log Z and the log-likelihood of a fitted RBM estimator (``_rbm/_likelihood.py``).

AIS is held to exact enumeration on a 16-hidden-unit model of binarised
digits; the cache to the public parameters it is computed from.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skebm import RBMTransformer
from skebm.exceptions import UnreliableLogPartitionWarning
from tests._rbm_models import random_binary


def test_ais_log_partition_within_0_2_nats_of_exact_on_digits(digits_model):
    exact = digits_model.log_partition_
    assert digits_model.log_partition_std_ == 0
    ais = RBMTransformer(16, partition_method="ais", random_state=1)
    ais.__dict__.update(
        {
            k: v
            for k, v in digits_model.__dict__.items()
            if k.endswith("_") or k.startswith("_")
        }
    )
    ais.set_params(partition_method="ais")
    assert abs(ais.log_partition_ - exact) < 0.2
    assert ais.log_partition_std_ < 0.2


def test_estimate_log_partition_methods_agree_with_exact(digits_model):
    exact, exact_error = digits_model.estimate_log_partition("exact")
    assert exact == digits_model.log_partition_ and exact_error == 0
    forward, forward_error = digits_model.estimate_log_partition(
        n_chains=100, n_betas=2000, random_state=0
    )
    reverse, reverse_error = digits_model.estimate_log_partition(
        "reverse_ais", n_chains=100, n_betas=2000, random_state=0
    )
    assert abs(forward - exact) < 0.2 and 0 < forward_error < 0.2
    assert abs(reverse - exact) < 0.2 and 0 < reverse_error < 0.2


def test_estimate_log_partition_with_own_settings_is_log_partition_(binary_digits):
    rbm = RBMTransformer(
        16, n_iter=3, partition_method="ais", ais_n_betas=300, random_state=0
    ).fit(binary_digits)
    assert rbm.estimate_log_partition("ais") == (
        rbm.log_partition_,
        rbm.log_partition_std_,
    )
    assert rbm.estimate_log_partition(random_state=1) != rbm.estimate_log_partition(
        random_state=2
    )
    assert rbm.estimate_log_partition(random_state=1) == rbm.estimate_log_partition(
        random_state=1
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "auto"}, ValueError, "method must be.*'auto'"),
        ({"n_chains": 0}, ValueError, "n_chains must be >= 1, got 0"),
        ({"n_betas": 1}, ValueError, "n_betas must be >= 2, got 1"),
        ({"n_betas": 2.5}, TypeError, "n_betas must be an int"),
        ({"n_chains": True}, TypeError, "n_chains must be an int"),
    ],
)
def test_estimate_log_partition_refuses_bad_settings(
    digits_model, kwargs, error, match
):
    with pytest.raises(error, match=match):
        digits_model.estimate_log_partition(**kwargs)


def test_exact_log_partition_of_a_large_layer_is_refused_naming_method():
    X = random_binary(20, 30)
    rbm = RBMTransformer(30, n_iter=1, random_state=0).fit(X)
    with pytest.raises(ValueError, match="method='exact'.*2\\*\\*30.*method='ais'"):
        rbm.estimate_log_partition("exact")


def test_unreliable_estimate_warns_naming_the_settings_to_raise():
    X = random_binary(50, 30)
    rbm = RBMTransformer(25, n_iter=1, random_state=0).fit(X)
    rbm.components_ = 4.0 * np.random.default_rng(0).standard_normal((25, 30))
    with pytest.warns(
        UnreliableLogPartitionWarning, match="Raise n_chains \\(now 5\\) to about"
    ) as record:
        _, std_error = rbm.estimate_log_partition(n_chains=5, n_betas=3)
    needed = int(str(record[0].message).split("to about ")[1].split()[0])
    assert needed == int(np.ceil(5 * (std_error / 0.3) ** 2))
    assert "n_betas (now 3)" in str(record[0].message)


def test_log_partition_is_cached_and_invalidated_by_fitting(
    digits_model, binary_digits
):
    rbm = RBMTransformer(8, n_iter=2, random_state=0).fit(binary_digits[:100])
    # nothing computed for a features-only model
    assert rbm._log_partition_cache is None
    rbm.transform(binary_digits[:5])
    assert rbm._log_partition_cache is None
    first = rbm.log_partition_
    cache = rbm._log_partition_cache
    assert cache is not None and rbm.log_partition_ == first
    assert rbm._log_partition_cache is cache  # not recomputed
    rbm.partial_fit(binary_digits[100:200])
    assert rbm.log_partition_ != first
    rbm.fit(binary_digits[:50])
    assert rbm._log_partition_cache is None


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_assigned_parameters_are_the_model_even_after_log_z_was_cached(visible):
    rng = np.random.default_rng(0)
    X = random_binary(60, 5) if visible == "bernoulli" else rng.normal(size=(60, 5))
    rbm = RBMTransformer(4, visible=visible, n_iter=5, random_state=0).fit(X)
    reference = RBMTransformer(4, visible=visible, n_iter=1, random_state=1).fit(X)
    before = (rbm.log_partition_, rbm.score_samples(X))
    new = {
        "components_": reference.components_ * 3,
        "intercept_hidden_": reference.intercept_hidden_ - 1,
        "intercept_visible_": reference.intercept_visible_ + 0.5,
    }
    if visible == "gaussian":
        new["std_visible_"] = np.linspace(0.3, 1.5, 5)
    for name, value in new.items():
        setattr(reference, name, value.copy())
        setattr(rbm, name, value.copy())
    # the two now hold the same model apart from their caches
    assert rbm.log_partition_ != before[0]
    fresh = reference.log_partition_
    assert_allclose(rbm.log_partition_, fresh)
    assert_allclose(rbm.score_samples(X), reference.score_samples(X))
    assert not np.allclose(rbm.score_samples(X), before[1])
    for method in ("transform", "predict", "free_energy"):
        assert_allclose(getattr(rbm, method)(X), getattr(reference, method)(X))
    # in-place changes count too
    rbm.components_ *= 0.5
    assert rbm.log_partition_ != fresh


def test_exact_partition_method_refuses_huge_layers():
    rbm = RBMTransformer(30, partition_method="exact", n_iter=1, random_state=0)
    rbm.fit(np.random.default_rng(0).random((10, 30)))
    with pytest.raises(ValueError, match="partition_method='exact'.*ais"):
        rbm.score_samples(np.zeros((1, 30)))
