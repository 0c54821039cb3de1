"""The restricted Boltzmann machine family.

* ``_units.py`` -- visible unit types (Bernoulli, Gaussian with learned or
  unit variances; features with a one-hot label): energies, conditionals,
  samplers, closed forms;
* ``_model.py`` -- the model's mathematics on parameter arrays;
* ``_partition.py`` -- log Z, exact and by annealed importance sampling;
* ``_data.py`` -- what the estimators read from X: ranges, checks, statistics;
* ``_trainer.py`` -- the CD/PCD trainer and its optimiser state;
* ``_monitor.py`` -- the per-epoch record, and log Z followed from epoch
  to epoch;
* ``_likelihood.py`` -- an estimator's log Z (cached, or estimated on
  demand), its log-likelihoods and their per-epoch record;
* ``_base.py`` -- what every RBM estimator shares: the model held in its
  public attributes, the epoch loop, input checks;
* ``_classification.py`` -- the classification RBM's p(y | x) and its
  exact gradient;
* ``_transformer.py`` -- :class:`RBMTransformer`, the estimator;
* ``_classifier.py`` -- :class:`RBMClassifier`, the classification RBM.
"""

# SPDX-License-Identifier: BSD-3-Clause

from skebm._rbm._classifier import RBMClassifier
from skebm._rbm._transformer import RBMTransformer

__all__ = ["RBMClassifier", "RBMTransformer"]
