"""Free energy of a restricted Boltzmann machine.

With weights ``W`` (n_hidden, n_visible), visible bias ``b`` and hidden bias
``c``, the energies are

* bernoulli visible units: ``E(v, h) = -b.v - c.h - h.W.v``
* gaussian visible units (unit variance): ``E(v, h) = |v|^2 / 2 - b.v - c.h - h.W.v``

and the free energy ``F(v) = -log sum_h exp(-E(v, h))`` sums out the binary
hidden units in closed form: ``F(v) = [|v|^2 / 2] - b.v - sum_j softplus(c_j + W_j.v)``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import safe_sparse_dot

from skebm._gibbs import hidden_activation
from skebm._special import softplus


def free_energy(visible_states, weights, visible_bias, hidden_bias, visible):
    """F(v) of every row of ``visible_states`` (dense or sparse)."""
    activation = hidden_activation(visible_states, weights, hidden_bias)
    energy = -softplus(activation, out=activation).sum(axis=1)
    energy -= np.asarray(safe_sparse_dot(visible_states, visible_bias)).ravel()
    if visible == "gaussian":
        if sp.issparse(visible_states):
            squares = np.asarray(visible_states.multiply(visible_states).sum(axis=1))
            energy += 0.5 * squares.ravel().astype(energy.dtype, copy=False)
        else:
            energy += 0.5 * np.einsum("ij,ij->i", visible_states, visible_states)
    return energy
