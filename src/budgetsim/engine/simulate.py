"""The year loop: each budget year the strategy turns the state into frame changes; with a budget
process, year-end rules, requests, multi-year frames and the calendar act around it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from budgetsim.engine.arrays import ScenarioArrays, compile_scenario
from budgetsim.engine.context import Allocation, AllocationLike, BudgetContext, check_strategy, strategy_name
from budgetsim.engine.costs import need_and_cost
from budgetsim.engine.montecarlo import DEFAULT_QUANTILES, MonteCarloResult, run_monte_carlo
from budgetsim.engine.stepping import RESERVED, plan, step
from budgetsim.process.balance import municipal_balance
from budgetsim.process.calendar import planned_frames, preliminary_frames
from budgetsim.process.rules import BudgetProcess
from budgetsim.process.runtime import REQUEST_RECORDS, YEAR_END_RECORDS, ProcessRun, compile_process
from budgetsim.result import ProcessRecords, Result, RunArrays
from budgetsim.scenario import Scenario

ONE_OFF_REVERSAL = "one_off_reversal"


def simulate(
    scenario: Scenario | ScenarioArrays,
    strategy: Callable[[BudgetContext], AllocationLike],
    name: str | None = None,
    process: BudgetProcess | None = None,
    *,
    draws: int | None = None,
    seed: int = 0,
    chunk_size: int = 2048,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    keep_draws: bool = False,
    progress: bool = False,
) -> Result | MonteCarloResult:
    """Run ``strategy`` over every budget year of ``scenario``, optionally inside a budget ``process``.

    With ``draws=N`` it runs N draws of the scenario's uncertainty (Monte Carlo) in chunks of
    ``chunk_size`` and returns a :class:`~budgetsim.engine.montecarlo.MonteCarloResult` with
    streaming summaries; the same ``seed`` gives the same numbers whatever the chunk size.
    ``keep_draws=True`` also keeps the per-draw result (memory grows with N); ``progress=True``
    shows a progress bar (needs ``budgetsim[scale]``).

    >>> import budgetsim as bs
    >>> r = bs.simulate(bs.default_scenario(), bs.strategies.boras_current())
    >>> sorted(r.components.component.unique())[:3]
    ['base', 'efficiency', 'prices']
    """
    arrays = scenario if isinstance(scenario, ScenarioArrays) else compile_scenario(scenario)
    label = name or strategy_name(strategy)
    if draws is not None:
        if not isinstance(scenario, Scenario) or scenario.uncertainty is None:
            raise ValueError("draws: the scenario has no uncertainty to draw from; set Scenario.uncertainty")
        check_strategy(strategy, arrays)
        with progress_bar(draws, label, progress) as advance:
            return run_monte_carlo(
                arrays,
                scenario.uncertainty,
                strategy,
                simulate,
                draws=draws,
                seed=seed,
                label=label,
                process=process,
                chunk_size=chunk_size,
                quantiles=quantiles,
                keep_draws=keep_draws,
                progress=advance,
            )
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
        for store, values in ((components, changes), (info, allocation.info)):
            for key, value in values.items():
                if key not in store:
                    store[key] = np.zeros((D, T, C))
                store[key][:, t] = value
        last = last + sum(changes.values(), np.zeros((D, C)))
        frame[:, t] = last
        cost[:, t] = costs.cost[:, t] if run is None else run.actual_cost(t)
        if run is not None:
            run.settle(t, last, cost[:, t])
    records = None
    if run is not None and process is not None:
        starts = list(range(0, T, period))
        records = ProcessRecords(
            year_end={k: v for k, v in run.records.items() if k in YEAR_END_RECORDS},
            requests={k: v for k, v in run.records.items() if k in REQUEST_RECORDS},
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


@contextmanager
def progress_bar(total: int, label: str, show: bool) -> Iterator[Callable[[int], None] | None]:
    """A tqdm progress bar over draws when ``show`` (tqdm comes with ``budgetsim[scale]``)."""
    if not show:
        yield None
        return
    try:
        from tqdm import tqdm
    except ImportError:
        raise ImportError("progress=True needs tqdm: pip install 'budgetsim[scale]'") from None
    with tqdm(total=total, desc=label, unit="draw") as bar:
        yield bar.update
