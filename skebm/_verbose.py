"""The one format of the progress lines that ``verbose`` prints."""

# SPDX-License-Identifier: BSD-3-Clause


def report_progress(estimator, event, seconds, values=None):
    """Print ``[Name] event, name = value, ..., time = 0.12s`` and flush.

    ``values`` maps display names (``"train log-likelihood"``) to numbers;
    floats are printed with four decimals.
    """
    parts = [f"[{type(estimator).__name__}] {event}"]
    for name, value in (values or {}).items():
        text = f"{value:.4f}" if isinstance(value, float) else str(value)
        parts.append(f"{name} = {text}")
    parts.append(f"time = {seconds:.2f}s")
    print(", ".join(parts), flush=True)
