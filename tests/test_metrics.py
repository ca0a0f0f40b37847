"""Metrics: hand-computed Gini and volatility, and the comparison tables."""

import numpy as np
import pytest
from factory import make_scenario

import budgetsim as bs


def test_gini_by_hand() -> None:
    # pairs |1-3| = 2 in both orders over n^2 = 4, over 2 x mean 2: 1 / 4
    assert float(bs.metrics.gini(np.array([1.0, 3.0]))) == pytest.approx(0.25)
    assert bs.metrics.gini(np.array([[1.0, 1.0], [0.0, 2.0]])).tolist() == pytest.approx([0.0, 0.5])
    with pytest.raises(ValueError, match=">= 0"):
        bs.metrics.gini(np.array([-1.0, 1.0]))


def test_volatility_of_a_steady_growth_is_zero_and_of_a_jump_is_not() -> None:
    s = make_scenario()
    steady = bs.simulate(s, bs.strategies.incremental())
    assert np.allclose(bs.metrics.volatility(steady), 0.0, atol=1e-12)

    def jump(ctx):
        return {"jump": ctx.last_frame * (0.10 if ctx.year == 2025 else 0.0)}

    jumpy = bs.simulate(s, jump)
    # changes 0 % then 10 %: standard deviation 5 %
    assert bs.metrics.volatility(jumpy)[0].tolist() == pytest.approx([0.05, 0.05, 0.05])


def test_metric_tables() -> None:
    cmp = bs.compare(make_scenario(), {"inc": bs.strategies.incremental(), "cur": bs.strategies.boras_current()})
    assert cmp.metrics.columns.tolist() == [
        "strategy",
        "mean_coverage",
        "min_coverage",
        "coverage_gini",
        "volatility",
        "deficits",
        "surpluses",
        "deficit_share",
        "total_frame_last_year",
    ]
    assert cmp.committee_metrics.shape == (6, 8)
    assert cmp.yearly_metrics.columns.tolist()[:3] == ["strategy", "year", "total_frame"]
    o = cmp.outcomes.query("strategy == 'inc'")
    deficits = (-o.result).clip(lower=0).sum()
    assert cmp.metrics.set_index("strategy").deficits["inc"] == pytest.approx(deficits)
    assert cmp.metrics.set_index("strategy").total_frame_last_year["cur"] == pytest.approx(
        cmp.frames.query("strategy == 'cur' and year == 2025").frame.sum()
    )


def test_negative_frame_is_named_not_a_bare_gini_error() -> None:
    def overspend(ctx):
        return {"cut": np.where(np.array(ctx.committees) == "KULT", -20e6, 0.0)}

    with pytest.raises(
        bs.NegativeFrameError,
        match=r"strategy 'cut' gives KULT a negative frame in 2024 \(-10,000,000 SEK\); 2 committee-year\(s\) in all. Fix the strategy, or pass negative_frames='warn'",
    ):
        bs.compare(make_scenario(), {"cut": overspend})
    with pytest.warns(bs.NegativeFrameWarning, match="kept as asked"):
        cmp = bs.compare(make_scenario(), {"cut": overspend}, negative_frames="warn")
    with pytest.raises(ValueError, match="strategy 'cut' gives KULT a negative frame in 2024"):
        _ = cmp.metrics
    with pytest.raises(ValueError, match="negative_frames must be 'raise' or 'warn', got 'ignore'"):
        bs.simulate(make_scenario(), overspend, negative_frames="ignore")


def test_a_frame_within_half_an_ore_of_zero_is_zero_not_negative() -> None:
    """Float noise of a rule that gives a committee nothing (found by the long fuzz run)."""

    def spend_all(ctx):
        return {"cut": np.where(np.array(ctx.committees) == "KULT", -ctx.last_frame * (1 + 1e-15), 0.0)}

    result = bs.simulate(make_scenario(), spend_all, name="cut")
    assert -0.005 < result.raw.frame.min() < 0
    assert np.nanmin(bs.metrics.coverage(result)) == 0.0
    assert np.isfinite(bs.metrics.coverage_gini(result)).all()  # the Gini takes it as zero, not negative


def test_l_kurtosis_by_hand_and_against_known_distributions() -> None:
    # x = 1, 2, 3, 4, 10: b0 = 4, b1 = 3, b2 = 2.5, b3 = 2.2; l2 = 2, l4 = 1
    assert bs.metrics.l_kurtosis(np.array([10.0, 1.0, 3.0, 2.0, 4.0])) == pytest.approx(0.5)
    rng = np.random.default_rng(0)
    assert bs.metrics.l_kurtosis(rng.standard_normal(100_000)) == pytest.approx(0.1226, abs=0.003)
    assert bs.metrics.l_kurtosis(rng.laplace(size=100_000)) == pytest.approx(0.2357, abs=0.003)
    with pytest.raises(ValueError, match="at least 4 values"):
        bs.metrics.l_kurtosis(np.array([1.0, 2.0]))


def test_negotiated_share_by_hand() -> None:
    s = make_scenario(additions=[{"year": 2024, "committee": "KULT", "amount": 1_000_000.0}])
    r = bs.simulate(s, bs.strategies.incremental())
    moves = r.components.query("component != 'base'").amount.abs()
    assert bs.metrics.negotiated_share(r) == pytest.approx(1_000_000.0 / moves.sum())


def test_scorecard_maps_every_metric_to_a_principle() -> None:
    from budgetsim.process import BudgetProcess, YearEndRule

    process = BudgetProcess(year_end={"*": YearEndRule(surplus_claw_back=0.5)})
    cmp = bs.compare(make_scenario(), {"inc": bs.strategies.incremental()}, process=process)
    card = cmp.scorecard.set_index("metric")
    assert set(card.principle) <= {
        "citizen focus",
        "holistic view",
        "long-term perspective",
        "room for action",
        "openness",
        "knowledge",
        "trust",
    }
    assert set(card.cornerstone) - {"-"} <= {"objectivity", "transparency", "roles", "fairness"}
    assert card.loc["coverage_gini", "inc"] == pytest.approx(cmp.metrics.coverage_gini.iloc[0])
    assert np.isnan(
        bs.compare(make_scenario(), {"inc": bs.strategies.incremental()})
        .scorecard.set_index("metric")
        .loc["planning_gap", "inc"]
    )
