"""The sweep store under faults and concurrency: fingerprints that see everything a result depends
on, interrupted starts and unfinished points, simultaneous writers, hostile folder names, and
worker processes of an interrupted or killed sweep."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import psutil
import pytest

import budgetsim as bs
from budgetsim import store as store_module
from budgetsim.store import SweepStore, open_store, query
from budgetsim.sweep import fingerprint, sweep

DRAWS = 20
CURRENT = {"current": bs.strategies.boras_current()}


@pytest.fixture(scope="module")
def scenario() -> bs.Scenario:
    return bs.default_scenario()


def make(rate: float) -> Callable[[Any], dict[str, Any]]:
    """The audit's factory: a strategy closing over ``rate``."""

    def s(ctx: Any) -> dict[str, Any]:
        return {"x": rate * ctx.last_frame}

    return s


RATE = 0.01
SCALE = 1.0


def by_global(ctx: Any) -> dict[str, Any]:
    return {"x": RATE * ctx.last_frame}


def scaled(value: Any) -> Any:
    return SCALE * value


def by_helper(ctx: Any) -> dict[str, Any]:
    return {"x": scaled(0.01 * ctx.last_frame)}


def by_default(ctx: Any, rate: float = 0.01) -> dict[str, Any]:
    return {"x": rate * ctx.last_frame}


def by_keyword_default(ctx: Any, *, rate: float = 0.01) -> dict[str, Any]:
    return {"x": rate * ctx.last_frame}


RULE = bs.strategies.boras_current()


def by_rule(ctx: Any) -> Any:
    return RULE(ctx)


class Scaled:
    """A callable object: its state is its rate."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, ctx: Any) -> dict[str, Any]:
        return {"x": self.rate * ctx.last_frame}


# -- 1. fingerprints -------------------------------------------------------------------------------


def test_closures_over_different_values_do_not_share_a_store(tmp_path: Path, scenario: bs.Scenario) -> None:
    store = tmp_path / "store"
    one = sweep(scenario, {}, {"s": make(0.01)}, draws=DRAWS, seed=1, store=store)
    with pytest.raises(ValueError, match="holds another sweep"):
        sweep(scenario, {}, {"s": make(0.10)}, draws=DRAWS, seed=1, store=store)
    ten = sweep(scenario, {}, {"s": make(0.10)}, draws=DRAWS, seed=1, store=tmp_path / "other")
    direct = bs.monte_carlo(scenario, make(0.10), name="s", draws=DRAWS, seed=1)
    assert ten.summary["mean"].tolist() == pytest.approx(direct.summary["mean"].tolist())
    assert one.summary["mean"].tolist() != pytest.approx(ten.summary["mean"].tolist())


def test_fingerprints_cover_closures_globals_defaults_and_state(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fingerprint(make(0.01)) == fingerprint(make(0.01))
    assert fingerprint(make(0.01)) != fingerprint(make(0.10))
    assert fingerprint(Scaled(0.01)) == fingerprint(Scaled(0.01))
    assert fingerprint(Scaled(0.01)) != fingerprint(Scaled(0.10))
    before = [fingerprint(f) for f in (by_global, by_helper, by_rule, by_default, by_keyword_default)]
    monkeypatch.setitem(by_global.__globals__, "RATE", 0.10)
    monkeypatch.setitem(by_global.__globals__, "SCALE", 2.0)
    monkeypatch.setitem(by_global.__globals__, "RULE", bs.strategies.needs_based())
    monkeypatch.setattr(by_default, "__defaults__", (0.10,))
    monkeypatch.setattr(by_keyword_default, "__kwdefaults__", {"rate": 0.10})
    after = [fingerprint(f) for f in (by_global, by_helper, by_rule, by_default, by_keyword_default)]
    assert [b != a for b, a in zip(before, after, strict=True)] == [True] * 5


@pytest.mark.slow
def test_fingerprints_are_the_same_in_every_process(tmp_path: Path) -> None:
    # a set constant (iteration order varies with the hash seed) and a nested code object (its
    # repr carries a memory address)
    script = (
        "from budgetsim.sweep import fingerprint\n"
        "def s(ctx):\n"
        "    keep = {'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'}\n"
        "    return {k: 0.01 * ctx.last_frame for k in ('x',) if k not in keep}\n"
        "print(fingerprint(s))\n"
    )
    prints = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(prints) == 1


def test_a_strategy_that_cannot_be_fingerprinted_is_refused(tmp_path: Path, scenario: bs.Scenario) -> None:
    lock = threading.Lock()

    def locked(ctx: Any) -> dict[str, Any]:
        with lock:
            return {"x": 0.01 * ctx.last_frame}

    with pytest.raises(ValueError, match=r"strategy 'locked'.*'lock'.*registered rule.*module-level function"):
        sweep(scenario, {}, {"locked": locked}, draws=DRAWS, store=tmp_path / "store")
    assert len(sweep(scenario, {}, {"locked": locked}, draws=DRAWS).points) == 1  # without a store it runs


# -- 2. interrupted starts and unfinished points ---------------------------------------------------


def test_a_rerun_repairs_a_start_killed_after_the_manifest(tmp_path: Path, scenario: bs.Scenario) -> None:
    store = tmp_path / "store"
    sweep(scenario, {}, CURRENT, draws=DRAWS, store=store)
    for path in sorted(store.rglob("*"), reverse=True):  # leave only what a start killed there leaves
        if path.name not in ("manifest.json", ".lock"):
            path.rmdir() if path.is_dir() else path.unlink()
    sweep(scenario, {}, CURRENT, draws=DRAWS, store=store)
    assert (store / "points.parquet").exists()
    assert query(store, "SELECT count(*) AS n FROM risk JOIN points USING (point)").n.iloc[0] == 49


def test_a_rerun_repairs_a_start_interrupted_while_writing(
    tmp_path: Path, scenario: bs.Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    original = pd.DataFrame.to_parquet

    def killed(self: pd.DataFrame, path: Any, *args: Any, **kwargs: Any) -> None:
        if "points.parquet" in str(path):
            raise KeyboardInterrupt
        original(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", killed)
    with pytest.raises(KeyboardInterrupt):
        sweep(scenario, {}, CURRENT, draws=DRAWS, store=store)
    monkeypatch.undo()
    sweep(scenario, {}, CURRENT, draws=DRAWS, store=store)
    assert query(store, "SELECT count(*) AS n FROM points").n.iloc[0] == 1
    assert not list(store.rglob("*.tmp"))


def test_points_without_a_done_marker_are_invisible(tmp_path: Path, scenario: bs.Scenario) -> None:
    store = tmp_path / "store"
    strategies = {"current": CURRENT["current"], "needs": bs.strategies.needs_based()}
    sweep(scenario, {}, strategies, draws=DRAWS, store=store)
    (store / "_done" / "1").unlink()  # point 1 interrupted after its parts, before its marker
    con = open_store(store)
    try:
        assert con.execute("SELECT list(DISTINCT point) FROM summary").fetchone()[0] == [0]
        assert con.execute("SELECT list(DISTINCT point) FROM risk").fetchone()[0] == [0]
        assert con.execute("SELECT count(*) FROM points").fetchone()[0] == 2
    finally:
        con.close()
    (store / "_done" / "0").unlink()
    assert query(store, "SELECT count(*) AS n FROM risk").n.iloc[0] == 0


# -- 3. concurrent writers -------------------------------------------------------------------------


def _manifest(n: int, seed: int = 0) -> dict[str, Any]:
    return {
        "draws": DRAWS,
        "seed": seed,
        "points": [{"point": str(i), "strategy": f"s{i}"} for i in range(n)],
        "fingerprints": [f"f{i}" for i in range(n)],
    }


def _at_once(calls: list[Callable[[], Any]]) -> list[BaseException | None]:
    """Run ``calls`` in threads released together; each one's exception or None."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> None:
        barrier.wait()
        call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
    return [future.exception() for future in futures]


@pytest.mark.slow
def test_fifty_simultaneous_starts_all_succeed(tmp_path: Path) -> None:
    for attempt in range(5):
        folder = tmp_path / f"store{attempt}"
        manifest = _manifest(3)
        assert _at_once([lambda f=folder, m=manifest: SweepStore(f).open(m) for _ in range(50)]) == [None] * 50
        assert json.loads((folder / "manifest.json").read_text(encoding="utf-8")) == manifest
        assert pd.read_parquet(folder / "points.parquet").point.tolist() == [0, 1, 2]
        assert not list(folder.rglob("*.tmp"))


def test_simultaneous_starts_of_two_sweeps_leave_one_consistent_store(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    manifests = [_manifest(2, seed=1), _manifest(3, seed=2)] * 10
    errors = _at_once([lambda m=m: SweepStore(folder).open(m) for m in manifests])
    winner = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert winner in manifests
    for manifest, error in zip(manifests, errors, strict=True):
        assert (error is None) == (manifest == winner)
        assert error is None or "holds another sweep" in str(error)
    assert len(pd.read_parquet(folder / "points.parquet")) == len(winner["points"])


def _sweep_in_a_process(folder: Path, barrier: Any, out: Any) -> None:
    barrier.wait()
    result = sweep(bs.default_scenario(), {}, CURRENT, draws=DRAWS, seed=3, store=folder)
    out.put(result.risk.to_json())


@pytest.mark.slow
def test_simultaneous_sweeps_in_processes_all_succeed(tmp_path: Path, scenario: bs.Scenario) -> None:
    folder = tmp_path / "store"
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(6), context.Queue()
    processes = [context.Process(target=_sweep_in_a_process, args=(folder, barrier, out)) for _ in range(6)]
    for process in processes:
        process.start()
    results = [out.get(timeout=30) for _ in processes]
    for process in processes:
        process.join()
    assert [p.exitcode for p in processes] == [0] * 6
    assert len(set(results)) == 1
    expected = bs.monte_carlo(scenario, CURRENT["current"], name="current", draws=DRAWS, seed=3).risk
    stored = query(folder, "SELECT * EXCLUDE (point) FROM risk ORDER BY year, committee")
    pd.testing.assert_frame_equal(
        stored.sort_values(["year", "committee"]).reset_index(drop=True),
        expected.sort_values(["year", "committee"]).reset_index(drop=True),
        check_dtype=False,
    )


def test_opening_a_store_keeps_a_live_writers_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "store"
    SweepStore(folder).open(_manifest(1))
    written, release = threading.Event(), threading.Event()
    original = pd.DataFrame.to_parquet

    def slow(self: pd.DataFrame, path: Any, *args: Any, **kwargs: Any) -> None:
        original(self, path, *args, **kwargs)
        written.set()
        release.wait(10)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", slow)
    table = pd.DataFrame({"point": [0], "value": [1.0]})
    with ThreadPoolExecutor(max_workers=1) as pool:
        writing = pool.submit(SweepStore(folder).write, 0, {"summary": table, "risk": table})
        assert written.wait(10)
        SweepStore(folder).open(_manifest(1))  # another writer starts while the first is mid-write
        release.set()
        writing.result()
    assert SweepStore(folder).done(0)


def test_only_abandoned_temp_files_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    SweepStore(folder).open(_manifest(1))
    target = folder / "summary" / "point=0" / "part.parquet"
    target.parent.mkdir(parents=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        names = {
            "mine": store_module._temp_path(target).name,
            "live": store_module._temp_path(target).name.replace(f".{os.getpid()}.", f".{sleeper.pid}."),
            "dead": store_module._temp_path(target).name.replace(f".{os.getpid()}.", f".{dead.stdout.strip()}."),
            "elsewhere": store_module._temp_path(target).name.replace(f".{store_module._HOST}.", ".elsewhere."),
            "old elsewhere": store_module._temp_path(target).name.replace(f".{store_module._HOST}.", ".elsewhere."),
            "unnamed writer": ".part.parquet.tmp",
        }
        for name in names.values():
            (target.parent / name).write_bytes(b"half a file")
        old = time.time() - store_module.STALE_AFTER - 60
        os.utime(target.parent / names["old elsewhere"], (old, old))
        SweepStore(folder).open(_manifest(1))
        left = {key for key, name in names.items() if (target.parent / name).exists()}
        assert left == {"mine", "live", "elsewhere"}
    finally:
        sleeper.kill()
        sleeper.wait()


def test_simultaneous_writes_of_a_point_all_succeed(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    SweepStore(folder).open(_manifest(1))
    table = pd.DataFrame({"point": [0] * 1000, "value": range(1000)})
    tables = {"summary": table, "risk": table}
    assert _at_once([lambda: SweepStore(folder).write(0, tables) for _ in range(30)]) == [None] * 30
    assert len(pd.read_parquet(folder / "risk" / "point=0" / "part.parquet")) == 1000
    assert not list(folder.rglob("*.tmp"))


# -- 4. folder names and SQL -----------------------------------------------------------------------


def test_a_folder_with_a_quote_in_its_name_works(tmp_path: Path, scenario: bs.Scenario) -> None:
    store = tmp_path / "it's a sweep"
    sweep(scenario, {}, CURRENT, draws=DRAWS, store=store)
    assert query(store, "SELECT count(*) AS n FROM risk JOIN points USING (point)").n.iloc[0] == 49


def test_a_crafted_folder_name_runs_nothing_else(
    tmp_path: Path, scenario: bs.Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "x")  # makes the first injected statement valid
    store = tmp_path / "x', hive_partitioning = true); COPY (SELECT 42 AS answer) TO 'pwned.csv'; --"
    sweep(scenario, {}, CURRENT, draws=DRAWS, store=store)
    assert query(store, "SELECT count(*) AS n FROM risk JOIN points USING (point)").n.iloc[0] == 49
    assert not (tmp_path / "pwned.csv").exists()


def test_glob_characters_in_a_folder_name_are_literal(tmp_path: Path, scenario: bs.Scenario) -> None:
    sweep(scenario, {}, CURRENT, draws=DRAWS, store=tmp_path / "abc")
    sweep(scenario, {}, {"needs": bs.strategies.needs_based()}, draws=DRAWS, store=tmp_path / "a[b]c")
    assert query(tmp_path / "a[b]c", "SELECT DISTINCT strategy FROM points").strategy.tolist() == ["needs"]
    assert query(tmp_path / "a[b]c", "SELECT count(*) AS n FROM risk").n.iloc[0] == 49


# -- 5. worker processes of an interrupted sweep ---------------------------------------------------

LONG_SWEEP = (
    "import budgetsim as bs\n"
    "from budgetsim.sweep import sweep\n"
    "strategies = {f's{i}': bs.strategies.boras_current() for i in range(40)}\n"
    "sweep(bs.default_scenario(), {}, strategies, draws=300_000, executor='processes', workers=2)\n"
)


def _workers_of(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """Wait until the sweep in ``process`` runs its two workers; return them."""
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        children = parent.children(recursive=True)
        if len(children) >= 2:
            time.sleep(0.5)  # let them take tasks
            return parent.children(recursive=True)
        time.sleep(0.05)
    raise AssertionError("the sweep started no worker processes")


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_or_killed_sweep_leaves_no_workers(how: signal.Signals) -> None:
    process = subprocess.Popen([sys.executable, "-c", LONG_SWEEP], stderr=subprocess.DEVNULL)
    workers: list[psutil.Process] = []
    try:
        workers = _workers_of(process)
        process.send_signal(how)
        process.wait(timeout=5)
        _, alive = psutil.wait_procs(workers, timeout=3)
        assert alive == []
    finally:
        process.kill()
        for worker in workers:
            if worker.is_running():
                worker.kill()


def broken(ctx: Any) -> dict[str, Any]:
    """A strategy that fails at once (module-level, so worker processes can unpickle it)."""
    raise RuntimeError("broken strategy")


def test_a_failing_point_stops_the_other_workers(scenario: bs.Scenario) -> None:
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    strategies = {"broken": broken, **{f"s{i}": CURRENT["current"] for i in range(3)}}  # 10 s a point
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="broken strategy"):
        sweep(scenario, {}, strategies, draws=300_000, executor="processes", workers=2)
    assert time.monotonic() - start < 5  # the point running beside the broken one was stopped
    started = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    _, alive = psutil.wait_procs(started, timeout=3)
    assert alive == []


# -- 6. atomic writes ------------------------------------------------------------------------------


def test_a_failed_write_leaves_neither_a_partial_file_nor_a_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "store"
    SweepStore(folder).open(_manifest(1))

    def broken(self: pd.DataFrame, path: Any, *args: Any, **kwargs: Any) -> None:
        Path(path).write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    table = pd.DataFrame({"point": [0], "value": [1.0]})
    with pytest.raises(OSError, match="disk full"):
        SweepStore(folder).write(0, {"summary": table, "risk": table})
    assert not (folder / "summary" / "point=0" / "part.parquet").exists()
    assert not SweepStore(folder).done(0)
    assert not list(folder.rglob("*.tmp"))
