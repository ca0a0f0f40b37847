"""Scenario validation: bad input is refused with an error naming the field and the problem."""

import pytest
from factory import committees, economy, make_scenario
from pydantic import ValidationError

import budgetsim as bs


def _error(**changes) -> str:
    with pytest.raises(ValidationError) as info:
        make_scenario(**changes)
    return str(info.value)


def test_valid_scenario_reads_back() -> None:
    s = make_scenario()
    assert s.years == (2024, 2025)
    assert s.committee_ids == ("SKOL", "OMS", "KULT")
    assert s.committee("OMS").cost_mix.other == 0.5


def test_wage_share_above_one_names_the_field() -> None:
    comms = committees()
    comms[0]["cost_mix"] = {"wages": 1.4}
    message = _error(committees=comms)
    assert "cost_mix.wages" in message and "less than or equal to 1" in message


def test_wage_and_internal_shares_together_above_one() -> None:
    comms = committees()
    comms[0]["cost_mix"] = {"wages": 0.8, "internal_services": 0.3}
    assert "wages (0.8) + internal_services (0.3) exceed 1" in _error(committees=comms)


def test_committee_id_used_twice() -> None:
    comms = committees()
    comms[1]["id"] = "SKOL"
    assert "id SKOL is used more than once" in _error(committees=comms)


@pytest.mark.parametrize(
    ("bands", "problem"),
    [
        ([("0-19", 0, 19), ("15-64", 15, 64), ("65+", 65, None)], "overlap"),
        (
            [("0-19", 0, 19), ("25-64", 25, 64), ("65+", 65, None)],
            "gap between bands '0-19' and '25-64': ages 20-24 are missing",
        ),
        ([("5-64", 5, 64), ("65+", 65, None)], "the first band must start at age 0"),
        ([("0-64", 0, None), ("65+", 65, None)], "only the last band may be open-ended"),
    ],
)
def test_bad_age_bands(bands, problem) -> None:
    population = {
        "bands": [{"label": b[0], "min_age": b[1], "max_age": b[2]} for b in bands],
        "outcomes": {y: (1.0,) * len(bands) for y in range(2023, 2026)},
    }
    message = _error(population=population)
    assert "population.bands" in message and problem in message


def test_driver_band_not_in_population_data() -> None:
    comms = committees()
    comms[1]["volume_drivers"] = [{"min_age": 80, "max_age": 89, "price": 1000}]
    message = _error(committees=comms)
    assert "committees[OMS].volume_drivers[0]: ages 80-89 do not coincide with whole population bands" in message


def test_need_weight_band_not_in_population_data() -> None:
    comms = committees()
    comms[0]["need"] = {"weights": [{"min_age": 6, "max_age": 15, "weight": 1}]}
    assert "committees[SKOL].need.weights[0]: ages 6-15 do not coincide" in _error(committees=comms)


def test_volume_prices_must_not_exceed_the_frame() -> None:
    comms = committees()
    comms[0]["volume_drivers"] = [{"min_age": 0, "max_age": 19, "price": 1e6}]  # 210 x 1 MSEK > 100 MSEK
    assert "more than the base frame" in _error(committees=comms)


def test_missing_budget_year_in_an_economy_path() -> None:
    message = _error(economy=economy(wage_uplift={2024: 0.03}))
    assert "economy.wage_uplift: no value for budget year(s) [2025]" in message


def test_rates_in_percent_instead_of_fractions() -> None:
    with pytest.raises(ValidationError, match="give fractions, 0.033 for 3.3 %"):
        economy(wage_uplift={2024: 3.3, 2025: 3.3})


def test_population_outcome_year_missing() -> None:
    population = {"bands": [{"label": "0+", "min_age": 0}], "outcomes": {2023: (1.0,), 2024: (1.0,)}}
    assert "population.outcomes: no counts for year(s) [2025]" in _error(population=population)


def test_no_forecast_published_in_time() -> None:
    population = {
        "bands": [{"label": "0+", "min_age": 0}],
        "outcomes": {y: (1.0,) for y in range(2022, 2026)},
        "forecasts": [{"published": 2024, "counts": {y: (1.0,) for y in range(2023, 2026)}}],
    }
    assert "no population forecast published by 2023 for budget year 2024" in _error(population=population)


def test_additions_for_unknown_committee_or_year() -> None:
    assert "additions[0]: unknown committee 'XYZ'" in _error(
        additions=[{"year": 2024, "committee": "XYZ", "amount": 1}]
    )
    assert "additions[0]: year 2031 is not a budget year" in _error(
        additions=[{"year": 2031, "committee": "OMS", "amount": 1}]
    )


def test_misspelt_field_is_an_error_not_ignored() -> None:
    comms = committees()
    comms[0]["base_frames"] = 1.0
    assert "base_frames" in _error(committees=comms) and "Extra inputs are not permitted" in _error(committees=comms)


def test_scenarios_are_immutable_and_replace_revalidates() -> None:
    s = make_scenario()
    with pytest.raises(ValidationError):
        s.base_year = 2020  # type: ignore[misc]
    with pytest.raises(ValidationError, match="end_year"):
        s.replace(end_year=2023)
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        s.replace_committee("SKOL", cost_mix={"wages": 2.0})
    assert s.committee("SKOL").cost_mix.wages == 0.7  # the failed change left nothing behind


def test_with_volume_driver_keeps_base_year_funding() -> None:
    s = make_scenario()
    s80 = s.with_volume_driver("OMS", min_age=80)
    # 65+: 20,000 SEK x (260 + 55) = 6.3 MSEK in 2023 (perfect foresight); 80+ has 55 people
    assert s80.committee("OMS").volume_drivers[0].price == pytest.approx(6_300_000 / 55)
    assert s80.committee("SKOL") == s.committee("SKOL")
    with pytest.raises(KeyError, match="known: SKOL, OMS, KULT"):
        s.with_volume_driver("XYZ", min_age=80)


def test_provenance_table() -> None:
    s = make_scenario(notes=[{"item": "committees.SKOL.base_frame", "status": "assumption", "source": "test"}])
    table = s.provenance()
    assert list(table.columns) == ["item", "status", "value", "unit", "source", "method"]
    assert table.status.tolist() == ["assumption"]
    with pytest.raises(ValidationError, match="status"):
        bs.SourceNote(item="x", status="guess")
