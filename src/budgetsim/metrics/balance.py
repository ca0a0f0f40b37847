"""Year-end results: deficits and surpluses of committees (frame - actual cost)."""

from __future__ import annotations

import numpy as np

from budgetsim.result import Result


def results(result: Result) -> np.ndarray:
    """(D, T, C) result = frame - cost, SEK (negative = deficit)."""
    return result.raw.frame - result.raw.cost


def deficits(result: Result) -> np.ndarray:
    """(D, T, C) size of deficits, SEK (>= 0)."""
    return np.maximum(-results(result), 0.0)


def surpluses(result: Result) -> np.ndarray:
    """(D, T, C) size of surpluses, SEK (>= 0)."""
    return np.maximum(results(result), 0.0)
