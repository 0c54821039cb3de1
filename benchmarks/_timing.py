"""Timing helpers shared by the benchmark scripts."""

import statistics
import time


def median_time(function, *, repeats=5, warmup=1):
    """Median wall time of ``function()`` in seconds, after ``warmup`` calls."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        begin = time.perf_counter()
        function()
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def blas_description():
    """numpy's BLAS and its thread count, as threadpoolctl reports them."""
    from threadpoolctl import threadpool_info

    parts = [
        f"{info.get('internal_api')} {info.get('version')} "
        f"({info.get('architecture')}, {info.get('num_threads')} threads)"
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    ]
    return "; ".join(parts) or "unknown BLAS"
