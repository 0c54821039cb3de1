"""What skebm's objects put in a pickle: the version, and generators as state.

:class:`VersionedStateMixin` records ``skebm.__version__`` in the pickled
state of an estimator and warns on load by another version. A numpy
``Generator`` is pickled as its bit generator's state (a dict of names and
ints), so that a file has no numpy object for ``skops.io`` to review and
loads under another numpy version.
"""

# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np

import skebm
from skebm.exceptions import InconsistentVersionWarning

# The bit generators a pickled state may name: looked up in this table, never
# by ``getattr`` on a name read from a file.
_BIT_GENERATORS = {
    bit_generator.__name__: bit_generator
    for bit_generator in (
        np.random.PCG64,
        np.random.PCG64DXSM,
        np.random.MT19937,
        np.random.Philox,
        np.random.SFC64,
    )
}


def generator_state(rng):
    """The state of a numpy Generator, as a dict that rebuilds it."""
    return rng.bit_generator.state


def generator_from_state(state):
    """The numpy Generator whose state :func:`generator_state` returned."""
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in _BIT_GENERATORS:
        raise ValueError(
            f"The pickled random generator names the bit generator {name!r}; "
            f"expected one of {sorted(_BIT_GENERATORS)}."
        )
    bit_generator = _BIT_GENERATORS[name](0)
    bit_generator.state = state
    return np.random.Generator(bit_generator)


class VersionedStateMixin:
    """Pickle with the skebm version; warn when another version unpickles.

    Put before :class:`~sklearn.base.BaseEstimator` among the bases: its
    ``__getstate__`` and ``__setstate__`` (scikit-learn's own version check)
    still run.
    """

    def __getstate__(self):
        # A copy: from Python 3.11 object.__getstate__ returns __dict__ itself.
        return {**super().__getstate__(), "_skebm_version": skebm.__version__}

    def __setstate__(self, state):
        state = dict(state)
        pickled_version = state.pop("_skebm_version", "unknown")
        if pickled_version != skebm.__version__:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_version=skebm.__version__,
                    original_version=pickled_version,
                ),
                stacklevel=2,
            )
        super().__setstate__(state)
