"""Uniform and normal draws in an array namespace, from its own generator.

The array API standard has no random numbers. Each namespace draws from the
generator of its library, seeded from ``random_state`` through the numpy
``Generator`` the estimator holds: numpy-backed namespaces (array-api-strict)
draw with that Generator itself and convert, so they see the numbers the
numpy code sees; torch draws with a ``torch.Generator`` on the array's device
and CuPy with ``cupy.random``, each seeded by one integer from the Generator.
The same ``random_state`` therefore gives different numbers in torch, in
CuPy and in numpy (and in torch on two devices): every fit is reproducible
in its namespace and on its device, and fits in two of them differ as fits
with two seeds do.

Draws are float32, as on the numpy path
(:data:`skebm._rbm._units.DRAW_DTYPE`); row orders are integer arrays.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skebm._array_api import library_name, like
from skebm._persistence import generator_from_state, generator_state
from skebm._sklearn_compat import array_namespace


class NumpyDraws:
    """Draws of the numpy Generator ``generator``, in the namespace of ``template``."""

    def __init__(self, generator, template):
        self.generator = generator
        # A small array of the target namespace and device (modules cannot
        # be pickled; arrays can).
        self.template = template

    def uniform(self, shape):
        return like(self.generator.random(shape, dtype=np.float32), self.template)

    def normal(self, shape):
        draws = self.generator.standard_normal(shape, dtype=np.float32)
        return like(draws, self.template)

    def permutation(self, n):
        return self.generator.permutation(n)

    def __getstate__(self):
        return {**self.__dict__, "generator": generator_state(self.generator)}

    def __setstate__(self, state):
        self.__dict__.update(state, generator=generator_from_state(state["generator"]))


class TorchDraws:
    """Draws of a ``torch.Generator`` on the device of ``template``."""

    def __init__(self, generator, template):
        import torch

        self.device = template.device
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(_seed_from(generator))

    def uniform(self, shape):
        import torch

        return torch.rand(
            shape, generator=self.generator, dtype=torch.float32, device=self.device
        )

    def normal(self, shape):
        import torch

        return torch.randn(
            shape, generator=self.generator, dtype=torch.float32, device=self.device
        )

    def permutation(self, n):
        import torch

        return torch.randperm(n, generator=self.generator, device=self.device)

    # A torch.Generator is pickled as its state.
    def __getstate__(self):
        return {"device": str(self.device), "state": self.generator.get_state()}

    def __setstate__(self, state):
        import torch

        self.device = torch.device(state["device"])
        self.generator = torch.Generator(device=self.device)
        self.generator.set_state(state["state"])


class CupyDraws:
    """Draws of ``cupy.random`` on the device of ``template``.

    A CuPy generator cannot be pickled (cupy/cupy#5430) and has no
    ``permutation``: pickling draws a seed from it, with which both the
    original and the copy go on; a permutation sorts uniform draws.
    """

    def __init__(self, generator, template):
        self.device = template.device
        self._reseed(_seed_from(generator))

    def _reseed(self, seed):
        import cupy

        with self.device:
            self.generator = cupy.random.default_rng(seed)

    def uniform(self, shape):
        import cupy

        with self.device:
            return self.generator.random(shape, dtype=cupy.float32)

    def normal(self, shape):
        import cupy

        with self.device:
            return self.generator.standard_normal(shape, dtype=cupy.float32)

    def permutation(self, n):
        import cupy

        with self.device:
            # Ties among n float64 draws are as rare as a repeated seed.
            return cupy.argsort(self.generator.random(n))

    def __getstate__(self):
        with self.device:
            # 53 random bits, from the one method every draw here uses.
            seed = int(float(self.generator.random()) * 2**53)
        self._reseed(seed)
        return {"device_id": self.device.id, "seed": seed}

    def __setstate__(self, state):
        import cupy

        self.device = cupy.cuda.Device(state["device_id"])
        self._reseed(state["seed"])


# The generator of each namespace that has one; the others draw with numpy.
_DRAWS = {"torch": TorchDraws, "cupy": CupyDraws}


def _seed_from(generator):
    """One seed for another library's generator, drawn from a numpy Generator."""
    return int(generator.integers(np.iinfo(np.int64).max))


def draws_for(generator, reference):
    """A source of draws in the namespace and on the device of ``reference``.

    Parameters
    ----------
    generator : numpy.random.Generator
        Used itself by numpy-backed namespaces, or to seed the namespace's own
        generator.
    reference : array
        An array of the namespace and device to draw in (not numpy: the
        numpy code draws with the numpy Generator directly).

    Returns
    -------
    draws : object
        With ``uniform(shape)`` and ``normal(shape)`` (float32 arrays) and
        ``permutation(n)`` (an integer array, of the namespace or numpy).
    """
    name = library_name(array_namespace(reference))
    template = like(np.zeros(0, dtype=np.float32), reference)
    return _DRAWS.get(name, NumpyDraws)(generator, template)
