"""Draws in other namespaces (``skebm/_random.py``).

The torch and array-api-strict sources run in ``test_array_api.py``. CuPy
needs a GPU, so its adapter runs here against a stand-in with the part of
``cupy.random.Generator``'s API it uses, drawn by numpy, and as unpicklable
as CuPy's (cupy/cupy#5430): the adapter's own logic, pickling and
permutations, is what is tested.
"""

import pickle
import sys
import threading
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skebm._random import CupyDraws


class _StandInGenerator:
    """``cupy.random.Generator``'s methods that the adapter calls, on numpy."""

    def __init__(self, seed):
        self._numpy = np.random.default_rng(seed)
        # CuPy's generator holds a lock too: it cannot be pickled.
        self._lock = threading.Lock()

    def random(self, size=None, dtype=np.float64):
        return self._numpy.random(size, dtype=dtype)

    def standard_normal(self, size=None, dtype=np.float64):
        return self._numpy.standard_normal(size, dtype=dtype)


class _StandInDevice:
    def __init__(self, device_id):
        self.id = device_id

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


@pytest.fixture
def cupy_draws(monkeypatch):
    stand_in = SimpleNamespace(
        float32=np.float32,
        argsort=np.argsort,
        random=SimpleNamespace(default_rng=_StandInGenerator),
        cuda=SimpleNamespace(Device=_StandInDevice),
    )
    monkeypatch.setitem(sys.modules, "cupy", stand_in)
    template = SimpleNamespace(device=_StandInDevice(1))
    return CupyDraws(np.random.default_rng(0), template)


def test_the_stand_in_generator_is_unpicklable_like_cupys():
    with pytest.raises(TypeError, match="pickle"):
        pickle.dumps(_StandInGenerator(0))


def test_pickled_cupy_draws_go_on_as_the_original_does(cupy_draws):
    cupy_draws.uniform((5,))
    restored = pickle.loads(pickle.dumps(cupy_draws))
    assert restored.device.id == 1
    assert_array_equal(restored.uniform((3, 4)), cupy_draws.uniform((3, 4)))
    assert_array_equal(restored.normal((2, 5)), cupy_draws.normal((2, 5)))
    assert_array_equal(restored.permutation(9), cupy_draws.permutation(9))
    assert restored.uniform((3, 4)).dtype == np.float32


def test_cupy_permutation_is_a_random_permutation(cupy_draws):
    orders = [cupy_draws.permutation(50) for _ in range(3)]
    for order in orders:
        assert_array_equal(np.sort(order), np.arange(50))
    assert not np.array_equal(orders[0], orders[1])
