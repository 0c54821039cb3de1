"""Running in any array-API namespace: what the estimators and the math share.

With ``sklearn.set_config(array_api_dispatch=True)`` the estimators accept
arrays of any namespace that follows the array API standard (torch, CuPy,
array-api-strict, ...) and compute in it, on the input's device. Numpy arrays
(and scipy.sparse matrices) keep the numpy code, with its in-place buffers:
the functions below tell the two apart by the array's type, once per call,
and the math takes the namespace from :func:`namespace`.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import scipy.sparse as sp

from skebm._sklearn_compat import (
    _convert_to_numpy,
    _is_numpy_namespace,
    _max_precision_float_dtype,
    array_device,
    array_namespace,
    check_is_fitted,
    check_same_namespace,
    get_namespace,
    is_array_api_obj,
)


def is_numpy(array):
    """True for a numpy array or a scipy.sparse matrix: the numpy code applies."""
    return isinstance(array, np.ndarray) or sp.issparse(array)


def namespace(*arrays):
    """The namespace to compute in: ``numpy`` itself for numpy arrays.

    For numpy, the module itself rather than a compatibility wrapper, so
    that generic code runs numpy's own functions, as fast as before. Lists,
    scalars and None count as numpy.
    """
    others = [
        array
        for array in arrays
        if not is_numpy(array) and is_array_api_obj(array) and not np.isscalar(array)
    ]
    return array_namespace(*others) if others else np


def library_name(xp):
    """The library of namespace ``xp``: "torch", "cupy", "array_api_strict"..."""
    return xp.__name__.rsplit(".", 1)[-1]


def device_of(array):
    """The device of ``array`` (``"cpu"`` for numpy)."""
    return "cpu" if is_numpy(array) else array_device(array)


def to_numpy(array):
    """``array`` as a numpy array on the host (unchanged if it is one)."""
    if is_numpy(array):
        return array
    return _convert_to_numpy(array, array_namespace(array))


def like(array, reference, dtype=None):
    """``array`` (numpy, or of ``reference``'s namespace) with ``reference``.

    In the namespace and on the device of ``reference``, with ``dtype`` if
    given; a numpy reference gives a numpy array. The namespaces are those of
    the arrays themselves, whatever ``array_api_dispatch`` says: a model
    fitted on torch tensors computes on them, outside the config switch too,
    in the methods that take no X (``sample``, ``estimate_log_partition``).
    """
    if is_numpy(reference):
        array = to_numpy(array) if is_array_api_obj(array) else np.asarray(array)
        return array if dtype is None else array.astype(dtype, copy=False)
    xp = array_namespace(reference)
    device = array_device(reference)
    if is_numpy(array) or not is_array_api_obj(array):
        array = _host_for(np.asarray(array), xp, device)
        array = xp.asarray(array, device=device)
    elif array_namespace(array) is not xp or array_device(array) != device:
        array = xp.asarray(_host_for(to_numpy(array), xp, device), device=device)
    return array if dtype is None else xp.astype(array, dtype, copy=False)


def _host_for(array, xp, device):
    """A numpy ``array`` ready for ``xp.asarray`` on ``device``.

    float64 becomes float32 where the device has no float64; negative strides
    are copied away (torch refuses them).
    """
    if array.dtype == np.float64 and accumulation_dtype(xp, device) == xp.float32:
        array = array.astype(np.float32)
    if any(stride < 0 for stride in array.strides):
        array = array.copy()
    return array


def accumulation_dtype(xp, device):
    """float64 where the device has it (statistics, log Z), else float32."""
    if xp is np:
        return np.float64
    return _max_precision_float_dtype(xp, device)


def input_namespace(X):
    """The namespace of X for validation: ``(xp, is_numpy)``.

    ``xp`` follows scikit-learn's ``get_namespace`` (numpy unless dispatch is
    on), so that its ``float64`` and ``float32`` name the dtypes X may be
    converted to. Complex data of another namespace is refused here with
    numpy's message: some namespaces would otherwise drop the imaginary part
    with a warning.
    """
    xp, _ = get_namespace(X)
    if _is_numpy_namespace(xp):
        return xp, True
    if xp.isdtype(X.dtype, "complex floating"):
        raise ValueError(f"Complex data not supported\n{X}\n")
    return xp, False


def dtype_name(array, wide=False):
    """ "float32" or "float64": ``array``'s, or with ``wide`` the widest its device has.

    The wide dtype is for sums and means.
    """
    xp = namespace(array)
    if wide and accumulation_dtype(xp, device_of(array)) == xp.float64:
        return "float64"
    return "float32" if array.dtype == xp.float32 else "float64"


def numpy_dtype(array):
    """The numpy dtype of ``array``'s floating dtype (of any namespace)."""
    return np.dtype(dtype_name(array))


def mean_as_float(values):
    """The mean of a vector as a float, accumulated in float64 where possible."""
    if is_numpy(values):
        return float(values.mean(dtype=np.float64))
    xp = namespace(values)
    return float(xp.mean(astype(values, dtype_name(values, wide=True))))


def astype(array, dtype_name, copy=True):
    """``array`` as the dtype named ``dtype_name`` ("float32", ...) of its namespace."""
    if isinstance(array, np.ndarray):
        return array.astype(dtype_name, copy=copy)
    xp = array_namespace(array)
    return xp.astype(array, getattr(xp, dtype_name), copy=copy)


def zeros(shape, dtype_name, reference):
    """Zeros of the dtype named ``dtype_name`` beside ``reference``."""
    if is_numpy(reference):
        return np.zeros(shape, dtype=dtype_name)
    xp = array_namespace(reference)
    return xp.zeros(shape, dtype=getattr(xp, dtype_name), device=device_of(reference))


def copy(array):
    """A copy of ``array`` in its namespace."""
    if isinstance(array, np.ndarray):
        return array.copy()
    return array_namespace(array).asarray(array, copy=True)


def check_fitted_namespace(estimator, X, *, attribute, method):
    """Refuse X of another namespace or device than the fitted ``attribute``.

    scikit-learn's check, under ``array_api_dispatch``; without it, X is
    converted to numpy, which an estimator fitted on other arrays refuses too.
    """
    check_is_fitted(estimator)
    check_same_namespace(X, estimator, attribute=attribute, method=method)
    fitted = getattr(estimator, attribute)
    if not is_numpy(fitted) and not get_namespace(X)[1]:
        raise ValueError(
            f"{type(estimator).__name__} was fitted on arrays of "
            f"{library_name(namespace(fitted))}; call {method}() on such arrays "
            "with sklearn.set_config(array_api_dispatch=True)."
        )


def check_numpy_input(estimator, X):
    """Refuse, by name, arrays of another namespace for a numpy-only estimator.

    Under ``array_api_dispatch`` such input otherwise fails deep in
    validation, as it does for scikit-learn's own numpy-only estimators.
    """
    xp, is_numpy_input = input_namespace(X)
    if not is_numpy_input:
        raise TypeError(
            f"{type(estimator).__name__} computes with numpy only; X is an array "
            f"of {library_name(xp)} and array_api_dispatch is on. Pass a numpy "
            "array (for a torch tensor, X.cpu().numpy()); RBMTransformer "
            "computes in the array's own namespace."
        )
