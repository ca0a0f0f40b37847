"""Incremental frames: hand-computed with the 2024 Borås figures (wages 3.3 %, other 1.8 %, efficiency 1 %)."""

import pytest
from factory import make_scenario

import budgetsim as bs


def _frame(result: bs.Result, year: int, committee: str) -> float:
    return float(result.frames.set_index(["year", "committee"]).frame[(year, committee)])


def test_uplift_follows_each_committees_cost_mix() -> None:
    r = bs.simulate(make_scenario(), bs.strategies.incremental())
    # SKOL, wage share 0.7: 0.7 x 3.3 + 0.3 x 1.8 - 1 = 1.85 %
    assert _frame(r, 2024, "SKOL") == pytest.approx(101_850_000.0, abs=1e-6)
    # OMS, wage share 0.5: 0.5 x 3.3 + 0.5 x 1.8 - 1 = 1.55 %
    assert _frame(r, 2024, "OMS") == pytest.approx(50_775_000.0, abs=1e-6)
    # the second year compounds on the first
    assert _frame(r, 2025, "SKOL") == pytest.approx(101_850_000.0 * 1.0185, abs=1e-6)


def test_components_of_the_2024_frame() -> None:
    r = bs.simulate(make_scenario(), bs.strategies.incremental())
    comp = r.components.query("year == 2024 and committee == 'SKOL'").set_index("component").amount
    assert comp.to_dict() == pytest.approx(
        {"base": 100e6, "wages": 2_310_000, "prices": 540_000, "efficiency": -1_000_000}
    )


def test_political_addition_enters_the_frame_and_is_carried() -> None:
    s = make_scenario(additions=[{"year": 2024, "committee": "KULT", "amount": 5e6, "label": "new library"}])
    r = bs.simulate(s, bs.strategies.incremental())
    assert _frame(r, 2024, "KULT") == pytest.approx(10e6 * 1.0155 + 5e6)
    assert _frame(r, 2025, "KULT") == pytest.approx((10e6 * 1.0155 + 5e6) * 1.0155)
    additions = r.components.query("component == 'additions'").set_index(["year", "committee"]).amount
    assert additions[(2024, "KULT")] == 5e6 and additions[(2025, "KULT")] == 0 and additions[(2024, "SKOL")] == 0
    without = bs.simulate(s, bs.strategies.Incremental(additions=False))
    assert _frame(without, 2024, "KULT") == pytest.approx(10e6 * 1.0155)


def test_boras_2024_uplift_in_the_default_scenario() -> None:
    s = bs.default_scenario()
    r = bs.simulate(s, bs.strategies.incremental())
    gsn = s.committee("GSN")
    assert gsn.cost_mix.wages == 0.65
    assert _frame(r, 2024, "GSN") / gsn.base_frame == pytest.approx(1 + 0.65 * 0.033 + 0.35 * 0.018 - 0.01)
