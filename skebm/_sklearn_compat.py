"""The one place where skebm touches scikit-learn's private helpers.

scikit-learn moves its private utilities between releases; importing them
through this module keeps the rest of the package on public names and makes a
future move a one-line fix.
"""

# SPDX-License-Identifier: BSD-3-Clause

import warnings

from sklearn.base import _fit_context
from sklearn.externals.array_api_compat import array_namespace, is_array_api_obj
from sklearn.externals.array_api_compat import device as array_device
from sklearn.utils._array_api import (
    _convert_to_numpy,
    _is_numpy_namespace,
    _max_precision_float_dtype,
    get_namespace,
    get_namespace_and_device,
)
from sklearn.utils._param_validation import (
    Hidden,
    Interval,
    Options,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import check_is_fitted, validate_data

try:  # scikit-learn >= 1.8
    from sklearn.utils._array_api import check_same_namespace
except ImportError:  # pragma: no cover - the minimum supported releases

    def check_same_namespace(X, estimator, *, attribute, method):
        """Refuse X of another namespace than the fitted ``attribute``."""
        X_xp, _, X_device = get_namespace_and_device(X)
        a_xp, _, a_device = get_namespace_and_device(getattr(estimator, attribute))
        if X_xp is a_xp and X_device == a_device:
            return
        if _is_numpy_namespace(X_xp) and _is_numpy_namespace(a_xp):
            return
        raise ValueError(
            f"Inputs passed to {type(estimator).__name__}.{method}() must use the "
            "same namespace and the same device as those passed to fit()."
        )


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
    "_convert_to_numpy",
    "_is_numpy_namespace",
    "_max_precision_float_dtype",
    "Hidden",
    "Interval",
    "Options",
    "StrOptions",
    "_fit_context",
    "array_device",
    "array_namespace",
    "check_is_fitted",
    "check_same_namespace",
    "get_namespace",
    "get_namespace_and_device",
    "is_array_api_obj",
    "validate_data",
    "validate_fitted_data",
    "validate_params",
]
