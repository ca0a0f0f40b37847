"""Run files: which scenario, which strategies (by rule, with their parameters), which budget
process, and how many draws, in one YAML file that the CLI runs. Strategies refer to each other
by name (a transition rule's ``inner``, a needs-based ``total``)::

    scenario: boras                 # the built-in data, or a scenario file (relative to this file)
    process: boras_practice         # optional: a preset, or the fields of a BudgetProcess
    strategies:
      current: {rule: boras_current}
      needs: {rule: needs_based, total: current}
      transition: {rule: floor, inner: needs, floor: -0.01}
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from budgetsim import process as process_presets
from budgetsim import strategies as s
from budgetsim import transitions as tr
from budgetsim.datasets import boras
from budgetsim.io.files import load_scenario, read_document
from budgetsim.process.rules import BudgetProcess
from budgetsim.scenario import Scenario
from budgetsim.scenario.base import Model

Name = str


class BorasCurrent(Model):
    rule: Literal["boras_current"]
    basis: Literal["forecast", "mean"] = "forecast"
    correct_forecast_errors: bool = False


class IncrementalSpec(Model):
    rule: Literal["incremental"]
    additions: bool = True


class VolumeSpec(Model):
    rule: Literal["volume"]
    committees: list[str] | None = None
    basis: Literal["forecast", "mean"] = "forecast"
    correct_forecast_errors: bool = False


class NeedsSpec(Model):
    rule: Literal["needs_based"]
    total: Name | None = None
    round_to: float | None = Field(default=None, gt=0)
    additions: bool = True


class ZeroBasedSpec(Model):
    rule: Literal["zero_based"]
    scale: bool = False
    total: Name | None = None


class ActivitySpec(Model):
    rule: Literal["activity_based"]
    price_share: float = Field(default=1.0, ge=0)


class UnchangedSpec(Model):
    rule: Literal["unchanged"]


class CombineSpec(Model):
    rule: Literal["combine"]
    parts: list[Name] = Field(min_length=1)


class PerCommitteeSpec(Model):
    rule: Literal["per_committee"]
    rules: dict[str, Name]
    default: Name | None = None


class FloorSpec(Model):
    rule: Literal["floor"]
    inner: Name
    floor: float = Field(default=0.0, gt=-1)
    if_unaffordable: Literal["raise", "scale"] = "raise"


class CapSpec(Model):
    rule: Literal["cap"]
    inner: Name
    max_gain: float | None = Field(default=None, ge=0, le=1)
    max_loss: float | None = Field(default=None, ge=0, le=1)
    keep_total: bool = True


class PaceSpec(Model):
    rule: Literal["pace_of_change"]
    inner: Name
    target: Name
    min_uplift: float = 0.0
    max_below: float = Field(default=0.0, ge=0, lt=1)
    hold_harmless: bool = True


class LossCapSpec(Model):
    rule: Literal["loss_cap"]
    inner: Name
    reference: Name
    per_inhabitant: float = Field(default=250.0, ge=0)


class BlendPart(Model):
    strategy: Name
    weight: float | dict[int, float]


class BlendSpec(Model):
    rule: Literal["blend"]
    parts: list[BlendPart] = Field(min_length=1)


StrategySpec = Annotated[
    BorasCurrent
    | IncrementalSpec
    | VolumeSpec
    | NeedsSpec
    | ZeroBasedSpec
    | ActivitySpec
    | UnchangedSpec
    | CombineSpec
    | PerCommitteeSpec
    | FloorSpec
    | CapSpec
    | PaceSpec
    | LossCapSpec
    | BlendSpec,
    Field(discriminator="rule"),
]

PRESETS = {"boras_practice": process_presets.boras_practice, "kept_surpluses": process_presets.kept_surpluses}


class RunFile(Model):
    """A run: scenario, strategies, process, draws."""

    scenario: str = "boras"
    end_year: int | None = Field(default=None, description="only for the built-in scenario")
    strategies: dict[str, StrategySpec] = Field(min_length=1)
    process: Literal["boras_practice", "kept_surpluses"] | BudgetProcess | None = None
    draws: int | None = Field(default=None, ge=1)
    seed: int = 0

    @field_validator("strategies")
    @classmethod
    def _references(cls, strategies: dict[str, Any]) -> dict[str, Any]:
        for name, spec in strategies.items():
            for field, ref in _references(spec):
                if ref not in strategies:
                    raise ValueError(
                        f"strategy {name!r}: {field} refers to {ref!r}, which is not a strategy of this file"
                    )
        return strategies


def _references(spec: Any) -> list[tuple[str, str]]:
    out = []
    for field in ("inner", "target", "reference", "total", "default"):
        ref = getattr(spec, field, None)
        if isinstance(ref, str):
            out.append((field, ref))
    if isinstance(spec, CombineSpec):
        out += [("parts", p) for p in spec.parts]
    if isinstance(spec, BlendSpec):
        out += [("parts", p.strategy) for p in spec.parts]
    if isinstance(spec, PerCommitteeSpec):
        out += [(f"rules.{c}", r) for c, r in spec.rules.items()]
    return out


def build_strategies(specs: dict[str, Any]) -> dict[str, Callable[..., Any]]:
    """Strategy objects from their specs, resolving references by name (a cycle is an error)."""
    built: dict[str, Callable[..., Any]] = {}

    def get(name: str, chain: tuple[str, ...]) -> Callable[..., Any]:
        if name in chain:
            raise ValueError(f"strategies refer to each other in a circle: {' -> '.join((*chain, name))}")
        if name not in built:
            built[name] = make(specs[name], (*chain, name))
        return built[name]

    def make(spec: Any, chain: tuple[str, ...]) -> Callable[..., Any]:
        ref = lambda n: get(n, chain)
        opt = lambda n: None if n is None else get(n, chain)
        match spec:
            case BorasCurrent():
                return s.boras_current(spec.basis, spec.correct_forecast_errors)
            case IncrementalSpec():
                return s.Incremental(additions=spec.additions)
            case VolumeSpec():
                return s.VolumeUplift(spec.committees, spec.basis, spec.correct_forecast_errors)
            case NeedsSpec():
                return s.NeedsBased(total=opt(spec.total), round_to=spec.round_to, additions=spec.additions)
            case ZeroBasedSpec():
                return s.ZeroBased(scale=spec.scale, total=opt(spec.total))
            case ActivitySpec():
                return s.ActivityBased(price_share=spec.price_share)
            case UnchangedSpec():
                return s.Unchanged()
            case CombineSpec():
                return s.combine(*(ref(p) for p in spec.parts))
            case PerCommitteeSpec():
                return s.PerCommittee({c: ref(r) for c, r in spec.rules.items()}, default=opt(spec.default))
            case FloorSpec():
                return tr.FloorWithDamping(ref(spec.inner), floor=spec.floor, if_unaffordable=spec.if_unaffordable)
            case CapSpec():
                return tr.Cap(
                    ref(spec.inner), max_gain=spec.max_gain, max_loss=spec.max_loss, keep_total=spec.keep_total
                )
            case PaceSpec():
                return tr.PaceOfChange(
                    ref(spec.inner),
                    target=ref(spec.target),
                    min_uplift=spec.min_uplift,
                    max_below=spec.max_below,
                    hold_harmless=spec.hold_harmless,
                )
            case LossCapSpec():
                return tr.LossCap(ref(spec.inner), reference=ref(spec.reference), per_inhabitant=spec.per_inhabitant)
            case BlendSpec():
                return tr.Blend(tuple((ref(p.strategy), p.weight) for p in spec.parts))
        raise ValueError(f"unknown strategy spec {spec!r}")

    for name in specs:
        get(name, ())
    return {name: built[name] for name in specs}


class LoadedRun:
    """A run file made into objects: ``scenario``, ``strategies``, ``process``, ``draws``, ``seed``."""

    def __init__(self, spec: RunFile, folder: Path) -> None:
        if spec.scenario == "boras":
            self.scenario: Scenario = boras(end_year=spec.end_year or 2030)
        else:
            if spec.end_year is not None:
                raise ValueError("end_year applies to the built-in scenario only; set it in the scenario file")
            self.scenario = load_scenario(folder / spec.scenario)
        self.strategies = build_strategies(spec.strategies)
        self.process = PRESETS[spec.process]() if isinstance(spec.process, str) else spec.process
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


def run_schema() -> dict[str, Any]:
    """The JSON Schema of run files."""
    return RunFile.model_json_schema()
