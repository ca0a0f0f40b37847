"""Rules declare themselves once: every registered strategy, transition, year-end step and grant rule
round-trips through a run file with identical results; the schema, labels and catalogue come from
the registry; year-end steps run in order; datasets are registrations."""

import json
from typing import ClassVar

import jsonschema
import numpy as np
import pytest
from factory import make_scenario
from pydantic import ValidationError
from typer.testing import CliRunner

import budgetsim as bs
from budgetsim.cli import app
from budgetsim.core.components import Component, label
from budgetsim.core.registry import Example, registered
from budgetsim.io import load_run, run_schema, save_run
from budgetsim.process import (
    BudgetProcess,
    ByNeed,
    CarryAndRecover,
    ClawBack,
    CoverFromSavings,
    KeepSurplus,
    Requests,
    WriteOff,
    YearEndRule,
)
from budgetsim.testing.catalogue import CATALOGUE

S = bs.default_scenario()
CURRENT = bs.strategies.boras_current()


def _examples(kind: str) -> list[tuple[str, object]]:
    return [
        (f"{tag}: {example.name}", example.make(S)) for tag, cls in registered(kind).items() for example in cls.examples
    ]


def _tree(value: object) -> set[type]:
    """Types of every rule inside ``value`` (nested strategies, blend parts, routed rules)."""
    found: set[type] = set()
    if isinstance(value, bs.core.Rule):
        found.add(type(value))
        for name in type(value).model_fields:
            found |= _tree(getattr(value, name))
    elif isinstance(value, dict):
        for v in value.values():
            found |= _tree(v)
    elif isinstance(value, tuple | list):
        for v in value:
            found |= _tree(v)
    elif isinstance(value, bs.transitions.BlendPart):
        found |= _tree(value.strategy)
    return found


@pytest.mark.parametrize("kind", ["strategy", "year_end", "grant"])
def test_every_registered_rule_has_an_example(kind: str) -> None:
    covered = set().union(*(_tree(rule) for _, rule in _examples(kind)))
    missing = sorted(c.__name__ for c in registered(kind).values() if c not in covered)
    assert not missing, f"registered rules without an example: {missing}"


@pytest.mark.parametrize(("name", "strategy"), _examples("strategy"), ids=lambda v: v if isinstance(v, str) else "")
def test_every_strategy_round_trips_through_a_run_file(tmp_path, name: str, strategy) -> None:
    path = save_run(tmp_path / "run.yaml", {"rule": strategy})
    loaded = load_run(path).strategies["rule"]
    assert loaded == strategy, name
    a, b = bs.simulate(S, strategy), bs.simulate(S, loaded)
    assert np.array_equal(a.raw.frame, b.raw.frame)
    assert a.components.equals(b.components)


@pytest.mark.parametrize(
    ("name", "step"), _examples("year_end") + _examples("grant"), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_process_rule_round_trips_through_a_run_file(tmp_path, name: str, step) -> None:
    if isinstance(step, bs.process.GrantRule):
        process = BudgetProcess(year_end={"*": YearEndRule()}, requests=Requests(rule=step, pool_share=0.01))
    else:
        process = BudgetProcess(year_end={"*": (step,), "IFN": YearEndRule(deficit_write_off=1.0)})
    path = save_run(tmp_path / "run.json", {"current": CURRENT}, process=process)
    loaded = load_run(path)
    assert loaded.process == process, name
    a = bs.simulate(S, CURRENT, process=process)
    b = bs.simulate(S, loaded.strategies["current"], process=loaded.process)
    assert np.array_equal(a.raw.frame, b.raw.frame) and a.year_end.equals(b.year_end)


def test_named_strategies_are_written_by_name_and_shared(tmp_path) -> None:
    needs = bs.strategies.needs_based(total=CURRENT)
    path = save_run(tmp_path / "run.yaml", {"current": CURRENT, "floor": bs.transitions.FloorWithDamping(needs, -0.01)})
    text = path.read_text(encoding="utf-8")
    assert "total: current" in text
    run = load_run(path)
    assert run.strategies["floor"].inner.total is run.strategies["current"]


def test_plain_functions_work_everywhere_but_cannot_be_written(tmp_path) -> None:
    def flat(ctx):
        """Everyone gets 2 % more."""
        return {"flat": 0.02 * ctx.last_frame}

    wrapped = bs.transitions.Cap(flat, max_gain=0.01, keep_total=False)
    cmp = bs.compare(S, {"flat": flat, "capped": wrapped})
    assert cmp.frames.query("strategy == 'capped'").frame.sum() < cmp.frames.query("strategy == 'flat'").frame.sum()
    assert "(user-defined rule). Everyone gets 2 % more." in bs.describe(S, wrapped)
    with pytest.raises(ValueError, match="plain Python function; it cannot be written to a run file"):
        save_run(tmp_path / "run.yaml", {"capped": wrapped})
    with pytest.raises(ValueError, match="'flat' .* is not a registered rule"):
        save_run(tmp_path / "run.yaml", {"flat": flat})


def test_a_new_rule_is_one_class() -> None:
    class Flat(bs.strategies.Strategy, tag="test_flat"):
        """Every frame grows by the same rate."""

        rate: float = 0.02
        name: str = "flat"
        components: ClassVar = {"flat": Component("needs", "flat uplift", "schablonuppräkning", 45)}
        examples: ClassVar = (Example("flat 3 %", lambda _: Flat(rate=0.03), axioms=False),)

        def __call__(self, ctx):
            return {"flat": self.rate * ctx.last_frame}

    assert registered("strategy")["test_flat"] is Flat
    built = load_run_text({"a": {"rule": "test_flat", "rate": 0.05}})["a"]
    assert built == Flat(0.05)
    bridge = bs.simulate(S, built).explain("IFN", 2024, language="sv")
    assert "schablonuppräkning" in bridge.table.label.tolist()
    assert label("flat", "sv") == "schablonuppräkning"
    assert "test_flat" in json.dumps(run_schema())
    with pytest.raises(ValueError, match="tag 'incremental' is already registered"):

        class Other(bs.strategies.Strategy, tag="incremental"):
            pass


def load_run_text(strategies: dict) -> dict:
    return bs.io.build_strategies(bs.io.RunFile.model_validate({"strategies": strategies}).strategies)


def test_parameters_are_checked_when_a_rule_is_made() -> None:
    with pytest.raises(ValidationError, match="round_to"):
        bs.strategies.NeedsBased(round_to=0)
    with pytest.raises(ValidationError, match="max_below"):
        bs.transitions.PaceOfChange(CURRENT, target=CURRENT, max_below=1.0)
    with pytest.raises(TypeError, match="both by position and by keyword"):
        bs.transitions.Cap(CURRENT, inner=CURRENT)
    with pytest.raises(ValidationError, match="'x': a strategy is named by a string only inside a run file"):
        bs.transitions.Cap("x")


def test_run_file_schema_is_built_from_the_registry() -> None:
    schema = run_schema()
    validator = jsonschema.Draft202012Validator(schema)
    good = {
        "strategies": {
            "current": {"rule": "boras_current", "basis": "mean"},
            "floor": {"rule": "floor", "inner": "current"},
        },
        "process": {
            "year_end": {"*": [{"rule": "write_off", "share": 0.5}, "keep_surplus"]},
            "requests": {"rule": "need"},
        },
    }
    assert not list(validator.iter_errors(good))
    bad = {"strategies": {"a": {"rule": "cap", "inner": {"rule": "needs_based", "round_to": -1}}}}
    assert list(validator.iter_errors(bad))
    tags = {d.removeprefix("strategy.") for d in schema["$defs"] if d.startswith("strategy.")}
    assert set(registered("strategy")) <= tags and "boras_current" in tags


def test_axiom_catalogue_is_read_from_the_registry() -> None:
    examples = [e.name for cls in registered("strategy").values() for e in cls.examples if e.axioms]
    assert list(CATALOGUE) == examples
    assert list(CATALOGUE)[:3] == ["incremental", "boras current", "needs based"]


def _one(*steps, frame=100.0, cost=110.0, saved=4.0):
    comms = [
        {"id": "A", "name": "A", "sector": "x", "base_frame": frame, "base_cost": cost, "cost_mix": {"wages": 0.5}}
    ]
    flat = {k: dict.fromkeys(range(2024, 2026), 0.0) for k in ("wage_uplift", "price_uplift", "efficiency")}
    s = make_scenario(committees=comms, economy=bs.Economy(**flat))
    process = BudgetProcess(year_end={"A": tuple(steps)}, opening_accumulated={"A": saved})
    return bs.simulate(s, bs.strategies.Unchanged(), process=process).year_end.iloc[0]


def test_year_end_steps_run_in_the_order_given() -> None:
    # deficit 10, savings 4: write off half first (5), savings cover 4, 1 carried
    first = _one(WriteOff(share=0.5), CoverFromSavings())
    assert (first.written_off, first.covered_by_savings, first.carried_forward) == (5.0, 4.0, 1.0)
    # savings first (4), then half of the 6 left written off (3), 3 carried
    second = _one(CoverFromSavings(), WriteOff(share=0.5))
    assert (second.written_off, second.covered_by_savings, second.carried_forward) == (3.0, 4.0, 3.0)
    # a surplus of 10: claw back 30 %, the rest is kept (the closing step)
    surplus = _one(ClawBack(share=0.3), frame=110.0, cost=100.0, saved=0.0)
    assert (surplus.clawed_back, surplus.kept, surplus.accumulated) == pytest.approx((3.0, 7.0, 7.0))


def test_flat_rule_and_its_steps_give_the_same_numbers() -> None:
    rule = YearEndRule(
        deficit_write_off=0.25, recovery_years=2, surplus_claw_back=0.5, accumulated_draw=0.1, ratchet=0.2
    )
    flat = bs.simulate(S, CURRENT, process=BudgetProcess(year_end={"*": rule}))
    steps = bs.simulate(S, CURRENT, process=BudgetProcess(year_end={"*": rule.steps()}))
    assert np.array_equal(flat.raw.frame, steps.raw.frame) and flat.year_end.equals(steps.year_end)
    assert [s.tag for s in bs.process.year_end.complete((ClawBack(),))] == ["claw_back", "carry_and_recover"]
    assert CarryAndRecover().closes() == (True, False) and KeepSurplus().closes() == (False, True)


def test_grant_rules_by_tag_or_object() -> None:
    assert Requests(rule="need") == Requests(rule=ByNeed())
    assert Requests(rule={2024: "advocacy"}).rule_in(2024).tag == "advocacy"
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        Requests(rule="loudest")


def test_datasets_are_registrations() -> None:
    boras = bs.datasets.dataset("boras")
    assert boras.scenario(end_year=2026).end_year == 2026
    assert boras.process("boras_practice") == bs.datasets.boras.boras_practice()
    assert next(iter(boras.strategies(boras.scenario()))) == "current"
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['colour'\]"):
        boras.scenario(colour="red")
    with pytest.raises(ValueError, match="no dataset 'atlantis'"):
        bs.datasets.dataset("atlantis")
    assert bs.datasets.data_folder("budgetsim", "boras").joinpath("published", "assumptions.csv").is_file()


def test_sources_for_a_run_file_on_a_scenario_file(tmp_path) -> None:
    scenario = bs.io.save_scenario(make_scenario(), tmp_path / "town.yaml")
    run = tmp_path / "run.yaml"
    run.write_text(f"scenario: {scenario.name}\nstrategies: {{a: {{rule: incremental}}}}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["sources", str(run)])
    assert result.exit_code == 0 and "the scenario gives no sources" in result.output
    boras = CliRunner().invoke(app, ["sources", "--dataset", "boras"])
    assert boras.exit_code == 0 and "committees.GSN.base_frame" in boras.output


def test_save_run_writes_the_scenario_it_was_given(tmp_path) -> None:
    """A Scenario goes beside the run file, a folder is referred to relative to it, and the
    dataset's name only when that is what was asked for."""
    from budgetsim.formats.template import write_template

    mine = bs.boras().replace_committee("IFN", base_frame=600e6)
    (tmp_path / "runs").mkdir()
    run = save_run(tmp_path / "runs" / "mine.yaml", {"current": CURRENT}, scenario=mine)
    assert "scenario: mine.scenario.yaml" in run.read_text(encoding="utf-8")
    assert load_run(run).scenario.committee("IFN").base_frame == 600e6
    town = write_template(tmp_path / "town")
    run = save_run(tmp_path / "runs" / "town.yaml", {"current": CURRENT}, scenario=town)
    assert "scenario: ../town" in run.read_text(encoding="utf-8") and load_run(run).scenario.name == "Exempelby"
    assert "scenario: boras" in save_run(tmp_path / "b.yaml", {"current": CURRENT}).read_text(encoding="utf-8")
