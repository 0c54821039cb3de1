"""RBMTransformer and HopfieldMemory on a GPU (or any torch device) beside numpy.

Run on a GPU machine (about three minutes; the numpy figures take most of it)::

    SCIPY_ARRAY_API=1 python -m benchmarks.bench_gpu --mnist PATH --device cuda

``--device cpu`` runs the same on torch's CPU backend, and ``--quick`` shrinks
every size (2 000 rows, a 784 x 100 model, short AIS, 2 000 memories) for a
smoke test. The table gives, for binarised MNIST in float32 with
``array_api_dispatch=True``:

* one PCD-1 epoch of a 784 x 500 RBMTransformer on the 60 000 training rows
  in minibatches of 100, on the device and with numpy (the issue asks for at
  least 30x the numpy epoch on two cores);
* AIS of that model at the default settings (150 chains, 8 000 inverse
  temperatures), in seconds;
* softmax recall with 60 000 stored digits, in milliseconds per probe (1 000
  test digits on the device, 100 with numpy).

The figures with the device's name belong in ``benchmarks/README.md`` and in
the user guide's GPU page.
"""

# SPDX-License-Identifier: BSD-3-Clause

import argparse
import os
import time

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402

from benchmarks._mnist import load_mnist  # noqa: E402
from skebm import HopfieldMemory, RBMTransformer  # noqa: E402


def _no_wait():
    """numpy's work is done when its call returns."""


def _timed(function, synchronize):
    begin = time.perf_counter()
    result = function()
    synchronize()
    return result, time.perf_counter() - begin


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", help="path of mnist.npz (see benchmarks/_mnist)")
    parser.add_argument("--device", default="cuda", help="torch device (cuda, cpu)")
    parser.add_argument("--quick", action="store_true", help="small sizes")
    args = parser.parse_args(argv)

    import torch

    device = torch.device(args.device)
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)

        def synchronize():
            torch.cuda.synchronize(device)
    else:
        name = f"torch {device.type}"

        def synchronize():
            pass

    X_train, _, X_test, _, source = load_mnist(args.mnist, quick=args.quick)
    n_rows, n_hidden, n_probes, n_numpy_probes = 60000, 500, 1000, 100
    ais = {}
    if args.quick:
        n_rows, n_hidden, n_probes, n_numpy_probes = 2000, 100, 100, 20
        ais = {"ais_n_chains": 20, "ais_n_betas": 200}
    X = X_train[:n_rows].astype(np.float32)
    probes = X_test[:n_probes].astype(np.float32)
    X_device = torch.asarray(X, device=device)
    probes_device = torch.asarray(probes, device=device)
    settings = dict(
        n_components=n_hidden,
        batch_size=100,
        n_iter=1,
        decay_fraction=0.0,
        random_state=0,
        partition_method="ais",
        **ais,
    )
    rows = []

    numpy_rbm, numpy_epoch = _timed(lambda: RBMTransformer(**settings).fit(X), _no_wait)
    with sklearn.config_context(array_api_dispatch=True):
        # A first short fit pays the device's start-up costs.
        RBMTransformer(**{**settings, "n_components": 8}).fit(X_device[:500])
        synchronize()
        rbm, epoch = _timed(
            lambda: RBMTransformer(**settings).fit(X_device), synchronize
        )
        (log_z, std_error), ais_time = _timed(
            lambda: rbm.estimate_log_partition(), synchronize
        )
    (numpy_log_z, _), numpy_ais_time = _timed(
        lambda: numpy_rbm.estimate_log_partition(), _no_wait
    )
    rows.append(
        (f"PCD-1 epoch, 784x{n_hidden}, {n_rows} rows, batch 100", epoch, numpy_epoch)
    )
    rows.append(
        (
            f"AIS log Z ({log_z:.2f} +- {std_error:.2f}; numpy {numpy_log_z:.2f})",
            ais_time,
            numpy_ais_time,
        )
    )

    memory = HopfieldMemory().fit(X)
    _, numpy_recall = _timed(lambda: memory.predict(probes[:n_numpy_probes]), _no_wait)
    with sklearn.config_context(array_api_dispatch=True):
        device_memory = HopfieldMemory().fit(X_device)
        device_memory.predict(probes_device[:10])
        synchronize()
        _, recall = _timed(lambda: device_memory.predict(probes_device), synchronize)
    rows.append(
        (
            f"softmax recall, {n_rows} memories, ms per probe",
            1000 * recall / n_probes,
            1000 * numpy_recall / n_numpy_probes,
        )
    )

    print(f"data: {source}; device: {name}; float32; numpy BLAS as configured")
    print(f"{'workload':58s} {'device':>10s} {'numpy':>10s} {'speed-up':>9s}")
    for label, on_device, on_numpy in rows:
        print(
            f"{label:58s} {on_device:10.3f} {on_numpy:10.3f} "
            f"{on_numpy / on_device:8.1f}x"
        )


if __name__ == "__main__":
    main()
