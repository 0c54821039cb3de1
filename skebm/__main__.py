"""Demo: ``python -m skebm``.

RBMs for digit classification on bundled data: a Pipeline of
RBMTransformer + LogisticRegression and the classification RBM
(RBMClassifier) beside a LogisticRegression on raw pixels, with the held-out
log-likelihood of the RBM.
"""

# SPDX-License-Identifier: BSD-3-Clause

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from skebm import RBMClassifier, RBMTransformer


def main():
    X, y = load_digits(return_X_y=True)
    X = (X >= 8).astype(np.float64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    print(
        f"skebm demo: binarised digits, {X_train.shape[0]} training and "
        f"{X_test.shape[0]} test images of {X.shape[1]} pixels\n"
    )

    begin = time.perf_counter()
    raw = LogisticRegression(C=1.0, max_iter=2000).fit(X_train, y_train)
    raw_seconds = time.perf_counter() - begin

    print("Training RBMTransformer(n_components=256, n_iter=100) + LogisticRegression")
    rbm = RBMTransformer(n_components=256, n_iter=100, verbose=1, random_state=0)
    pipeline = Pipeline(
        [("rbm", rbm), ("logistic", LogisticRegression(C=10.0, max_iter=2000))]
    )
    begin = time.perf_counter()
    pipeline.fit(X_train, y_train)
    rbm_seconds = time.perf_counter() - begin

    print("\nTraining RBMClassifier(n_iter=100), the classification RBM")
    begin = time.perf_counter()
    classifier = RBMClassifier(n_iter=100, random_state=0).fit(X_train, y_train)
    classifier_seconds = time.perf_counter() - begin

    print("\nEstimating log Z by annealed importance sampling ...")
    log_likelihood = rbm.score(X_test)
    p = np.clip(X_train.mean(axis=0), 1e-3, 1 - 1e-3)
    independent = (X_test @ np.log(p) + (1 - X_test) @ np.log(1 - p)).mean()

    rows = [
        ("LogisticRegression on raw pixels", raw.score(X_test, y_test), raw_seconds),
        (
            "RBMTransformer + LogisticRegression",
            pipeline.score(X_test, y_test),
            rbm_seconds,
        ),
        (
            "RBMClassifier",
            classifier.score(X_test, y_test),
            classifier_seconds,
        ),
    ]
    print(f"\n{'model':<38} {'test accuracy':>13} {'fit s':>7}")
    for name, accuracy, seconds in rows:
        print(f"{name:<38} {accuracy:>13.3f} {seconds:>7.1f}")
    print(
        f"\nHeld-out log-likelihood of the RBM: {log_likelihood:.2f} nats per image "
        f"(log Z by AIS, standard error {rbm.log_partition_std_:.3f})"
    )
    print(f"Independent-pixel model, for reference: {independent:.2f} nats per image")


if __name__ == "__main__":
    main()
