"""Test-suite setup: scipy's array API support, before anything imports scipy.

scikit-learn's array-API checks (``check_array_api_input`` and the rest, also
run by ``parametrize_with_checks`` for estimators that declare
``array_api_support``) skip unless ``SCIPY_ARRAY_API=1`` is set before scipy
is first imported; pytest imports this file before the test modules.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")
