"""Hypothesis strategies for random, valid, realistic scenarios: the inputs the axiom kit and the
test suite check strategies on. Needs the ``hypothesis`` package (``pip install '.[test]'`` in a clone)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from budgetsim.process import (
    ActionPlan,
    BudgetProcess,
    ByAdvocacy,
    ByLastDeficit,
    ByNeed,
    ClawBack,
    CoverFromSavings,
    DrawAccumulated,
    KeepSurplus,
    NegotiatedWriteOff,
    November,
    ProRata,
    Ratchet,
    Requests,
    WriteOff,
    YearEndRule,
    YearEndStep,
)
from budgetsim.scenario import AgeBand, Economy, Scenario

BANDS = (("0-19", 0, 19), ("20-64", 20, 64), ("65-79", 65, 79), ("80+", 80, None))
DRIVER_SPANS = ((0, 19), (65, None), (20, 64))


def _committee(draw: st.DrawFn, i: int, base_population: tuple[float, ...]) -> dict[str, Any]:
    frame = draw(st.floats(1e6, 1e9))
    wages = draw(st.floats(0, 1))
    span = draw(st.sampled_from((*DRIVER_SPANS, None)))
    drivers = []
    if span is not None:
        people = sum(
            base_population[j]
            for j, (_, lo, hi) in enumerate(BANDS)
            if lo >= span[0] and (span[1] is None or (hi is not None and hi <= span[1]))
        )
        drivers = [{"min_age": span[0], "max_age": span[1], "price": draw(st.floats(0, 0.9)) * frame / people}]
    need = None
    if draw(st.booleans()):
        weights = [{"min_age": lo, "max_age": hi, "weight": draw(st.floats(0, 50_000))} for _, lo, hi in BANDS]
        weights[draw(st.integers(0, len(BANDS) - 1))]["weight"] = draw(st.floats(1_000, 100_000))
        need = {
            "weights": weights,
            "need_index": draw(st.floats(0.5, 2)),
            "care_intensity_growth": draw(st.floats(-0.02, 0.05)),
        }
    return {
        "id": f"C{i}",
        "name": f"Nämnd {i}",
        "sector": "test",
        "base_frame": frame,
        "base_cost": frame * draw(st.floats(0.9, 1.1)),
        "cost_mix": {"wages": wages, "internal_services": draw(st.floats(0, 1 - wages))},
        "volume_drivers": drivers,
        "need": need,
    }


@st.composite
def scenarios(
    draw: st.DrawFn, min_committees: int = 1, max_committees: int = 5, years: int = 4, extremes: bool = False
) -> Scenario:
    """Random valid scenarios: 4 age bands; populations that move at most 10 % a year; forecast
    vintages that err by at most 10 %; uplift rates 0-5 %, efficiency 0-2 %; a total available
    that starts at the sum of base frames and moves -1 % to +6 % a year; some political
    additions and cost steps. With ``extremes`` also single-year runs (1 to ``years`` budget
    years), a band that empties after the base year, and internal prices up to +40 % a year.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=3, database=None)
    ... @given(scenarios(max_committees=2))
    ... def check(s):
    ...     assert 1 <= len(s.committees) <= 2
    >>> check()
    """
    if extremes:
        years = draw(st.integers(1, years))
    base, end = 2023, 2023 + years
    budget_years = range(base + 1, end + 1)
    outcomes = {base - 2: tuple(draw(st.floats(10, 5_000)) for _ in BANDS)}
    for y in range(base - 1, end + 1):
        outcomes[y] = tuple(v * draw(st.floats(0.9, 1.1)) for v in outcomes[y - 1])
    if extremes and draw(st.booleans()):  # a band empties after the base year
        band, start = draw(st.integers(0, len(BANDS) - 1)), draw(st.integers(base + 1, end))
        for y in range(start, end + 1):
            outcomes[y] = tuple(0.0 if j == band else v for j, v in enumerate(outcomes[y]))
    forecasts = []
    for published in range(base, end):
        factor = draw(st.floats(0.9, 1.1))
        counts = {y: tuple(v * factor for v in outcomes[y]) for y in range(published - 2, end + 1)}
        forecasts.append({"published": published, "counts": counts})
    n = draw(st.integers(min_committees, max_committees))
    committees = [_committee(draw, i, outcomes[base]) for i in range(n)]
    rate = st.floats(0, 0.05)
    total, available = sum(c["base_frame"] for c in committees), {}
    for y in budget_years:
        total *= 1 + draw(st.floats(-0.01, 0.06))
        available[y] = total
    # the total as an explicit path, or as revenue less a 2 % result target (then the November step
    # and the municipal balance have a revenue to work with)
    money = (
        {"total_available": available}
        if draw(st.booleans())
        else {"revenue": {y: v / 0.98 for y, v in available.items()}, "result_target": 0.02}
    )
    economy = Economy(
        wage_uplift={y: draw(rate) for y in budget_years},
        price_uplift={y: draw(rate) for y in budget_years},
        efficiency={y: draw(st.floats(0, 0.02)) for y in budget_years},
        wage_outcome={y: draw(rate) for y in budget_years},
        internal_price_outcome={y: draw(st.floats(0, 0.4 if extremes else 0.15)) for y in budget_years},
        spending_adaptation=draw(st.floats(0, 1)),
        **money,
    )
    additions = [
        {"year": y, "committee": "C0", "amount": draw(st.floats(0, 1e6))} for y in budget_years if draw(st.booleans())
    ]
    steps = [
        {"year": y, "committee": f"C{n - 1}", "share": draw(st.floats(-0.05, 0.1))}
        for y in budget_years
        if draw(st.booleans())
    ]
    bands = tuple(AgeBand(label=label, min_age=lo, max_age=hi) for label, lo, hi in BANDS)
    return Scenario.model_validate(
        {
            "name": "random",
            "base_year": base,
            "end_year": end,
            "committees": committees,
            "population": {"bands": bands, "outcomes": outcomes, "forecasts": forecasts},
            "economy": economy,
            "additions": additions,
            "cost_steps": steps,
        }
    )


@st.composite
def processes(draw: st.DrawFn, committees: tuple[str, ...] = ()) -> BudgetProcess:
    """Random valid budget processes: a year-end rule for everyone (flat or as ordered steps),
    perhaps requests with any grant rule, perhaps the November step, multi-year frames.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=3, database=None)
    ... @given(processes())
    ... def check(p):
    ...     assert "*" in p.year_end
    >>> check()
    """
    share = st.floats(0, 1)
    if draw(st.booleans()):
        rule: YearEndRule | tuple[YearEndStep, ...] = YearEndRule(
            deficit_write_off=draw(share),
            recovery_years=draw(st.integers(1, 3)),
            surplus_claw_back=draw(share),
            accumulated_draw=draw(share),
            ratchet=draw(share),
            action_plan_threshold=draw(st.none() | st.floats(0, 0.05)),
            action_plan_cut=draw(st.floats(0, 0.2)),
            action_plan_lag=draw(st.integers(1, 3)),
        )
    else:
        options = [
            NegotiatedWriteOff(probability=draw(share)),
            CoverFromSavings(),
            WriteOff(share=draw(share)),
            ClawBack(share=draw(share)),
            DrawAccumulated(share=draw(share), on_request=draw(st.booleans())),
            KeepSurplus(cap=draw(st.none() | st.floats(0, 0.5))),
            Ratchet(share=draw(share)),
            ActionPlan(threshold=draw(st.floats(0, 0.05)), cut=draw(st.floats(0, 0.2)), lag=draw(st.integers(1, 3))),
        ]
        rule = tuple(draw(st.permutations(options))[: draw(st.integers(0, len(options)))])
    rules = [ProRata(), ByNeed(), ByAdvocacy(), ByLastDeficit()]
    requests = (
        Requests(pool_share=draw(st.floats(0, 0.02)), rule=draw(st.sampled_from(rules)), noise=draw(st.floats(0, 0.5)))
        if draw(st.booleans())
        else None
    )
    november = (
        November(
            share=draw(share),
            cap=draw(st.none() | st.floats(0, 0.05)),
            to=draw(st.sampled_from(("all", "unfunded"))),
            level_raising=draw(share),
        )
        if draw(st.booleans())
        else None
    )
    period = draw(st.sampled_from((1, 1, 2)))
    opening = {c: draw(st.floats(0, 1e7)) for c in committees if draw(st.booleans())}
    return BudgetProcess(
        year_end={"*": rule},
        requests=requests,
        november=november,
        frame_period=period,
        planning_horizon=max(period, 2),
        opening_accumulated=opening,
    )
