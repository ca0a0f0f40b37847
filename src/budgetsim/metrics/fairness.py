"""How evenly allocation matches need between committees."""

from __future__ import annotations

import numpy as np

from budgetsim.core.money import NOISE
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
    if not np.isfinite(x).all():  # undefined values (NaN) are left out, row by row
        ok = np.isfinite(x)
        n = ok.sum(axis=-1)
        mean = mean_defined(x, axis=-1)
        pairs = ok[..., :, None] & ok[..., None, :]
        diff = np.where(pairs, np.abs(np.nan_to_num(x)[..., :, None] - np.nan_to_num(x)[..., None, :]), 0.0)
        spread = np.divide(diff.sum(axis=(-1, -2)), n * n, out=np.full(n.shape, np.nan), where=n > 0)
        return np.divide(spread, 2 * mean, out=np.where(n > 0, 0.0, np.nan), where=mean > 0)
    n = x.shape[-1]
    mean = x.mean(axis=-1)
    diff = np.abs(x[..., :, None] - x[..., None, :]).sum(axis=(-1, -2)) / (n * n)
    return np.divide(diff, 2 * mean, out=np.zeros_like(mean), where=mean > 0)


def mean_defined(x: np.ndarray, axis: int | tuple[int, ...] | None = None) -> np.ndarray:
    """The mean over the defined (finite) values; NaN where there is none. The same numbers as
    ``x.mean(axis)`` when all are defined.

    >>> mean_defined(np.array([[1.0, np.nan], [np.nan, np.nan]]), axis=1).tolist()
    [1.0, nan]
    """
    if np.isfinite(x).all():
        return np.asarray(x.mean(axis=axis))
    ok = np.isfinite(x)
    count = ok.sum(axis=axis)
    total = np.where(ok, x, 0.0).sum(axis=axis)
    return np.divide(total, count, out=np.full(np.shape(total), np.nan), where=count > 0)


def min_defined(x: np.ndarray, axis: int | tuple[int, ...] | None = None) -> np.ndarray:
    """The minimum over the defined (finite) values; NaN where there is none."""
    if np.isfinite(x).all():
        return np.asarray(x.min(axis=axis))
    low = np.where(np.isfinite(x), x, np.inf).min(axis=axis)
    return np.where(np.isfinite(low), low, np.nan)


def coverage(result: Result) -> np.ndarray:
    """(D, T, C) need coverage: frame / need. Where a committee has no need (nobody in its need
    ages) coverage is not defined (NaN) and the metrics leave it out. A negative frame has no
    coverage: an error names it (a frame within half an öre of zero is zero)."""
    frame = result.raw.frame
    if np.any(frame < -NOISE):
        d, t, c = (int(i[0]) for i in np.nonzero(frame < -NOISE))
        raise ValueError(
            f"strategy {result.strategy!r} gives {result.arrays.committees[c]} a negative frame in "
            f"{int(result.arrays.years[t])} ({frame[d, t, c]:,.0f} SEK); coverage is not defined"
        )
    frame = np.maximum(frame, 0.0)  # what is left below zero is float noise: zero
    need = result.raw.need
    if np.all(need > 0):
        return frame / need
    return np.divide(frame, need, out=np.full(frame.shape, np.nan), where=need > 0)


def coverage_gini(result: Result) -> np.ndarray:
    """(D, T) Gini of need coverage between committees, each committee counted once."""
    return gini(coverage(result), axis=-1)
