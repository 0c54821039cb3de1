"""
=================================================
RBM features for digit classification
=================================================

A restricted Boltzmann machine learns, without labels, hidden units that
respond to the strokes and shapes of the digits; its hidden-unit
probabilities (:meth:`~skebm.RBMTransformer.transform`) are features for a
linear classifier. This is scikit-learn's example "Restricted Boltzmann
Machine features for digit classification", redone with

* both models tuned the same way, by cross-validated grid search over a
  :class:`~sklearn.pipeline.Pipeline`, the RBM's size included;
* folds that keep every shifted copy of an image together
  (:class:`~sklearn.model_selection.GroupKFold`), so that validation images
  are never shifted copies of training images;
* a logistic regression that actually converges (the original's
  ``solver="newton-cg", tol=1`` stops before its first step in current
  scikit-learn).

As in the original, the 8x8 digits are enlarged with copies shifted by one
pixel in each direction, which makes pixel positions unreliable and rewards
features that are not tied to one position.
"""

# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data: digits and their one-pixel shifts
# ---------------------------------------
# Grey levels are scaled to [0, 1], so the RBM's visible units are Bernoulli
# (``visible="auto"`` resolves to ``"bernoulli"``) and read each value as the
# probability that a pixel is on.
from tempfile import mkdtemp

import matplotlib.pyplot as plt
import numpy as np
from joblib import Memory
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import GridSearchCV, GroupKFold, train_test_split
from sklearn.pipeline import Pipeline

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
            # Clear the row or column that wrapped around.
            edge = 0 if step == 1 else -1
            if axis == 1:
                moved[:, edge, :] = 0
            else:
                moved[:, :, edge] = 0
            shifted.append(moved)
    groups = np.tile(np.arange(len(X)), len(shifted))
    return np.concatenate(shifted).reshape(-1, 64), np.tile(y, len(shifted)), groups


X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0, stratify=y
)
X_train, y_train, groups = nudge(X_train, y_train)
X_test, y_test, _ = nudge(X_test, y_test)
print(f"{len(X_train)} training images, {len(X_test)} test images")

# %%
# Two models, tuned alike
# -----------------------
# The RBM pipeline searches the number of hidden units and the classifier's
# regularisation; the pipeline caches the fitted RBMs, so each RBM is trained
# once per fold, not once per value of ``C``. The RBM trains for 15 epochs
# only, to keep this example fast.
cv = GroupKFold(n_splits=3)
rbm_pipeline = Pipeline(
    [
        ("rbm", RBMTransformer(n_iter=15, random_state=0)),
        ("logistic", LogisticRegression(max_iter=3000)),
    ],
    memory=Memory(mkdtemp(), verbose=0),
)
rbm_search = GridSearchCV(
    rbm_pipeline,
    {"rbm__n_components": [64, 256], "logistic__C": [10.0, 1000.0]},
    cv=cv,
).fit(X_train, y_train, groups=groups)

raw_search = GridSearchCV(
    LogisticRegression(max_iter=3000), {"C": [0.1, 1.0, 10.0, 100.0]}, cv=cv
).fit(X_train, y_train, groups=groups)

for name, search in [("raw pixels", raw_search), ("RBM features", rbm_search)]:
    print(
        f"{name:>12}: best {search.best_params_}, "
        f"cross-validated accuracy {search.best_score_:.3f}, "
        f"test accuracy {search.score(X_test, y_test):.3f}"
    )

# %%
# Accuracy and confusions
# -----------------------
# Left, the cross-validated accuracy of every candidate; middle and right, the
# test-set confusion matrices of the two tuned models.
fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), layout="constrained")
results = [
    (f"raw, C={params['C']:g}", score)
    for params, score in zip(
        raw_search.cv_results_["params"],
        raw_search.cv_results_["mean_test_score"],
        strict=True,
    )
]
results += [
    (f"RBM {params['rbm__n_components']}, C={params['logistic__C']:g}", score)
    for params, score in zip(
        rbm_search.cv_results_["params"],
        rbm_search.cv_results_["mean_test_score"],
        strict=True,
    )
]
labels, scores = zip(*results, strict=True)
colors = ["tab:gray" if label.startswith("raw") else "tab:blue" for label in labels]
axes[0].barh(labels, scores, color=colors)
axes[0].set_xlim(0.5, 1.0)
axes[0].invert_yaxis()
axes[0].set_xlabel("cross-validated accuracy")
axes[0].set_title("Grid search (grouped 3-fold CV)")
for ax, (name, search) in zip(
    axes[1:], [("raw pixels", raw_search), ("RBM features", rbm_search)], strict=True
):
    ConfusionMatrixDisplay.from_estimator(
        search, X_test, y_test, ax=ax, colorbar=False, cmap="Blues"
    )
    ax.set_title(f"{name}: test accuracy {search.score(X_test, y_test):.3f}")
plt.show()

# %%
# A linear model on raw pixels cannot cope with digits that move by a pixel:
# each pixel's weight is tied to one position. The RBM's hidden units respond
# to strokes wherever the data put them during training, and a linear model on
# those features makes far fewer errors. On the original, unshifted digits
# there is no such gap: a well-regularised logistic regression on raw pixels
# is already a strong model there (about 97% on this split).
