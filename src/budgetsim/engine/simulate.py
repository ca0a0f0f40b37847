"""The year loop: each budget year the strategy turns the state into frame changes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from budgetsim.engine.arrays import ScenarioArrays, compile_scenario
from budgetsim.engine.context import AllocationLike, BudgetContext, as_allocation, check_strategy, strategy_name
from budgetsim.engine.costs import need_and_cost
from budgetsim.result import Result, RunArrays
from budgetsim.scenario import Scenario

RESERVED = "base"


def simulate(
    scenario: Scenario | ScenarioArrays, strategy: Callable[[BudgetContext], AllocationLike], name: str | None = None
) -> Result:
    """Run ``strategy`` over every budget year of ``scenario``.

    >>> import budgetsim as bs
    >>> r = bs.simulate(bs.default_scenario(), bs.strategies.boras_current())
    >>> sorted(r.components.component.unique())[:3]
    ['base', 'efficiency', 'prices']
    """
    arrays = scenario if isinstance(scenario, ScenarioArrays) else compile_scenario(scenario)
    label = name or strategy_name(strategy)
    check_strategy(strategy, arrays)
    D, T, C = arrays.draws, len(arrays.years), len(arrays.committees)
    frame = np.empty((D, T, C))
    components: dict[str, np.ndarray] = {RESERVED: np.empty((D, T, C))}
    info: dict[str, np.ndarray] = {}
    last = np.broadcast_to(arrays.base_frame, (D, C))
    for t in range(T):
        allocation = as_allocation(strategy(BudgetContext(arrays, t, last)))
        year = int(arrays.years[t])
        components[RESERVED][:, t] = last
        total = last.copy()
        for key, value in allocation.changes.items():
            if key == RESERVED:
                raise ValueError(f"strategy {label!r}: component name {RESERVED!r} is reserved for last year's frame")
            change = _shaped(value, (D, C), label, key, year)
            components.setdefault(key, np.zeros((D, T, C)))[:, t] = change
            total += change
        for key, value in allocation.info.items():
            info.setdefault(key, np.zeros((D, T, C)))[:, t] = _shaped(value, (D, C), label, key, year)
        frame[:, t] = last = total
    costs = need_and_cost(arrays)
    return Result(
        arrays, label, RunArrays(frame=frame, components=components, info=info, need=costs.need, cost=costs.cost)
    )


def _shaped(value: np.ndarray, shape: tuple[int, int], strategy: str, key: str, year: int) -> np.ndarray:
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
