"""Designing a transition: constraints hold on every committee-year of a feasible design, the
Pareto set is exactly the undominated designs, and the recommended design runs again from its
run file with the same numbers."""

import numpy as np
import pytest

import budgetsim as bs
from budgetsim.design import design_transition
from budgetsim.io import load_run

S = bs.default_scenario()
CURRENT = bs.strategies.boras_current()
TARGET = bs.strategies.needs_based(total=CURRENT)


@pytest.fixture(scope="module")
def design():
    return design_transition(S, CURRENT, TARGET, max_loss=0.009)


def test_feasible_designs_keep_the_loss_and_the_total_on_every_committee_year(design) -> None:
    table = design.candidates.set_index("design")
    feasible = table.index[table.feasible]
    assert 0 < len(feasible) < len(table)  # the loss limit binds: some designs are out
    base = {c.id: c.base_frame for c in S.committees}
    totals = bs.simulate(S, CURRENT).frames.groupby("year").frame.sum()
    for name in table.index:
        run = bs.simulate(S, design.strategies[name])
        frames = run.frames.pivot(index="committee", columns="year", values="frame")
        previous = np.column_stack([[base[c] for c in frames.index], frames.to_numpy()[:, :-1]])
        worst = -(frames.to_numpy() / previous - 1).min()
        assert (worst <= 0.009 + 1e-12) == (name in feasible or "total" in table.violation[name]), name
        assert np.allclose(run.frames.groupby("year").frame.sum(), totals, rtol=0, atol=1.0), name  # budget-neutral


def test_the_pareto_set_is_exactly_the_undominated_feasible_designs(design) -> None:
    table = design.candidates[design.candidates.feasible]
    values = table[list(design.objectives)].to_numpy()
    for i, (_, row) in enumerate(table.iterrows()):
        others = np.delete(values, i, axis=0)
        dominated = ((others <= values[i]).all(axis=1) & (others < values[i]).any(axis=1)).any()
        assert row.pareto == (not dominated), row.design
    assert not design.candidates[~design.candidates.feasible].pareto.any()
    assert design.recommended in design.pareto.design.tolist()
    assert design.explain("en").startswith(design.recommended) and "år" in design.explain("sv")


def test_the_recommended_design_runs_again_from_its_run_file(design, tmp_path) -> None:
    run = load_run(design.save_run(tmp_path / "design.yaml", scenario=S))
    again = bs.compare(run.scenario, run.strategies)
    original = design.comparison.frames.query("strategy == @design.recommended").frame.to_numpy()
    assert np.allclose(again.frames.query("strategy == 'design'").frame.to_numpy(), original, rtol=1e-12)


def test_no_feasible_design_is_an_error_that_says_what_to_loosen() -> None:
    with pytest.raises(ValueError, match="no design meets the constraints; loosen them"):
        design_transition(S, CURRENT, TARGET, {"floor": [{"floor": -0.03}]}, min_coverage=1.5)
    with pytest.raises(ValueError, match="family 'wishful': unknown; known: blend, pace, floor, loss_cap"):
        design_transition(S, CURRENT, TARGET, {"wishful": [{}]})


@pytest.mark.slow
def test_budgetsim_design_writes_a_run_file_that_reproduces_the_design(tmp_path) -> None:
    import pandas as pd
    from typer.testing import CliRunner

    from budgetsim.cli import app

    runner = CliRunner()
    made = runner.invoke(app, ["design", "--max-loss", "0.02", "--out", str(tmp_path / "design")])
    assert made.exit_code == 0, made.output
    assert "Recommended: " in made.output and "in the Pareto set" in made.output
    pareto = pd.read_csv(tmp_path / "design" / "pareto.csv")
    chosen = made.output.split("Recommended: ")[1].split(":")[0]
    assert chosen in pareto.design.tolist()
    again = runner.invoke(app, ["compare", str(tmp_path / "design" / "design.yaml"), "--out", str(tmp_path / "again")])
    assert again.exit_code == 0, again.output
    metrics = pd.read_csv(tmp_path / "again" / "metrics.csv").set_index("strategy")
    row = pareto.set_index("design").loc[chosen]
    assert metrics.loc["design", "volatility"] == pytest.approx(row.volatility, rel=1e-12)
    assert metrics.loc["design", "deficit_share"] == pytest.approx(row.deficit_risk, rel=1e-12)
    frames = pd.read_csv(tmp_path / "again" / "frames.csv").query("strategy == 'design'")
    wide = frames.pivot(index="committee", columns="year", values="frame")
    base = pd.Series({c.id: c.base_frame for c in S.committees}).loc[wide.index]
    changes = wide.div(pd.concat([base, wide.iloc[:, :-1]], axis=1).to_numpy()) - 1
    assert changes.min().min() >= -0.02  # nobody loses more than 2 % in a year, in the budget process too


def toy() -> bs.Scenario:
    """Two committees of 100 MSEK each, a need split 40/60 (so the target is 80/120), no uplift
    and no population change over seven budget years."""
    years = range(2024, 2031)
    need = {"A": 2.0, "B": 3.0}
    return bs.Scenario.model_validate(
        {
            "name": "toy",
            "base_year": 2023,
            "end_year": 2030,
            "committees": [
                {
                    "id": c,
                    "name": c,
                    "sector": "toy",
                    "base_frame": 100e6,
                    "cost_mix": {"wages": 0.5},
                    "need": {"weights": [{"min_age": 0, "weight": w}]},
                }
                for c, w in need.items()
            ],
            "population": {
                "bands": [{"label": "0+", "min_age": 0}],
                "outcomes": {y: (1000.0,) for y in range(2022, 2031)},
            },
            "economy": {
                "wage_uplift": dict.fromkeys(years, 0.0),
                "price_uplift": dict.fromkeys(years, 0.0),
                "efficiency": dict.fromkeys(years, 0.0),
            },
        }
    )


def test_the_toy_cases_known_optimum_is_found() -> None:
    """With at most 5 % lost a year, the fastest way from 100/100 to 80/120 is a floor of -5 %:
    A goes 95, 90.25, 85.74, 81.45, 80 and is within 1 % of its target in year 5; a -2 % floor
    never gets there in seven years, a -10 % floor (three years) breaks the limit."""
    incremental = bs.strategies.incremental()
    floors = {"floor": [{"floor": f} for f in (-0.02, -0.05, -0.10)]}
    target = bs.strategies.needs_based(total=incremental)
    objectives = ("distance_end", "years_to_target")
    found = design_transition(toy(), incremental, target, floors, objectives=objectives, max_loss=0.05)
    table = found.candidates.set_index("design")
    assert table.feasible.tolist() == [True, True, False]
    assert table.years_to_target.tolist() == [8.0, 5.0, 3.0]
    assert found.recommended == "floor (floor -0.05)" and found.pareto.design.tolist() == ["floor (floor -0.05)"]
    frames = found.comparison.frames.query("strategy == 'floor (floor -0.05)' and committee == 'A'").frame / 1e6
    assert frames.round(2).tolist() == [95.0, 90.25, 85.74, 81.45, 80.0, 80.0, 80.0]


@pytest.mark.slow
def test_the_design_report_shows_the_transition_plan_in_swedish(tmp_path) -> None:
    from test_swedish import english_words, visible_text
    from typer.testing import CliRunner

    from budgetsim.cli import app

    made = CliRunner().invoke(
        app, ["design", "--max-loss", "0.02", "--report", "--language", "sv", "--out", str(tmp_path / "plan")]
    )
    assert made.exit_code == 0, made.output
    page = (tmp_path / "plan" / "report.html").read_text(encoding="utf-8")
    assert '<h2 id="transition">Övergångsplan</h2>' in page and "<title>" in page
    assert english_words(visible_text(page)) == set()
