"""Properties that must hold on any valid scenario, and the engine against the plain-Python
reference implementation (budgetsim.reference) on random scenarios."""

import numpy as np
import pytest
from factory import random_scenarios
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import budgetsim as bs
from budgetsim.reference import simulate_reference

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VARIANTS = {
    "incremental": (bs.strategies.Incremental(), {"incremental": True}),
    "volume, forecast": (bs.strategies.VolumeUplift(), {"volume": True}),
    "volume, mean, corrected": (
        bs.strategies.VolumeUplift(basis="mean", correct_forecast_errors=True),
        {"volume": True, "basis": "mean", "correct_forecast_errors": True},
    ),
    "current": (bs.strategies.boras_current(), {"incremental": True, "volume": True}),
    "needs": (bs.strategies.needs_based(), {"needs": True}),
    "needs, current total": (
        bs.strategies.needs_based(total=bs.strategies.boras_current()),
        {"incremental": True, "volume": True, "needs": True, "needs_total_from_others": True},
    ),
}


@SETTINGS
@given(scenario=random_scenarios(), variant=st.sampled_from(sorted(VARIANTS)))
def test_engine_matches_the_reference_implementation(scenario: bs.Scenario, variant: str) -> None:
    strategy, spec = VARIANTS[variant]
    engine = bs.simulate(scenario, strategy)
    ref = simulate_reference(scenario, **spec)
    frames = engine.frames.set_index(["year", "committee"]).frame
    for key, value in ref.frames.items():
        assert frames[key] == pytest.approx(value, rel=1e-9, abs=1e-6)
    components = engine.components.set_index(["year", "committee", "component"]).amount
    for (year, committee), parts in ref.components.items():
        for name, value in parts.items():
            if name in {"additions"} and (year, committee, name) not in components.index:
                assert value == 0
                continue
            assert components[(year, committee, name)] == pytest.approx(value, rel=1e-9, abs=1e-6)
    outcomes = engine.outcomes.set_index(["year", "committee"])
    for key in ref.need:
        assert outcomes.need[key] == pytest.approx(ref.need[key], rel=1e-9)
        assert outcomes.cost[key] == pytest.approx(ref.cost[key], rel=1e-9)


@SETTINGS
@given(scenario=random_scenarios(), variant=st.sampled_from(sorted(VARIANTS)))
def test_no_negative_frames_from_valid_inputs(scenario: bs.Scenario, variant: str) -> None:
    frames = bs.simulate(scenario, VARIANTS[variant][0]).raw.frame
    assert np.all(frames >= 0)


@SETTINGS
@given(scenario=random_scenarios(), factor=st.floats(0.1, 10), variant=st.sampled_from(sorted(VARIANTS)))
def test_scaling_all_money_scales_all_frames(scenario: bs.Scenario, factor: float, variant: str) -> None:
    scaled_committees = [
        c.model_copy(
            update={
                "base_frame": c.base_frame * factor,
                "base_cost": None if c.base_cost is None else c.base_cost * factor,
                "volume_drivers": tuple(d.model_copy(update={"price": d.price * factor}) for d in c.volume_drivers),
                "need": None
                if c.need is None
                else c.need.model_copy(
                    update={
                        "weights": tuple(w.model_copy(update={"weight": w.weight * factor}) for w in c.need.weights)
                    }
                ),
            }
        )
        for c in scenario.committees
    ]
    economy = scenario.economy.model_copy(
        update={"total_available": {y: v * factor for y, v in scenario.economy.total_available.items()}}
    )
    additions = [a.model_copy(update={"amount": a.amount * factor}) for a in scenario.additions]
    scaled = scenario.replace(committees=scaled_committees, economy=economy, additions=additions)
    strategy = VARIANTS[variant][0]
    a, b = bs.simulate(scenario, strategy).raw, bs.simulate(scaled, strategy).raw
    assert np.allclose(b.frame, a.frame * factor, rtol=1e-9)
    assert np.allclose(b.cost, a.cost * factor, rtol=1e-9)


@SETTINGS
@given(scenario=random_scenarios(), which=st.integers(0, 4), extra=st.floats(0.01, 2.0))
def test_more_need_never_gives_less_needs_based_allocation(scenario: bs.Scenario, which: int, extra: float) -> None:
    """Raise one committee's need index: with the total fixed it may not get less, and no other
    committee may get more."""
    committee = scenario.committees[which % len(scenario.committees)]
    if committee.need is None:
        return
    need = committee.need.model_copy(update={"need_index": committee.need.need_index * (1 + extra)})
    more = scenario.replace_committee(committee.id, need=need)
    strategy = bs.strategies.needs_based()
    before, after = bs.simulate(scenario, strategy).raw.frame, bs.simulate(more, strategy).raw.frame
    k = scenario.committee_ids.index(committee.id)
    others = np.arange(len(scenario.committees)) != k
    if others.any():  # every committee has positive weighted need, so a higher share is strictly more
        assert np.all(after[..., k] > before[..., k])
    else:
        assert np.allclose(after[..., k], before[..., k], rtol=1e-12)
    assert np.all(after[..., others] <= before[..., others] * (1 + 1e-12))


@SETTINGS
@given(scenario=random_scenarios(), unit=st.sampled_from([None, 0.01, 1.0]))
def test_needs_based_parts_sum_to_the_total(scenario: bs.Scenario, unit) -> None:
    r = bs.simulate(scenario, bs.strategies.needs_based(round_to=unit)).raw.frame
    totals = np.array([scenario.economy.total_available[y] for y in scenario.years])
    if unit is None:
        assert np.allclose(r.sum(axis=-1), totals, rtol=1e-12)
    else:
        parts = np.rint(r / unit)
        assert np.allclose(parts * unit, r, rtol=0, atol=1e-6)  # whole units
        assert np.array_equal(parts.sum(axis=-1), np.rint(totals / unit)[None, :])
