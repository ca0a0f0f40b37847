"""Sweeps: a grid of scenario variations x strategies, each point a Monte Carlo run, on this
machine (in-process or in worker processes) or on a Dask cluster. Every point uses the same seed
(common random numbers), so points differ only by what the grid changes, and any executor gives
the numbers a single process gives.

>>> import budgetsim as bs
>>> grid = {"elderly driver": {"65+": lambda s: s, "80+": lambda s: s.with_volume_driver("VÄN", min_age=80)}}
>>> result = sweep(bs.default_scenario(), grid, {"current": bs.strategies.boras_current()}, draws=200)
>>> result.points[["elderly driver", "strategy"]].values.tolist()
[['65+', 'current'], ['80+', 'current']]
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from budgetsim.core.context import StrategyLike
from budgetsim.core.registry import Rule
from budgetsim.process.rules import BudgetProcess
from budgetsim.result import monte_carlo
from budgetsim.scenario import Scenario
from budgetsim.store import SweepStore

Variations = Mapping[str, Mapping[Any, Callable[[Scenario], Scenario]]]


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its number, the label of each variation, the strategy's name."""

    index: int
    labels: tuple[tuple[str, Any], ...]
    strategy: str

    def row(self) -> dict[str, Any]:
        return {"point": self.index, **dict(self.labels), "strategy": self.strategy}


@dataclass(frozen=True)
class Task:
    """What a worker needs for one point; pickled to worker processes and cluster workers."""

    point: Point
    scenario: Scenario
    strategy: StrategyLike
    process: BudgetProcess | None
    draws: int
    seed: int


def run_task(task: Task) -> dict[str, pd.DataFrame]:
    """Run one point: its Monte Carlo summary and risk tables, tagged with the point number."""
    mc = monte_carlo(
        task.scenario, task.strategy, name=task.point.strategy, process=task.process, draws=task.draws, seed=task.seed
    )
    return {"summary": mc.summary.assign(point=task.point.index), "risk": mc.risk.assign(point=task.point.index)}


class SweepResult:
    """``points`` (point, one column per variation, strategy) and the ``summary`` and ``risk``
    tables of all points with those columns in front."""

    def __init__(self, points: list[Point], tables: dict[int, dict[str, pd.DataFrame]]) -> None:
        self.points = pd.DataFrame([p.row() for p in points])
        self.summary = self._join(tables, "summary")
        self.risk = self._join(tables, "risk")

    def _join(self, tables: dict[int, dict[str, pd.DataFrame]], name: str) -> pd.DataFrame:
        stacked = pd.concat([tables[i][name] for i in sorted(tables)], ignore_index=True)
        return self.points.merge(stacked, on="point")


def grid_points(
    variations: Variations, strategies: Mapping[str, StrategyLike]
) -> list[tuple[Point, tuple[Callable, ...]]]:
    """All combinations of the variations' labels and the strategies, in a stable order."""
    names = list(variations)
    combos = itertools.product(*(list(variations[n].items()) for n in names))
    out: list[tuple[Point, tuple[Callable, ...]]] = []
    for combo in combos:
        for strategy in strategies:
            point = Point(len(out), tuple((n, label) for n, (label, _) in zip(names, combo, strict=True)), strategy)
            out.append((point, tuple(change for _, change in combo)))
    return out


def sweep(
    scenario: Scenario,
    variations: Variations,
    strategies: Mapping[str, StrategyLike],
    *,
    draws: int = 1000,
    seed: int = 0,
    process: BudgetProcess | None = None,
    executor: str | Any = "local",
    workers: int | None = None,
    store: str | Path | None = None,
    progress: bool = False,
) -> SweepResult:
    """Run every combination of ``variations`` (name -> {label: function scenario -> scenario})
    with every strategy, ``draws`` draws each, with the same ``seed``.

    ``executor``: ``"local"`` (this process), ``"processes"`` (a pool of ``workers`` processes), or
    a ``dask.distributed.Client``. With ``store`` each point's tables are written to a Parquet
    store as they finish, and a rerun with the same sweep skips the points already there (see
    :mod:`budgetsim.store`). Strategies must be picklable for processes and clusters (the
    built-ins are; a lambda is not for processes).
    """
    if not strategies:
        raise ValueError("sweep needs at least one strategy")
    points = grid_points(variations, strategies)
    variants: dict[tuple[Any, ...], Scenario] = {}
    tasks = []
    for point, changes in points:
        key = tuple(label for _, label in point.labels)
        if key not in variants:
            variant = scenario
            for change in changes:
                variant = change(variant)
            variants[key] = variant
        tasks.append(Task(point, variants[key], strategies[point.strategy], process, draws, seed))

    writer = None
    if store is not None:
        writer = SweepStore(Path(store))
        writer.open(manifest(tasks, draws, seed))
        tasks = [t for t in tasks if not writer.done(t.point.index)]
    tables = {}
    for point_index, result in _execute(tasks, executor, workers, progress):
        if writer is not None:
            writer.write(point_index, result)
        tables[point_index] = result
    if writer is not None:
        tables = writer.read_all([p.index for p, _ in points])
    return SweepResult([p for p, _ in points], tables)


def manifest(tasks: list[Task], draws: int, seed: int) -> dict[str, Any]:
    """What identifies a sweep in its store: the points (labels as text), draws, seed, and a
    fingerprint of each point's scenario, strategy and process, so a store is never reused for
    a sweep that would compute something else."""
    return {
        "draws": draws,
        "seed": seed,
        "points": [{k: str(v) for k, v in t.point.row().items()} for t in tasks],
        "fingerprints": [fingerprint((t.scenario, t.strategy, t.process)) for t in tasks],
    }


def fingerprint(obj: Any) -> str:
    """A stable hash of scenarios, strategies (their type and parameters; a function by its code)
    and processes."""
    return hashlib.sha256(_describe(obj).encode("utf-8")).hexdigest()[:16]


def _describe(obj: Any) -> str:
    if isinstance(obj, Rule):
        fields = ",".join(f"{name}={_describe(getattr(obj, name))}" for name in type(obj).model_fields)
        return f"{type(obj).__qualname__}({fields})"
    if isinstance(obj, BaseModel):
        return f"{type(obj).__name__}:{obj.model_dump_json()}"
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = ",".join(f"{f.name}={_describe(getattr(obj, f.name))}" for f in dataclasses.fields(obj))
        return f"{type(obj).__qualname__}({fields})"
    if isinstance(obj, tuple | list):
        return "[" + ",".join(_describe(x) for x in obj) + "]"
    if isinstance(obj, dict):
        return "{" + ",".join(f"{_describe(k)}:{_describe(v)}" for k, v in obj.items()) + "}"
    code = getattr(obj, "__code__", None)
    if code is not None:
        return f"{obj.__module__}.{obj.__qualname__}:{code.co_code.hex()}:{code.co_consts!r}"
    return repr(obj)


def _execute(tasks: list[Task], executor: str | Any, workers: int | None, progress: bool):
    bar = None
    if progress:
        try:
            from tqdm import tqdm
        except ImportError:
            raise ImportError("progress=True needs tqdm: pip install 'budgetsim[scale]'") from None
        bar = tqdm(total=len(tasks), desc="sweep", unit="point")
    try:
        for index, result in _results(tasks, executor, workers):
            if bar is not None:
                bar.update(1)
            yield index, result
    finally:
        if bar is not None:
            bar.close()


def _results(tasks: list[Task], executor: str | Any, workers: int | None):
    if executor == "local":
        for task in tasks:
            yield task.point.index, run_task(task)
    elif executor == "processes":
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for task, result in zip(tasks, pool.map(run_task, tasks), strict=True):
                yield task.point.index, result
    elif hasattr(executor, "map") and hasattr(executor, "gather"):  # a dask.distributed Client
        from distributed import as_completed

        client: Any = executor
        futures = {client.submit(run_task, task, pure=False): task.point.index for task in tasks}
        for future in as_completed(futures):
            yield futures[future], future.result()
    else:
        raise ValueError(f"executor must be 'local', 'processes' or a dask.distributed.Client, got {executor!r}")
