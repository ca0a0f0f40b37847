"""Writing files safely (issue 20): one writer for every file, a run folder written as a
transaction, --force that removes only what budgetsim wrote, one run per folder, clean failures."""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
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


NOBODY = 65534  #: the user id (and group) of ``nobody``
SCENARIO = Path(__file__).parent / "corpus" / "scenario.yaml"


def unprivileged(args: list[str], cwd: Path, file_size: int | None = None) -> tuple[int, str]:
    """Run the command line in a forked child as the user ``nobody`` (when this runs as root, whom
    permissions do not stop), in ``cwd``, with at most ``file_size`` bytes per file; its exit code
    and output (a traceback, if it raised something other than an exit)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read)
            if file_size is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            os.chdir(cwd)
            result = runner.invoke(app, args)
            output = result.output
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                output += "Traceback\n" + "".join(traceback.format_exception(result.exception))
            payload = json.dumps([result.exit_code, output])
        except BaseException as err:  # noqa: BLE001  (the child reports whatever ended it, then exits)
            payload = json.dumps([99, f"Traceback\n{err!r}"])
        os.write(write, payload.encode())
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 1 << 16):
        data += chunk
    os.close(read)
    os.waitpid(pid, 0)
    code, output = json.loads(data)
    return code, output


@pytest.fixture
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder the user ``nobody`` may use, holding the corpus scenario, the example town, a run
    file with a sweep, and a file; the commands run once here first, so that the child does not
    need to import modules it may not read."""
    folder = Path(tempfile.mkdtemp(prefix="budgetsim-shared-"))
    try:
        shutil.copy(SCENARIO, folder / "s.yaml")
        shutil.copytree(TOWN, folder / "town")
        (folder / "run.yaml").write_text(
            "scenario: s.yaml\nstrategies: {current: {rule: incremental}}\ndraws: 10\n"
            "sweep: {economy.wage_uplift: [0.02, 0.03]}\n",
            encoding="utf-8",
        )
        (folder / "a file").write_text("mine", encoding="utf-8")
        for command in ("run", "report"):
            args = [command, str(folder / "s.yaml"), "--out", str(folder / "warm")]
            assert runner.invoke(app, args, catch_exceptions=False).exit_code == 0
            shutil.rmtree(folder / "warm")
        for path in (folder, *folder.rglob("*")):
            path.chmod(0o777 if path.is_dir() else 0o666)
        yield folder
    finally:
        for path in folder.rglob("*"):
            if path.is_dir():
                path.chmod(0o777)
        shutil.rmtree(folder)


def one_line_of_error(code: int, output: str, message: str) -> None:
    assert "Traceback" not in output, output
    assert code == 2, output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], output


@pytest.mark.slow
def test_every_system_refusal_is_one_line_of_error_and_leaves_nothing(shared: Path, monkeypatch) -> None:
    """The audit's D4: a read-only output folder or working folder, an unreadable table, a folder
    that cannot be entered, a file-size limit, a name too long, a store that is a file."""
    monkeypatch.chdir(shared)
    before = set(shared.iterdir())
    (shared / "ro").mkdir()
    (shared / "ro").chmod(0o555)
    one_line_of_error(
        *unprivileged(["compare", "s.yaml", "--out", "ro"], shared), "ro: cannot be written (Permission denied)"
    )
    (shared / "cwd").mkdir()
    shutil.copy(shared / "s.yaml", shared / "cwd" / "s.yaml")
    (shared / "cwd").chmod(0o555)
    one_line_of_error(
        *unprivileged(["run", "s.yaml"], shared / "cwd"), "budgetsim-output: cannot make the folder (Permission denied)"
    )
    (shared / "town" / "additions.csv").chmod(0)
    code, output = unprivileged(["validate", "town"], shared)
    assert (
        code == 1 and "error: additions.csv: cannot be read (Permission denied)" in output and "Traceback" not in output
    )
    (shared / "town" / "additions.csv").chmod(0o666)
    (shared / "locked").mkdir()
    shutil.copy(shared / "s.yaml", shared / "locked" / "s.yaml")
    (shared / "locked").chmod(0o666)  # no x: its files cannot be reached
    one_line_of_error(
        *unprivileged(["validate", "locked/s.yaml"], shared), "locked/s.yaml: cannot be read (Permission denied)"
    )
    one_line_of_error(
        *unprivileged(["run", "s.yaml", "--out", "x" * 300], shared), "cannot be written (File name too long)"
    )
    one_line_of_error(*unprivileged(["run", "x" * 300 + ".yaml"], shared), "cannot be read (File name too long)")
    one_line_of_error(
        *unprivileged(["sweep", "run.yaml", "--store", "a file"], shared), "--store: a file is a file, not a folder"
    )
    one_line_of_error(
        *unprivileged(["sweep", "run.yaml", "--store", "x" * 300], shared), "cannot be written (File name too long)"
    )
    for command, name in (("report", "comparison.xlsx"), ("compare", "components.csv")):
        one_line_of_error(
            *unprivileged([command, "s.yaml", "--out", command], shared, file_size=2_000),
            f"{command}/{name}: cannot be written (File too large)",  # named where asked, not where staged
        )
    for folder in ("ro", "cwd", "locked"):
        (shared / folder).chmod(0o777)
    made = {p.name for p in set(shared.iterdir()) - before}
    assert made == {"ro", "cwd", "locked"}  # no staging folder, lock or temporary file left
    assert list((shared / "ro").iterdir()) == [] and [p.name for p in (shared / "cwd").iterdir()] == ["s.yaml"]
    assert (shared / "a file").read_text(encoding="utf-8") == "mine"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("mount") is None, reason="needs mount")
def test_a_full_disk_is_one_line_of_error_and_leaves_nothing(tmp_path: Path) -> None:
    """The audit's D4 on a real full disk: a 64 kB memory file system, where the machine lets a
    test mount one (as root); the file-size limit above stands in for it elsewhere."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], check=False, capture_output=True
    ).returncode:
        pytest.skip("this machine does not let a test mount a file system")
    try:
        result = runner.invoke(app, ["report", str(SCENARIO), "--out", str(disk / "r")])
        one_line_of_error(
            result.exit_code, result.output, f"{disk}/r/report.html: cannot be written (No space left on device)"
        )
        assert list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=True)


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


@pytest.mark.slow
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
