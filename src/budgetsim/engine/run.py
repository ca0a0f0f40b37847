"""The year loop: each budget year the strategy turns the state into frame changes; with a budget
process, year-end rules, requests, multi-year frames and the calendar act around it."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.components import BASE, ONE_OFF_REVERSAL
from budgetsim.core.context import Allocation, StrategyLike, check_strategy
from budgetsim.core.costs import need_and_cost
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
    if process is not None:
        run = ProcessRun(compile_process(process, arrays), arrays, costs)
        arrays = run.with_pessimism()
    period = process.frame_period if process else 1
    D, T, C = arrays.draws, len(arrays.years), len(arrays.committees)
    frame, cost, recurring_before, november = (np.empty((D, T, C)) for _ in range(4))
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
        cost[:, t] = costs.cost[:, t] if run is None else run.actual_cost(t)
        if run is not None:
            run.settle(t, last, cost[:, t])
    check_frames(frame, arrays, label, negative_frames)
    records = None
    if run is not None and process is not None:
        starts = list(range(0, T, period))
        records = ProcessRecords(
            year_end=run.ledger.records,
            requests=run.request_records,
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
    return RunArrays(frame=frame, components=components, info=info, need=costs.need, cost=cost), records


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
