"""Edge inputs from the hardening audit: valid scenarios at their edges give finite metrics (or leave
out what is undefined), and values that can only be typos are refused naming the field."""

import numpy as np
import pytest
from factory import make_scenario
from pydantic import ValidationError

import budgetsim as bs


def _empty_band_scenario() -> bs.Scenario:
    """OMS needs 65+; in 2025 nobody is 65 or older (a valid, extreme population)."""
    outcomes = {
        2022: (200.0, 500.0, 250.0, 50.0),
        2023: (210.0, 505.0, 260.0, 55.0),
        2024: (220.0, 510.0, 0.0, 0.0),
        2025: (225.0, 512.0, 0.0, 0.0),
    }
    return make_scenario(population={"bands": _bands(), "outcomes": outcomes})


def _bands() -> list[dict]:
    return [
        {"label": "0-19", "min_age": 0, "max_age": 19},
        {"label": "20-64", "min_age": 20, "max_age": 64},
        {"label": "65-79", "min_age": 65, "max_age": 79},
        {"label": "80+", "min_age": 80},
    ]


def test_a_need_band_that_empties_gives_finite_metrics() -> None:
    s = _empty_band_scenario()
    r = bs.simulate(s, bs.strategies.incremental())
    cov = bs.metrics.coverage(r)
    assert np.isnan(cov[0, :, 1]).all() and np.isfinite(cov[0, :, 0]).all()  # OMS has no need: undefined
    metrics = bs.metrics.strategy_metrics(r)
    assert all(np.isfinite(v) for k, v in metrics.items())
    assert np.isfinite(bs.metrics.committee_metrics(r).drop(columns="committee").loc[[0, 2]].to_numpy()).all()


def test_pace_of_change_without_hold_harmless_has_finite_distance() -> None:
    s = _empty_band_scenario().replace(
        economy=bs.Economy(
            wage_uplift={2024: 0.03, 2025: 0.03},
            price_uplift={2024: 0.02, 2025: 0.02},
            efficiency={2024: 0.0, 2025: 0.0},
            total_available={2024: 170e6, 2025: 175e6},
        )
    )
    rule = bs.transitions.PaceOfChange(
        bs.strategies.incremental(), target=bs.strategies.needs_based(), hold_harmless=False, min_uplift=-0.5
    )
    d = bs.simulate(s, rule).diagnostics
    assert np.isfinite(d.query("name == 'distance_from_target'").value).all()


def test_typos_are_refused_naming_the_field() -> None:
    data = make_scenario().model_dump(mode="json")
    data["committees"][0]["base_frame"] = True
    with pytest.raises(ValidationError, match=r"committees.0.base_frame\n.*True is a yes/no value; give a number"):
        bs.Scenario.model_validate(data)
    with pytest.raises(ValidationError, match="cost_steps.0.share"):
        make_scenario(cost_steps=[{"year": 2024, "committee": "SKOL", "share": 1e6}])
    with pytest.raises(
        ValidationError, match=r"additions\[0\]: -1,000,000,000,000 SEK is more than ten times SKOL's base frame"
    ):
        make_scenario(additions=[{"year": 2024, "committee": "SKOL", "amount": -1e12}])
    with pytest.raises(ValidationError, match=r"population sd must be in \[0, 0.5\]"):
        bs.PopulationUncertainty(sd=3.0)
    with pytest.raises(ValueError, match="at most 30 years later"):
        bs.boras(end_year=2500)


def test_deficit_recovery_never_drives_a_frame_below_zero() -> None:
    """The audit's case: internal prices +15 % a year, deficits carried: 102 -> 30.8 -> -26 -> -205 MSEK."""
    years = range(2024, 2031)
    s = bs.Scenario.model_validate(
        {
            "base_year": 2023,
            "end_year": 2030,
            "committees": [
                {
                    "id": "A",
                    "name": "A",
                    "sector": "x",
                    "base_frame": 102e6,
                    "cost_mix": {"wages": 0.3, "internal_services": 0.6},
                }
            ],
            "population": {
                "bands": [{"label": "0+", "min_age": 0}],
                "outcomes": {y: (1000.0,) for y in range(2021, 2031)},
            },
            "economy": {
                "wage_uplift": dict.fromkeys(years, 0.0),
                "price_uplift": dict.fromkeys(years, 0.0),
                "efficiency": dict.fromkeys(years, 0.0),
                "internal_price_outcome": dict.fromkeys(years, 0.15),
            },
        }
    )
    r = bs.simulate(
        s, bs.strategies.Unchanged(), process=bs.process.BudgetProcess(year_end={"*": bs.process.YearEndRule()})
    )
    frames = (r.frames.frame / 1e6).round(1).tolist()
    assert frames == [102.0, 92.8, 73.6, 51.0, 51.0, 51.0, 51.0]  # at most half a frame recovered a year
    assert (r.year_end.debt.diff().dropna() > 0).all()  # what cannot be recovered stays as debt, reported
