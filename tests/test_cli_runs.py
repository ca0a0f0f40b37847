"""CLI runs are kept apart: each writes its own folder with a manifest, never mixes with or silently
replaces another run, tables carry their strategy, `budgetsim diff` compares runs and inputs
parameter by parameter, and Excel-friendly CSV on request."""

import json
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import budgetsim as bs
from budgetsim.cli import app
from budgetsim.formats.documents import save_scenario
from budgetsim.formats.template import write_template

runner = CliRunner()


@pytest.fixture
def town(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_template(tmp_path / "town")


def test_two_runs_in_a_row_write_two_folders_each_with_a_manifest(town: Path) -> None:
    first = runner.invoke(app, ["compare", str(town)])
    second = runner.invoke(app, ["run", str(town), "--strategy", "needs based"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    folders = sorted(Path("budgetsim-output").iterdir())
    assert [f.name.split("-")[0] for f in folders] == ["compare", "run"]
    compared, ran = folders
    assert {p.name for p in ran.iterdir()} == {
        "frames.csv",
        "components.csv",
        "outcomes.csv",
        "diagnostics.csv",
        "manifest.json",
    }
    assert set(pd.read_csv(ran / "frames.csv").strategy) == {"needs based"}  # one strategy's tables say which
    manifest = json.loads((compared / "manifest.json").read_text())
    assert manifest["budgetsim"] == version("budgetsim") and manifest["command"] == "compare"
    assert manifest["input"]["kind"] == "municipality folder" and len(manifest["input"]["sha256"]) == 64
    assert set(manifest["strategies"]) == set(pd.read_csv(compared / "metrics.csv").strategy)
    assert "metrics.csv" in manifest["files"] and manifest["scenario"]["name"] == "Exempelby"


def test_an_earlier_run_is_replaced_only_with_force_and_other_files_never(town: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["compare", str(town), "--out", str(out)]).exit_code == 0
    before = (out / "frames.csv").read_bytes()
    refused = runner.invoke(app, ["run", str(town), "--out", str(out)])
    assert refused.exit_code == 2
    assert f"--out: {out} holds an earlier run; choose another folder, or pass --force" in refused.output
    assert (out / "frames.csv").read_bytes() == before  # nothing touched
    forced = runner.invoke(app, ["run", str(town), "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert not (out / "metrics.csv").exists()  # the compare run's other tables went with it
    assert json.loads((out / "manifest.json").read_text())["command"] == "run"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    other = runner.invoke(app, ["compare", str(town), "--out", str(mine), "--force"])
    assert other.exit_code == 2 and "holds files that are not a budgetsim run" in other.output
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_diff_names_each_parameter_that_differs(tmp_path: Path) -> None:
    s = bs.default_scenario()
    save_scenario(s, tmp_path / "a.yaml")
    save_scenario(s.replace(economy=s.economy.model_copy(update={"result_target": 0.03})), tmp_path / "b.yaml")
    differ = runner.invoke(app, ["diff", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")])
    assert differ.exit_code == 1
    assert differ.output.splitlines()[1].split() == ["scenario.economy.result_target", "0.02", "0.03"]
    assert differ.output.splitlines()[-1] == "1 difference(s)"
    same = runner.invoke(app, ["diff", str(tmp_path / "a.yaml"), str(tmp_path / "a.yaml")])
    assert same.exit_code == 0 and "no differences" in same.output


def test_diff_of_two_run_folders_reads_their_manifests(town: Path, tmp_path: Path) -> None:
    for out in ("one", "two"):
        assert runner.invoke(app, ["compare", str(town), "--out", str(tmp_path / out)]).exit_code == 0
    same = runner.invoke(app, ["diff", str(tmp_path / "one"), str(tmp_path / "two" / "manifest.json")])
    assert same.exit_code == 0, same.output  # the time of writing is not a difference
    economy = town / "economy.csv"
    economy.write_text(economy.read_text().replace("0.035", "0.045"))
    assert runner.invoke(app, ["compare", str(town), "--out", str(tmp_path / "three")]).exit_code == 0
    differ = runner.invoke(app, ["diff", str(tmp_path / "one"), str(tmp_path / "three")])
    assert differ.exit_code == 1 and differ.output.splitlines()[1].startswith("input.sha256")


def test_excel_sv_csv_has_a_bom_semicolons_and_decimal_commas(town: Path, tmp_path: Path) -> None:
    for dialect in ("standard", "excel-sv"):
        done = runner.invoke(app, ["run", str(town), "--out", str(tmp_path / dialect), "--csv-dialect", dialect])
        assert done.exit_code == 0, done.output
    raw = (tmp_path / "excel-sv" / "frames.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfstrategy;year;committee;frame\n")
    swedish = pd.read_csv(tmp_path / "excel-sv" / "frames.csv", sep=";", decimal=",", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(swedish, pd.read_csv(tmp_path / "standard" / "frames.csv"))
    assert "," in raw.decode("utf-8-sig").splitlines()[1].split(";")[-1]  # 15580000,0


def test_version() -> None:
    shown = runner.invoke(app, ["--version"])
    assert shown.exit_code == 0 and shown.output == f"budgetsim {version('budgetsim')}\n"


def test_no_empty_table_is_printed(town: Path) -> None:
    """The template town's volume uplift meets its outcomes: no windfall table, not an empty frame."""
    shown = runner.invoke(app, ["compare", str(town)])
    assert shown.exit_code == 0 and "Empty DataFrame" not in shown.output and "-0.0" not in shown.output
    assert "Volume uplift against outcomes" not in shown.output


SWEEP = """strategies:
  current: {rule: boras_current}
draws: 50
seed: 3
sweep:
  economy.wage_uplift: [0.02, 0.04]
  committees.VÄN.volume_drivers.0.min_age: [65, 80]
"""


def test_sweep_runs_a_declared_grid_to_a_store_and_resumes(tmp_path: Path) -> None:
    run_file = tmp_path / "sweep.yaml"
    run_file.write_text(SWEEP, encoding="utf-8")
    store = tmp_path / "store"
    first = runner.invoke(app, ["sweep", str(run_file), "--store", str(store)])
    assert first.exit_code == 0, first.output
    assert f"4 points x 50 draws (seed 3) in {store}/" in first.output
    risk = bs.store.query(store, "SELECT * FROM risk ORDER BY point, year, committee")
    points = bs.store.query(store, "SELECT * FROM points ORDER BY point")
    assert points[["economy.wage_uplift", "committees.VÄN.volume_drivers.0.min_age"]].values.tolist() == [
        ["0.02", "65"],
        ["0.02", "80"],
        ["0.04", "65"],
        ["0.04", "80"],
    ]
    # an interruption leaves points without their done marker: a rerun runs just those, same numbers
    for point in ("2", "3"):
        (store / "_done" / point).unlink()
    again = runner.invoke(app, ["sweep", str(run_file), "--store", str(store)])
    assert again.exit_code == 0 and again.output == first.output
    pd.testing.assert_frame_equal(bs.store.query(store, "SELECT * FROM risk ORDER BY point, year, committee"), risk)
    # each value reached the scenario: VÄN's frames differ between its 65+ and 80+ points
    frames = bs.store.query(store, "SELECT point, mean FROM summary WHERE quantity = 'frame' AND committee = 'VÄN'")
    by_point = frames.groupby("point")["mean"].sum()
    assert by_point[0] != by_point[1] and by_point[0] != by_point[2]


def test_sweep_errors_name_the_path_and_value(tmp_path: Path) -> None:
    run_file = tmp_path / "sweep.yaml"
    run_file.write_text(SWEEP.replace("committees.VÄN.", "committees.XYZ."), encoding="utf-8")
    bad = runner.invoke(app, ["sweep", str(run_file), "--store", str(tmp_path / "s")])
    assert bad.exit_code == 2
    assert "committees.XYZ.volume_drivers.0.min_age: no 'XYZ' here; known: FSN, GSN" in bad.output
    run_file.write_text(SWEEP.replace("[0.02, 0.04]", "[0.02, -2]"), encoding="utf-8")
    bad = runner.invoke(app, ["sweep", str(run_file), "--store", str(tmp_path / "s")])
    assert bad.exit_code == 2 and "economy.wage_uplift = -2:" in bad.output
    run_file.write_text(SWEEP.split("sweep:")[0], encoding="utf-8")
    bad = runner.invoke(app, ["sweep", str(run_file)])
    assert bad.exit_code == 2 and "no sweep: section" in bad.output
    assert not (tmp_path / "s").exists()  # nothing run, nothing written


def test_a_run_that_fails_leaves_no_folder(town: Path) -> None:
    failed = runner.invoke(app, ["compare", str(town / "nope")])
    assert failed.exit_code == 2 and not Path("budgetsim-output").exists()
    (town / "uncertainty.csv").unlink()  # the run's folder is named, then Monte Carlo finds nothing to draw
    failed = runner.invoke(app, ["compare", str(town), "--draws", "10"])
    assert failed.exit_code == 2 and "the scenario has no uncertainty" in failed.output
    assert not Path("budgetsim-output").exists()
