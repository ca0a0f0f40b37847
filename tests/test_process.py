"""The budget process: hand-computed multi-year paths of year-end rules, requests, multi-year
frames, the calendar and the municipal balance."""

import numpy as np
import pytest
from factory import economy, make_scenario, vintage_scenario
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import budgetsim as bs
from budgetsim.datasets.boras import boras_practice, kept_surpluses
from budgetsim.process import Balance, BudgetProcess, DrawAccumulated, KeepSurplus, Requests, YearEndRule

FLAT = {"wage_uplift": 0.0, "price_uplift": 0.0, "efficiency": 0.0}
YEARS = range(2024, 2027)


def _scenario(*committees, **economy_changes) -> bs.Scenario:
    """Committees (id, base frame, base cost) without need profiles, all rates zero: costs stay at
    the base cost and an Unchanged strategy keeps frames where the process leaves them."""
    comms = [
        {"id": cid, "name": cid, "sector": "test", "base_frame": frame, "base_cost": cost, "cost_mix": {"wages": 0.5}}
        for cid, frame, cost in committees
    ]
    flat = {k: dict.fromkeys(YEARS, v) for k, v in FLAT.items()}
    pop = {"bands": [{"label": "0+", "min_age": 0}], "outcomes": {y: (1000.0,) for y in range(2022, 2027)}}
    econ = economy(years=YEARS, **{**flat, **economy_changes})
    return bs.Scenario.model_validate(
        {"base_year": 2023, "end_year": 2026, "committees": comms, "population": pop, "economy": econ}
    )


def _run(scenario: bs.Scenario, process: BudgetProcess, strategy=None) -> bs.Result:
    return bs.simulate(scenario, strategy or bs.strategies.Unchanged(), process=process)


def _series(result: bs.Result, table: str, column: str, committee: str = "A") -> list[float]:
    frame = getattr(result, table)
    return frame[frame.committee == committee][column].tolist()


def test_deficit_carried_forward_over_two_years() -> None:
    process = BudgetProcess(year_end={"A": YearEndRule(recovery_years=2)})
    r = _run(_scenario(("A", 100.0, 110.0)), process)
    # 2024: -10, recovered 5 + 5 in 2025-26; 2025: frame 95, -15, recovered 7.5 + 7.5 in 2026-27;
    # 2026: frame 100 - 5 - 7.5 = 87.5, result -22.5
    assert _series(r, "frames", "frame") == pytest.approx([100, 95, 87.5])
    assert _series(r, "year_end", "result") == pytest.approx([-10, -15, -22.5])
    assert _series(r, "year_end", "carried_forward") == pytest.approx([10, 15, 22.5])
    # the activity overspends by 10 every year; the debt grows by exactly that, no double counting
    assert _series(r, "year_end", "operating_result") == pytest.approx([-10, -10, -10])
    assert _series(r, "year_end", "debt") == pytest.approx([10, 20, 30])
    assert bs.metrics.strategy_metrics(r)["deficits"] == pytest.approx(30)
    c = r.components.query("year == 2026").set_index("component").amount
    assert c.to_dict() == pytest.approx({"base": 95, "one_off_reversal": 5, "deficit_recovery": -12.5})


def test_deficits_written_off_leave_the_frame_alone() -> None:
    r = _run(_scenario(("A", 100.0, 110.0)), BudgetProcess(year_end={"*": YearEndRule(deficit_write_off=1.0)}))
    assert _series(r, "frames", "frame") == [100, 100, 100]
    assert _series(r, "year_end", "written_off") == pytest.approx([10, 10, 10])
    assert _series(r, "year_end", "carried_forward") == [0, 0, 0]


def test_surplus_kept_then_spent_on_one_offs() -> None:
    process = BudgetProcess(year_end={"A": YearEndRule(accumulated_draw=0.5)})
    r = _run(_scenario(("A", 100.0, 90.0), spending_adaptation=0.5), process)
    # spending adaptation 0.5: cost = 90 + 0.5 x (frame - 90)
    # 2024: frame 100, cost 95, +5 kept. 2025: draws 2.5 (one-off): frame 102.5, cost 96.25, +6.25 kept,
    # saved 5 - 2.5 + 6.25 = 8.75. 2026: the 2.5 is reversed, draws 4.375: frame 104.375, cost 97.1875,
    # +7.1875 kept, saved 8.75 - 4.375 + 7.1875 = 11.5625
    assert _series(r, "frames", "frame") == pytest.approx([100, 102.5, 104.375])
    assert _series(r, "year_end", "drawn") == pytest.approx([0, 2.5, 4.375])
    assert _series(r, "year_end", "accumulated") == pytest.approx([5, 8.75, 11.5625])
    assert _series(r, "outcomes", "cost") == pytest.approx([95, 96.25, 97.1875])
    recurring = r.components.query("component not in ['accumulated_draw']").groupby("year").amount.sum()
    assert recurring.tolist() == pytest.approx([100, 100, 100])  # the level never rises


def test_a_kept_surplus_above_the_cap_is_handed_back_and_draws_wait_for_a_request() -> None:
    steps = (KeepSurplus(cap=0.12), DrawAccumulated(share=0.5, on_request=True))
    r = _run(_scenario(("A", 100.0, 90.0)), BudgetProcess(year_end={"A": steps}))
    # +10 a year; at most 12 % of the 100 frame may be saved: 10 kept, then 2 kept and 8 handed back
    assert _series(r, "year_end", "accumulated") == pytest.approx([10, 12, 12])
    assert _series(r, "year_end", "clawed_back") == pytest.approx([0, 8, 10])
    assert _series(r, "year_end", "drawn") == [0, 0, 0]  # no deficit, no request, no draw
    r = _run(_scenario(("A", 100.0, 103.0)), BudgetProcess(year_end={"A": steps}, opening_accumulated={"A": 20.0}))
    # a deficit of 3 in 2024 is carried (the closing step); the 2025 budget asks for it: draws min(0.5 x 20, 3)
    assert _series(r, "year_end", "drawn")[:2] == pytest.approx([0, 3])


def test_ratchet_after_surplus_with_claw_back() -> None:
    process = BudgetProcess(year_end={"A": YearEndRule(surplus_claw_back=1.0, ratchet=0.5)})
    r = _run(_scenario(("A", 100.0, 90.0)), process)
    assert _series(r, "frames", "frame") == pytest.approx([100, 95, 92.5])
    assert _series(r, "year_end", "clawed_back") == pytest.approx([10, 5, 2.5])
    assert _series(r, "year_end", "accumulated") == [0, 0, 0]


def test_a_ratchet_cuts_a_frame_to_zero_never_below() -> None:
    """A committee that spent almost nothing has a surplus near its frame; a full ratchet on a frame
    that is also cut by 2 % would take more than the frame (found by the long fuzz run)."""
    s = _scenario(("A", 100.0, 1.0), ("B", 100.0, 100.0), efficiency=dict.fromkeys(YEARS, 0.02))
    r = _run(s, BudgetProcess(year_end={"*": YearEndRule(ratchet=1.0)}), bs.strategies.incremental())
    assert _series(r, "frames", "frame") == pytest.approx([98, 0, 0])  # not 96.04 - 97 = -0.96
    c = r.components.query("year == 2025 and committee == 'A'").set_index("component").amount
    assert c["ratchet"] == pytest.approx(-96.04)


def test_action_plan_cuts_cost_with_a_lag() -> None:
    rule = YearEndRule(deficit_write_off=1.0, action_plan_threshold=0.05, action_plan_cut=0.04, action_plan_lag=1)
    r = _run(_scenario(("A", 100.0, 110.0)), BudgetProcess(year_end={"A": rule}))
    assert _series(r, "outcomes", "cost") == pytest.approx([110, 110 * 0.96, 110 * 0.96**2])
    assert _series(r, "year_end", "action_plan") == [1.0, 1.0, 0.0]  # -10, -5.6 beyond 5 %; -1.4 not


def _requests_scenario() -> bs.Scenario:
    return _scenario(("A", 100.0, 110.0), ("B", 100.0, 120.0))


@pytest.mark.parametrize(
    ("rule", "granted"),
    [("pro_rata", [7.5, 7.5]), ("advocacy", [10.0, 5.0]), ("need", [5.0, 10.0]), ("last_deficit", [5.0, 10.0])],
)
def test_requests_granted_by_rule(rule: str, granted: list[float]) -> None:
    # gaps 10 and 20; A's advocate asks for twice its gap: requests 20 and 20; pool 10 % of 200
    # less a quarter held back by hoarders: 15
    requests = Requests(ambition={"A": 2.0}, pool_share=0.1, hoarding=0.25, rule=rule)
    r = _run(_requests_scenario(), BudgetProcess(year_end={"*": YearEndRule(deficit_write_off=1.0)}, requests=requests))
    first = r.requests.query("year == 2024")
    assert first.requested.tolist() == pytest.approx([20, 20])
    assert first.granted.tolist() == pytest.approx(granted)
    assert first.granted_by_need.tolist() == pytest.approx([5, 10])
    frames = r.frames.query("year == 2024").frame.tolist()
    assert frames == pytest.approx([100 + granted[0], 100 + granted[1]])


def test_roles_change_between_years() -> None:
    requests = Requests(
        ambition={"A": {2024: 2.0, 2025: 1.0, 2026: 1.0}},
        pool_share=0.1,
        hoarding=0.25,
        rule={2024: "advocacy", 2025: "need", 2026: "need"},
    )
    r = _run(_requests_scenario(), BudgetProcess(year_end={"*": YearEndRule(deficit_write_off=1.0)}, requests=requests))
    assert r.requests.query("year == 2024").granted.tolist() == pytest.approx([10, 5])
    second = r.requests.query("year == 2025")
    # 2025: frames 110/105, costs 110/120 flat: gaps 0 and 15; the pool (16.1) covers B's request
    assert second.requested.tolist() == pytest.approx([0, 15])
    assert second.granted.tolist() == pytest.approx([0, 15])
    with pytest.raises(ValueError, match="no entry for budget year 2026"):
        bad = Requests(ambition={"A": {2024: 2.0, 2025: 1.0}})
        _run(_requests_scenario(), BudgetProcess(requests=bad))


def test_multi_year_frames_are_fixed_on_the_first_years_information() -> None:
    s = vintage_scenario()
    price_2025 = 50_000 * 1.0255**2
    annual = bs.simulate(s, bs.strategies.VolumeUplift(), process=BudgetProcess())
    two_year = bs.simulate(s, bs.strategies.VolumeUplift(), process=BudgetProcess(frame_period=2))
    volume = lambda r: r.components.query("component == 'volume' and year == 2025").amount.iloc[0]
    assert volume(annual) == pytest.approx(price_2025 * (1150 - 1080))  # the 2024 forecast
    assert volume(two_year) == pytest.approx(price_2025 * (1200 - 1100))  # fixed on the 2023 forecast
    # annual frames: the plan made for 2025 at the 2024 budget (2023 forecast) vs what came
    plan = annual.plans.query("planned_in == 2024 and year == 2025").iloc[0]
    assert plan.gap == pytest.approx(price_2025 * (70 - 100))
    assert two_year.plans.query("year == 2025").gap.iloc[0] == pytest.approx(0.0)


def test_preliminary_june_frames_and_the_autumn_gap() -> None:
    june = {"preliminary_wage_uplift": dict.fromkeys(range(2024, 2026), 0.025)}
    s = vintage_scenario().replace(
        economy=economy(**june), additions=[{"year": 2024, "committee": "VÄN", "amount": 2e6}]
    )
    r = bs.simulate(s, bs.strategies.incremental(), process=BudgetProcess())
    first = r.calendar.query("year == 2024").iloc[0]
    assert first.preliminary == pytest.approx(100e6 * (1 + 0.5 * 0.025 + 0.5 * 0.018 - 0.01))
    assert first.november == pytest.approx(100e6 * 1.0155 + 2e6)
    assert first.gap == pytest.approx(100e6 * 0.5 * 0.008 + 2e6)


def test_municipal_balance_and_the_reserve() -> None:
    s = _scenario(("A", 950.0, 950.0), revenue={2024: 1000.0, 2025: 1000.0, 2026: 1000.0}, result_target=0.02)
    s = s.replace(cost_steps=[{"year": 2025, "committee": "A", "share": 80 / 950}])  # cost 1,030 from 2025
    r = _run(
        s,
        BudgetProcess(
            year_end={"*": YearEndRule(deficit_write_off=1.0)},
            balance=Balance(reserve_threshold=0.01, reserve_cap=0.05),
        ),
    )
    b = r.balance.set_index("year")
    assert b.result.tolist() == pytest.approx([50, -30, -30])
    assert b.reserve_deposit.tolist() == pytest.approx([40, 0, 0])  # what exceeds 1 % of revenue
    assert b.reserve_draw.tolist() == pytest.approx([0, 30, 10])  # covers the deficit while it lasts
    # 2026: -20 after the reserve, to be restored by 2029; within the deadline the requirement holds
    assert b.to_restore.tolist() == pytest.approx([0, 0, 20])
    assert b.requirement_met.tolist() == [True, True, True]
    assert b.target_met.tolist() == [True, False, False]


def test_revenue_pessimism_lowers_the_total_available() -> None:
    s = _scenario(("A", 100.0, 100.0), ("B", 100.0, 100.0), total_available=dict.fromkeys(YEARS, 200.0))
    process = BudgetProcess(requests=Requests(pool_share=0.0, revenue_pessimism=0.05))
    r = bs.simulate(s, bs.strategies.needs_based(), process=process)
    assert r.frames.groupby("year").frame.sum().tolist() == pytest.approx([190, 190, 190])


def test_process_input_errors() -> None:
    with pytest.raises(ValueError, match=r"process.year_end: unknown committee\(s\) \['XYZ'\]"):
        _run(_scenario(("A", 100.0, 100.0)), BudgetProcess(year_end={"XYZ": YearEndRule()}))
    with pytest.raises(ValidationError, match="planning_horizon \\(2\\) must cover frame_period \\(3\\)"):
        BudgetProcess(frame_period=3, planning_horizon=2)
    with pytest.raises(ValidationError, match="surplus_claw_back"):
        YearEndRule(surplus_claw_back=1.5)
    with pytest.raises(ValueError, match="simulated without a budget process"):
        _ = bs.simulate(_scenario(("A", 100.0, 100.0)), bs.strategies.Unchanged()).year_end


def test_borås_practice_against_kept_surpluses_and_three_year_frames() -> None:
    s = bs.default_scenario()
    current = bs.strategies.boras_current()
    cmp = bs.compare(
        s,
        {
            "practice": (current, boras_practice()),
            "kept": (current, kept_surpluses()),
            "3-year": (current, boras_practice(3)),
        },
    )
    ye = cmp.results["practice"].year_end.groupby("committee").sum()
    assert ye.loc["IFN", "carried_forward"] == 0 and ye.loc["VÄN", "clawed_back"] >= 0
    kept_debt = cmp.results["kept"].year_end.groupby("year").debt.sum()
    assert (kept_debt.diff().dropna() >= -1e-6).all() or kept_debt.iloc[-1] >= 0  # a stock, not a sum of flows
    kept = cmp.results["kept"].year_end.groupby("committee").sum()
    assert kept.written_off.sum() == 0 and kept.clawed_back.sum() == 0
    vän = cmp.results["practice"].year_end.query("committee == 'VÄN' and year == 2024").iloc[0]
    assert vän.accumulated == pytest.approx(
        170e6 - vän.covered_by_savings + vän.kept
    )  # its 170 MSEK pay its deficits first
    # every process component bridges exactly
    for result in cmp.results.values():
        total = result.components.groupby(["year", "committee"]).amount.sum()
        assert total.values == pytest.approx(
            result.frames.set_index(["year", "committee"]).frame.loc[total.index].values
        )


def test_a_kept_surplus_repays_the_debt_first() -> None:
    # 2024: cost 110, a deficit of 10 carried and recovered 5 + 5 in 2025-26. From 2025 cost is 80.
    s = _scenario(("A", 100.0, 110.0)).replace(cost_steps=[{"year": 2025, "committee": "A", "share": 80 / 110 - 1}])
    r = _run(s, BudgetProcess(year_end={"A": YearEndRule(recovery_years=2)}))
    # 2025: frame 95 (5 recovered), cost 80: +15 booked; it repays the 5 still owed for 2026
    assert _series(r, "year_end", "result") == pytest.approx([-10, 15, 20])
    assert _series(r, "year_end", "debt") == pytest.approx([10, 0, 0])
    assert _series(r, "year_end", "accumulated") == pytest.approx([0, 10, 30])
    assert _series(r, "frames", "frame") == pytest.approx([100, 95, 100])


def test_no_new_action_plan_while_one_is_pending() -> None:
    rule = YearEndRule(deficit_write_off=1.0, action_plan_threshold=0.05, action_plan_cut=0.05, action_plan_lag=2)
    r = _run(_scenario(("A", 100.0, 110.0)), BudgetProcess(year_end={"A": rule}))
    # 2024 triggers a plan that bites in 2026; 2025 (still -10) may not trigger another
    assert _series(r, "year_end", "action_plan") == [1.0, 0.0, 0.0]
    assert _series(r, "outcomes", "cost") == pytest.approx([110, 110, 110 * 0.95])
    with pytest.raises(ValidationError, match="action_plan_lag"):
        YearEndRule(action_plan_lag=0)


def test_last_deficit_rule_uses_the_base_year_in_the_first_year() -> None:
    requests = Requests(pool_share=0.1, rule="last_deficit")
    s = _scenario(("A", 100.0, 110.0), ("B", 100.0, 100.0)).replace(
        committees=[
            {
                "id": "A",
                "name": "A",
                "sector": "test",
                "base_frame": 100.0,
                "base_cost": 110.0,
                "cost_mix": {"wages": 0.5},
            },
            {
                "id": "B",
                "name": "B",
                "sector": "test",
                "base_frame": 100.0,
                "base_cost": 105.0,
                "cost_mix": {"wages": 0.5},
            },
        ]
    )
    r = _run(s, BudgetProcess(year_end={"*": YearEndRule(deficit_write_off=1.0)}, requests=requests))
    first = r.requests.query("year == 2024")
    # base-year deficits 10 and 5 weight the pool of 20; requests (the gaps) are 10 and 5: both met
    assert first.granted.tolist() == pytest.approx([10, 5])


def test_plans_and_multi_year_frames_assume_the_rates_known_then() -> None:
    # the 10 % wage uplift of 2025 is decided in 2024's autumn: a two-year frame set in 2023 for
    # 2024-25 assumes 2024's 3.3 % for both years
    s = make_scenario(economy=economy(wage_uplift={2024: 0.033, 2025: 0.10}))
    two_year = bs.simulate(s, bs.strategies.incremental(), process=BudgetProcess(frame_period=2))
    wages = two_year.components.query("component == 'wages' and committee == 'KULT'").amount.tolist()
    assert wages[1] == pytest.approx(10e6 * 1.0155 * 0.5 * 0.033)
    annual = bs.simulate(s, bs.strategies.incremental(), process=BudgetProcess())
    plan = annual.plans.query("planned_in == 2024 and year == 2025 and committee == 'KULT'").iloc[0]
    assert plan.planned == pytest.approx(10e6 * 1.0155**2)
    assert plan.final == pytest.approx(10e6 * 1.0155 * (1 + 0.5 * 0.10 + 0.5 * 0.018 - 0.01))


def test_a_deficit_not_restored_within_three_years_breaks_the_requirement() -> None:
    years = range(2024, 2029)
    flat = {k: dict.fromkeys(years, v) for k, v in FLAT.items()}
    comms = [
        {"id": "A", "name": "A", "sector": "t", "base_frame": 1000.0, "base_cost": 1010.0, "cost_mix": {"wages": 0.5}}
    ]
    pop = {"bands": [{"label": "0+", "min_age": 0}], "outcomes": {y: (1.0,) for y in range(2022, 2029)}}
    econ = economy(years=years, **flat, revenue=dict.fromkeys(years, 1000.0), result_target=0.0)
    s = bs.Scenario.model_validate(
        {"base_year": 2023, "end_year": 2028, "committees": comms, "population": pop, "economy": econ}
    )
    b = _run(s, BudgetProcess(year_end={"*": YearEndRule(deficit_write_off=1.0)})).balance
    # -10 every year: the 2024 deficit is overdue at the end of 2027
    assert b.to_restore.tolist() == pytest.approx([10, 20, 30, 40, 50])
    assert b.requirement_met.tolist() == [True, True, True, False, False]


def test_savings_cover_a_deficit_before_it_becomes_debt() -> None:
    # 30 saved at the start; cost 110 against 100: 2024's deficit of 10 is paid from savings, so is
    # 2025's; 2026 takes the last 10
    process = BudgetProcess(year_end={"A": YearEndRule()}, opening_accumulated={"A": 30.0})
    r = _run(_scenario(("A", 100.0, 110.0)), process)
    assert _series(r, "year_end", "covered_by_savings") == pytest.approx([10, 10, 10])
    assert _series(r, "year_end", "accumulated") == pytest.approx([20, 10, 0])
    assert _series(r, "year_end", "debt") == pytest.approx([0, 0, 0])
    assert _series(r, "frames", "frame") == pytest.approx([100, 100, 100])


def _water_fill_by_bisection(request: list[float], weights: list[float], pool: float) -> list[float]:
    """The oracle: one draw, plain Python, lambda by bisection."""
    active = [r > 0 and w > 0 for r, w in zip(request, weights, strict=True)]
    target = min(pool, sum(r for r, a in zip(request, active, strict=True) if a))
    lo, hi = 0.0, max([r / w for r, w, a in zip(request, weights, active, strict=True) if a], default=0.0) + 1.0
    for _ in range(300):
        mid = (lo + hi) / 2
        total = sum(min(r, mid * w) for r, w, a in zip(request, weights, active, strict=True) if a)
        lo, hi = (mid, hi) if total < target else (lo, mid)
    lam = (lo + hi) / 2
    return [min(r, lam * w) if a else 0.0 for r, w, a in zip(request, weights, active, strict=True)]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 9).flatmap(
        lambda n: st.tuples(
            st.lists(st.sampled_from([0.0, 1.0, 5e5, 3e6]) | st.floats(0, 1e8), min_size=n, max_size=n),
            st.lists(st.sampled_from([0.0, 1.0]) | st.floats(1e-6, 5), min_size=n, max_size=n),
            st.sampled_from([0.0, 1e6]) | st.floats(0, 5e8),
        )
    )
)
def test_water_fill_is_exact_against_bisection(case) -> None:
    """The sort-based water-fill grants what a bisection for lambda grants, never more than asked,
    and adds up to the pool or to all that can be granted."""
    from budgetsim.core.numeric import water_fill

    request, weights, pool = case
    granted = water_fill(np.array([request]), np.array([weights]), np.array([pool]))[0]
    expected = _water_fill_by_bisection(request, weights, pool)
    assert np.allclose(granted, expected, rtol=1e-9, atol=1e-6)
    target = min(pool, sum(r for r, w in zip(request, weights, strict=True) if r > 0 and w > 0))
    assert granted.sum() == pytest.approx(target, rel=1e-12, abs=1e-6)
    assert (granted <= np.array(request)).all() and (granted >= 0).all()
