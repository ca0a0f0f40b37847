"""Policy tests as data: YAML cases run by `budgetsim test` and collected by pytest, expectations
in Python, snapshots, and bad test files named by line."""

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

import budgetsim as bs
from budgetsim.cli import app
from budgetsim.policy import PolicyFileError, SnapshotMismatch, assert_comparison, load_policy_file, snapshot

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "policy_tests" / "test_study.yaml"

CASE = """\
defaults:
  scenario: boras
  process: none
cases:
  - name: coverage
    strategies: {current: {rule: boras_current}, needs based: {rule: needs_based}}
    expect:
      - {metric: coverage_gini, strategy: needs based, less_than: {strategy: current}}
      - {quantity: frame, strategy: current, committee: VÄN, year: 2026, equals: FRAME, unit: MSEK, margin: 0.01}
  - name: totals
    expect:
      - {invariant: components_sum_to_frames}
"""


@pytest.fixture(scope="module")
def comparison() -> bs.Comparison:
    s = bs.boras()
    return bs.compare(s, {"current": bs.strategies.boras_current(), "needs based": bs.strategies.needs_based()})


def frame_2026(comparison: bs.Comparison) -> float:
    rows = comparison.outcomes.query("strategy == 'current' and committee == 'VÄN' and year == 2026")
    return float(rows.frame.iloc[0])


@pytest.mark.slow
def test_a_changed_expectation_fails_in_budgetsim_test_and_in_pytest(tmp_path: Path, comparison) -> None:
    got = frame_2026(comparison) / 1e6
    path = tmp_path / "test_policy.yaml"
    path.write_text(CASE.replace("FRAME", f"{got:.2f}"), encoding="utf-8")
    passed = runner.invoke(app, ["test", str(path)])
    assert passed.exit_code == 0 and passed.output.splitlines()[-1] == "2 passed, 0 failed", passed.output
    path.write_text(CASE.replace("FRAME", f"{got + 1:.2f}"), encoding="utf-8")  # one expected value changed
    failed = runner.invoke(app, ["test", str(path), "--junitxml", str(tmp_path / "report.xml")])
    assert failed.exit_code == 1
    lines = failed.output.splitlines()
    assert lines[0] == f"FAIL  coverage  ({path}:5)"
    assert lines[1] == (
        f"      {path}:9: frame (current, VÄN, 2026): expected {got + 1:,.2f} MSEK ± 0.01 MSEK, got {got:,.2f} MSEK"
    )
    assert lines[2] == f"PASS  totals  ({path}:10)" and lines[-1] == "1 passed, 1 failed"
    # the JUnit report a CI system reads: two cases, one failure with the same line
    suite = ElementTree.parse(tmp_path / "report.xml").getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    failure = suite.find("testcase[@name='coverage']/failure")
    assert failure is not None and failure.get("message") == lines[1].strip()
    # pytest collects the same file through the plugin (the pytest11 entry point)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": ""},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout
    assert f"test_policy.yaml:9: frame (current, VÄN, 2026): expected {got + 1:,.2f} MSEK" in result.stdout


def test_the_study_cases_pass_in_swedish_too() -> None:
    result = runner.invoke(app, ["test", str(EXAMPLE.parent), "--language", "sv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("OK    elderly care funded on 65+")
    assert result.output.splitlines()[-1] == "8 godkända, 0 underkända"


def test_expectations_in_python_list_every_failure(comparison) -> None:
    assert_comparison(comparison, {"metric": "coverage_gini", "strategy": "needs based", "at_most": 0.01})
    with pytest.raises(AssertionError) as raised:
        assert_comparison(
            comparison,
            {"metric": "mean_coverage", "strategy": "current", "equals": 0.5, "margin": 0.01},
            {"quantity": "coverage", "strategy": "needs based", "committee": "IFN", "year": 2024, "at_least": 2},
            language="sv",
        )
    found = str(raised.value).splitlines()
    mean = comparison.metrics.set_index("strategy").mean_coverage["current"]
    assert found[0] == f"mean_coverage (current): väntat 0,5 ± 0,01, fick {f'{mean:.6g}'.replace('.', ',')}"
    ifn = comparison.outcomes.query("strategy == 'needs based' and committee == 'IFN' and year == 2024").coverage
    assert found[1] == f"coverage (needs based, IFN, 2024): väntat ≥ 2, fick {f'{ifn.iloc[0]:.6g}'.replace('.', ',')}"
    # the whole municipality's coverage is total frame over total need, not a mean of shares
    rows = comparison.outcomes.query("strategy == 'current' and year == 2027")
    total = rows.frame.sum() / rows.need.sum()
    assert_comparison(
        comparison,
        {"quantity": "coverage", "strategy": "current", "year": 2027, "equals": total, "margin": 1e-12},
    )


@pytest.mark.parametrize(
    ("expectation", "message"),
    [
        (
            {
                "component": "wishes",
                "strategy": "current",
                "committee": "VÄN",
                "year": 2026,
                "at_least": 0,
                "unit": "SEK",
            },
            "component 'wishes': unknown; the comparison has base, efficiency, needs, prices, volume, wages",
        ),
        (
            {
                "quantity": "frame",
                "strategy": "current",
                "committee": "XYZ",
                "year": 2026,
                "at_least": 0,
                "unit": "SEK",
            },
            "committee 'XYZ': not in the scenario; it has FSN, GSN, GVN, IFN, SON, VÄN, ÖVR",
        ),
        ({"metric": "gini", "strategy": "current", "at_most": 1}, "metric 'gini': a Monte Carlo value; give draws"),
        (
            {"metric": "coverage_gini", "strategy": "zero based", "at_most": 1},
            "strategy 'zero based': not in the comparison; it has current, needs based",
        ),
        (
            {"quantity": "need", "strategy": "current", "year": 2099, "at_least": 0, "unit": "SEK"},
            "year 2099: not a budget year of the comparison (2024-2030)",
        ),
    ],
)
def test_names_the_comparison_lacks_are_errors_that_list_what_it_has(comparison, expectation, message) -> None:
    with pytest.raises(ValueError) as raised:
        assert_comparison(comparison, expectation)
    assert message in str(raised.value)


def test_bad_test_files_are_named_by_line(tmp_path: Path) -> None:
    path = tmp_path / "test_bad.yaml"
    path.write_text(
        "cases:\n"
        "  - name: one\n"
        "    expect:\n"
        "      - {quantity: frames, strategy: current, committee: VÄN, year: 2026, at_least: 0}\n"
        "      - {quantity: frame, strategy: current, committee: VÄN, year: 2026, at_least: 0}\n"
        "      - {metric: mean_coverage, strategy: current, equals: 0.99}\n"
        "  - name: two\n"
        "    colour: red\n"
        "    expect: []\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyFileError) as raised:
        load_policy_file(path)
    problems = str(raised.value).splitlines()[1:]
    assert problems[0].startswith(f"  {path}:4: cases[0] 'one': expect.0.quantity: Input should be 'frame', 'need'")
    assert problems[1] == f"  {path}:5: cases[0] 'one': expect.1: unit: give SEK, tkr or MSEK: frame is an amount"
    assert problems[2] == (
        f"  {path}:6: cases[0] 'one': expect.2: equals: give its margin (absolute, in the unit) or relative "
        "(a share of the value)"
    )
    assert f"  {path}:8: cases[1] 'two': colour: Extra inputs are not permitted" in problems
    assert f"  {path}:9: cases[1] 'two': expect: Tuple should have at least 1 item after validation, not 0" in problems
    result = runner.invoke(app, ["test", str(path)])
    assert result.exit_code == 2 and result.output.startswith("error: 5 problem(s):")
    path.write_text("cases:\n  - name: a\n    name: b\n", encoding="utf-8")  # the same reader as every input
    assert "key 'name' given twice" in runner.invoke(app, ["test", str(path)]).output
    (tmp_path / "empty").mkdir()
    assert "empty: no policy-test files (test_*.yaml)" in runner.invoke(app, ["test", str(tmp_path / "empty")]).output
    assert "nothing: no such file or folder" in runner.invoke(app, ["test", str(tmp_path / "nothing")]).output


def test_a_case_that_cannot_run_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "test_missing.yaml"
    path.write_text(
        "cases:\n  - name: elsewhere\n    scenario: no-such-town\n    expect:\n"
        "      - {metric: coverage_gini, strategy: current, at_most: 1}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["test", str(path)])
    assert result.exit_code == 1
    assert f"{path}:2: scenario: 'no-such-town' is neither a registered dataset (boras)" in result.output


def test_snapshots_pin_metrics_and_frames(tmp_path: Path, comparison, monkeypatch) -> None:
    path = tmp_path / "snap.csv"
    snapshot(comparison, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# budgetsim snapshot; margins: 1 SEK for amounts, 1e-09 for other values\n")
    snapshot(comparison, path)  # unchanged: passes
    s = bs.boras().replace_committee("VÄN", base_frame=bs.boras().committee("VÄN").base_frame + 10e6)
    moved = bs.compare(s, {"current": bs.strategies.boras_current(), "needs based": bs.strategies.needs_based()})
    with pytest.raises(SnapshotMismatch) as raised:
        snapshot(moved, path)
    table = raised.value.moved
    frames = table[(table.table == "frame") & (table.strategy == "current") & (table.committee == "VÄN")]
    assert len(frames) == 7 and (frames.after - frames.before).min() > 10e6  # every year, by at least the 10 MSEK
    assert "rerun with --update-snapshots" in str(raised.value)
    monkeypatch.setenv("BUDGETSIM_UPDATE_SNAPSHOTS", "1")
    snapshot(moved, path)  # deliberately rewritten
    monkeypatch.delenv("BUDGETSIM_UPDATE_SNAPSHOTS")
    snapshot(moved, path)


def test_plugin_fixtures(small_town, boras_scenario, assert_comparison) -> None:
    town = small_town(end_year=2027)
    assert town.years == (2025, 2026, 2027) and town.committee_ids == ("FSK", "SKOL", "OMS", "KULT")
    assert boras_scenario == bs.boras()
    assert_comparison(
        bs.compare(town, {"incremental": bs.strategies.incremental()}), {"invariant": "components_sum_to_frames"}
    )


def test_the_json_schema_accepts_the_study_and_refuses_unknown_rules_and_quantities() -> None:
    import jsonschema
    import yaml

    from budgetsim.policy.files import policy_schema

    schema = policy_schema()
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    for case in (
        {"name": "x", "expect": [{"quantity": "frames", "strategy": "current", "year": 2026, "at_least": 0}]},
        {
            "name": "x",
            "strategies": {"a": {"rule": "nope"}},
            "expect": [{"metric": "m", "strategy": "a", "at_most": 1}],
        },
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"cases": [case]}, schema)
