"""One budget year of a strategy, and a plan of several years made with what one budget knew."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.components import BASE
from budgetsim.core.context import Allocation, AllocationLike, BudgetContext, TotalsOf, as_allocation


def step(
    arrays: ScenarioArrays,
    strategy: Callable[[BudgetContext], AllocationLike],
    t: int,
    last: np.ndarray,
    label: str,
    totals: TotalsOf | None = None,
) -> Allocation:
    """The strategy's allocation for budget year index ``t`` from frames ``last`` (D, C), with every
    change and diagnostic checked and broadcast to (D, C). ``totals``: where other strategies'
    own-path totals come from (:attr:`BudgetContext.totals`)."""
    allocation = as_allocation(strategy(BudgetContext(arrays, t, last, totals)))
    year = int(arrays.years[t])
    if BASE in allocation.changes:
        raise ValueError(f"strategy {label!r}: component name {BASE!r} is reserved for last year's frame")
    changes = {k: _shaped(v, last.shape, label, k, year) for k, v in allocation.changes.items()}
    info = {k: _shaped(v, last.shape, label, k, year) for k, v in allocation.info.items()}
    return Allocation(changes, info)


def plan(
    arrays: ScenarioArrays,
    strategy: Callable[[BudgetContext], AllocationLike],
    t0: int,
    last: np.ndarray,
    years: int,
    label: str,
    totals: TotalsOf | None = None,
) -> list[Allocation]:
    """The allocations for budget years ``t0 .. t0 + years - 1`` as planned at the budget of ``t0``:
    every year of the plan knows only the population forecast that budget knew."""
    frozen = arrays.frozen_at(t0)
    end = min(t0 + years, len(arrays.years))
    unknown = np.isnan(frozen.known_population[:, t0:end]).any(axis=(0, 3))  # (years, 3)
    if unknown[:, 1:].any():
        first = int(arrays.years[t0 + int(np.flatnonzero(unknown[:, 1:].any(axis=1))[0])])
        raise ValueError(
            f"planning at the budget of {int(arrays.years[t0])}: the population forecast known then does not reach {first}; "
            "shorten the planning horizon or the frame period"
        )
    out = []
    for t in range(t0, end):
        allocation = step(frozen, strategy, t, last, label, totals)
        out.append(allocation)
        last = last + sum(allocation.changes.values(), np.zeros_like(last))
    return out


def _shaped(value: np.ndarray, shape: tuple[int, ...], strategy: str, key: str, year: int) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    try:
        array = np.broadcast_to(array, shape)
    except ValueError:
        raise ValueError(
            f"strategy {strategy!r}, {key!r} in {year}: shape {array.shape} does not fit (draws, committees) = {shape}"
        ) from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"strategy {strategy!r}, {key!r} in {year}: not finite (NaN or infinite)")
    return array
