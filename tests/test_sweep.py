"""Sweeps on one process, worker processes and a local Dask cluster give the same numbers; the
Parquet store survives an interruption and resumes; DuckDB reads it."""

import pandas as pd
import pytest

import budgetsim as bs
from budgetsim import sweep as sweep_module
from budgetsim.store import open_store, query
from budgetsim.sweep import sweep

GRID = {
    "elderly driver": {"65+": lambda s: s, "80+": lambda s: s.with_volume_driver("VÄN", min_age=80)},
    "efficiency": {
        e: (lambda s, e=e: s.replace(economy=s.economy.model_copy(update={"efficiency": dict.fromkeys(s.years, e)})))
        for e in (0.0, 0.02)
    },
}
STRATEGIES = {"current": bs.strategies.boras_current(), "needs": bs.strategies.needs_based()}
DRAWS = 300


@pytest.fixture(scope="module")
def scenario() -> bs.Scenario:
    return bs.default_scenario()


@pytest.fixture(scope="module")
def local(scenario: bs.Scenario) -> sweep_module.SweepResult:
    return sweep(scenario, GRID, STRATEGIES, draws=DRAWS, seed=5)


def test_grid_points_and_a_point_equal_a_direct_run(scenario: bs.Scenario, local: sweep_module.SweepResult) -> None:
    assert len(local.points) == 2 * 2 * 2
    assert local.points.iloc[5].to_dict() == {
        "point": 5,
        "elderly driver": "80+",
        "efficiency": 0.0,
        "strategy": "needs",
    }
    variant = GRID["efficiency"][0.0](scenario.with_volume_driver("VÄN", min_age=80))
    direct = bs.monte_carlo(variant, STRATEGIES["needs"], name="needs", draws=DRAWS, seed=5)
    mine = local.risk.query("point == 5").drop(columns=["point", "elderly driver", "efficiency", "strategy"])
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), direct.risk, check_exact=True)


def test_processes_give_the_same_numbers(scenario: bs.Scenario, local: sweep_module.SweepResult) -> None:
    other = sweep(scenario, GRID, STRATEGIES, draws=DRAWS, seed=5, executor="processes", workers=2)
    pd.testing.assert_frame_equal(other.summary, local.summary, check_exact=True)


@pytest.mark.slow
def test_local_dask_cluster_gives_the_same_numbers(scenario: bs.Scenario, local: sweep_module.SweepResult) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        other = sweep(scenario, GRID, STRATEGIES, draws=DRAWS, seed=5, executor=client)
    pd.testing.assert_frame_equal(other.summary, local.summary, check_exact=True)
    pd.testing.assert_frame_equal(other.risk, local.risk, check_exact=True)


def test_store_resumes_after_an_interruption(tmp_path, scenario: bs.Scenario, local, monkeypatch) -> None:
    store = tmp_path / "store"
    sweep(scenario, GRID, STRATEGIES, draws=DRAWS, seed=5, store=store)
    # interrupt point 3: its marker and one table gone, a half-written file left behind
    (store / "_done" / "3").unlink()
    (store / "risk" / "point=3" / "part.parquet").unlink()
    (store / "risk" / "point=3" / ".part.parquet.tmp").write_bytes(b"half a file")
    ran = []
    original = sweep_module.run_task
    monkeypatch.setattr(sweep_module, "run_task", lambda task: ran.append(task.point.index) or original(task))
    resumed = sweep(scenario, GRID, STRATEGIES, draws=DRAWS, seed=5, store=store)
    assert ran == [3]
    assert not list(store.rglob("*.tmp"))
    pd.testing.assert_frame_equal(resumed.risk, local.risk, check_dtype=False)


def test_store_refuses_another_sweep(tmp_path, scenario: bs.Scenario) -> None:
    store = tmp_path / "store"
    sweep(scenario, {}, {"current": STRATEGIES["current"]}, draws=50, seed=1, store=store)
    with pytest.raises(ValueError, match="holds another sweep"):
        sweep(scenario, {}, {"current": STRATEGIES["current"]}, draws=50, seed=2, store=store)


def test_duckdb_queries_the_store(tmp_path, scenario: bs.Scenario, local) -> None:
    store = tmp_path / "store"
    sweep(scenario, GRID, STRATEGIES, draws=DRAWS, seed=5, store=store)
    sql = """SELECT p.strategy, p."elderly driver" AS driver, avg(r.prob_deficit) AS p
             FROM risk r JOIN points p USING (point) WHERE r.committee = 'VÄN' GROUP BY ALL ORDER BY ALL"""
    table = query(store, sql)
    expected = (
        local.risk.query("committee == 'VÄN'").groupby(["strategy", "elderly driver"]).prob_deficit.mean().reset_index()
    )
    assert table.p.tolist() == pytest.approx(expected.prob_deficit.tolist())
    con = open_store(store)
    assert con.execute("SELECT count(DISTINCT point) FROM summary").fetchone()[0] == 8
    con.close()
    with pytest.raises(ValueError, match="not a sweep store"):
        open_store(tmp_path)


def test_sweep_input_errors(scenario: bs.Scenario) -> None:
    with pytest.raises(ValueError, match="executor must be"):
        sweep(scenario, {}, {"current": STRATEGIES["current"]}, draws=10, executor="cloud")
    with pytest.raises(ValueError, match="at least one strategy"):
        sweep(scenario, {}, {}, draws=10)


def test_store_refuses_a_sweep_with_another_process_or_strategy(tmp_path, scenario: bs.Scenario) -> None:
    store = tmp_path / "store"
    sweep(scenario, {}, {"current": STRATEGIES["current"]}, draws=50, seed=1, store=store)
    with pytest.raises(ValueError, match="holds another sweep"):
        sweep(
            scenario,
            {},
            {"current": STRATEGIES["current"]},
            draws=50,
            seed=1,
            store=store,
            process=bs.datasets.boras.boras_practice(),
        )
    with pytest.raises(ValueError, match="holds another sweep"):
        sweep(scenario, {}, {"current": STRATEGIES["needs"]}, draws=50, seed=1, store=store)


def test_a_sweep_value_that_does_not_validate_is_named_in_plain_words() -> None:
    from budgetsim.io.overrides import override

    with pytest.raises(ValueError) as caught:
        override(bs.default_scenario(), "economy.result_target", float("nan"))
    message = str(caught.value)
    assert message.startswith("economy.result_target = nan: economy.result_target:")
    assert "errors.pydantic.dev" not in message and "[type=" not in message


def test_paths_take_the_folders_column_names(scenario: bs.Scenario) -> None:
    """A sweep path may use the municipality folder's column names for the values they hold."""
    from budgetsim.io.overrides import override

    for column, model in (
        ("committees.VÄN.wage_share", "committees.VÄN.cost_mix.wages"),
        ("committees.VÄN.internal_services_share", "committees.VÄN.cost_mix.internal_services"),
        ("committees.VÄN.need_index", "committees.VÄN.need.need_index"),
        ("spending_adaptation", "economy.spending_adaptation"),
    ):
        assert override(scenario, column, 0.25) == override(scenario, model, 0.25), column
    with pytest.raises(ValueError, match=r"no committees.VÄN.price_list \(none given\)"):
        override(scenario, "committees.VÄN.price_basis", "mean")


def test_a_store_without_the_scale_extra_gives_the_install_hint(scenario: bs.Scenario, tmp_path, monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a))
    with pytest.raises(
        ImportError, match=r"a sweep store needs pyarrow: in a clone of budgetsim run pip install '\.\[scale\]'"
    ):
        sweep(scenario, {}, {"current": bs.strategies.boras_current()}, draws=10, store=tmp_path / "store")
    assert not (tmp_path / "store").exists()
