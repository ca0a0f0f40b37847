"""The year loop: each budget year the strategy turns the state into frame changes; with a budget
process, year-end rules, requests, multi-year frames and the calendar act around it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from budgetsim.engine.arrays import ScenarioArrays, compile_scenario
from budgetsim.engine.context import Allocation, AllocationLike, BudgetContext, check_strategy, strategy_name
from budgetsim.engine.costs import need_and_cost
from budgetsim.engine.stepping import RESERVED, plan, step
from budgetsim.process.balance import municipal_balance
from budgetsim.process.calendar import planned_frames, preliminary_frames
from budgetsim.process.rules import BudgetProcess
from budgetsim.process.runtime import ProcessRun, compile_process
from budgetsim.result import ProcessRecords, Result, RunArrays
from budgetsim.scenario import Scenario

ONE_OFF_REVERSAL = "one_off_reversal"


def simulate(
    scenario: Scenario | ScenarioArrays,
    strategy: Callable[[BudgetContext], AllocationLike],
    name: str | None = None,
    process: BudgetProcess | None = None,
) -> Result:
    """Run ``strategy`` over every budget year of ``scenario``, optionally inside a budget ``process``.

    >>> import budgetsim as bs
    >>> r = bs.simulate(bs.default_scenario(), bs.strategies.boras_current())
    >>> sorted(r.components.component.unique())[:3]
    ['base', 'efficiency', 'prices']
    """
    arrays = scenario if isinstance(scenario, ScenarioArrays) else compile_scenario(scenario)
    label = name or strategy_name(strategy)
    check_strategy(strategy, arrays)
    costs = need_and_cost(arrays)
    run = None
    if process is not None:
        run = ProcessRun(compile_process(process, arrays), arrays, costs)
        arrays = run.with_pessimism()
    period = process.frame_period if process else 1
    D, T, C = arrays.draws, len(arrays.years), len(arrays.committees)
    frame, cost, recurring_before, november = (np.empty((D, T, C)) for _ in range(4))
    components: dict[str, np.ndarray] = {RESERVED: np.empty((D, T, C))}
    info: dict[str, np.ndarray] = {}
    last = np.broadcast_to(arrays.base_frame, (D, C)).astype(float)
    one_offs = np.zeros((D, C))
    planned: list[Allocation] = []
    fixed: dict[int, dict[str, np.ndarray]] = {}
    for t in range(T):
        recurring = last - one_offs
        recurring_before[:, t] = recurring
        if period > 1:
            if t % period == 0:
                planned = plan(arrays, strategy, t, recurring, period, label)
            allocation = planned[t % period]
            if t % period:
                fixed[t] = dict(allocation.changes)
        else:
            allocation = step(arrays, strategy, t, recurring, label)
        changes = dict(allocation.changes)
        if one_offs.any():
            changes[ONE_OFF_REVERSAL] = -one_offs
        proposed = recurring + sum(allocation.changes.values(), np.zeros((D, C)))
        one_offs = np.zeros((D, C))
        if run is not None:
            extra, offs = run.adjustments(t, proposed)
            november[:, t] = proposed + extra.get("request_granted", 0.0)
            for key, value in (*extra.items(), *offs.items()):
                changes[key] = changes.get(key, 0.0) + value
            one_offs = sum(offs.values(), np.zeros((D, C)))
        components[RESERVED][:, t] = last
        for key, value in changes.items():
            components.setdefault(key, np.zeros((D, T, C)))[:, t] = value
        for key, value in allocation.info.items():
            info.setdefault(key, np.zeros((D, T, C)))[:, t] = value
        last = last + sum(changes.values(), np.zeros((D, C)))
        frame[:, t] = last
        cost[:, t] = costs.cost[:, t] if run is None else run.actual_cost(t)
        if run is not None:
            run.settle(t, last, cost[:, t])
    records = None
    if run is not None and process is not None:
        starts = list(range(0, T, period))
        records = ProcessRecords(
            year_end={k: v for k, v in run.records.items() if k not in {"requested", "granted", "granted_by_need"}},
            requests={k: v for k, v in run.records.items() if k in {"requested", "granted", "granted_by_need"}},
            november=november,
            preliminary=preliminary_frames(arrays, strategy, recurring_before, fixed, label),
            plans=planned_frames(
                arrays,
                strategy,
                recurring_before,
                starts if period > 1 else list(range(T)),
                process.planning_horizon,
                label,
            ),
            balance=municipal_balance(arrays, cost, process.balance),
        )
    raw = RunArrays(frame=frame, components=components, info=info, need=costs.need, cost=cost)
    return Result(arrays, label, raw, records)
