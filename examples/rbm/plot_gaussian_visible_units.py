"""
==================================================
Gaussian visible units on real-valued data
==================================================

Bernoulli visible units model values in [0, 1]. For real-valued features
:class:`~skebm.RBMTransformer` has Gaussian visible units: it standardises
each feature (statistics stored in ``mean_`` and ``scale_``) and models the
standardised values with unit variance given the hidden units,

.. math::

    E(v, h) = \\tfrac12 \\lVert v \\rVert^2 - b^\\top v - c^\\top h - h^\\top W v,
    \\qquad v \\mid h \\sim \\mathcal N(b + W^\\top h, I).

``visible="auto"`` chooses them whenever a value of X lies outside [0, 1].
Their learning rate is ten times smaller than ``learning_rate`` says, since
unbounded visible states make large steps diverge; this example raises
``learning_rate`` to compensate.

The data are the digits' grey levels 0..16 made continuous by adding uniform
noise in [0, 1) ("dequantisation"): a density of integer-valued data could
grow without bound by piling its mass on the integers, so densities are only
comparable on continuous data.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Fit
# ---
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
    n_components: RBMTransformer(
        n_components, learning_rate=0.5, n_iter=100, ais_n_betas=2000, random_state=0
    ).fit(X_train)
    for n_components in (16, 64)
}
rbm = models[64]
print("visible units:", rbm.visible_)
print("per-pixel scale (first row of pixels):", rbm.scale_[:8].round(2))

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
names = ["independent\nGaussian pixels", "Gaussian RBM\n16 hidden (exact)"]
names += ["Gaussian RBM\n64 hidden (AIS)", "full-covariance\nGaussian"]
scores = [independent.sum(axis=1).mean()]
scores += [models[16].score(X_test), models[64].score(X_test)]
scores += [full_gaussian.score(X_test)]
errors = [0, 0, models[64].log_partition_std_, 0]

gains = np.array(scores) - scores[0]
fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
bars = ax.barh(names, gains, xerr=errors, color=["gray", "C0", "C0", "C2"])
ax.bar_label(bars, [f"  log density {score:.1f}" for score in scores])
ax.invert_yaxis()
ax.set_xlim(-0.5, gains.max() * 1.45)
ax.set_xlabel("held-out log density gain over independent pixels (nats per image)")
ax.set_title("Dequantised digits: density models compared (higher is better)")
plt.show()

# %%
# The RBM improves on independent pixels, but a full-covariance Gaussian does
# better still. With unit variance given the hidden units, every
# standardised pixel keeps at least that much noise around what the hidden
# units predict, whereas neighbouring pixels of a digit are far more tightly
# tied; the covariance matrix captures those ties exactly. Gaussian visible
# units are a way to read real-valued data into an RBM (for features, as a
# first layer), not the best density model of strongly correlated data.
#
# Filters, samples and reconstructions
# ------------------------------------
# The filters are the rows of ``components_``, which act on the standardised
# pixels. Samples from :meth:`~skebm.RBMTransformer.sample` show the unit
# variance of the visible units: each pixel is its mean given the hidden
# units plus standard Gaussian noise (on the standardised scale). The
# mean-field reconstruction :meth:`~skebm.RBMTransformer.predict` returns
# ``E[v | h]`` without that noise, here of test digits with added noise.
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
