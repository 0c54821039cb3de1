"""
===================================================
Stacking RBMs: a deep belief network as a Pipeline
===================================================

A deep belief network is trained greedily, one layer at a time (Hinton,
Osindero and Teh, 2006): the first RBM models the data, the second models the
first one's hidden-unit probabilities, and so on; a classifier then reads the
top layer. A scikit-learn :class:`~sklearn.pipeline.Pipeline` of
:class:`~skebm.RBMTransformer` steps does exactly this: ``fit`` trains each
step on the output of the steps before it.

The second RBM sees probabilities ``P(h = 1 | x)`` in [0, 1], so its
``visible="auto"`` resolves to Bernoulli visible units, which read each value
as the probability that a unit is on.

As in the classification example, the digits come with copies shifted by one
pixel, a task on which a linear model over raw pixels struggles.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data
# ----
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skebm import RBMTransformer

X, y = load_digits(return_X_y=True)
X = X / 16.0


def nudge(X, y):
    """The images and their copies shifted by one pixel up, down, left, right."""
    images = X.reshape(-1, 8, 8)
    shifted = [images]
    for axis in (1, 2):
        for step in (-1, 1):
            moved = np.roll(images, step, axis=axis)
            edge = 0 if step == 1 else -1
            if axis == 1:
                moved[:, edge, :] = 0
            else:
                moved[:, :, edge] = 0
            shifted.append(moved)
    return np.concatenate(shifted).reshape(-1, 64), np.tile(y, len(shifted))


X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0, stratify=y
)
X_train, y_train = nudge(X_train, y_train)
X_test, y_test = nudge(X_test, y_test)

# %%
# Zero, one and two RBM layers under the same classifier
# ------------------------------------------------------
# The regularisation ``C`` was chosen by grouped cross-validation in the
# classification example; the layer sizes are small to keep this fast.
EPOCHS = 15


def classifier():
    return LogisticRegression(C=1000.0, max_iter=3000)


models = {
    "raw pixels": make_pipeline(LogisticRegression(C=100.0, max_iter=3000)),
    "RBM 256": make_pipeline(
        RBMTransformer(256, n_iter=EPOCHS, random_state=0), classifier()
    ),
    "RBM 256 > RBM 128": make_pipeline(
        RBMTransformer(256, n_iter=EPOCHS, random_state=0),
        RBMTransformer(128, n_iter=EPOCHS, random_state=0),
        classifier(),
    ),
}
accuracy = {}
for name, model in models.items():
    model.fit(X_train, y_train)
    accuracy[name] = model.score(X_test, y_test)
    print(f"{name:>18}: test accuracy {accuracy[name]:.3f}")

dbn = models["RBM 256 > RBM 128"]
print("visible units of the second layer:", dbn[1].visible_)

# %%
# What the layers respond to
# --------------------------
# A first-layer unit's filter is its row of ``components_``. A second-layer
# unit has no filter on pixels, but projecting its weights through the first
# layer (``W2 @ W1``) shows which pixel pattern excites it most, to first
# order: larger structures, combinations of first-layer strokes. Each tile
# is scaled to its own range (red excites, blue inhibits).
first, second = dbn[0], dbn[1]
projected = second.components_ @ first.components_

fig = plt.figure(figsize=(12, 4.6), layout="constrained")
bars, layer1, layer2 = fig.subfigures(1, 3, width_ratios=[1.1, 1, 1])
ax = bars.subplots()
names = list(accuracy)
ax.bar(names, [accuracy[name] for name in names], color=["gray", "C0", "C1"])
for i, name in enumerate(names):
    ax.text(i, accuracy[name] + 0.005, f"{accuracy[name]:.3f}", ha="center")
ax.set_ylim(0.7, 1.0)
ax.set_ylabel("test accuracy (shifted digits)")
ax.tick_params(axis="x", labelrotation=15)
ax.set_title("Logistic regression on ...")
for subfig, weights, title in [
    (layer1, first.components_, "First layer: 36 of 256 filters"),
    (layer2, projected, "Second layer, projected: 36 of 128"),
]:
    strongest = np.argsort(-np.abs(weights).sum(axis=1))[:36]
    for ax, row in zip(subfig.subplots(6, 6).ravel(), strongest, strict=True):
        limit = np.abs(weights[row]).max()
        ax.imshow(weights[row].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_xticks([])
        ax.set_yticks([])
    subfig.suptitle(title)
plt.show()

# %%
# Each layer is trained without labels and only the logistic regression sees
# them, so nothing makes a deeper stack classify better. Here it classifies
# worse: the second layer, trained to model the first layer's code, keeps
# what is probable in that code, not what separates the classes, and its 128
# units pass on less than the 256 below them. (Feeding the classifier both
# layers' features, through a :class:`~sklearn.pipeline.FeatureUnion`,
# scores about as well as the first layer alone.) Deep belief networks
# earned their reputation as an *initialisation* of a deep network that is
# then fine-tuned with the labels by backpropagation, which is outside what a
# Pipeline of transformers does.
