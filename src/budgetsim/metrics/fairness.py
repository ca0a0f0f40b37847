"""How evenly allocation matches need between committees."""

from __future__ import annotations

import numpy as np

from budgetsim.result.result import Result


def gini(values: np.ndarray, axis: int = -1) -> np.ndarray:
    """Gini coefficient along ``axis`` (0 = all equal; values must be >= 0).

    Mean absolute difference over all ordered pairs divided by twice the mean.

    >>> float(gini(np.array([1.0, 1.0, 1.0, 1.0])))
    0.0
    >>> round(float(gini(np.array([0.0, 0.0, 0.0, 4.0]))), 4)
    0.75
    """
    x = np.moveaxis(np.asarray(values, dtype=float), axis, -1)
    if np.any(x < 0):
        raise ValueError("gini: values must be >= 0")
    n = x.shape[-1]
    mean = x.mean(axis=-1)
    diff = np.abs(x[..., :, None] - x[..., None, :]).sum(axis=(-1, -2)) / (n * n)
    return np.divide(diff, 2 * mean, out=np.zeros_like(mean), where=mean > 0)


def coverage(result: Result) -> np.ndarray:
    """(D, T, C) need coverage: frame / need. A negative frame has no coverage: an error names it."""
    frame = result.raw.frame
    if np.any(frame < 0):
        d, t, c = (int(i[0]) for i in np.nonzero(frame < 0))
        raise ValueError(
            f"strategy {result.strategy!r} gives {result.arrays.committees[c]} a negative frame in "
            f"{int(result.arrays.years[t])} ({frame[d, t, c]:,.0f} SEK); coverage is not defined"
        )
    return frame / result.raw.need


def coverage_gini(result: Result) -> np.ndarray:
    """(D, T) Gini of need coverage between committees, each committee counted once."""
    return gini(coverage(result), axis=-1)
