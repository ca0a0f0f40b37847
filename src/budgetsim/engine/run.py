"""The year loop: each budget year the strategy turns the state into frame changes; with a budget
process, year-end rules, requests, multi-year frames and the calendar act around it."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.components import BASE, ONE_OFF_REVERSAL
from budgetsim.core.context import Allocation, StrategyLike, TotalsOf, check_strategy, strategy_name
from budgetsim.core.costs import need_and_cost, spend
from budgetsim.core.money import NOISE
from budgetsim.core.stepping import plan, step
from budgetsim.core.text import install_hint
from budgetsim.process.balance import municipal_balance
from budgetsim.process.calendar import planned_frames, preliminary_frames
from budgetsim.process.rules import BudgetProcess
from budgetsim.process.runtime import AUTUMN, ProcessRun, compile_process


@dataclass(frozen=True, eq=False)
class RunArrays:
    """Engine output, each array shaped (draws, years, committees), SEK."""

    frame: np.ndarray
    components: dict[str, np.ndarray]  # "base" first; all sum to frame
    info: dict[str, np.ndarray]
    need: np.ndarray
    cost: np.ndarray


@dataclass(frozen=True, eq=False)
class ProcessRecords:
    """What a budget process recorded: arrays (D, T, C), plans and the municipal balance."""

    year_end: dict[str, np.ndarray]
    requests: dict[str, np.ndarray]
    proposed: np.ndarray  # the frames the strategy proposed, before the process's adjustments
    november: np.ndarray
    preliminary: np.ndarray
    plans: list[tuple[int, int, np.ndarray]]  # (planned at index, year index, (D, C) frames)
    balance: pd.DataFrame


NegativeFrames = Literal["raise", "warn"]


class NegativeFrameError(ValueError):
    """A strategy gave a committee a negative frame (money cannot be negative)."""


class NegativeFrameWarning(UserWarning):
    """A negative frame kept because the caller asked for ``negative_frames="warn"``."""


def check_frames(frame: np.ndarray, arrays: ScenarioArrays, label: str, negative_frames: NegativeFrames) -> None:
    """Raise (or with ``negative_frames="warn"`` warn) if a (D, T, C) ``frame`` is below zero by more
    than half an öre, naming the strategy, the committee, the year and the draw."""
    if negative_frames not in ("raise", "warn"):
        raise ValueError(f"negative_frames must be 'raise' or 'warn', got {negative_frames!r}")
    bad = frame < -NOISE
    if not bad.any():
        return
    d, t, c = (int(i[0]) for i in np.nonzero(bad))
    where = f", draw {arrays.first_draw + d}" if frame.shape[0] > 1 or arrays.first_draw else ""
    message = (
        f"strategy {label!r} gives {arrays.committees[c]} a negative frame in {int(arrays.years[t])} "
        f"({frame[d, t, c]:,.0f} SEK{where}); {int(bad.sum())} committee-year(s) in all"
    )
    if negative_frames == "raise":
        raise NegativeFrameError(f"{message}. Fix the strategy, or pass negative_frames='warn' to keep them")
    warnings.warn(f"{message}; kept as asked (coverage is not defined for them)", NegativeFrameWarning, stacklevel=3)


def run_years(
    arrays: ScenarioArrays,
    strategy: StrategyLike,
    label: str,
    process: BudgetProcess | None = None,
    negative_frames: NegativeFrames = "raise",
) -> tuple[RunArrays, ProcessRecords | None]:
    """Run ``strategy`` over every budget year of ``arrays`` (one or many draws), inside a budget
    ``process`` if given: the engine's year loop. :func:`budgetsim.simulate` wraps it. A negative
    frame raises :class:`NegativeFrameError` (with ``negative_frames="warn"``: a warning)."""
    check_strategy(strategy, arrays)
    costs = need_and_cost(arrays)
    run = None
    totals = june_totals = plan_totals = None
    if process is not None:
        totals, june_totals, plan_totals = _reference_totals(arrays, process, negative_frames)
        run = ProcessRun(compile_process(process, arrays), arrays, costs)
        arrays = run.with_pessimism()
    period = process.frame_period if process else 1
    D, T, C = arrays.draws, len(arrays.years), len(arrays.committees)
    frame, cost, recurring_before, november, proposals = (np.empty((D, T, C)) for _ in range(5))
    components: dict[str, np.ndarray] = {BASE: np.empty((D, T, C))}
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
                planned = plan(arrays, strategy, t, recurring, period, label, totals)
            allocation = planned[t % period]
            if t % period:
                fixed[t] = dict(allocation.changes)
        else:
            allocation = step(arrays, strategy, t, recurring, label, totals)
        changes = dict(allocation.changes)
        if one_offs.any():
            changes[ONE_OFF_REVERSAL] = -one_offs
        proposed = recurring + sum(allocation.changes.values(), np.zeros((D, C)))
        proposals[:, t] = proposed
        one_offs = np.zeros((D, C))
        if run is not None:
            extra, offs = run.adjustments(t, proposed, mid_period=period > 1 and t % period > 0)
            november[:, t] = proposed + sum((v for k, v in (*extra.items(), *offs.items()) if k in AUTUMN), 0.0)
            for key, value in (*extra.items(), *offs.items()):
                changes[key] = changes.get(key, 0.0) + value
            one_offs = sum(offs.values(), np.zeros((D, C)))
        components[BASE][:, t] = last
        for store, values in ((components, changes), (info, allocation.info)):
            for key, value in values.items():
                if key not in store:
                    store[key] = np.zeros((D, T, C))
                store[key][:, t] = value
        last = last + sum(changes.values(), np.zeros((D, C)))
        frame[:, t] = last
        need_driven = costs.cost[:, t] if run is None else run.need_driven_cost(t)
        cost[:, t] = spend(need_driven, last, arrays.spending_adaptation)
        if run is not None:
            run.settle(t, last, cost[:, t])
    check_frames(frame, arrays, label, negative_frames)
    records = None
    if run is not None and process is not None:
        starts = list(range(0, T, period))
        records = ProcessRecords(
            year_end=run.ledger.records,
            requests=run.request_records,
            proposed=proposals,
            november=november,
            preliminary=preliminary_frames(arrays, strategy, recurring_before, fixed, label, june_totals),
            plans=planned_frames(
                arrays,
                strategy,
                recurring_before,
                starts if period > 1 else list(range(T)),
                process.planning_horizon,
                label,
                plan_totals,
            ),
            balance=municipal_balance(arrays, cost, process.balance),
        )
    return RunArrays(frame=frame, components=components, info=info, need=costs.need, cost=cost), records


#: A reference run's totals: November proposals, June frames, and plans by the year they were made.
ReferenceTotals = tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]
#: Reference runs inside a budget process, per compiled scenario: (strategy, process) -> totals.
_REFERENCE_RUNS: WeakKeyDictionary[ScenarioArrays, dict[tuple[int, int], tuple[object, object, ReferenceTotals]]] = (
    WeakKeyDictionary()
)


def _reference_totals(
    arrays: ScenarioArrays, process: BudgetProcess, negative_frames: NegativeFrames
) -> tuple[TotalsOf, TotalsOf, Callable[[int], TotalsOf]]:
    """Where a top-down rule inside ``process`` takes another strategy's total from: that strategy
    run on its own path in the same process, computed once per compiled scenario, strategy and
    process. Returns its November proposals, its June frames and (for each planning year t0) its
    plans made then, each (D, T) summed over committees (NaN where a plan does not reach)."""
    runs = _REFERENCE_RUNS.setdefault(arrays, {})

    def reference(strategy: StrategyLike) -> ReferenceTotals:
        key = (id(strategy), id(process))
        found = runs.get(key)
        if found is None or found[0] is not strategy or found[1] is not process:
            _, records = run_years(arrays, strategy, strategy_name(strategy), process, negative_frames)
            assert records is not None
            plans: dict[int, np.ndarray] = {}
            for t0, t, frames in records.plans:
                plans.setdefault(t0, np.full(records.proposed.shape[:2], np.nan))[:, t] = frames.sum(axis=-1)
            found = (strategy, process, (records.proposed.sum(axis=-1), records.preliminary.sum(axis=-1), plans))
            runs[key] = found
        return found[2]

    def plans_at(t0: int) -> TotalsOf:
        return lambda strategy: reference(strategy)[2][t0]

    return (lambda strategy: reference(strategy)[0]), (lambda strategy: reference(strategy)[1]), plans_at


@contextmanager
def progress_bar(total: int, label: str, show: bool, unit: str = "draw") -> Iterator[Callable[[int], None] | None]:
    """A tqdm progress bar over ``total`` units when ``show`` (tqdm comes with ``budgetsim[scale]``)."""
    if not show:
        yield None
        return
    try:
        from tqdm import tqdm
    except ImportError:
        raise ImportError(install_hint("scale", "progress=True needs tqdm")) from None
    with tqdm(total=total, desc=label, unit=unit) as bar:
        yield bar.update
