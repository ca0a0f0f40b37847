"""The vectorised engine against the plain-Python reference implementation (budgetsim.reference)
on random scenarios. The axioms of every built-in are checked in test_axioms.py."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import budgetsim as bs
from budgetsim.reference import simulate_reference
from budgetsim.testing import scenarios as random_scenarios

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
