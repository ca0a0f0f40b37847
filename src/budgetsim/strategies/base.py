"""What top-down strategies share: the total they distribute, and political additions on top.

A strategy is any callable ``(ctx: BudgetContext) -> Allocation | dict[str, array]`` (see
:mod:`budgetsim.core.strategy`); the built-ins derive from :class:`~budgetsim.core.Strategy`.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

import numpy as np

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.components import Component
from budgetsim.core.context import BudgetContext, StrategyLike, check_strategy, frames_after, strategy_name
from budgetsim.core.stepping import step

#: Political additions (satsningar), given to their committee on top of any rule.
ADDITIONS = Component("additions", "political additions", "politiska satsningar", 60)


def total_of(ctx: BudgetContext, total: StrategyLike | None) -> np.ndarray:
    """(D|1,) the total a top-down rule distributes: the scenario's total available (``None``), or
    what strategy ``total`` proposes for all committees together this year *on its own path* (run
    from the base-year frames by itself, inside the same budget process when there is one; not from
    this run's frames), so a comparison "on the same money" is budget-neutral year by year."""
    if total is None:
        return ctx.total_available
    if ctx.totals is not None:
        return ctx.totals(total)[:, ctx.t]
    return own_path_totals(ctx.arrays, total)[:, ctx.t]


_OWN_PATHS: WeakKeyDictionary[ScenarioArrays, dict[int, tuple[StrategyLike, np.ndarray]]] = WeakKeyDictionary()


def own_path_totals(arrays: ScenarioArrays, strategy: StrategyLike) -> np.ndarray:
    """(D, T) the total frame ``strategy`` gives every budget year when it runs by itself from the
    base-year frames on ``arrays`` (computed once per arrays and strategy).

    >>> import budgetsim as bs
    >>> a = bs.engine.compile_scenario(bs.default_scenario())
    >>> totals = own_path_totals(a, bs.strategies.boras_current())
    >>> frames = bs.simulate(bs.default_scenario(), bs.strategies.boras_current()).frames
    >>> bool(np.allclose(totals[0], frames.groupby("year").frame.sum().to_numpy()))
    True
    """
    cached = _OWN_PATHS.setdefault(arrays, {}).get(id(strategy))
    if cached is not None and cached[0] is strategy:
        return cached[1]
    last = np.broadcast_to(arrays.base_frame, (arrays.draws, len(arrays.committees))).astype(float)
    totals = np.empty((arrays.draws, len(arrays.years)))
    for t in range(len(arrays.years)):
        last = frames_after(BudgetContext(arrays, t, last), step(arrays, strategy, t, last, strategy_name(strategy)))
        totals[:, t] = last.sum(axis=-1)
    _OWN_PATHS[arrays][id(strategy)] = (strategy, totals)
    return totals


def check_total(total: StrategyLike | None, arrays: ScenarioArrays, rule: str) -> None:
    """Refuse, before the first year, a top-down rule that has no total to distribute."""
    if total is None and arrays.total_available is None:
        raise ValueError(
            f"{rule}: the scenario gives no total available (economy.revenue or economy.total_available); pass total="
        )
    if total is not None:
        check_strategy(total, arrays)
