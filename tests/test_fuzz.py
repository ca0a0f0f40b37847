"""Fuzzing whole scenarios and budget processes: random valid inputs, extremes included (single-year
runs, a population band that empties, internal prices up to +40 % a year), and the invariants every
run must keep: components sum to frames, nothing is NaN or infinite, no frame is negative, metrics
are finite where they are defined, and the same seed gives the same numbers.

The default suite runs a short fuzz; ``pytest -m long`` runs 10,000 scenario x process examples.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import budgetsim as bs
from budgetsim.core.money import NOISE
from budgetsim.core.numeric import UnaffordableError
from budgetsim.testing import processes, scenarios

STRATEGIES = {
    "incremental": bs.strategies.incremental(),
    "current": bs.strategies.boras_current(),
    "needs based": bs.strategies.needs_based(),
    "per capita": bs.strategies.PerCapita(),
    "floor": bs.transitions.FloorWithDamping(bs.strategies.needs_based(), floor=-0.02, if_unaffordable="scale"),
    "zero based, scaled": bs.strategies.ZeroBased(scale=True),
}


@st.composite
def cases(draw: st.DrawFn) -> tuple[bs.Scenario, str, bs.process.BudgetProcess | None]:
    scenario = draw(scenarios(max_committees=4, years=4, extremes=True))
    name = draw(st.sampled_from(sorted(STRATEGIES)))
    process = draw(st.none() | processes(scenario.committee_ids))
    return scenario, name, process


def check(case: tuple[bs.Scenario, str, bs.process.BudgetProcess | None]) -> None:
    scenario, name, process = case
    try:
        result = bs.simulate(scenario, STRATEGIES[name], process=process)
    except UnaffordableError:
        return  # a documented outcome: the rule's guarantees cost more than the total
    raw = result.raw
    for label, values in (("frame", raw.frame), ("need", raw.need), ("cost", raw.cost), *raw.components.items()):
        assert np.isfinite(values).all(), f"{name}: {label} is not finite"
    total = sum(raw.components.values())
    assert np.allclose(total, raw.frame, rtol=1e-9, atol=1e-6), f"{name}: components do not sum to frames"
    assert (raw.frame >= -1e-6).all(), f"{name}: a negative frame {raw.frame.min():,.0f}"
    metrics = bs.metrics.strategy_metrics(result)
    # metrics take a frame within half an öre of zero as zero (no relative change is defined from it)
    undefined = not (raw.need > NOISE).all() or not (raw.frame > NOISE).all()
    for key, value in metrics.items():
        assert np.isfinite(value) or undefined or key in ("requirement_met_share", "target_met_share"), key
    again = bs.simulate(scenario, STRATEGIES[name], process=process)
    assert np.array_equal(again.raw.frame, raw.frame), f"{name}: the same inputs gave other numbers"


@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(cases())
def test_fuzz_scenarios_and_processes(case) -> None:
    check(case)


@pytest.mark.long
@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(cases())
def test_fuzz_long(case) -> None:
    check(case)


def test_monte_carlo_same_seed_same_numbers() -> None:
    scenario = bs.default_scenario()
    process = bs.datasets.boras.boras_practice()
    a = bs.monte_carlo(scenario, STRATEGIES["current"], process=process, draws=150, seed=9, keep_draws=True)
    b = bs.monte_carlo(scenario, STRATEGIES["current"], process=process, draws=150, seed=9, keep_draws=True)
    assert a.result is not None and b.result is not None
    assert np.array_equal(a.result.raw.frame, b.result.raw.frame) and a.summary.equals(b.summary)
