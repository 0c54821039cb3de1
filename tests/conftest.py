"""Test-suite setup: scipy's array API support, before anything imports scipy.

scikit-learn's array-API checks (``check_array_api_input`` and the rest, also
run by ``parametrize_with_checks`` for estimators that declare
``array_api_support``) skip unless ``SCIPY_ARRAY_API=1`` is set before scipy
is first imported; pytest imports this file before the test modules.

The RBM tests' shared fixtures follow (importing scipy only when used).
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import pytest  # noqa: E402


@pytest.fixture(scope="module")
def binary_digits():
    """load_digits binarised at 8, the RBM tests' small real data."""
    from tests._rbm_models import load_binary_digits

    return load_binary_digits()


@pytest.fixture(scope="module")
def digits_model(binary_digits):
    """A 16-hidden-unit RBMTransformer of binary_digits (exact log Z is cheap)."""
    from skebm import RBMTransformer

    return RBMTransformer(16, n_iter=20, random_state=0).fit(binary_digits)
