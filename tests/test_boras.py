"""The built-in Borås data: published figures are reproduced, estimates are marked as such."""

import numpy as np
import pandas as pd
import pytest

import budgetsim as bs
from budgetsim.datasets.boras import forecast_bias, read


@pytest.fixture(scope="module")
def scenario() -> bs.Scenario:
    return bs.default_scenario()


def test_budget_years_and_committees(scenario: bs.Scenario) -> None:
    assert scenario.years == tuple(range(2024, 2031))
    assert scenario.committee("VÄN").name == "Vård- och äldrenämnden"
    assert scenario.committee("IFN").mandated_share == 0.90  # study l.514
    covered = [c.id for c in scenario.committees if c.volume_drivers]
    assert covered == ["FSN", "GSN", "GVN", "VÄN"]  # not IFN, not SON (study l.416, l.446)
    assert [d.label for d in scenario.committee("VÄN").volume_drivers] == ["65+"]


def test_published_population_figures(scenario: bs.Scenario) -> None:
    outcomes = scenario.population.outcomes
    assert abs(sum(outcomes[2022]) - 114_445) <= 2  # published total at 2022-12-31, bands within +-2
    assert sum(outcomes[2023]) == pytest.approx(114_592)  # published total at 2023-12-31
    forecast_2023 = next(f for f in scenario.population.forecasts if f.published == 2023)
    assert abs(sum(forecast_2023.counts[2027]) - 116_103) <= 2  # published forecast total
    labels = scenario.population.labels
    assert forecast_2023.counts[2024][labels.index("80-84")] == 3683


def test_historical_forecast_bias_from_the_vintages() -> None:
    bias = forecast_bias(read("population_forecast_2023.csv"), read("population_vintages.csv"))
    # 0-9 band: 2019-based forecast of 2024 = 13,739 vs 12,856 in the 2023 forecast, three years of
    # facts apart (2019 and 2022); 2020-based forecast of 2025 = 13,395 vs 12,713, two years apart
    expected = ((13_739 / 12_856) ** (1 / 3) - 1 + (13_395 / 12_713) ** (1 / 2) - 1) / 2
    assert bias["0-4"] == pytest.approx(expected) and bias["5-9"] == pytest.approx(expected)


def test_forecasts_overshoot_outcomes_only_where_asked(scenario: bs.Scenario) -> None:
    pop = scenario.population
    child = pop.labels.index("0-4")
    assert pop.known(2026, 2026)[child] == pytest.approx(pop.outcomes[2026][child])  # the headline: no bias
    biased = bs.boras(forecast_bias=True).population
    assert biased.known(2026, 2026)[child] > biased.outcomes[2026][child]
    # the bias is drawn in Monte Carlo instead: children's outcomes drift below the forecast
    drift = scenario.uncertainty.population.drift
    bias = forecast_bias(read("population_forecast_2023.csv"), read("population_vintages.csv"))
    assert drift["0-4"] == pytest.approx(-np.log1p(bias["0-4"])) and drift["0-4"] < -0.01
    assert bs.boras(forecast_bias=True).uncertainty.population.drift == 0.0  # not twice


def test_frames_are_estimates_with_their_method(scenario: bs.Scenario) -> None:
    prov = scenario.provenance()
    frames = prov[prov.item.str.endswith(".base_frame")]
    assert len(frames) == len(scenario.committees)
    assert set(frames.status) == {"estimate"}
    assert frames.method.str.contains("national").all() or frames.method.str.contains("x cost growth").all()
    assert set(prov.status) == {"published", "estimate", "assumption"}
    published = prov[prov.status == "published"].item.tolist()
    assert "economy.wage_uplift.2024" in published and "population.outcomes.2022" in published
    # only the 2024 rates are published; the later years repeat them by assumption (issue 11)
    assumed = prov[prov.status == "assumption"].item.tolist()
    assert "economy.wage_uplift.2025-" in assumed and "economy.wage_uplift.2025-" not in published


def test_committee_total_matches_the_documented_method(scenario: bs.Scenario) -> None:
    from budgetsim.datasets.boras import financial_share, frames_total, revenue_total

    assert frames_total(2016) == pytest.approx(271e6 / 0.048, rel=1e-3)  # published: +271 MSEK = +4.8 % in 2017
    assert frames_total(2020) == pytest.approx(5646e6 * 1.048 * 1.05 * 1.04 * 1.04)  # published growth 2017-2020
    total = sum(c.base_frame for c in scenario.committees)
    costs = sum(c.base_net_cost for c in scenario.committees)
    assert costs - total == pytest.approx(29e6)  # IFN 15, VÄN 10, SON 4 MSEK in deficit
    revenue = revenue_total(2023)
    # the base year meets the 2 % result target: revenue + net financial items - committees' cost
    assert revenue * (1 + financial_share()) - costs == pytest.approx(0.02 * revenue)
    assert revenue == pytest.approx(159.9e6 / 0.029 * 1.0489**8)
    assert scenario.economy.revenue[2024] == pytest.approx(
        revenue * 0.75 * 1.035 + revenue * 0.25 * 1.015
    )  # tax base x tax rate + general grants


def test_primary_school_estimate_is_near_the_study(scenario: bs.Scenario) -> None:
    # study l.478: the primary-school administration turns over "just over 2 billion" and its
    # municipal grant is "somewhat smaller"; anchored to the published 2016 frame level, the estimate
    # is about 9 % above that (the share of the total is a national-cost estimate)
    assert 1.8e9 < scenario.committee("GSN").base_frame < 2.2e9


def test_son_base_year_deficit_is_the_published_one(scenario: bs.Scenario) -> None:
    son = scenario.committee("SON")
    assert son.base_net_cost - son.base_frame == pytest.approx(4e6)  # study l.488


def test_data_files_ship_inside_the_package() -> None:
    table = read("committees.csv")
    assert table.id.tolist() == ["FSN", "GSN", "GVN", "IFN", "SON", "VÄN", "ÖVR"]
    assert isinstance(table, pd.DataFrame)


def test_default_comparison_tells_a_coherent_story(scenario: bs.Scenario) -> None:
    cmp = bs.compare(scenario, {"current": bs.strategies.boras_current(), "incremental": bs.strategies.incremental()})
    cm = cmp.committee_metrics.set_index(["strategy", "committee"])
    # committees without volume uplift get the same frames under both
    assert cm.loc[("current", "IFN"), "mean_coverage"] == cm.loc[("incremental", "IFN"), "mean_coverage"]
    # elderly care funded on 65+ falls behind its need, which grows with 80+ (behaviour 3)
    assert cm.loc[("current", "VÄN"), "mean_coverage"] < 0.97
    # over-forecast children: the preschool volume uplift over-funds need (behaviour 4)
    diag = cmp.diagnostics.query("strategy == 'current' and name == 'volume_uncorrected_error'")
    assert diag.query("committee == 'FSN' and year == 2030").value.iloc[0] > 0
    assert np.all(diag.query("committee == 'IFN'").value == 0)


def test_the_shipped_folder_is_the_derivation_from_the_published_figures(tmp_path) -> None:
    """data/boras is what derive() gives from data/boras/published (regenerate with write_folder
    after changing either), and bs.boras() is that folder, loaded as any municipality's."""
    from budgetsim.datasets.boras import MAX_HORIZON, boras_practice, derive, folder, write_folder
    from budgetsim.io import load_municipality, read_municipality

    shipped = load_municipality(folder())
    assert shipped == derive(2023 + MAX_HORIZON).replace(end_year=2030) == bs.boras()
    assert read_municipality(folder())[1] == []  # no warning, no note: UTF-8 tables, nothing stray
    written = write_folder(tmp_path / "boras")
    for path in sorted(written.iterdir()):
        assert path.read_bytes() == (folder() / path.name).read_bytes(), f"data/boras/{path.name} is stale"
    assert bs.io.load_input(folder()).process == boras_practice()
    # a later end year runs on the years the tables hold beyond 2030, as the derivation to it would
    longer, derived = bs.boras(end_year=2040), derive(2040)
    current = bs.strategies.boras_current()
    assert longer.years[-1] == 2040 and bs.simulate(longer, current).frames.equals(bs.simulate(derived, current).frames)


def test_forecast_bias_moves_the_drift_into_the_central_path(scenario: bs.Scenario) -> None:
    biased = bs.boras(forecast_bias=True)
    bias = forecast_bias(read("population_forecast_2023.csv"), read("population_vintages.csv"))
    child = scenario.population.labels.index("0-4")
    # outcomes after 2023 fall by the band's historical over-forecast per year (the old derivation)
    for year in (2024, 2027, 2030):
        expected = scenario.population.outcomes[year][child] / (1 + bias["0-4"]) ** (year - 2023)
        assert biased.population.outcomes[year][child] == pytest.approx(expected, rel=1e-12)
    # a vintage stands on the outcomes up to the year before it was published
    vintage = next(f for f in biased.population.forecasts if f.published == 2027)
    plain = next(f for f in scenario.population.forecasts if f.published == 2027)
    assert vintage.counts[2030][child] == pytest.approx(plain.counts[2030][child] / (1 + bias["0-4"]) ** 3, rel=1e-12)
    assert biased.population.forecasts[0] == scenario.population.forecasts[0]  # the published 2023 forecast
    assert biased.name == "Borås Stad (forecast bias in the central path)"
