"""skebm: energy-based models as scikit-learn estimators.

* :class:`RBMTransformer` -- a Restricted Boltzmann Machine with Bernoulli or
  Gaussian visible units, trained by contrastive divergence, with an exact or
  annealed-importance-sampling log-likelihood.
* :class:`RBMClassifier` -- the classification RBM: exact p(y | x), trained
  discriminatively, generatively or both.
* :class:`HopfieldMemory` -- classical and modern Hopfield associative memories.
"""

# SPDX-License-Identifier: BSD-3-Clause

__version__ = "0.1.0.dev0"

from skebm._hopfield import HopfieldMemory  # noqa: E402
from skebm._rbm import RBMClassifier, RBMTransformer  # noqa: E402

__all__ = ["HopfieldMemory", "RBMClassifier", "RBMTransformer", "__version__"]
