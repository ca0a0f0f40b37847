"""Writing files safely (issue 20): one writer for every file, a run folder written as a
transaction, --force that removes only what budgetsim wrote, one run per folder, clean failures."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from budgetsim.cli import app
from budgetsim.io.runs import RunFolder
from budgetsim.writing import Busy, WriteError, lock_beside, release, write_file, write_text

runner = CliRunner()
TOWN = Path(__file__).parents[1] / "examples" / "town"


def test_a_link_planted_at_any_temporary_name_is_never_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("frames.csv.tmp", ".frames.csv.tmp", ".manifest.json.tmp", ".report.html.tmp", ".model.md.tmp"):
        (out / name).symlink_to(victim)
    write_text(out / "model.md", "# A")
    write_text(out / "frames.csv", "a,b\n")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert (out / "model.md").read_text(encoding="utf-8") == "# A"
    # a link at the target itself is replaced by the file, not written through
    (out / "report.html").symlink_to(victim)
    write_text(out / "report.html", "<html>")
    assert victim.read_text(encoding="utf-8") == "precious" and not (out / "report.html").is_symlink()


def test_a_failed_write_leaves_nothing_and_names_the_file(tmp_path: Path) -> None:
    def broken(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(WriteError, match=r"a\.csv: cannot be written \(No space left on device\)"):
        write_file(tmp_path / "a.csv", broken)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(KeyboardInterrupt):  # an interruption too
        write_file(tmp_path / "a.csv", lambda tmp: (_ for _ in ()).throw(KeyboardInterrupt()))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_one_line_of_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = runner.invoke(app, ["describe", "--out", str(folder / "m.md")])
        assert result.exit_code == 2 and "cannot be written" in result.output and "Traceback" not in result.output
    finally:
        folder.chmod(0o700)


def test_force_replaces_only_files_budgetsim_wrote(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert runner.invoke(app, ["run", str(TOWN), "--out", str(out)]).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["sha256"]) == set(manifest["files"])  # every file with its hash
    assert runner.invoke(app, ["run", str(TOWN), "--out", str(out), "--force"]).exit_code == 0
    # a thesis listed in a forged manifest is not a file budgetsim wrote: refused, and kept
    thesis = out / "thesis.docx"
    thesis.write_text("years of work", encoding="utf-8")
    manifest["files"].append("thesis.docx")
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    refused = runner.invoke(app, ["run", str(TOWN), "--out", str(out), "--force"])
    assert refused.exit_code == 2 and "thesis.docx was not written by budgetsim" in refused.output
    assert thesis.read_text(encoding="utf-8") == "years of work"
    # a table changed since budgetsim wrote it is the user's now
    thesis.unlink()
    (out / "frames.csv").write_text("edited", encoding="utf-8")
    refused = runner.invoke(app, ["run", str(TOWN), "--out", str(out), "--force"])
    assert refused.exit_code == 2 and "frames.csv was not written by budgetsim (or was changed since)" in refused.output
    assert (out / "frames.csv").read_text(encoding="utf-8") == "edited"


def test_a_run_is_committed_whole_and_a_failed_one_leaves_the_earlier(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "run"
    assert runner.invoke(app, ["run", str(TOWN), "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    from budgetsim import cli

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "write_manifest", lambda *a, **k: crash())
    failed = runner.invoke(app, ["run", str(TOWN), "--out", str(out), "--force"])
    assert failed.exit_code != 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the earlier run, untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no staging folder, no lock left


def test_one_run_per_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    held = lock_beside(out)
    try:
        with pytest.raises(Busy, match="another budgetsim run is writing to it"):
            RunFolder(out).__enter__()
        busy = runner.invoke(app, ["run", str(TOWN), "--out", str(out)])
        assert busy.exit_code == 2 and "another budgetsim run is writing to it" in busy.output
    finally:
        release(held)
    assert runner.invoke(app, ["run", str(TOWN), "--out", str(out)]).exit_code == 0


def test_sigterm_leaves_the_previous_state(tmp_path: Path) -> None:
    out = tmp_path / "run"
    code = (
        "import sys, time, budgetsim.cli as cli\n"
        "real = cli.write_manifest\n"
        "def slow(*a, **k):\n"
        "    print('writing', flush=True); time.sleep(30); return real(*a, **k)\n"
        "cli.write_manifest = slow\n"
        f"sys.argv = ['budgetsim', 'run', {str(TOWN)!r}, '--out', {str(out)!r}]\n"
        "cli.main()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        deadline = time.monotonic() + 120
        while "writing" not in proc.stdout.readline():
            assert time.monotonic() < deadline and proc.poll() is None
        assert any(tmp_path.iterdir())  # the run was staged beside the target
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == []  # nothing that looks complete, no leftovers


def test_markdown_shows_user_links_and_images_as_text() -> None:
    import markdown

    import budgetsim as bs

    label = "[click](javascript:fetch('x')) ![i](http://127.0.0.1:8765/i) `code`"
    scenario = bs.default_scenario()
    scenario = scenario.replace(additions=[{"year": 2024, "committee": "IFN", "amount": 1e6, "label": label}])
    text = bs.describe(scenario, bs.strategies.incremental())
    html = markdown.markdown(text, extensions=["tables"])
    assert "<a" not in html and "<img" not in html and "<code>code" not in html
    assert "[click](javascript:fetch('x'))" in html  # shown, as text


def test_a_store_names_a_swapped_or_damaged_part_and_refuses_a_foreign_folder(tmp_path: Path) -> None:
    import shutil

    import budgetsim as bs
    from budgetsim.store import query
    from budgetsim.sweep import sweep

    scenario = bs.default_scenario()
    grid = {
        "efficiency": {
            "1 %": lambda s: s,
            "2 %": lambda s: s.replace(
                economy=s.economy.model_copy(update={"efficiency": dict.fromkeys(s.years, 0.02)})
            ),
        }
    }
    store = tmp_path / "store"
    sweep(scenario, grid, {"current": bs.strategies.boras_current()}, draws=50, store=store)
    marker = json.loads((store / "_done" / "1").read_text(encoding="utf-8"))
    assert marker["point"] == 1 and set(marker["sha256"]) == {"summary", "risk"}
    shutil.copy(store / "risk" / "point=0" / "part.parquet", store / "risk" / "point=1" / "part.parquet")
    with pytest.raises(ValueError, match=r"point=1/part.parquet: not what point 1 wrote .* delete .*_done/1"):
        query(store, "SELECT count(*) FROM risk")
    with pytest.raises(ValueError, match="copied from another point"):  # on resume too
        sweep(scenario, grid, {"current": bs.strategies.boras_current()}, draws=50, store=store)
    (store / "_done" / "1").unlink()  # what the message says: the point runs again
    sweep(scenario, grid, {"current": bs.strategies.boras_current()}, draws=50, store=store)
    assert int(query(store, "SELECT count(DISTINCT point) AS n FROM risk").n.iloc[0]) == 2
    (store / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"manifest.json: not a readable sweep manifest"):
        query(store, "SELECT 1")
    foreign = shutil.copytree(TOWN, tmp_path / "town")
    with pytest.raises(ValueError, match="holds files that are not a sweep store"):
        sweep(scenario, grid, {"current": bs.strategies.boras_current()}, draws=50, store=foreign)
    assert not (foreign / "manifest.json").exists() and not (foreign / ".lock").exists()


def test_long_runs_need_yes_and_chunks_fit_in_memory(tmp_path: Path) -> None:
    import numpy as np

    import budgetsim as bs
    from budgetsim.core.random import BLOCK
    from budgetsim.engine.montecarlo import memory_chunk

    huge = runner.invoke(app, ["compare", "--draws", "1000000000000", "--out", str(tmp_path / "c")])
    assert huge.exit_code == 2 and "would take about" in huge.output and "days of CPU; pass --yes" in huge.output
    assert not (tmp_path / "c").exists()
    run_file = tmp_path / "grid.yaml"
    values = ", ".join(str(0.001 * i) for i in range(1, 201))
    run_file.write_text(
        "strategies: {current: {rule: boras_current}}\ndraws: 10\n"
        f"sweep:\n  economy.result_target: [{values}]\n  economy.other_net_costs_share: [{values}]\n",
        encoding="utf-8",
    )
    grid = runner.invoke(app, ["sweep", str(run_file), "--store", str(tmp_path / "s")])
    assert grid.exit_code == 2 and "the sweep has 40,000 points (more than 10,000); pass --yes" in grid.output
    arrays = bs.engine.compile_scenario(bs.default_scenario())
    capped = memory_chunk(arrays, 10**12)
    assert BLOCK <= capped < 10**12 and capped % BLOCK == 0
    assert memory_chunk(arrays, 2 * BLOCK) == 2 * BLOCK
    # the numbers do not depend on the chunk: a capped run equals any other
    a = bs.monte_carlo(bs.default_scenario(), bs.strategies.incremental(), draws=2 * BLOCK + 7, seed=3).summary
    b = bs.monte_carlo(
        bs.default_scenario(), bs.strategies.incremental(), draws=2 * BLOCK + 7, seed=3, chunk_size=10**12
    ).summary
    assert np.array_equal(a["mean"].to_numpy(), b["mean"].to_numpy())


def test_a_flood_of_problems_is_listed_up_to_a_hundred(tmp_path: Path) -> None:
    import shutil

    town = shutil.copytree(TOWN, tmp_path / "town")
    rows = "".join(f"outcome,,2024,{age},,x{age}\n" for age in range(101)) * 20
    with (town / "population.csv").open("a", encoding="utf-8") as handle:
        handle.write(rows)
    result = runner.invoke(app, ["validate", str(town)])
    lines = result.output.splitlines()
    assert result.exit_code == 1 and lines[100].startswith("... and ") and lines[100].endswith(" more")
    assert len(lines) == 102  # 100 problems, the count of the rest, the summary


def test_excel_sheet_names_follow_excels_rules() -> None:
    from budgetsim.reporting.excel import sheet_name

    assert sheet_name("'SKOL", set()) == "_SKOL" and sheet_name("OMS'", set()) == "OMS_"
    assert sheet_name("history", set()) == "history (committee)"
    assert sheet_name("skol", {"SKOL"}) == "skol (committee)"  # Excel compares names without case


def test_a_file_that_arrives_while_the_run_computes_is_never_removed(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert runner.invoke(app, ["run", str(TOWN), "--out", str(out)]).exit_code == 0
    with RunFolder(out, force=True) as folder:
        (folder.staging / "frames.csv").write_text("new", encoding="utf-8")
        (out / "notes.txt").write_text("mine", encoding="utf-8")  # the user saves a file meanwhile
        with pytest.raises(ValueError, match="notes.txt was not written by budgetsim"):
            folder.commit()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
