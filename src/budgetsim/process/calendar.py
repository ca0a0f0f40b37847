"""The budget calendar and committees' plans: the preliminary frame decided in June (with June's
price and wage assumptions, before the autumn's requests and political additions), and the frames
committees plan on for the years ahead, against what they finally get."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.context import AllocationLike, BudgetContext, TotalsOf
from budgetsim.core.stepping import plan, step

AUTUMN_DECISIONS = frozenset({"additions"})


def preliminary_frames(
    arrays: ScenarioArrays,
    strategy: Callable[[BudgetContext], AllocationLike],
    recurring: np.ndarray,
    planned: dict[int, dict[str, np.ndarray]],
    label: str,
    totals: TotalsOf | None = None,
) -> np.ndarray:
    """(D, T, C) June frames: the recurring frame plus the strategy's changes on June's assumptions,
    without autumn decisions. In a year inside a multi-year period (a key of ``planned``) the
    frame was fixed at the period's start, so June's frame is the planned one. ``totals``: other
    strategies' June totals on their own paths."""
    june = arrays.preliminary()
    out = np.empty_like(recurring)
    for t in range(len(arrays.years)):
        changes = planned[t] if t in planned else step(june, strategy, t, recurring[:, t], label, totals).changes
        out[:, t] = recurring[:, t] + sum(
            (v for k, v in changes.items() if k not in AUTUMN_DECISIONS), np.zeros_like(out[:, t])
        )
    return out


def planned_frames(
    arrays: ScenarioArrays,
    strategy: Callable[[BudgetContext], AllocationLike],
    recurring: np.ndarray,
    starts: list[int],
    horizon: int,
    label: str,
    totals_at: Callable[[int], TotalsOf] | None = None,
) -> list[tuple[int, int, np.ndarray]]:
    """(planned at t0, year t, (D, C) frames) for the plans made at each index in ``starts``: the
    strategy run ``horizon`` years ahead on what the budget of t0 knew, from its recurring frame.
    ``totals_at(t0)``: other strategies' totals in their own plans made at t0."""
    out = []
    for t0 in starts:
        last = recurring[:, t0]
        totals = None if totals_at is None else totals_at(t0)
        for k, allocation in enumerate(plan(arrays, strategy, t0, last, horizon, label, totals)):
            last = last + sum(allocation.changes.values(), np.zeros_like(last))
            out.append((t0, t0 + k, last))
    return out
