"""
=================================================
The classification RBM against RBM features
=================================================

Two ways to classify digits with a restricted Boltzmann machine:

* a :class:`~sklearn.pipeline.Pipeline` of an :class:`~skebm.RBMTransformer`,
  which learns features of the images without their labels, and a
  :class:`~sklearn.linear_model.LogisticRegression` on those features;
* an :class:`~skebm.RBMClassifier`, one RBM of the images and their labels
  together, whose class probabilities are exact (Larochelle & Bengio, 2008).

The classification RBM is trained for its three objectives: the
discriminative ``log p(y | x)``, the generative ``log p(x, y)``, and the
hybrid of both (the default).
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Binarised digits
# ----------------
# Pixels of 8 or more (of 16) are on; one fixed split.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skebm import RBMClassifier, RBMTransformer

X, y = load_digits(return_X_y=True)
X = (X >= 8).astype(np.float64)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0
)

# %%
# The models
# ----------
# The RBMTransformer runs forty epochs, to keep the example short; the
# classification RBMs run their default ``n_iter="auto"`` (200 epochs of 27
# minibatches here) with 200 hidden units.
models = {
    "LogisticRegression": LogisticRegression(max_iter=2000),
    "RBMTransformer + LogisticRegression": make_pipeline(
        RBMTransformer(100, n_iter=40, random_state=0),
        LogisticRegression(max_iter=2000),
    ),
    **{
        f"RBMClassifier, {objective}": RBMClassifier(
            200, objective=objective, random_state=0
        )
        for objective in ("discriminative", "generative", "hybrid")
    },
}
accuracy = {
    name: model.fit(X_train, y_train).score(X_test, y_test)
    for name, model in models.items()
}
for name, value in accuracy.items():
    print(f"{name:<38} {value:.3f}")

# %%
# Test accuracy
# -------------
fig, ax = plt.subplots(figsize=(7, 3))
names = list(accuracy)
ax.barh(names, [accuracy[name] for name in names], color="tab:blue")
ax.set_xlim(0.85, 1.0)
ax.set_xlabel("test accuracy")
ax.invert_yaxis()
fig.tight_layout()

# %%
# What the hybrid model learned
# -----------------------------
# Each hidden unit has weights to the pixels (``components_``) and to the
# classes (``class_components_``). The units that vote most for each digit,
# drawn as images, are strokes of that digit.
hybrid = models["RBMClassifier, hybrid"]
fig, axes = plt.subplots(2, 5, figsize=(7, 3))
for digit, ax in enumerate(axes.ravel()):
    unit = np.argmax(hybrid.class_components_[:, digit])
    ax.imshow(hybrid.components_[unit].reshape(8, 8), cmap="RdBu_r")
    ax.set_title(str(digit))
    ax.axis("off")
fig.suptitle("hidden unit with the largest weight to each class")
fig.tight_layout()
plt.show()

# %%
# The class probabilities are exact, and the model keeps what an RBM offers:
# hidden features (``transform``) and the log-likelihood of the images,
# ``log p(x)``, with the labels summed out (``score_samples``).
print(hybrid.predict_proba(X_test[:3]).round(3))
print(hybrid.transform(X_test[:3]).shape)
