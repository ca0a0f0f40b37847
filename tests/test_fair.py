"""Fair comparisons (issue 17): one spending behaviour for every strategy, and "the same money"
that is the same money year by year."""

from pathlib import Path

import numpy as np
import pytest

import budgetsim as bs
from budgetsim.core.context import as_allocation
from budgetsim.datasets.boras import boras_practice
from budgetsim.strategies.presets import standard_comparison

TOWN = Path(__file__).parents[1] / "examples" / "town"
MSEK = 1e6


def _municipal_result(result: bs.Result, scenario: bs.Scenario) -> np.ndarray:
    e = scenario.economy
    cost = result.outcomes.groupby("year").cost.sum().to_numpy()
    return np.array([e.revenue[y] * (1 - e.other_net_costs_share) for y in scenario.years]) - cost


def test_money_moved_between_committees_costs_the_same_whichever_rule_moved_it() -> None:
    scenario = bs.default_scenario()
    lam = scenario.economy.spending_adaptation
    ifn = scenario.committee_ids.index("IFN")
    gsn = scenario.committee_ids.index("GSN")

    def moved(inner, amount_to_ifn: float, from_gsn: bool):
        def rule(ctx):
            changes = dict(as_allocation(inner(ctx)).changes)
            shift = np.zeros(len(ctx.committees))
            shift[ifn] += amount_to_ifn
            if from_gsn:
                shift[gsn] -= amount_to_ifn
            return {**changes, "moved": shift * (ctx.t == 0)}  # once, in the first year

        return rule

    for inner in (bs.strategies.boras_current(), bs.strategies.needs_based()):
        base = _municipal_result(bs.simulate(scenario, inner), scenario)
        transfer = _municipal_result(bs.simulate(scenario, moved(inner, 10 * MSEK, True)), scenario)
        extra = _municipal_result(bs.simulate(scenario, moved(inner, 10 * MSEK, False)), scenario)
        # a transfer leaves the total frame and so the municipal result alone, whichever rule made it
        assert transfer[0] == pytest.approx(base[0], abs=1e-3)
        # ten more MSEK in frames cost the municipality lambda x 10 MSEK, whichever rule gave them
        assert base[0] - extra[0] == pytest.approx(lam * 10 * MSEK, rel=1e-9)


def test_cost_adapts_to_the_frame_by_the_spending_adaptation() -> None:
    scenario = bs.default_scenario()
    lam = scenario.economy.spending_adaptation
    zero = scenario.replace(economy=scenario.economy.model_copy(update={"spending_adaptation": 0.0}))
    for strategy in (bs.strategies.incremental(), bs.strategies.needs_based()):
        spent = bs.simulate(scenario, strategy).outcomes
        need_driven = bs.simulate(zero, strategy).outcomes.cost.to_numpy()
        assert np.allclose(spent.cost, need_driven + lam * (spent.frame - need_driven), rtol=1e-12)


@pytest.mark.parametrize("where", ["boras", "town"])
def test_needs_based_on_the_current_total_hands_out_exactly_that_money(where: str) -> None:
    scenario = bs.default_scenario() if where == "boras" else bs.load_municipality(TOWN)
    strategies = standard_comparison(scenario)
    current = strategies["current"]
    if where == "town":  # a per-capita municipality: the current model pays some committees per inhabitant
        assert isinstance(current, bs.strategies.CurrentModel)
    same_money = bs.strategies.needs_based(total=current, round_to=0.01)
    cmp = bs.compare(scenario, {"current": current, "same money": same_money})
    totals = cmp.frames.groupby(["strategy", "year"]).frame.sum().unstack("strategy")
    assert np.abs(totals["same money"] - totals["current"]).max() < 0.005  # to the öre, every year
    frames = cmp.frames.query("strategy == 'same money'").frame
    assert np.allclose(frames, np.round(frames, 2), atol=1e-6)  # whole öre
    assert (totals["same money"].diff().dropna() != 0).all()  # a moving total, not a constant


def test_inside_the_budget_process_the_rule_proposes_the_current_models_total() -> None:
    scenario = bs.default_scenario()
    current = bs.strategies.boras_current()
    process = boras_practice()
    runs = {
        name: bs.simulate(scenario, strategy, process=process)
        for name, strategy in {"current": current, "same money": bs.strategies.needs_based(total=current)}.items()
    }
    proposed = {name: r.calendar.groupby("year").proposed.sum() for name, r in runs.items()}
    assert np.allclose(proposed["same money"], proposed["current"], rtol=1e-12)
    # the November step then adds all but the same to both: it depends on the total frames (capped at
    # 0.95 % of them), which differ only by each path's requests and year-end effects
    november = {
        name: r.components.query("component == 'november_additions'").groupby("year").amount.sum()
        for name, r in runs.items()
    }
    assert np.allclose(november["same money"], november["current"], rtol=1e-3)
    # what is left apart is the year-end effects and requests of each path: under 0.1 % of the total
    final = {name: r.frames.groupby("year").frame.sum() for name, r in runs.items()}
    assert (abs(final["same money"] / final["current"] - 1) < 0.001).all()


def test_the_default_comparison_keeps_results_in_the_published_range() -> None:
    scenario = bs.default_scenario()
    cmp = bs.compare(scenario, standard_comparison(scenario), process=boras_practice())
    for name, result in cmp.results.items():
        balance = result.balance
        share = balance.result / balance.revenue
        assert share.between(0, 0.05).all(), name  # every strategy, every year: 0-5 % of revenue
        years = result.outcomes.groupby("year")[["frame", "cost"]].sum()
        assert ((years.frame - years.cost) / years.frame).abs().max() < 0.03, name
    ifn = cmp.committee_metrics.set_index(["strategy", "committee"]).loc[("current", "IFN"), "mean_coverage"]
    assert ifn <= 1.05  # IFO "always gets too little" (l.504, l.514)
