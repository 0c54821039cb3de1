"""
=================================================
Model selection by held-out log-likelihood
=================================================

:meth:`~skebm.RBMTransformer.score_samples` is the normalised log-likelihood
``log p(x) = -F(x) - log Z``, so an RBM can be judged like any density model:
by how probable it finds data it was not trained on. This example

1. follows the held-out log-likelihood epoch by epoch for three sizes of
   hidden layer,
2. selects the number of hidden units by cross-validation with
   :func:`~sklearn.model_selection.validation_curve` (``GridSearchCV`` does
   the same, since ``score`` is the mean log-likelihood), and
3. checks the annealed-importance-sampling (AIS) estimate of ``log Z``, used
   for large hidden layers, against the exact value on a model small enough
   to enumerate.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Held-out log-likelihood, epoch by epoch
# ---------------------------------------
# With ``early_stopping=True`` the model holds out ``validation_fraction`` of
# the rows and records the mean log-likelihood of the training and validation
# rows after every epoch in ``train_scores_`` and ``validation_scores_``.
# Setting ``n_iter_no_change`` to ``n_iter`` records every epoch without
# stopping. Up to 20 hidden units ``log Z`` is exact; beyond, each epoch's
# record uses AIS with a tenth of ``ais_n_betas`` and a quarter of the chains.
import copy

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import KFold, validation_curve

from skebm import RBMTransformer

X, _ = load_digits(return_X_y=True)
X = (X >= 8).astype(float)
N_EPOCHS = 30

curves = {}
for n_components in (4, 16, 64):
    rbm = RBMTransformer(
        n_components,
        n_iter=N_EPOCHS,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=N_EPOCHS,
        ais_n_betas=2000,
        random_state=0,
    ).fit(X)
    curves[n_components] = (rbm.train_scores_, rbm.validation_scores_)

# %%
# Selecting the number of hidden units
# ------------------------------------
# ``validation_curve`` fits one model per size and fold and scores it with
# ``RBMTransformer.score``, the mean log-likelihood: exact up to 20 hidden
# units, AIS beyond.
sizes = [2, 4, 8, 16, 32, 64, 128]
train_scores, test_scores = validation_curve(
    RBMTransformer(n_iter=N_EPOCHS, ais_n_betas=1000, random_state=0),
    X,
    None,
    param_name="n_components",
    param_range=sizes,
    cv=KFold(3, shuffle=True, random_state=0),
)
best = sizes[int(np.argmax(test_scores.mean(axis=1)))]
print(f"best number of hidden units by held-out log-likelihood: {best}")

# %%
# The first two panels
# --------------------
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
epochs = np.arange(1, N_EPOCHS + 1)
for (n_components, (train, validation)), color in zip(
    curves.items(), ["tab:orange", "tab:green", "tab:blue"], strict=True
):
    left.plot(epochs, validation, color=color, label=f"{n_components} hidden units")
    left.plot(epochs, train, color=color, linestyle=":")
left.set(
    xlabel="epoch",
    ylabel="mean log-likelihood (nats per image)",
    title="Per epoch: validation (solid) and training (dotted)",
)
left.legend()
for scores, label, color in [
    (train_scores, "training folds", "tab:gray"),
    (test_scores, "held-out folds", "tab:blue"),
]:
    right.errorbar(
        sizes,
        scores.mean(axis=1),
        yerr=scores.std(axis=1),
        marker="o",
        capsize=3,
        label=label,
        color=color,
    )
right.axvline(20.5, color="k", linewidth=0.8, linestyle="--")
right.annotate(
    "exact log Z | AIS",
    (20.5, 0.04),
    xycoords=("data", "axes fraction"),
    ha="center",
    backgroundcolor="w",
)
right.set(
    xscale="log",
    xlabel="n_components",
    ylabel="mean log-likelihood (nats per image)",
    title="3-fold validation curve (mean and std over folds)",
)
right.set_xticks(sizes, [str(size) for size in sizes])
right.legend()
plt.show()

# %%
# In the first half of training, at a constant learning rate, the
# likelihood rises but jumps about: the persistent chains and the parameters
# chase each other, and training and validation rows dip together, so the
# jumps are the model's, not noise in ``log Z``. In the second half the
# learning rate decays to zero and the parameters are averaged
# (``decay_fraction=0.5``), and the curves settle. More hidden units model
# the digits better, with diminishing returns; the small gap between training
# and held-out folds says that, at this training length, even the larger
# models hardly overfit.
#
# How good is an AIS estimate?
# ----------------------------
# AIS anneals ``ais_n_chains`` chains from a model with independent pixels
# to the RBM through ``ais_n_betas`` intermediate distributions. Each chain
# ends with an importance weight whose mean is an unbiased estimate of ``Z``;
# ``log_partition_std_`` is the standard error of ``log Z`` that those
# weights imply. Because the logarithm is concave, the estimate of ``log Z``
# is biased *downward* (on average it falls below the truth) and so the
# log-likelihood that uses it is biased *upward*; the bias and the variance
# shrink with more intermediate distributions.
#
# A model with 16 hidden units can be enumerated, so its exact ``log Z`` is
# known. Copies of one fitted model, which has not computed ``log Z`` yet,
# estimate it with different AIS settings.
model = RBMTransformer(16, n_iter=N_EPOCHS, random_state=0).fit(X)
exact = copy.deepcopy(model).set_params(partition_method="exact").log_partition_
n_betas_grid = [10, 30, 100, 300, 1000, 3000]
estimates = {}
for n_chains in (10, 100):
    rows = []
    for n_betas in n_betas_grid:
        estimator = copy.deepcopy(model).set_params(
            partition_method="ais", ais_n_betas=n_betas, ais_n_chains=n_chains
        )
        rows.append((estimator.log_partition_, estimator.log_partition_std_))
    estimates[n_chains] = np.array(rows)

fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
for (n_chains, rows), shift, color in zip(
    estimates.items(), [0.94, 1.06], ["tab:orange", "tab:blue"], strict=True
):
    ax.errorbar(
        np.array(n_betas_grid) * shift,
        rows[:, 0] - exact,
        yerr=2 * rows[:, 1],
        marker="o",
        capsize=3,
        color=color,
        label=f"ais_n_chains={n_chains}",
    )
ax.axhline(0, color="k", linewidth=1, label="exact log Z")
ax.set(
    xscale="log",
    xlabel="ais_n_betas",
    ylabel="AIS log Z minus exact log Z (nats)",
    title="AIS estimates of log Z, 16 hidden units\n"
    "(error bars: 2 x log_partition_std_)",
)
ax.legend()
plt.show()

# %%
# How to judge an AIS estimate in practice, when no exact value exists:
#
# * look at ``log_partition_std_``: a standard error of a few hundredths of a
#   nat is negligible next to the differences between models, but it is
#   itself estimated from the chains' weights and understates the error when
#   the chains are few or the annealing is short;
# * refit with more ``ais_n_betas`` (and ``ais_n_chains``): an estimate that
#   still rises with more betas had not converged, since short annealing
#   underestimates ``log Z``;
# * remember the direction of the bias: a noisy ``log Z`` makes
#   ``score_samples`` too optimistic, so compare models whose estimates have
#   converged.
