"""RBMClassifier against LogisticRegression and MLPClassifier, in one run.

    python -m benchmarks.bench_classifier [--mnist PATH] [--quick]
        [--sections digits,mnist]

- ``digits``: binarised digits (``load_digits``, pixel >= 8) on the fixed
  split ``train_test_split(test_size=0.25, random_state=0)`` and on two
  more seeds: test accuracy of ``RBMClassifier()`` at its defaults beside
  ``LogisticRegression`` and ``MLPClassifier(100 hidden)``, each fitted in
  this run.
- ``mnist``: binarised MNIST (``X > 128``, the official 60 000 / 10 000
  split, float32): test error of ``RBMClassifier()`` at its defaults (30
  epochs) and its fit time beside ``MLPClassifier(100 hidden)``'s, with the
  papers' figures as reference rows.

``--quick`` runs small models on 2 000 training digits of MNIST (offline: a
labelled stand-in, see ``benchmarks/_mnist.py``): the rows of the suite's
quick run.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from benchmarks._mnist import load_mnist
from benchmarks._rows import Row
from skebm import RBMClassifier

SECTIONS = ("digits", "mnist")
DIGITS_SEEDS = (0, 1, 2)
LITERATURE = [
    ("DRBM, 500 hidden (Larochelle & Bengio 2008)", 1.81),
    ("HDRBM, 1500 hidden, alpha 0.01 (Larochelle & Bengio 2008)", 1.28),
]


def timed(function, *args):
    begin = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - begin


def mlp(quick):
    return MLPClassifier(100, max_iter=30 if quick else 200, random_state=0)


def baselines(X_train, y_train, quick):
    """Fitted LogisticRegression and MLPClassifier, with their fit times."""
    with warnings.catch_warnings():
        # The baselines run at their settings; a cut-short solver is theirs.
        warnings.simplefilter("ignore", ConvergenceWarning)
        logistic = timed(LogisticRegression(max_iter=2000).fit, X_train, y_train)
        network = timed(mlp(quick).fit, X_train, y_train)
    return logistic, network


def digits_section(quick):
    X, y = load_digits(return_X_y=True)
    X = (X >= 8).astype(np.float64)
    settings = {"n_components": 100, "n_iter": 30} if quick else {}
    rows = []
    accuracies = {"RBMClassifier": [], "LogisticRegression": [], "MLPClassifier": []}
    for seed in DIGITS_SEEDS[:1] if quick else DIGITS_SEEDS:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=seed
        )
        (logistic, _), (network, _) = baselines(X_train, y_train, quick)
        classifier = RBMClassifier(random_state=0, **settings).fit(X_train, y_train)
        accuracies["RBMClassifier"].append(classifier.score(X_test, y_test))
        accuracies["LogisticRegression"].append(logistic.score(X_test, y_test))
        accuracies["MLPClassifier"].append(network.score(X_test, y_test))
    fixed = {name: values[0] for name, values in accuracies.items()}
    mean = {name: float(np.mean(values)) for name, values in accuracies.items()}
    for label, values in (("fixed split (seed 0)", fixed), ("mean of 3 splits", mean)):
        if quick and label.startswith("mean"):
            continue
        for baseline in ("LogisticRegression", "MLPClassifier(100)"):
            rows.append(
                Row(
                    f"digits (>= 8) test accuracy, {label}, RBMClassifier",
                    values["RBMClassifier"],
                    baseline,
                    values[baseline.removesuffix("(100)")],
                    unit="accuracy",
                    target="> baseline",
                )
            )
    return rows


def mnist_section(quick, path):
    X_train, y_train, X_test, y_test, source = load_mnist(path, quick=quick)
    if quick:
        X_train, y_train = X_train[:2000], y_train[:2000]
        X_test, y_test = X_test[:1000], y_test[:1000]
    X_train, X_test = X_train.astype(np.float32), X_test.astype(np.float32)
    recipe = {"n_components": 64, "n_iter": 5} if quick else {}
    classifier, seconds = timed(
        RBMClassifier(random_state=0, **recipe).fit, X_train, y_train
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        network, network_seconds = timed(mlp(quick).fit, X_train, y_train)
    error = 100 * (1 - classifier.score(X_test, y_test))
    network_error = 100 * (1 - network.score(X_test, y_test))
    rows = [
        Row(
            "MNIST test error, RBMClassifier("
            + ", ".join(f"{k}={v}" for k, v in recipe.items())
            + ")",
            error,
            "MLPClassifier(100)",
            network_error,
            unit="%",
            target="<= 2.0 (stretch 1.4)",
        ),
        Row(
            "MNIST fit time, RBMClassifier",
            seconds,
            "MLPClassifier(100)",
            network_seconds,
        ),
    ]
    if "stand-in" in source:
        for row in rows:
            row.figure += " [stand-in data]"
    return rows, source


def classifier_rows(quick=False, path=None, sections=SECTIONS):
    rows, source = [], None
    if "digits" in sections:
        rows += digits_section(quick)
    if "mnist" in sections:
        section_rows, source = mnist_section(quick, path)
        rows += section_rows
    return rows, source


def suite_rows(quick=False):
    """For ``python -m benchmarks``: both sections (quick: small and offline)."""
    return classifier_rows(quick)[0]


def main(argv=None):
    from benchmarks._rows import format_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small and fast")
    parser.add_argument("--mnist", default=None, help="path of mnist.npz")
    parser.add_argument(
        "--sections", default=",".join(SECTIONS), help="comma-separated sections"
    )
    args = parser.parse_args(argv)
    sections = args.sections.split(",")
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    rows, source = classifier_rows(args.quick, args.mnist, sections)
    if source:
        print(f"Binarised MNIST (X > 128) from {source}")
    print(format_table(rows))
    if "mnist" in sections:
        print("\nReference rows from the literature (MNIST test error, %):")
        for name, value in LITERATURE:
            print(f"  {name:<64} {value:6.2f}")


if __name__ == "__main__":
    main()
