"""Hopfield associative memories: the estimator and one module per family.

``_memory`` holds :class:`HopfieldMemory`; ``_networks`` the object of each
family of rules that it delegates to; ``_pairwise``, ``_dense`` and
``_softmax`` each family's energy and recall as array-in/array-out code, on
the shared conventions of ``_dynamics``; ``_rules`` the storage rules of the
pairwise weights and the nominal capacities.
"""

# SPDX-License-Identifier: BSD-3-Clause

from skebm._hopfield._memory import HopfieldMemory

__all__ = ["HopfieldMemory"]
