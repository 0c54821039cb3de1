"""
=====================================================
What an RBM learns: filters, samples, reconstructions
=====================================================

An RBM is a generative model: besides features, it learns a probability
distribution over images, from which it can draw new ones. This example fits
:class:`~skebm.RBMTransformer` to binarised digits and looks at

* its filters, the rows of ``components_``: the weights from the 64 pixels to
  each hidden unit, shown as 8x8 images;
* samples drawn from the model with :meth:`~skebm.RBMTransformer.sample`,
  along the Gibbs chains that produce them;
* reconstructions with :meth:`~skebm.RBMTransformer.predict`, of held-out
  digits, of noisy ones and of ones with a hidden half.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Fit on binarised digits
# -----------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skebm import RBMTransformer

X, y = load_digits(return_X_y=True)
X = (X >= 8).astype(float)
X_train, X_test = train_test_split(X, test_size=0.2, random_state=0)

rbm = RBMTransformer(n_components=64, n_iter=100, random_state=0).fit(X_train)
print(f"held-out log-likelihood: {rbm.score(X_test):.2f} nats per image")


# %%
# The filters
# -----------
# Each tile is one hidden unit's weights: red pixels switch it on, blue ones
# off. Hidden units specialise in strokes, loops and parts of particular
# digits; the hidden unit's probability is the logistic function of the
# filter's dot product with the image plus its bias.
order = np.argsort(-np.abs(rbm.components_).sum(axis=1))
limit = np.abs(rbm.components_).max()
fig, axes = plt.subplots(8, 8, figsize=(6.4, 6.8), layout="constrained")
for ax, weights in zip(axes.ravel(), rbm.components_[order], strict=True):
    ax.imshow(weights.reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("The 64 filters (components_), strongest first")
plt.show()

# %%
# Samples from the model
# ----------------------
# ``sample`` runs independent Gibbs chains from random pixels (drawn with the
# pixels' base rates) and returns their last state. Each row below draws ten
# samples with ``k`` Gibbs steps per chain: after one step the chains still
# show their random start; after a few hundred they have forgotten it and
# produce digit-like images, some crisp, some between two digits.
steps = [1, 10, 100, 1000]
chains = np.stack([rbm.sample(10, n_gibbs_steps=k, random_state=1) for k in steps])
fig, axes = plt.subplots(len(steps), 10, figsize=(7.5, 3.4), layout="constrained")
for row, (k, samples) in enumerate(zip(steps, chains, strict=True)):
    for col, image in enumerate(samples):
        axes[row, col].imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[row, col].set_xticks([])
        axes[row, col].set_yticks([])
    axes[row, 0].set_ylabel(f"k = {k}", rotation=0, ha="right", va="center")
fig.suptitle("Ten Gibbs chains: rbm.sample(10, n_gibbs_steps=k)")
plt.show()

# %%
# Reconstructions
# ---------------
# ``predict`` maps an image to its hidden-unit probabilities and back: the
# mean-field reconstruction, the probability of each pixel being on. A
# held-out digit comes back nearly unchanged; with 10% of its pixels flipped
# or its lower half blanked, the reconstruction moves it back towards a digit.
rng = np.random.default_rng(0)
originals = X_test[:10]
noisy = originals.copy()
for row in noisy:
    flipped = rng.choice(64, size=6, replace=False)
    row[flipped] = 1 - row[flipped]
blanked = originals.copy()
blanked[:, 32:] = 0

rows = [
    ("held-out digit", originals),
    ("its reconstruction", rbm.predict(originals)),
    ("10% pixels flipped", noisy),
    ("reconstruction", rbm.predict(noisy)),
    ("lower half blank", blanked),
    ("reconstruction", rbm.predict(blanked)),
]
fig, axes = plt.subplots(len(rows), 10, figsize=(7.5, 5.4), layout="constrained")
for row, (label, images) in enumerate(rows):
    for col, image in enumerate(images):
        axes[row, col].imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[row, col].set_xticks([])
        axes[row, col].set_yticks([])
    axes[row, 0].set_ylabel(label, rotation=0, ha="right", va="center")
fig.suptitle("Mean-field reconstructions: rbm.predict(X)")
plt.show()

# %%
# One mean-field step is a recall of the image, not a search for the nearest
# digit: the blanked half comes back only as far as the upper half implies.
# Running more Gibbs steps from a corrupted image with
# :meth:`~skebm.RBMTransformer.gibbs` would move it further, but also let it
# wander to other digits.
