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

import contextlib
import copyreg
import dataclasses
import hashlib
import importlib.util
import itertools
import os
import sys
import threading
import time
from collections.abc import Callable, Generator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import BuiltinFunctionType, CodeType, FunctionType, MethodType, ModuleType
from typing import Any

import pandas as pd
from pydantic import BaseModel

from budgetsim.core.context import StrategyLike
from budgetsim.core.registry import Rule
from budgetsim.core.text import install_hint
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
    :mod:`budgetsim.store`); the store refuses (ValueError) a strategy that :func:`fingerprint`
    cannot describe. Strategies must be picklable for processes and clusters (the built-ins are; a
    lambda is not for processes). An interrupted or failing sweep on processes cancels the points
    not yet run and ends its workers; workers also end when the sweeping process is killed.
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
        missing = [m for m in ("pyarrow", "duckdb") if importlib.util.find_spec(m) is None]
        if missing:
            raise ImportError(install_hint("scale", f"a sweep store needs {' and '.join(missing)}"))
        writer = SweepStore(Path(store))
        writer.open(manifest(tasks, draws, seed))
        tasks = [t for t in tasks if not writer.done(t.point.index)]
    tables = {}
    with contextlib.closing(_execute(tasks, executor, workers, progress)) as results:
        for point_index, result in results:
            if writer is not None:
                writer.write(point_index, result)
            tables[point_index] = result
    if writer is not None:
        tables = writer.read_all([p.index for p, _ in points])
    return SweepResult([p for p, _ in points], tables)


def manifest(tasks: list[Task], draws: int, seed: int) -> dict[str, Any]:
    """What identifies a sweep in its store: the points (labels as text), draws, seed, and a
    fingerprint of each point's scenario, strategy and process, so a store is never reused for
    a sweep that would compute something else. Raises ValueError naming what cannot be
    fingerprinted."""
    describe = _Describer()

    def part(what: str, obj: Any) -> str:
        try:
            return describe(obj)
        except _Unfingerprintable as error:
            raise ValueError(
                f"{what} cannot be fingerprinted for the store: {error}. Make it a registered rule (a subclass "
                "of budgetsim.core.registry.Rule) or a module-level function whose defaults, closure and globals "
                "hold plain values (numbers, strings, containers, arrays, rules, module-level functions and "
                "classes), or run the sweep without a store"
            ) from None

    fingerprints = []
    for t in tasks:
        parts = (
            part(f"the scenario of point {t.point.index}", t.scenario),
            part(f"strategy {t.point.strategy!r}", t.strategy),
            part("the budget process", t.process),
        )
        fingerprints.append(_hash("[" + ",".join(parts) + "]"))
    return {
        "draws": draws,
        "seed": seed,
        "points": [{k: str(v) for k, v in t.point.row().items()} for t in tasks],
        "fingerprints": fingerprints,
    }


def fingerprint(obj: Any) -> str:
    """A stable hash of everything that changes what ``obj`` computes, the same in every process.

    Rules (and other pydantic models) by their type and fields; functions by their code, default
    arguments, closure cells and the values of the globals they use (recursively); classes by
    their import path; other objects by their type and state (what pickling them records). Raises
    ValueError for what cannot be described reliably: objects that cannot be pickled (locks,
    generators, open files) and classes defined inside functions.

    >>> def make(rate):
    ...     return lambda ctx: {"x": rate * ctx.last_frame}
    >>> fingerprint(make(0.01)) == fingerprint(make(0.01)), fingerprint(make(0.01)) == fingerprint(make(0.1))
    (True, False)
    """
    try:
        return _hash(_Describer()(obj))
    except _Unfingerprintable as error:
        raise ValueError(f"cannot fingerprint {type(obj).__qualname__}: {error}") from None


def _hash(description: str) -> str:
    return hashlib.sha256(description.encode("utf-8")).hexdigest()[:16]


class _Unfingerprintable(Exception):
    """Something cannot be described reliably; ``trail`` says where, innermost first."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.trail: list[str] = []

    def __str__(self) -> str:
        return ", in ".join([self.args[0], *self.trail])


class _Describer:
    """Describes objects as text that changes whenever what they compute may change (see
    :func:`fingerprint`); objects met twice are described once, cycles are cut."""

    def __init__(self) -> None:
        self._done: dict[int, tuple[Any, str]] = {}  # keeps each object alive so its id stays unique
        self._active: set[int] = set()

    def __call__(self, obj: Any) -> str:
        if obj is None or isinstance(obj, bool | int | float | complex | str):
            return repr(obj)
        if isinstance(obj, bytes):
            return f"bytes:{hashlib.sha256(obj).hexdigest()}"
        if isinstance(obj, ModuleType):
            return f"module {obj.__name__}"
        if isinstance(obj, type):
            if "<locals>" in obj.__qualname__:
                raise _Unfingerprintable(
                    f"class {obj.__qualname__} is defined inside a function, so its name does not identify it"
                )
            return f"class {obj.__module__}.{obj.__qualname__}"
        key = id(obj)
        if key in self._done:
            return self._done[key][1]
        if key in self._active:
            return "<recursion>"
        self._active.add(key)
        try:
            text = self._compound(obj)
        finally:
            self._active.discard(key)
        self._done[key] = (obj, text)
        return text

    def _within(self, where: str, obj: Any) -> str:
        try:
            return self(obj)
        except _Unfingerprintable as error:
            error.trail.append(where)
            raise

    def _compound(self, obj: Any) -> str:
        if isinstance(obj, Rule):
            fields = ",".join(f"{name}={self(getattr(obj, name))}" for name in type(obj).model_fields)
            return f"{type(obj).__qualname__}({fields})"
        if isinstance(obj, BaseModel):
            return f"{type(obj).__name__}:{obj.model_dump_json()}"
        if dataclasses.is_dataclass(obj):
            fields = ",".join(f"{f.name}={self(getattr(obj, f.name))}" for f in dataclasses.fields(obj))
            return f"{type(obj).__qualname__}({fields})"
        if isinstance(obj, tuple | list):
            return "[" + ",".join(self(x) for x in obj) + "]"
        if isinstance(obj, dict):
            return "{" + ",".join(f"{self(k)}:{self(v)}" for k, v in obj.items()) + "}"
        if isinstance(obj, set | frozenset):
            return "set{" + ",".join(sorted(self(x) for x in obj)) + "}"
        if isinstance(obj, CodeType):
            consts = ",".join(self(c) for c in obj.co_consts)
            return f"code {obj.co_code.hex()}|{','.join(obj.co_names)}|{consts}"
        if isinstance(obj, FunctionType):
            return self._function(obj)
        if isinstance(obj, MethodType):
            return f"method {self(obj.__func__)} of {self(obj.__self__)}"
        return self._state(obj)

    def _function(self, function: FunctionType) -> str:
        name = f"{function.__module__}.{function.__qualname__}"
        code = function.__code__
        parts = [
            f"code={self(code)}",
            f"defaults={self._within(f'the defaults of {name}', function.__defaults__)}",
            f"keyword defaults={self._within(f'the defaults of {name}', function.__kwdefaults__)}",
        ]
        for variable, cell in zip(code.co_freevars, function.__closure__ or (), strict=True):
            try:
                value = cell.cell_contents
            except ValueError:  # a cell not filled yet
                parts.append(f"{variable}=<empty>")
                continue
            parts.append(f"{variable}={self._within(f'closure variable {variable!r} of {name}', value)}")
        for variable in sorted(_global_names(code) & function.__globals__.keys()):
            value = function.__globals__[variable]
            parts.append(f"{variable}={self._within(f'global {variable!r} of {name}', value)}")
        return f"function {name}(" + ";".join(parts) + ")"

    def _state(self, obj: Any) -> str:
        reducer = copyreg.dispatch_table.get(type(obj))
        try:
            reduced = reducer(obj) if reducer is not None else obj.__reduce_ex__(4)
        except Exception as error:  # noqa: BLE001 - whatever stops pickling stops describing
            raise _Unfingerprintable(f"a {type(obj).__qualname__} object has no state to describe ({error})") from None
        if isinstance(reduced, str):  # pickled by its name, like a module-level function
            return self._global(obj, reduced)
        build, args, *rest = reduced
        state, items, pairs = (*rest, None, None, None)[:3]
        by_name = isinstance(build, FunctionType | BuiltinFunctionType)  # as pickle stores it
        maker = self._global(build, build.__qualname__) if by_name else self(build)
        return (
            f"{maker}{self(args)}:state={self(state)}:items={self(list(items or ()))}:pairs={self(list(pairs or ()))}"
        )

    def _global(self, obj: Any, name: str) -> str:
        """An object known by its module and name (and, for a decorated function, what it wraps)."""
        module = getattr(obj, "__module__", None)
        found: Any = sys.modules.get(module or "")
        for part in name.split("."):
            found = getattr(found, part, None)
        if found is not obj:
            raise _Unfingerprintable(f"{type(obj).__qualname__} {name!r} cannot be found by its name in {module}")
        wrapped = getattr(obj, "__wrapped__", None)
        return f"global {module}.{name}" + ("" if wrapped is None else f" wrapping {self(wrapped)}")


def _global_names(code: CodeType) -> set[str]:
    """The names a code object and the code nested in it look up (globals among them)."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _global_names(const)
    return names


def _execute(
    tasks: list[Task], executor: str | Any, workers: int | None, progress: bool
) -> Generator[tuple[int, dict[str, pd.DataFrame]], None, None]:
    bar = None
    if progress:
        try:
            from tqdm import tqdm
        except ImportError:
            raise ImportError(install_hint("scale", "progress=True needs tqdm")) from None
        bar = tqdm(total=len(tasks), desc="sweep", unit="point")
    try:
        with contextlib.closing(_results(tasks, executor, workers)) as results:
            for index, result in results:
                if bar is not None:
                    bar.update(1)
                yield index, result
    finally:
        if bar is not None:
            bar.close()


def _results(
    tasks: list[Task], executor: str | Any, workers: int | None
) -> Generator[tuple[int, dict[str, pd.DataFrame]], None, None]:
    if executor == "local":
        for task in tasks:
            yield task.point.index, run_task(task)
    elif executor == "processes":
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_exit_with_parent)
        try:
            for task, result in zip(tasks, pool.map(run_task, tasks), strict=True):
                yield task.point.index, result
        except BaseException:  # interrupted, or the consumer failed or stopped early
            _stop(pool)
            raise
        pool.shutdown()
    elif hasattr(executor, "map") and hasattr(executor, "gather"):  # a dask.distributed Client
        from distributed import as_completed

        client: Any = executor
        futures = {client.submit(run_task, task, pure=False): task.point.index for task in tasks}
        for future in as_completed(futures):
            yield futures[future], future.result()
    else:
        raise ValueError(f"executor must be 'local', 'processes' or a dask.distributed.Client, got {executor!r}")


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel the pool's pending tasks and end its workers now, running tasks included."""
    processes = list(pool._processes.values())  # shutdown() forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()


def _exit_with_parent() -> None:
    """Worker initializer: end this worker once the process that started it is gone, so that a
    killed sweep leaves no workers behind."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="budgetsim-parent-watch", daemon=True).start()
