"""The one place where skebm touches scikit-learn's private helpers.

scikit-learn moves its private utilities between releases; importing them
through this module keeps the rest of the package on public names and makes a
future move a one-line fix.
"""

# SPDX-License-Identifier: BSD-3-Clause

import warnings

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    Hidden,
    Interval,
    Options,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import check_is_fitted, validate_data


def validate_fitted_data(estimator, X, **kwargs):
    """``validate_data(estimator, X, reset=False, ...)`` for a fitted estimator.

    A plain array given to a model fitted on a DataFrame (or a DataFrame to a
    model fitted on an array) is accepted without scikit-learn's feature-name
    warning: the columns are taken in the order seen at fit, and the warning
    would turn into an error in pipelines (and in checks such as
    ``check_set_output_transform_pandas``, which mix the two) run with warnings
    as errors. A DataFrame whose names differ from those seen at fit still
    raises.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="X (does not have valid|has) feature names",
            category=UserWarning,
        )
        return validate_data(estimator, X, reset=False, **kwargs)


__all__ = [
    "Hidden",
    "Interval",
    "Options",
    "StrOptions",
    "_fit_context",
    "check_is_fitted",
    "validate_data",
    "validate_fitted_data",
    "validate_params",
]
