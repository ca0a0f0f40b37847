"""Volume uplift on a hand-made population, with and without forecast vintages."""

import pytest
from factory import bands, make_scenario, vintage_scenario

import budgetsim as bs

UPLIFT_OMS = 0.5 * 0.033 + 0.5 * 0.018  # price per inhabitant follows the cost mix, no efficiency: 2.55 %


def _component(result: bs.Result, year: int, committee: str, name: str) -> float:
    table = result.components.set_index(["year", "committee", "component"]).amount
    return float(table[(year, committee, name)])


def test_perfect_foresight_forecast_basis() -> None:
    r = bs.simulate(make_scenario(), bs.strategies.VolumeUplift())
    # OMS drives on 65+: 315 people in 2023, 330 in 2024, 346 in 2025; 20,000 SEK base price
    assert _component(r, 2024, "OMS", "volume") == pytest.approx(20_000 * 1.0255 * 15)
    assert _component(r, 2025, "OMS", "volume") == pytest.approx(20_000 * 1.0255**2 * 16)
    # SKOL (wages 0.7 -> 2.85 %) drives on 0-19: 210 -> 220
    assert _component(r, 2024, "SKOL", "volume") == pytest.approx(100_000 * (1 + 0.7 * 0.033 + 0.3 * 0.018) * 10)
    assert _component(r, 2024, "KULT", "volume") == 0.0


def test_mean_of_year_ends_basis() -> None:
    r = bs.simulate(make_scenario(), bs.strategies.VolumeUplift(basis="mean"))
    # 2024 basis: mean(315, 330) = 322.5; 2023 basis: mean(300, 315) = 307.5
    assert _component(r, 2024, "OMS", "volume") == pytest.approx(20_000 * 1.0255 * 15)
    # 2025: mean(330, 346) - mean(315, 330) = 15.5
    assert _component(r, 2025, "OMS", "volume") == pytest.approx(20_000 * 1.0255**2 * 15.5)


def test_only_the_named_committees_are_covered() -> None:
    r = bs.simulate(make_scenario(), bs.strategies.VolumeUplift(committees=("OMS",)))
    assert _component(r, 2024, "SKOL", "volume") == 0.0
    assert _component(r, 2024, "OMS", "volume") > 0
    with pytest.raises(ValueError, match="committee 'KULT' has no volume drivers"):
        bs.simulate(make_scenario(), bs.strategies.VolumeUplift(committees=("KULT",)))
    with pytest.raises(ValueError, match="unknown committee 'XYZ'"):
        bs.simulate(make_scenario(), bs.strategies.VolumeUplift(committees=("XYZ",)))


def test_forecast_errors_are_not_corrected_by_default() -> None:
    r = bs.simulate(vintage_scenario(), bs.strategies.VolumeUplift())
    price_2024, price_2025 = 50_000 * 1.0255, 50_000 * 1.0255**2
    assert _component(r, 2024, "VÄN", "volume") == pytest.approx(price_2024 * (1100 - 1000))
    assert _component(r, 2025, "VÄN", "volume") == pytest.approx(price_2025 * (1150 - 1080))
    # funded: 1000 + 100 + 70 = 1,170 people, best estimate 1,150: a hidden windfall of 20 people
    errors = r.diagnostics.set_index(["year", "committee", "name"]).value
    assert errors[(2024, "VÄN", "volume_uncorrected_error")] == pytest.approx(0.0)
    assert errors[(2025, "VÄN", "volume_uncorrected_error")] == pytest.approx(price_2025 * 20)


def test_retroactive_correction_removes_the_accumulated_error() -> None:
    r = bs.simulate(vintage_scenario(), bs.strategies.VolumeUplift(correct_forecast_errors=True))
    price_2025 = 50_000 * 1.0255**2
    assert _component(r, 2024, "VÄN", "volume_correction") == 0.0
    assert _component(r, 2025, "VÄN", "volume_correction") == pytest.approx(price_2025 * (1080 - 1100))
    frames = r.frames.set_index("year").frame
    uncorrected = bs.simulate(vintage_scenario(), bs.strategies.VolumeUplift()).frames.set_index("year").frame
    assert uncorrected[2025] - frames[2025] == pytest.approx(price_2025 * 20)


def test_mean_basis_needs_the_population_two_years_back() -> None:
    s = make_scenario(population={"bands": bands(), "outcomes": {y: (1.0, 1.0, 1.0, 1.0) for y in range(2023, 2026)}})
    with pytest.raises(ValueError, match=r"basis='mean' needs the population two years before.*\[2024\]"):
        bs.simulate(s, bs.strategies.VolumeUplift(basis="mean"))
    bs.simulate(s, bs.strategies.VolumeUplift())  # the forecast basis does not


def test_elderly_care_on_80_plus_is_a_one_line_change() -> None:
    s = make_scenario()
    on_80 = s.with_volume_driver("OMS", min_age=80)
    r65 = bs.simulate(s, bs.strategies.VolumeUplift(committees=("OMS",)))
    r80 = bs.simulate(on_80, bs.strategies.VolumeUplift(committees=("OMS",)))
    price_80 = 6_300_000 / 55
    # 80+: 55 -> 60 -> 66 people, growing faster than 65+ (315 -> 330 -> 346)
    assert _component(r80, 2024, "OMS", "volume") == pytest.approx(price_80 * 1.0255 * 5)
    assert _component(r80, 2024, "OMS", "volume") > _component(r65, 2024, "OMS", "volume")
