"""The engine: exact component bridges, the draws axis, user-defined strategies, strategy errors."""

import numpy as np
import pandas as pd
import pytest
from factory import make_scenario

import budgetsim as bs

PRESETS = {
    "current": bs.strategies.boras_current(),
    "current, corrected, mean basis": bs.strategies.boras_current(basis="mean", correct_forecast_errors=True),
    "incremental": bs.strategies.incremental(),
    "needs": bs.strategies.needs_based(),
    "needs, current total, öre": bs.strategies.needs_based(total=bs.strategies.boras_current(), round_to=0.01),
}


@pytest.mark.parametrize("name", PRESETS)
def test_components_sum_to_the_frame_and_bridge_year_on_year(name: str) -> None:
    r = bs.simulate(bs.default_scenario(), PRESETS[name])
    total = r.components.groupby(["year", "committee"], sort=False).amount.sum()
    frames = r.frames.set_index(["year", "committee"]).frame
    assert np.allclose(total.loc[frames.index], frames, rtol=0, atol=1e-5)
    base = r.components.query("component == 'base'").set_index(["year", "committee"]).amount
    previous = frames.groupby("committee").shift(1).dropna()
    assert np.array_equal(base.loc[previous.index], previous)


def test_tidy_tables_have_documented_columns() -> None:
    r = bs.simulate(bs.default_scenario(), bs.strategies.boras_current())
    assert list(r.frames.columns) == ["year", "committee", "frame"]
    assert list(r.components.columns) == ["year", "committee", "component", "amount"]
    assert list(r.outcomes.columns) == ["year", "committee", "frame", "need", "cost", "result", "coverage"]
    assert list(r.diagnostics.columns) == ["year", "committee", "name", "value"]
    assert len(r.frames) == 7 * 7
    assert r.components.component.unique().tolist() == ["base", "wages", "prices", "efficiency", "volume"]


def test_many_draws_equal_separate_single_runs() -> None:
    """One strategy code path for 1 and N draws: stack three perturbed scenarios as draws."""
    arrays = bs.engine.compile_scenario(bs.default_scenario())
    wage = arrays.wage_outcome + np.array([[0.0], [0.01], [-0.01]])
    scale = np.array([1.0, 1.02, 0.97])[:, None, None, None]
    many = arrays.with_draws(wage_outcome=wage, forecast=arrays.forecast * scale)
    assert many.draws == 3
    for name, strategy in PRESETS.items():
        stacked = bs.simulate(many, strategy)
        for d in range(3):
            single = arrays.with_draws(wage_outcome=wage[d : d + 1], forecast=many.forecast[d : d + 1])
            one = bs.simulate(single, strategy)
            assert np.allclose(stacked.raw.frame[d], one.raw.frame[0], rtol=1e-12), name
            assert np.allclose(stacked.raw.cost[d], one.raw.cost[0], rtol=1e-12), name
    table = bs.simulate(many, PRESETS["current"]).frames
    assert list(table.columns) == ["draw", "year", "committee", "frame"] and table.draw.nunique() == 3


def test_with_draws_refuses_mismatched_arrays() -> None:
    arrays = bs.engine.compile_scenario(bs.default_scenario())
    with pytest.raises(ValueError, match=r"wage_outcome: shape \(2, 3\) must be \(draws, 7\)"):
        arrays.with_draws(wage_outcome=np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"wage_outcome: shape \(7,\) must be \(draws, 7\)"):
        arrays.with_draws(wage_outcome=np.zeros(7))
    with pytest.raises(ValueError, match="total_available: the scenario has none to vary"):
        bs.engine.compile_scenario(make_scenario()).with_draws(total_available=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="draw axes disagree"):
        arrays.with_draws(wage_outcome=np.zeros((2, 7)), price_outcome=np.zeros((3, 7)))
    with pytest.raises(ValueError, match="not draw-dependent"):
        arrays.with_draws(base_frame=np.zeros((2, 7)))


def test_user_defined_strategy_in_ten_lines() -> None:
    def protect_social_care(ctx: bs.BudgetContext) -> dict:
        changes = bs.strategies.incremental()(ctx).changes
        social = np.isin(ctx.committees, ["IFN", "SON"])
        return {**changes, "efficiency": changes["efficiency"] * ~social}

    s = bs.default_scenario()
    cmp = bs.compare(s, {"current": bs.strategies.incremental(), "protect": protect_social_care})
    f = cmp.frames.query("year == 2024").pivot(index="committee", columns="strategy", values="frame")
    assert f.loc["IFN", "protect"] == pytest.approx(f.loc["IFN", "current"] + s.committee("IFN").base_frame * 0.01)
    assert f.loc["GSN", "protect"] == f.loc["GSN", "current"]
    assert set(cmp.metrics.strategy) == {"current", "protect"}


def test_user_strategy_combines_with_builtins() -> None:
    def bonus(ctx):
        return {"bonus": np.where(np.array(ctx.committees) == "KULT", 1e6, 0.0)}

    r = bs.simulate(make_scenario(), bs.strategies.Incremental() + bonus)
    comp = r.components.query("year == 2024 and committee == 'KULT'").set_index("component").amount
    assert comp["bonus"] == 1e6 and r.strategy == "incremental + bonus"


def test_strategy_errors_name_strategy_component_and_year() -> None:
    def wrong_shape(ctx):
        return {"oops": np.ones(5)}

    def not_finite(ctx):
        return {"oops": np.full(3, np.nan)}

    def reserved(ctx):
        return {"base": np.zeros(3)}

    s = make_scenario()
    with pytest.raises(ValueError, match=r"strategy 'wrong_shape', 'oops' in 2024: shape \(5,\) does not fit"):
        bs.simulate(s, wrong_shape)
    with pytest.raises(ValueError, match="strategy 'not_finite', 'oops' in 2024: not finite"):
        bs.simulate(s, not_finite)
    with pytest.raises(ValueError, match="'base' is reserved"):
        bs.simulate(s, reserved)
    with pytest.raises(TypeError, match="must return an Allocation or a dict"):
        bs.simulate(s, lambda ctx: 42)


def test_same_inputs_same_outputs() -> None:
    a = bs.compare(bs.default_scenario(), PRESETS)
    b = bs.compare(bs.default_scenario(), PRESETS)
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)
    pd.testing.assert_frame_equal(a.metrics, b.metrics)


def test_compare_needs_distinct_names() -> None:
    with pytest.raises(ValueError, match="same name"):
        bs.compare(make_scenario(), [bs.strategies.incremental(), bs.strategies.incremental()])
    with pytest.raises(ValueError, match="at least one strategy"):
        bs.compare(make_scenario(), {})
