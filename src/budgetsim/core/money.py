"""Money helpers: distributing a fixed total so the parts sum to it, and display units."""

from __future__ import annotations

import numpy as np

MSEK = 1e6
TKR = 1e3
#: half an öre: amounts closer to zero than this are rounding noise of float arithmetic, not money
NOISE = 0.005


def apportion(total: np.ndarray | float, weights: np.ndarray, unit: float | None = None) -> np.ndarray:
    """Split ``total`` (shape (D,) or scalar) in proportion to ``weights`` (D|1, C).

    Without ``unit`` the parts are exact proportional shares (they sum to the total up to float
    rounding). With ``unit`` (e.g. 0.01 SEK) the total is rounded to whole units and split by
    the largest-remainder method: each part is a whole number of units and the parts sum to the
    rounded total exactly. Ties go to the committee listed first.

    >>> apportion(100.0, np.array([[1.0, 1.0, 1.0]]), unit=0.01)
    array([[33.34, 33.33, 33.33]])
    """
    w = np.asarray(weights, dtype=float)
    total = np.asarray(total, dtype=float).reshape(-1, 1)
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite and >= 0")
    sums = w.sum(axis=-1, keepdims=True)
    if np.any(sums <= 0):
        raise ValueError("weights sum to zero: nothing to distribute the total by")
    exact = total * (w / sums)
    if unit is None:
        return exact
    if unit <= 0:
        raise ValueError(f"unit must be > 0, got {unit}")
    units_total = np.rint(total / unit)
    scaled = exact / unit
    floors = np.floor(scaled)
    # floor() of a share that is a whole number up to float error must not lose a unit
    floors = np.where(scaled - floors > 1 - 1e-9, floors + 1, floors)
    missing = (units_total - floors.sum(axis=-1, keepdims=True)).astype(np.int64)
    remainder = scaled - floors
    order = np.argsort(-remainder, axis=-1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(w.shape[-1])[None, :].repeat(order.shape[0], axis=0), axis=-1)
    parts = floors + (rank < missing)
    return parts * unit
