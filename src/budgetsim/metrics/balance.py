"""Year-end results: deficits and surpluses of committees (frame - actual cost)."""

from __future__ import annotations

import numpy as np

from budgetsim.result.result import Result


def results(result: Result) -> np.ndarray:
    """(D, T, C) the year's result, SEK (negative = deficit): frame - cost, with any deduction that
    recovers an earlier deficit added back, so a deficit is counted once, in the year it arose."""
    booked = result.raw.frame - result.raw.cost
    if result.process is None:
        return booked
    return booked + result.process.year_end["recovered"]


def deficits(result: Result) -> np.ndarray:
    """(D, T, C) size of deficits, SEK (>= 0)."""
    return np.maximum(-results(result), 0.0)


def surpluses(result: Result) -> np.ndarray:
    """(D, T, C) size of surpluses, SEK (>= 0)."""
    return np.maximum(results(result), 0.0)
