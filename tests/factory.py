"""Small hand-made scenarios for tests, and a hypothesis strategy for random valid ones."""

from __future__ import annotations

from typing import Any

import budgetsim as bs

BANDS = (("0-19", 0, 19), ("20-64", 20, 64), ("65-79", 65, 79), ("80+", 80, None))
OUTCOMES = {
    2022: (200.0, 500.0, 250.0, 50.0),
    2023: (210.0, 505.0, 260.0, 55.0),
    2024: (220.0, 510.0, 270.0, 60.0),
    2025: (225.0, 512.0, 280.0, 66.0),
}


def bands() -> tuple[bs.AgeBand, ...]:
    return tuple(bs.AgeBand(label=label, min_age=lo, max_age=hi) for label, lo, hi in BANDS)


def economy(years: range = range(2024, 2026), **changes: Any) -> bs.Economy:
    data: dict[str, Any] = {
        "wage_uplift": dict.fromkeys(years, 0.033),
        "price_uplift": dict.fromkeys(years, 0.018),
        "efficiency": dict.fromkeys(years, 0.01),
    }
    data.update(changes)
    return bs.Economy(**data)


def committees() -> list[dict[str, Any]]:
    return [
        {
            "id": "SKOL",
            "name": "Skolnämnden",
            "sector": "school",
            "base_frame": 100e6,
            "cost_mix": {"wages": 0.7},
            "volume_drivers": [{"min_age": 0, "max_age": 19, "price": 100_000}],
            "need": {"weights": [{"min_age": 0, "max_age": 19, "weight": 1}]},
        },
        {
            "id": "OMS",
            "name": "Omsorgsnämnden",
            "sector": "elderly care",
            "base_frame": 50e6,
            "cost_mix": {"wages": 0.5},
            "volume_drivers": [{"min_age": 65, "price": 20_000}],
            "need": {"weights": [{"min_age": 65, "max_age": 79, "weight": 1}, {"min_age": 80, "weight": 9}]},
        },
        {"id": "KULT", "name": "Kulturnämnden", "sector": "culture", "base_frame": 10e6, "cost_mix": {"wages": 0.5}},
    ]


def make_scenario(**changes: Any) -> bs.Scenario:
    """The three-committee test scenario, base year 2023, budget years 2024-2025, with top-level
    fields replaced by ``changes`` (dicts are validated like a scenario file)."""
    data: dict[str, Any] = {
        "name": "test",
        "base_year": 2023,
        "end_year": 2025,
        "committees": committees(),
        "population": {"bands": bands(), "outcomes": OUTCOMES},
        "economy": economy(),
    }
    data.update(changes)
    return bs.Scenario.model_validate(data)


def vintage_scenario(**committee_changes: Any) -> bs.Scenario:
    """One committee (VÄN) driven by 65+. The forecast of 2023 expects 1,000 people in 2023,
    1,100 in 2024 and 1,200 in 2025; the forecast of 2024 revises 2024 to 1,080 and 2025 to 1,150.
    Outcomes: 990, 1,070, 1,140."""
    population = {
        "bands": [{"label": "0-64", "min_age": 0, "max_age": 64}, {"label": "65+", "min_age": 65}],
        "outcomes": {2022: (0, 950), 2023: (0, 990), 2024: (0, 1070), 2025: (0, 1140)},
        "forecasts": [
            {"published": 2023, "counts": {2022: (0, 950), 2023: (0, 1000), 2024: (0, 1100), 2025: (0, 1200)}},
            {"published": 2024, "counts": {2023: (0, 990), 2024: (0, 1080), 2025: (0, 1150)}},
        ],
    }
    committee = {
        "id": "VÄN",
        "name": "Vård- och äldrenämnden",
        "sector": "elderly care",
        "base_frame": 100e6,
        "cost_mix": {"wages": 0.5},
        "volume_drivers": [{"min_age": 65, "price": 50_000}],
        "need": {"weights": [{"min_age": 65, "weight": 1}]},
        **committee_changes,
    }
    return make_scenario(population=population, committees=[committee])
