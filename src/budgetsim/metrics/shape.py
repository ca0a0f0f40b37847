"""The shape of year-on-year budget changes: incremental budgets change by small, similar steps;
punctuated budgets mostly stand still and sometimes jump (a fat-tailed distribution)."""

from __future__ import annotations

import numpy as np

from budgetsim.metrics.stability import frame_changes
from budgetsim.result.result import Result

NORMAL_L_KURTOSIS = 0.1226
LAPLACE_L_KURTOSIS = 0.2357


def l_kurtosis(values: np.ndarray) -> float:
    """Sample L-kurtosis tau4 = l4 / l2 (Hosking 1990), from unbiased probability-weighted moments:
    0.1226 for a normal distribution, 0.2357 for a Laplace; higher = fatter tails (punctuated).

    >>> round(l_kurtosis(np.array([1.0, 2.0, 3.0, 4.0, 10.0])), 4)
    0.5
    """
    x = np.sort(np.asarray(values, dtype=float).ravel())
    n = len(x)
    if n < 4:
        raise ValueError(f"l_kurtosis needs at least 4 values, got {n}")
    i = np.arange(n)
    b0 = x.mean()
    b1 = np.sum(i / (n - 1) * x) / n
    b2 = np.sum(i * (i - 1) / ((n - 1) * (n - 2)) * x) / n
    b3 = np.sum(i * (i - 1) * (i - 2) / ((n - 1) * (n - 2) * (n - 3)) * x) / n
    l2 = 2 * b1 - b0
    l4 = 20 * b3 - 30 * b2 + 12 * b1 - b0
    return float(l4 / l2) if l2 > 0 else float("nan")


def change_l_kurtosis(result: Result) -> float:
    """L-kurtosis of all committees' relative year-on-year frame changes (NaN when all are equal)."""
    return l_kurtosis(frame_changes(result))


def negotiated_share(result: Result) -> float:
    """Share of all frame movement that came from negotiation and political decision (requests
    granted, political additions) rather than from stated rules: sum of their absolute amounts over
    the sum of the absolute amounts of all changes."""
    changes = {k: np.abs(v) for k, v in result.raw.components.items() if k != "base"}
    total = sum(v.sum() for v in changes.values())
    negotiated = sum(changes[k].sum() for k in ("request_granted", "additions") if k in changes)
    return float(negotiated / total) if total > 0 else 0.0
