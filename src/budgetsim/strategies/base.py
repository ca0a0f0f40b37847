"""What top-down strategies share: the total they distribute, and political additions on top.

A strategy is any callable ``(ctx: BudgetContext) -> Allocation | dict[str, array]`` (see
:mod:`budgetsim.core.strategy`); the built-ins derive from :class:`~budgetsim.core.Strategy`.
"""

from __future__ import annotations

import numpy as np

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.components import Component
from budgetsim.core.context import BudgetContext, StrategyLike, as_allocation, check_strategy, frames_after

#: Political additions (satsningar), given to their committee on top of any rule.
ADDITIONS = Component("additions", "political additions", "politiska satsningar", 60)


def total_of(ctx: BudgetContext, total: StrategyLike | None) -> np.ndarray:
    """(D|1,) the total a top-down rule distributes: the scenario's total available (``None``), or
    what strategy ``total`` would give all committees together this year."""
    if total is None:
        return ctx.total_available
    return frames_after(ctx, as_allocation(total(ctx))).sum(axis=-1)


def check_total(total: StrategyLike | None, arrays: ScenarioArrays, rule: str) -> None:
    """Refuse, before the first year, a top-down rule that has no total to distribute."""
    if total is None and arrays.total_available is None:
        raise ValueError(
            f"{rule}: the scenario gives no total available (economy.revenue or economy.total_available); pass total="
        )
    if total is not None:
        check_strategy(total, arrays)
