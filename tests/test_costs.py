"""The cost side: need and actual cost computed by hand for one committee over two years."""

import pytest
from factory import economy, make_scenario

import budgetsim as bs


def test_need_and_cost_by_hand() -> None:
    pop = {
        "bands": [{"label": "0-64", "min_age": 0, "max_age": 64}, {"label": "65+", "min_age": 65}],
        "outcomes": {2023: (0, 1000), 2024: (0, 1100), 2025: (0, 1150)},
    }
    committee = {
        "id": "VÄN",
        "name": "Vård- och äldrenämnden",
        "sector": "elderly care",
        "base_frame": 1e6,
        "cost_mix": {"wages": 0.6, "internal_services": 0.1},
        "need": {"weights": [{"min_age": 65, "weight": 1}], "care_intensity_growth": 0.02},
    }
    econ = economy(
        wage_outcome={2024: 0.04, 2025: 0.04},
        price_outcome={2024: 0.02, 2025: 0.02},
        internal_price_outcome={2024: 0.10, 2025: 0.10},
        realised_efficiency={2024: 0.01, 2025: 0.01},
    )
    s = make_scenario(
        population=pop,
        committees=[committee],
        economy=econ,
        cost_steps=[{"year": 2025, "committee": "VÄN", "share": 0.05, "label": "new law"}],
    )
    o = bs.simulate(s, bs.strategies.incremental()).outcomes.set_index("year")
    # 2024: volume 1100/1000 x care 1.02; need prices 0.6 x 4 % + 0.4 x 2 % = 3.2 %; productivity 0.99
    assert o.need[2024] == pytest.approx(1e6 * 1.1 * 1.02 * 1.032 * 0.99)
    # cost: internal services at 10 %: 0.6 x 4 % + 0.1 x 10 % + 0.3 x 2 % = 4.0 %
    assert o.cost[2024] == pytest.approx(1e6 * 1.1 * 1.02 * 1.040 * 0.99)
    # 2025: 1150 people, two years of care drift, the new law raises cost 5 %
    assert o.need[2025] == pytest.approx(1e6 * 1.15 * 1.02**2 * 1.032**2 * 0.99**2)
    assert o.cost[2025] == pytest.approx(1e6 * 1.15 * 1.02**2 * 1.040**2 * 0.99**2 * 1.05)
    assert o.result[2025] == pytest.approx(o.frame[2025] - o.cost[2025])
    assert o.coverage[2025] == pytest.approx(o.frame[2025] / o.need[2025])


def test_committee_without_need_profile_follows_prices_only() -> None:
    o = bs.simulate(make_scenario(), bs.strategies.incremental()).outcomes.set_index(["year", "committee"])
    # KULT: wage share 0.5, outcomes as assumed: 2.55 % a year, productivity 1 % a year
    assert o.need[(2025, "KULT")] == pytest.approx(10e6 * 1.0255**2 * 0.99**2)
    assert o.cost[(2025, "KULT")] == o.need[(2025, "KULT")]


def test_base_cost_sets_the_standard() -> None:
    s = make_scenario().replace_committee("KULT", base_cost=11e6)
    o = bs.simulate(s, bs.strategies.incremental()).outcomes.set_index(["year", "committee"])
    assert o.need[(2024, "KULT")] == pytest.approx(11e6 * 1.0255 * 0.99)
    assert o.result[(2024, "KULT")] == pytest.approx(10e6 * 1.0155 - 11e6 * 1.0255 * 0.99)
