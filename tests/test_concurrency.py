"""Inference from many threads at once equals the serial results."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skebm import HopfieldMemory, RBMTransformer

N_THREADS = 8
METHODS = ["transform", "predict", "score_samples"]


def in_threads(function, arguments):
    """``function`` of each argument, each call in a thread of its own."""
    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(function, arguments))


def assert_threads_equal_serial(estimator, X):
    slices = np.array_split(np.arange(X.shape[0]), N_THREADS)
    for name in METHODS:
        method = getattr(estimator, name)
        serial = method(X)
        # Each thread on its own rows (compared with the same call made
        # serially: BLAS may round a block of other shape differently in the
        # last bit), then every thread on the same rows.
        parts = in_threads(lambda rows, method=method: method(X[rows]), slices)
        for rows, part in zip(slices, parts, strict=True):
            assert_array_equal(part, method(X[rows]), err_msg=name)
        for result in in_threads(lambda _, method=method: method(X), [0] * N_THREADS):
            assert_array_equal(result, serial, err_msg=name)


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_rbm_inference_from_many_threads_equals_serial(visible):
    rng = np.random.default_rng(0)
    X = rng.random((400, 12))
    if visible == "bernoulli":
        X = (X < 0.4).astype(float)
    rbm = RBMTransformer(6, visible=visible, n_iter=3, random_state=0).fit(X)
    assert_threads_equal_serial(rbm, X)


@pytest.mark.parametrize("rule", ["storkey", "exponential", "softmax"])
def test_hopfield_inference_from_many_threads_equals_serial(rule):
    rng = np.random.default_rng(0)
    memories = rng.integers(0, 2, size=(6, 40)).astype(float)
    probes = np.repeat(memories, 20, axis=0)
    flips = rng.random(probes.shape) < 0.1
    probes[flips] = 1 - probes[flips]
    memory = HopfieldMemory(rule, random_state=0).fit(memories)
    assert_threads_equal_serial(memory, probes)


def test_log_partition_asked_by_many_threads_at_once_is_computed_once():
    X = (np.random.default_rng(0).random((100, 30)) < 0.4).astype(float)
    rbm = RBMTransformer(
        25,
        n_iter=2,
        partition_method="ais",
        ais_n_chains=20,
        ais_n_betas=200,
        random_state=0,
    ).fit(X)
    assert rbm._log_partition_cache is None
    calls = []
    compute = rbm._log_partition_of

    def counted(*args, **kwargs):
        calls.append(threading.get_ident())
        return compute(*args, **kwargs)

    rbm._log_partition_of = counted
    barrier = threading.Barrier(N_THREADS)

    def score_together(_):
        barrier.wait()
        return rbm.score_samples(X), rbm.log_partition_

    results = in_threads(score_together, range(N_THREADS))
    assert len(calls) == 1
    for scores, log_z in results[1:]:
        assert log_z == results[0][1]
        assert_array_equal(scores, results[0][0])
