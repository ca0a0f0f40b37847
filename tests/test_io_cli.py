"""Scenario and run files (YAML/JSON), their schemas, and every CLI command on a run file."""

import json

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

import budgetsim as bs
from budgetsim.cli import app
from budgetsim.io import build_strategies, load_run, load_scenario, save_scenario
from budgetsim.io.run_files import RunFile

runner = CliRunner()
RUN = """
scenario: boras
process: boras_practice
strategies:
  current: {rule: boras_current}
  needs: {rule: needs_based, total: current}
  transition: {rule: floor, inner: needs, floor: -0.01}
"""


@pytest.fixture
def run_file(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(RUN, encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_scenario_files_round_trip(tmp_path, suffix) -> None:
    s = bs.default_scenario()
    path = save_scenario(s, tmp_path / f"boras{suffix}")
    assert load_scenario(path) == s


def test_scenario_file_errors_name_the_field(tmp_path) -> None:
    data = bs.default_scenario().model_dump(mode="json")
    data["committees"][0]["cost_mix"]["wages"] = 1.4
    data["committees"][1]["base_frames"] = 1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_scenario(path)
    assert "committees.0.cost_mix.wages" in str(info.value) and "committees.1.base_frames" in str(info.value)
    text_file = tmp_path / "scenario.txt"
    text_file.write_text("name: x", encoding="utf-8")
    with pytest.raises(ValueError, match="give a .yaml, .yml or .json file"):
        load_scenario(text_file)


def test_run_file_builds_the_same_strategies_as_python(run_file) -> None:
    run = load_run(run_file)
    assert list(run.strategies) == ["current", "needs", "transition"]
    assert run.process == bs.datasets.boras.boras_practice()
    by_hand = bs.transitions.FloorWithDamping(
        bs.strategies.needs_based(total=bs.strategies.boras_current()), floor=-0.01
    )
    a = bs.simulate(run.scenario, run.strategies["transition"]).frames
    b = bs.simulate(run.scenario, by_hand).frames
    assert a.equals(b)


def test_run_file_reference_errors() -> None:
    with pytest.raises(
        ValidationError, match="strategy 'floor': inner refers to 'needs', which is not a strategy of this file"
    ):
        RunFile.model_validate({"strategies": {"floor": {"rule": "floor", "inner": "needs"}}})
    circle = RunFile.model_validate(
        {"strategies": {"a": {"rule": "floor", "inner": "b"}, "b": {"rule": "cap", "inner": "a"}}}
    )
    with pytest.raises(ValueError, match="in a circle: a -> b -> a"):
        build_strategies(circle.strategies)
    with pytest.raises(ValidationError, match="union_tag_invalid|does not match any of the expected tags"):
        RunFile.model_validate({"strategies": {"a": {"rule": "magic"}}})


def test_cli_commands_on_a_run_file(run_file, tmp_path) -> None:
    out = tmp_path / "out"
    compared = runner.invoke(app, ["compare", str(run_file), "--out", str(out)])
    assert compared.exit_code == 0, compared.output
    assert "transition" in compared.output and (out / "scorecard.csv").exists()
    explained = runner.invoke(app, ["explain", "IFN", "2026", "--run-file", str(run_file), "--strategy", "transition"])
    assert (
        explained.exit_code == 0
        and "needs-based allocation" in explained.output
        and "requests granted" in explained.output
    )
    whole = runner.invoke(app, ["explain", "ALL", "--language", "sv"])
    assert whole.exit_code == 0 and "lönekompensation" in whole.output
    described = runner.invoke(app, ["describe", str(run_file), "--strategy", "transition", "--language", "sv"])
    assert described.exit_code == 0 and "Golv med dämpning" in described.output
    ran = runner.invoke(app, ["run", str(run_file), "--strategy", "needs", "--out", str(tmp_path / "run")])
    assert ran.exit_code == 0 and "Frames, MSEK (needs)" in ran.output
    schemas = runner.invoke(app, ["schema", "--out", str(tmp_path / "schemas")])
    assert schemas.exit_code == 0
    run_schema = json.loads((tmp_path / "schemas" / "run.schema.json").read_text(encoding="utf-8"))
    assert "strategies" in run_schema["properties"]


@pytest.mark.slow
def test_cli_report_writes_excel_and_html(run_file, tmp_path) -> None:
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", str(run_file), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "comparison.xlsx").stat().st_size > 10_000 and (out / "report.html").stat().st_size > 10_000


def test_cli_errors_are_clear(run_file, tmp_path) -> None:
    unknown = runner.invoke(app, ["run", str(run_file), "--strategy", "magic"])
    assert unknown.exit_code == 2 and "no strategy 'magic'; the run has current, needs, transition" in unknown.output
    missing = runner.invoke(app, ["compare", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    bad_year = runner.invoke(app, ["explain", "IFN", "2050"])
    assert bad_year.exit_code == 2 and "2050 is not a budget year" in bad_year.output


def test_cli_refuses_options_that_would_be_ignored_and_bad_yaml(run_file, tmp_path) -> None:
    ignored = runner.invoke(app, ["compare", str(run_file), "--end-year", "2026"])
    assert ignored.exit_code == 2 and "--end-year and --forecast-bias apply to the built-in data" in ignored.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("strategies: {current: [rule: boras_current", encoding="utf-8")
    bad = runner.invoke(app, ["compare", str(broken)])
    assert bad.exit_code == 2 and "not valid YAML" in bad.output
    language = runner.invoke(app, ["explain", "IFN", "--language", "de"])
    assert language.exit_code == 2 and "'de' is not one of" in language.output
    with pytest.raises(ValueError, match="language must be one of"):
        bs.simulate(bs.default_scenario(), bs.strategies.incremental()).explain("IFN", language="de")
