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

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from budgetsim.core.context import StrategyLike
from budgetsim.core.registry import Reference, Rule, build, link_rules, rules_schema
from budgetsim.datasets.registry import DEFAULT, datasets
from budgetsim.io.files import load_scenario, read_document, save_document
from budgetsim.io.municipality import load_municipality
from budgetsim.process.rules import BudgetProcess
from budgetsim.scenario import Scenario
from budgetsim.scenario.base import Model


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


class RunFile(Model):
    """A run: scenario, strategies, process, draws. ``strategies`` holds the entries as written;
    :func:`build_strategies` makes them into strategy objects."""

    scenario: str = DEFAULT
    end_year: int | None = Field(default=None, description="only for a registered dataset")
    strategies: dict[str, StrategyEntry] = Field(min_length=1)
    process: str | BudgetProcess | None = None
    draws: int | None = Field(default=None, ge=1)
    seed: int = 0

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
        get(name, ())
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
    """A run file made into objects: ``scenario``, ``strategies``, ``process``, ``draws``, ``seed``."""

    def __init__(self, spec: RunFile, folder: Path) -> None:
        known = datasets()
        if spec.scenario in known:
            dataset = known[spec.scenario]
            options = {} if spec.end_year is None else {"end_year": spec.end_year}
            self.scenario: Scenario = dataset.scenario(**options)
        else:
            if spec.end_year is not None:
                raise ValueError("end_year applies to a registered dataset only; set it in the scenario file")
            where = folder / spec.scenario
            tables = where.is_dir() or where.suffix.lower() in (".xlsx", ".xlsm")
            self.scenario = load_municipality(where) if tables else load_scenario(where)
            dataset = None
        self.strategies = build_strategies(spec.strategies)
        if isinstance(spec.process, str):
            if dataset is None:
                raise ValueError(
                    f"process {spec.process!r}: a preset by name needs a registered dataset as scenario "
                    f"({', '.join(known)}); give the process's fields instead"
                )
            self.process: BudgetProcess | None = dataset.process(spec.process)
        else:
            self.process = spec.process
        self.draws, self.seed = spec.draws, spec.seed


def load_run(path: str | Path) -> LoadedRun:
    """Read and validate a run file; errors name the field and the problem.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.yaml"
    >>> _ = path.write_text("strategies: {current: {rule: boras_current}, needs: {rule: needs_based, total: current}}")
    >>> list(load_run(path).strategies)
    ['current', 'needs']
    """
    path = Path(path)
    return LoadedRun(RunFile.model_validate(read_document(path)), path.parent)


def save_run(
    path: str | Path,
    strategies: Mapping[str, StrategyLike],
    scenario: str = DEFAULT,
    process: str | BudgetProcess | None = None,
    draws: int | None = None,
    seed: int = 0,
) -> Path:
    """Write a run file (YAML or JSON by the file's ending) for registered strategies; strategies
    nested in others and named here are written by name.

    >>> import budgetsim as bs, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.yaml"
    >>> _ = save_run(path, {"floor": bs.transitions.FloorWithDamping(bs.strategies.needs_based(), floor=-0.01)})
    >>> load_run(path).strategies["floor"] == bs.transitions.FloorWithDamping(bs.strategies.needs_based(), floor=-0.01)
    True
    """
    data: dict[str, Any] = {"scenario": scenario, "strategies": strategy_specs(strategies)}
    if process is not None:
        data["process"] = (
            process if isinstance(process, str) else process.model_dump(mode="json", exclude_defaults=True)
        )
    if draws is not None:
        data["draws"] = draws
    if seed:
        data["seed"] = seed
    RunFile.model_validate(data)
    return save_document(data, path)


def run_schema() -> dict[str, Any]:
    """The JSON Schema of run files: one alternative per registered rule and preset of each kind."""
    schema = RunFile.model_json_schema(ref_template="#/$defs/{model}")
    defs = schema.setdefault("$defs", {})
    for kind in ("strategy", "year_end", "grant"):
        any_rule, needed = rules_schema(kind)
        defs.update(needed)
        defs[kind] = any_rule
    schema["properties"]["strategies"]["additionalProperties"] = {"$ref": "#/$defs/strategy"}
    return link_rules(schema)
