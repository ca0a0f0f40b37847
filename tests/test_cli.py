"""The command line: the README's main job, and clean failures."""

import pandas as pd
from typer.testing import CliRunner

from budgetsim.cli import app

runner = CliRunner()


def test_compare_prints_msek_and_writes_tidy_tables(tmp_path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["compare", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Frames 2030, MSEK" in result.output and "needs based, current total" in result.output
    frames = pd.read_csv(out / "frames.csv")
    assert list(frames.columns) == ["strategy", "year", "committee", "frame"]
    assert len(frames) == 4 * 7 * 7
    metrics = pd.read_csv(out / "metrics.csv")
    assert metrics.strategy.tolist() == ["current", "incremental only", "needs based", "needs based, current total"]
    assert (out / "provenance.csv").exists() and not list(out.glob("*.tmp"))
    gsn = frames.query("strategy == 'current' and year == 2030 and committee == 'GSN'").frame.iloc[0]
    assert f"{gsn / 1e6:,.1f}" in result.output


def test_bad_option_fails_cleanly_and_writes_nothing(tmp_path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["compare", "--out", str(out), "--end-year", "2023"])
    assert result.exit_code == 2
    assert "end_year (2023) must be after base_year (2023)" in result.output
    assert not out.exists()


def test_sources_lists_provenance() -> None:
    result = runner.invoke(app, ["sources"])
    assert result.exit_code == 0 and "committees.GSN.base_frame" in result.output and "estimate" in result.output
