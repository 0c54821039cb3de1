import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy.special import logsumexp

from skebm._free_energy import free_energy
from tests._rbm_models import all_binary_states, random_parameters


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_free_energy_sums_out_every_hidden_state(visible):
    weights, visible_bias, hidden_bias = random_parameters(4, 5, seed=0)
    data = np.random.default_rng(0).random((6, 4))
    hidden = all_binary_states(5)
    minus_energy = (
        (data @ visible_bias)[:, None]
        + (hidden @ hidden_bias)[None, :]
        + data @ weights.T @ hidden.T
    )
    if visible == "gaussian":
        minus_energy -= 0.5 * (data**2).sum(axis=1)[:, None]
    assert_allclose(
        free_energy(data, weights, visible_bias, hidden_bias, visible),
        -logsumexp(minus_energy, axis=1),
        rtol=1e-12,
    )


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_free_energy_of_sparse_rows_equals_dense(visible):
    parameters = random_parameters(6, 3, seed=1)
    dense = np.random.default_rng(1).random((5, 6))
    dense[dense < 0.5] = 0
    assert_allclose(
        free_energy(sp.csr_matrix(dense), *parameters, visible),
        free_energy(dense, *parameters, visible),
    )
