"""Small hand-made scenarios for tests, and a hypothesis strategy for random valid ones."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

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


@st.composite
def random_scenarios(draw: st.DrawFn, with_forecasts: bool = True, n_years: int = 4) -> bs.Scenario:
    """Valid random scenarios: 1-5 committees, 4 age bands, forecast vintages that err."""
    base, end = 2023, 2023 + n_years
    years = range(base + 1, end + 1)
    # populations move at most 10 % a year and forecasts err by at most 10 %, as real ones do
    outcomes = {base - 2: tuple(draw(st.floats(10, 5_000)) for _ in BANDS)}
    for y in range(base - 1, end + 1):
        outcomes[y] = tuple(v * draw(st.floats(0.9, 1.1)) for v in outcomes[y - 1])
    forecasts = []
    if with_forecasts:
        for published in range(base, end):
            factor = draw(st.floats(0.9, 1.1))
            forecasts.append(
                {
                    "published": published,
                    "counts": {y: tuple(v * factor for v in outcomes[y]) for y in range(published - 2, end + 1)},
                }
            )
    rate = st.floats(-0.02, 0.08)
    n = draw(st.integers(1, 5))
    comms = []
    for i in range(n):
        frame = draw(st.floats(1e6, 1e9))
        wages = draw(st.floats(0, 1))
        internal = draw(st.floats(0, 1 - wages))
        driver_band = draw(st.sampled_from([(0, 19), (65, None), (20, 64), None]))
        drivers = []
        if driver_band is not None:
            people = sum(
                outcomes[base][j]
                for j, (_, lo, hi) in enumerate(BANDS)
                if lo >= driver_band[0] and (driver_band[1] is None or (hi is not None and hi <= driver_band[1]))
            )
            share = draw(st.floats(0, 0.9))
            drivers = [{"min_age": driver_band[0], "max_age": driver_band[1], "price": share * frame / people}]
        weights = [{"min_age": lo, "max_age": hi, "weight": draw(st.floats(0, 10))} for _, lo, hi in BANDS]
        weights[draw(st.integers(0, 3))]["weight"] = draw(st.floats(0.5, 10))
        comms.append(
            {
                "id": f"C{i}",
                "name": f"Nämnd {i}",
                "sector": "test",
                "base_frame": frame,
                "base_cost": frame * draw(st.floats(0.9, 1.1)),
                "cost_mix": {"wages": wages, "internal_services": internal},
                "volume_drivers": drivers,
                "need": {
                    "weights": weights,
                    "need_index": draw(st.floats(0.5, 2)),
                    "care_intensity_growth": draw(st.floats(-0.02, 0.05)),
                }
                if draw(st.booleans())
                else None,
            }
        )
    econ = bs.Economy(
        wage_uplift={y: draw(rate) for y in years},
        price_uplift={y: draw(rate) for y in years},
        efficiency={y: draw(st.floats(0, 0.03)) for y in years},
        wage_outcome={y: draw(rate) for y in years},
        internal_price_outcome={y: draw(rate) for y in years},
        total_available={y: draw(st.floats(1e6, 5e9)) for y in years},
    )
    additions = [
        {"year": y, "committee": "C0", "amount": draw(st.floats(0, 1e6))} for y in years if draw(st.booleans())
    ]
    steps = [
        {"year": y, "committee": f"C{n - 1}", "share": draw(st.floats(-0.05, 0.1))}
        for y in years
        if draw(st.booleans())
    ]
    return bs.Scenario.model_validate(
        {
            "base_year": base,
            "end_year": end,
            "committees": comms,
            "population": {"bands": bands(), "outcomes": outcomes, "forecasts": forecasts},
            "economy": econ,
            "additions": additions,
            "cost_steps": steps,
        }
    )
