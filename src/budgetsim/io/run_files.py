"""Run files: which scenario, which strategies (by rule, with their parameters), which budget
process, and how many draws, in one YAML file that the CLI runs. Every registered rule can be
named by its tag (see :mod:`budgetsim.core.registry`); strategies refer to each other by name (a
transition rule's ``inner``, a needs-based ``total``) or nest inline::

    scenario: boras                 # a registered dataset, a municipality folder or workbook, or a scenario file
    process: boras_practice         # optional: a preset of the dataset, or the fields of a BudgetProcess
    strategies:
      current: {rule: boras_current}
      needs: {rule: needs_based, total: current}
      transition: {rule: floor, inner: needs, floor: -0.01}
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Discriminator, Field, Tag, ValidationError, model_validator

from budgetsim.core.arrays import compile_scenario
from budgetsim.core.context import StrategyLike
from budgetsim.core.registry import Reference, Rule, build, link_rules, rules_schema
from budgetsim.datasets.registry import DEFAULT, Dataset, datasets
from budgetsim.formats.documents import load_scenario, read_document, renamed, save_document, save_scenario, validated
from budgetsim.formats.municipality import load_municipality
from budgetsim.process.rules import BudgetProcess
from budgetsim.process.runtime import compile_process
from budgetsim.scenario import Scenario
from budgetsim.scenario.base import Model, Text


def _build(spec: Mapping[str, Any], resolve: Callable[[str, str], StrategyLike]) -> StrategyLike:
    """One strategy entry: a registered rule or preset, names resolved by ``resolve``."""
    rule = build("strategy", spec, {"resolve": resolve})
    assert callable(rule)
    return rule


def _entry(spec: dict[str, Any]) -> dict[str, Any]:
    """A strategy entry is a valid rule or preset (the names it refers to are checked by the file)."""
    _build(spec, lambda ref, field: Reference(ref))
    return spec


StrategyEntry = Annotated[dict[str, Any], AfterValidator(_entry)]
#: A process: a preset of the dataset by name, or the fields of a BudgetProcess (errors name the
#: fields, not both alternatives).
ProcessSpec = Annotated[
    Annotated[str, Tag("preset")] | Annotated[BudgetProcess, Tag("fields")],
    Discriminator(lambda value: "preset" if isinstance(value, str) else "fields"),
]


class RunFile(Model):
    """A run: scenario, strategies, process, draws. ``strategies`` holds the entries as written;
    :func:`build_strategies` makes them into strategy objects."""

    scenario: str = DEFAULT
    end_year: int | None = Field(default=None, description="only for a registered dataset")
    strategies: dict[Text, StrategyEntry] = Field(min_length=1)
    process: ProcessSpec | None = None
    draws: int | None = Field(default=None, ge=1)
    seed: int = Field(default=0, ge=0)
    sweep: dict[Text, list[Any]] | None = Field(
        default=None,
        description="for `budgetsim sweep`: dotted paths of scenario values, each with the values to try "
        "(economy.wage_uplift: [0.02, 0.03, 0.04]); the other commands run the scenario as it is",
    )

    @model_validator(mode="after")
    def _references(self) -> RunFile:
        """Every name an entry refers to is a strategy of the file."""
        missing = []

        def refer(ref: str, field: str) -> StrategyLike:
            if ref not in self.strategies:
                missing.append((field, ref))
            return Reference(ref)

        for name, spec in self.strategies.items():
            _build(spec, refer)
            for field, ref in missing:
                raise ValueError(f"strategy {name!r}: {field} refers to {ref!r}, which is not a strategy of this file")
        return self


def build_strategies(specs: Mapping[str, Mapping[str, Any]]) -> dict[str, StrategyLike]:
    """Strategy objects from their run-file entries, resolving references by name (a cycle is an
    error). A strategy named twice is built once and shared."""
    built: dict[str, StrategyLike] = {}

    def get(name: str, chain: tuple[str, ...]) -> StrategyLike:
        if name in chain:
            raise ValueError(f"strategies refer to each other in a circle: {' -> '.join((*chain, name))}")
        if name not in built:
            if name not in specs:
                raise ValueError(f"{chain[-1] if chain else 'a strategy'} refers to {name!r}, which is not a strategy")
            built[name] = _build(specs[name], lambda ref, field: get(ref, (*chain, name)))
        return built[name]

    for name in specs:
        try:
            get(name, ())
        except ValidationError as err:  # in a nested rule: say which entry
            raise renamed(err, err.title, ("strategies", name)) from None
    return {name: built[name] for name in specs}


def strategy_specs(strategies: Mapping[str, StrategyLike]) -> dict[str, dict[str, Any]]:
    """Run-file entries of registered strategies; a strategy nested in another that is also named
    in ``strategies`` is written as a reference to that name.

    >>> import budgetsim as bs
    >>> current = bs.strategies.boras_current()
    >>> strategy_specs({"current": current, "needs": bs.strategies.needs_based(total=current)})["needs"]
    {'rule': 'needs_based', 'total': 'current'}
    """
    names = {id(s): n for n, s in strategies.items()}
    out: dict[str, dict[str, Any]] = {}
    for name, strategy in strategies.items():
        if not isinstance(strategy, Rule) or not strategy.tag:
            label = getattr(strategy, "__qualname__", type(strategy).__name__)
            raise ValueError(
                f"strategy {name!r} ({label}) is not a registered rule; only registered rules can be written to a run file"
            )
        out[name] = strategy.spec(names)
    return out


class LoadedRun:
    """A run file made into objects: ``scenario``, ``strategies``, ``process``, ``draws``, ``seed``.
    Errors name the run file ``path`` and the field (or the scenario file and its field); the
    process is checked against the scenario's committees and years here, not first when it runs."""

    def __init__(self, spec: RunFile, path: Path) -> None:
        known = datasets()
        dataset = known.get(spec.scenario)
        self.scenario = self._scenario(spec, path, dataset, known)
        try:
            self.strategies = build_strategies(spec.strategies)
        except ValidationError as err:
            raise renamed(err, str(path)) from None
        self.process: BudgetProcess | None
        if isinstance(spec.process, str):
            preset = spec.process
            if dataset is None:
                raise ValueError(
                    f"{path}: process: the preset {spec.process!r} needs a registered dataset as scenario "
                    f"({', '.join(known)}); give the process's fields instead"
                )
            self.process = _named(path, "process", lambda: dataset.process(preset))
        else:
            self.process = spec.process
        if self.process is not None:
            process, arrays = self.process, compile_scenario(self.scenario)
            _named(path, "process", lambda: compile_process(process, arrays))
        self.draws, self.seed = spec.draws, spec.seed

    @staticmethod
    def _scenario(spec: RunFile, path: Path, dataset: Dataset | None, known: Mapping[str, Dataset]) -> Scenario:
        """The run's scenario: a registered dataset, or the folder, workbook or scenario file
        ``spec.scenario`` names (next to the run file), whose own errors name it."""
        if dataset is not None:
            options = {} if spec.end_year is None else {"end_year": spec.end_year}
            return _named(path, "end_year", lambda: dataset.scenario(**options))
        if spec.end_year is not None:
            raise ValueError(f"{path}: end_year: applies to a registered dataset only; set it in the scenario file")
        where = path.parent / spec.scenario
        if not where.exists():
            raise ValueError(
                f"{path}: scenario: {spec.scenario!r} is neither a registered dataset ({', '.join(known)}) "
                f"nor a folder or file next to the run file ({where} does not exist)"
            )
        tables = where.is_dir() or where.suffix.lower() in (".xlsx", ".xlsm")
        return load_municipality(where) if tables else load_scenario(where)


#: The file in a municipality folder that holds its budget process (the fields of a BudgetProcess).
PROCESS_FILE = "process.yaml"


def folder_process(folder: Path, scenario: Scenario) -> BudgetProcess | None:
    """The budget process a municipality folder keeps in ``process.yaml`` (None without one),
    checked against the folder's ``scenario``; errors name the file and the field. The command
    line runs it when it is given the folder, as it runs a dataset's default process.

    >>> import budgetsim as bs
    >>> from budgetsim.datasets.boras import folder
    >>> folder_process(folder(), bs.boras()) == bs.datasets.boras.boras_practice()
    True
    """
    path = folder / PROCESS_FILE
    if not path.is_file():
        return None
    process = validated(BudgetProcess, read_document(path), path)
    try:
        compile_process(process, compile_scenario(scenario))
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None
    return process


def _named(path: Path, field: str, make: Callable[[], Any]) -> Any:
    """``make()``, with a ``ValueError`` it raises naming the run file and the field."""
    try:
        return make()
    except ValueError as err:
        raise ValueError(f"{path}: {field}: {err}") from None


def load_run(path: str | Path) -> LoadedRun:
    """Read and validate a run file; errors name the file, the field and the problem.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.yaml"
    >>> _ = path.write_text("strategies: {current: {rule: boras_current}, needs: {rule: needs_based, total: current}}")
    >>> list(load_run(path).strategies)
    ['current', 'needs']
    """
    path = Path(path)
    return LoadedRun(validated(RunFile, read_document(path), path), path)


def save_run(
    path: str | Path,
    strategies: Mapping[str, StrategyLike],
    scenario: str | Path | Scenario = DEFAULT,
    process: str | BudgetProcess | None = None,
    draws: int | None = None,
    seed: int = 0,
) -> Path:
    """Write a run file (YAML or JSON by the file's ending) for registered strategies; strategies
    nested in others and named here are written by name. ``scenario``: a registered dataset's
    name, a folder or file (written relative to the run file), or a :class:`Scenario`, which is
    written beside the run file as ``<name>.scenario.yaml`` so the run file runs what was given.

    >>> import budgetsim as bs, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.yaml"
    >>> _ = save_run(path, {"floor": bs.transitions.FloorWithDamping(bs.strategies.needs_based(), floor=-0.01)})
    >>> load_run(path).strategies["floor"] == bs.transitions.FloorWithDamping(bs.strategies.needs_based(), floor=-0.01)
    True
    >>> mine = bs.boras().replace(name="Borås, 1 % efficiency")
    >>> load_run(save_run(path, {"current": bs.strategies.boras_current()}, scenario=mine)).scenario == mine
    True
    """
    path = Path(path)
    beside = path.with_name(f"{path.stem}.scenario.yaml")
    if isinstance(scenario, Scenario):
        named = beside.name
    else:
        named = os.path.relpath(scenario, path.parent) if isinstance(scenario, Path) else scenario
    data: dict[str, Any] = {"scenario": named, "strategies": strategy_specs(strategies)}
    if process is not None:
        data["process"] = (
            process if isinstance(process, str) else process.model_dump(mode="json", exclude_defaults=True)
        )
    if draws is not None:
        data["draws"] = draws
    if seed:
        data["seed"] = seed
    RunFile.model_validate(data)
    if isinstance(scenario, Scenario):  # only once the run file is known to be valid
        save_scenario(scenario, beside)
    return save_document(data, path)


def run_schema() -> dict[str, Any]:
    """The JSON Schema of run files: one alternative per registered rule and preset of each kind."""
    return schema_with_rules(RunFile, lambda schema: schema["properties"]["strategies"])


def schema_with_rules(model: type[Model], strategies: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """The JSON Schema of ``model`` with every registered rule and preset of each kind, and the
    strategy entries (the object ``strategies`` finds in the schema) checked against them."""
    schema = model.model_json_schema(ref_template="#/$defs/{model}")
    defs = schema.setdefault("$defs", {})
    for kind in ("strategy", "year_end", "grant"):
        any_rule, needed = rules_schema(kind)
        defs.update(needed)
        defs[kind] = any_rule
    strategies(schema)["additionalProperties"] = {"$ref": "#/$defs/strategy"}
    return link_rules(schema)
