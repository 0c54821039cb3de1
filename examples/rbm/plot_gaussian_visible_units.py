"""
==================================================
Gaussian visible units on real-valued data
==================================================

Bernoulli visible units model values in [0, 1]. For real-valued features
:class:`~skebm.RBMTransformer` has Gaussian visible units: it standardises
each feature (statistics stored in ``mean_`` and ``scale_``) and models each
standardised unit as a Gaussian around a mean that the hidden units move,
with a variance of its own that it learns (Cho, Ilin & Raiko, 2011):

.. math::

    E(v, h) = \\sum_i \\frac{v_i^2 / 2 - b_i v_i}{\\sigma_i^2} - c^\\top h
              - h^\\top W (v / \\sigma^2),
    \\qquad v \\mid h \\sim \\mathcal N(b + W^\\top h,
    \\operatorname{diag}(\\sigma^2)).

``visible="auto"`` chooses them whenever a value of X lies outside [0, 1];
the learned deviations are ``std_visible_``.
``visible="gaussian_unit_variance"`` keeps every :math:`\\sigma_i = 1`, as
feature-learning recipes on standardised data do.

The data are the digits' grey levels 0..16 made continuous by adding uniform
noise in [0, 1) ("dequantisation"): a density of integer-valued data could
grow without bound by piling its mass on the integers, so densities are only
comparable on continuous data.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Fit
# ---
# Learned variances at the default settings, with 16 hidden units (exact
# ``log Z``) and 64 (AIS); unit variances with 64 hidden units for contrast
# (their steps are ten times smaller than ``learning_rate`` says, so this
# raises it).
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm
from sklearn.datasets import load_digits
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split

from skebm import RBMTransformer

X, _ = load_digits(return_X_y=True)
rng = np.random.default_rng(0)
X = X + rng.uniform(size=X.shape)
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)

models = {
    n_components: RBMTransformer(n_components, ais_n_betas=3000, random_state=0).fit(
        X_train
    )
    for n_components in (16, 64)
}
unit_variance = RBMTransformer(
    64,
    visible="gaussian_unit_variance",
    learning_rate=0.5,
    n_iter=100,
    ais_n_betas=3000,
    random_state=0,
).fit(X_train)
rbm = models[64]
print("visible units:", rbm.visible_)
print("learned deviations, first row of pixels:", rbm.std_visible_[:8].round(2))

# %%
# Held-out log density against two Gaussian baselines
# ---------------------------------------------------
# ``score`` is the mean log density of the *original* features (the
# standardisation's Jacobian is included), so it compares directly with other
# density models of X: independent Gaussian pixels (an RBM without weights)
# and a Gaussian with a full covariance matrix. With 16 hidden units ``log Z``
# is exact; with 64 it is estimated by AIS, with ``log_partition_std_`` as
# its standard error.
independent = norm.logpdf(X_test, X_train.mean(axis=0), X_train.std(axis=0))
full_gaussian = GaussianMixture(1, random_state=0).fit(X_train)
names = [
    "independent\nGaussian pixels",
    "unit variances\n64 hidden (AIS)",
    "learned variances\n16 hidden (exact)",
    "full-covariance\nGaussian",
    "learned variances\n64 hidden (AIS)",
]
scores = [independent.sum(axis=1).mean(), unit_variance.score(X_test)]
scores += [models[16].score(X_test), full_gaussian.score(X_test)]
scores += [models[64].score(X_test)]
errors = [0, unit_variance.log_partition_std_, 0, 0, models[64].log_partition_std_]

gains = np.array(scores) - scores[0]
fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
bars = ax.barh(names, gains, xerr=errors, color=["gray", "C1", "C0", "C2", "C0"])
ax.bar_label(bars, [f"  log density {score:.1f}" for score in scores])
ax.invert_yaxis()
ax.set_xlim(-0.5, gains.max() * 1.45)
ax.set_xlabel("held-out log density gain over independent pixels (nats per image)")
ax.set_title("Dequantised digits: density models compared (higher is better)")
plt.show()

# %%
# With unit variances every standardised pixel keeps at least that much
# noise around what the hidden units predict, whereas neighbouring pixels of
# a digit are far more tightly tied: such a model improves on independent
# pixels, but the full covariance matrix captures the ties better. Learning the
# variances lets the hidden units carry the ties: each hidden unit moves the
# mean of many pixels at once, and the noise left around that mean is
# narrower than the pixel's own spread. With 64 hidden units the RBM is then
# a better density model of the digits than the full-covariance Gaussian.
#
# The learned deviations on the scale of the pixels (``scale_ *
# std_visible_``), beside each pixel's standard deviation:
fig, axes = plt.subplots(1, 2, figsize=(6.4, 3), layout="constrained")
pixel_std = X_train.std(axis=0)
for ax, image, title in zip(
    axes,
    [pixel_std, rbm.scale_ * rbm.std_visible_],
    ["pixel standard deviation", "learned deviation given h"],
    strict=True,
):
    shown = ax.imshow(image.reshape(8, 8), cmap="viridis", vmin=0, vmax=pixel_std.max())
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
fig.colorbar(shown, ax=axes, shrink=0.8, label="grey levels")
plt.show()

# %%
# Filters, samples and reconstructions
# ------------------------------------
# The filters are the rows of ``components_``, which act on the standardised
# pixels divided by their variances. Samples from
# :meth:`~skebm.RBMTransformer.sample` are each pixel's mean given the hidden
# units plus Gaussian noise of its learned deviation. The mean-field
# reconstruction :meth:`~skebm.RBMTransformer.predict` returns ``E[v | h]``
# without that noise, here of test digits with added noise.
samples = rbm.sample(12, n_gibbs_steps=1000, random_state=0)
noisy = X_test[:12] + rng.normal(scale=3.0, size=(12, 64))
rows = [
    ("samples", samples),
    ("test digits", X_test[:12]),
    ("with noise", noisy),
    ("predict(noisy)", rbm.predict(noisy)),
]
fig = plt.figure(figsize=(12, 4.2), layout="constrained")
left, right = fig.subfigures(1, 2, width_ratios=[1, 1.9])
order = np.argsort(-np.abs(rbm.components_).sum(axis=1))[:36]
for ax, row in zip(left.subplots(6, 6).ravel(), order, strict=True):
    limit = np.abs(rbm.components_[row]).max()
    ax.imshow(
        rbm.components_[row].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit
    )
    ax.set_xticks([])
    ax.set_yticks([])
left.suptitle("36 of the 64 filters")
axes = right.subplots(len(rows), 12)
for i, (label, images) in enumerate(rows):
    for ax, image in zip(axes[i], images, strict=True):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=17)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[i, 0].set_ylabel(label, rotation=0, ha="right", va="center")
right.suptitle("Samples and reconstructions (grey levels 0..17)")
plt.show()
