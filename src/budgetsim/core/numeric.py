"""The numeric helpers rules share: lifting frames onto floors and damping the gains above them,
bisection for one unknown per draw, settling a float residual, and water-filling a pool. All
functions work on (D, C) arrays, one total per draw."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

BISECTION_STEPS = 200


class UnaffordableError(ValueError):
    """A transition rule's guarantees cost more than the total available."""


def whole_number(name: str, value: object, minimum: int) -> int:
    """``value`` as an int if it is a whole number >= ``minimum`` (not a bool, not 1.5, not '3');
    otherwise an error that names the argument.

    >>> whole_number("draws", 1.5, 1)
    Traceback (most recent call last):
    ...
    TypeError: draws must be a whole number >= 1, got 1.5 (float)
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a whole number >= {minimum}, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value}")
    return int(value)


def where_unaffordable(short: np.ndarray) -> str:
    """' (draws 3, 17: up to 1,234 SEK short)' for a multi-draw run, '' for one draw."""
    if short.shape[0] == 1:
        return ""
    bad = np.flatnonzero(short > 0)
    listed = ", ".join(str(i) for i in bad[:5]) + (", ..." if len(bad) > 5 else "")
    return f" (draw{'s' if len(bad) > 1 else ''} {listed}: up to {short.max():,.0f} SEK short)"


def lift_and_damp(proposed: np.ndarray, floor: np.ndarray, total: np.ndarray, what: str = "floor") -> np.ndarray:
    """Lift every frame below its floor to the floor and pay for it by scaling back the gains
    above the floor of all others with one factor k in [0, 1], so the frames sum to ``total``.

    Below: 90 is lifted to 99; the other gains 11 and 21 are scaled by k = (320 - 297) / 32.

    >>> lift_and_damp(np.array([[90.0, 110.0, 120.0]]), np.array([[99.0, 99.0, 99.0]]), np.array([320.0]))
    array([[ 99.     , 106.90625, 114.09375]])
    """
    spare = total - floor.sum(axis=-1)
    if np.any(spare < -1e-9 * np.abs(total)):
        short = float(-spare.min())
        raise UnaffordableError(
            f"the {what} costs {short:,.0f} SEK more than the total available{where_unaffordable(-spare)}"
        )
    gains = np.maximum(proposed - floor, 0.0)
    gain_sum = gains.sum(axis=-1)
    k = np.divide(spare, gain_sum, out=np.ones_like(spare), where=gain_sum > 0)
    return floor + np.clip(k, 0.0, 1.0)[:, None] * gains


def solve_increasing(
    value: Callable[[np.ndarray], np.ndarray], target: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """x (one per draw) with value(x) = target for a non-decreasing ``value``, by bisection."""
    lo, hi = lo.astype(float).copy(), hi.astype(float).copy()
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        below = value(mid) < target
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return (lo + hi) / 2


def settle(frames: np.ndarray, total: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Put the float residual of a bisection (sum - total) on the committees marked ``free``, in
    proportion to their frames, so the parts sum to the total to float precision."""
    residual = total - frames.sum(axis=-1)
    weights = np.where(free, frames, 0.0)
    wsum = weights.sum(axis=-1)
    share = np.divide(weights, wsum[:, None], out=np.zeros_like(weights), where=wsum[:, None] > 0)
    return frames + residual[:, None] * share


def water_fill(request: np.ndarray, weights: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Water-filling: grants min(request, lambda x weight), with one lambda per draw so they add up
    to the pool or to everything that can be granted (nobody gets more than asked; zero weight
    gets nothing).

    Exact, without iterating: with the committees sorted by request / weight (the lambda at which
    each is granted in full), the total granted at the k-th of those lambdas is what the first k
    asked plus that lambda times the weight of the rest, rising in k; lambda lies between the last
    one below the target and the first at or above it, where the total is linear in lambda.

    >>> water_fill(np.array([[10.0, 10.0, 10.0]]), np.array([[1.0, 1.0, 2.0]]), np.array([24.0])).round(6)
    array([[ 7.,  7., 10.]])
    """
    active = (request > 0) & (weights > 0)
    asked = np.where(active, request, 0.0)
    weight = np.where(active, weights, 0.0)
    target = np.minimum(pool, asked.sum(axis=-1))
    full = np.divide(asked, weight, out=np.full_like(asked, np.inf), where=active)  # lambda of a full grant
    order = np.argsort(full, axis=-1, kind="stable")
    r, w, lam_at = (np.take_along_axis(a, order, axis=-1) for a in (asked, weight, full))
    before = np.cumsum(r, axis=-1) - r  # what the committees granted in full before the k-th asked
    rest = np.cumsum(w[..., ::-1], axis=-1)[..., ::-1]  # the weight of the k-th and those after it
    granted_at = np.where(w > 0, before + np.where(w > 0, lam_at, 0.0) * rest, np.inf)
    last = np.maximum(active.sum(axis=-1) - 1, 0)
    k = np.minimum((granted_at < target[:, None]).sum(axis=-1), last)[:, None]
    rest_k = np.take_along_axis(rest, k, axis=-1)[:, 0]
    lam = np.divide(
        target - np.take_along_axis(before, k, axis=-1)[:, 0], rest_k, out=np.zeros_like(target), where=rest_k > 0
    )
    return np.where(active, np.minimum(request, lam[:, None] * weights), 0.0)
