"""What a user points the command line at: a registered dataset, a municipality folder or workbook,
a scenario file or a run file. :func:`load_input` finds out which and says so. A dataset runs its
default process, a folder the one in its ``process.yaml`` (if any), a run file the one it names.

>>> load_input(None).kind
'dataset'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from budgetsim.core.context import StrategyLike
from budgetsim.datasets.registry import DEFAULT, dataset
from budgetsim.formats.documents import load_scenario, read_document, reading
from budgetsim.formats.municipality import load_municipality
from budgetsim.formats.tables import Problem
from budgetsim.io.run_files import PROCESS_FILE, folder_process, load_run
from budgetsim.process.rules import BudgetProcess
from budgetsim.scenario import Scenario
from budgetsim.strategies.presets import standard_comparison

KINDS = ("dataset", "municipality folder", "workbook", "scenario file", "run file")


@dataclass
class Input:
    """A loaded input: what it was, the scenario, the strategies to compare (a run file's, or the
    standard comparison), and a run file's process, draws and seed."""

    kind: str
    name: str
    scenario: Scenario
    strategies: dict[str, StrategyLike]
    process: BudgetProcess | None = None
    draws: int | None = None
    seed: int = 0

    def __str__(self) -> str:
        return f"Read {self.kind} {self.name}"


class InputError(ValueError):
    """A file that does not validate: one line per problem, ``file: field: what is wrong``,
    without pydantic's links. The file is the one the error names (a run file's scenario file,
    say), else ``path``."""

    def __init__(self, path: Path, error: ValidationError) -> None:
        file = error.title if Path(error.title).is_file() else str(path)
        self.problems = [
            Problem(file, None, ".".join(map(str, e["loc"])) or None, e["msg"].removeprefix("Value error, "))
            for e in error.errors()
        ]
        super().__init__(f"{len(self.problems)} problem(s):\n" + "\n".join(f"  {p}" for p in self.problems))


def process_problems(folder: Path, scenario: Scenario) -> list[Problem]:
    """The problems of a municipality folder's ``process.yaml`` (none without one), as ``validate``
    lists them."""
    try:
        folder_process(folder, scenario)
    except ValidationError as err:
        return InputError(folder, err).problems
    except ValueError as err:
        where = str(folder / PROCESS_FILE)
        return [Problem(where, None, None, str(err).removeprefix(f"{where}: "))]
    return []


def kind_of(path: Path) -> str:
    """Which kind of input ``path`` is (without reading it whole)."""
    with reading(path):
        return _kind_of(path)


def _kind_of(path: Path) -> str:
    if path.is_dir():
        return "municipality folder"
    if not path.exists():
        raise ValueError(f"{path}: no such file or folder")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "workbook"
    if suffix not in (".yaml", ".yml", ".json"):
        raise ValueError(
            f"{path}: give a municipality folder, a workbook (.xlsx), a scenario file or a run file (.yaml/.json)"
        )
    document = read_document(path)
    if isinstance(document, dict) and "strategies" in document:
        return "run file"
    if isinstance(document, dict) and "committees" in document:
        return "scenario file"
    raise ValueError(
        f"{path}: neither a run file (it has no 'strategies') nor a scenario file (it has no 'committees'). "
        f"A run file that runs a scenario file looks like this:\n\n"
        f"scenario: town.yaml\nstrategies: {{current: {{rule: boras_current}}, needs: {{rule: needs_based}}}}"
    )


def load_input(path: str | Path | None, dataset_name: str = DEFAULT, **options: Any) -> Input:
    """The input at ``path`` (None: the registered dataset ``dataset_name``, built with ``options``)."""
    if path is None:
        chosen = dataset(dataset_name)
        scenario = chosen.scenario(**options)
        process = chosen.process(chosen.default_process) if chosen.default_process else None
        return Input("dataset", chosen.name, scenario, chosen.strategies(scenario), process)
    path = Path(path)
    with reading(path):
        return _load_path(path, options)


def _load_path(path: Path, options: dict[str, Any]) -> Input:
    kind = kind_of(path)
    if options:
        raise ValueError(
            f"--end-year and --forecast-bias apply to the built-in data (a registered dataset), not to a {kind}; "
            "set them in its files"
        )
    try:
        if kind == "run file":
            run = load_run(path)
            return Input(kind, str(path), run.scenario, run.strategies, run.process, run.draws, run.seed)
        scenario = load_municipality(path) if kind in ("municipality folder", "workbook") else load_scenario(path)
        process = folder_process(path, scenario) if kind == "municipality folder" else None
    except ValidationError as err:
        raise InputError(path, err) from None
    return Input(kind, str(path), scenario, standard_comparison(scenario), process)
