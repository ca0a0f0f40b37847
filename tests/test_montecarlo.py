"""Monte Carlo: reproducible per draw whatever the chunking, streaming summaries that agree with
the exact statistics of the kept draws, clear errors."""

import numpy as np
import pandas as pd
import pytest
from factory import make_scenario
from pydantic import ValidationError

import budgetsim as bs
from budgetsim.core.random import block_random
from budgetsim.engine.montecarlo import BINS
from budgetsim.engine.sampling import sample
from budgetsim.process import Requests
from budgetsim.scenario import CostUncertainty, EconomyUncertainty, PopulationUncertainty, Uncertainty

CURRENT = bs.strategies.boras_current()


@pytest.fixture(scope="module")
def scenario() -> bs.Scenario:
    return bs.default_scenario()


def test_same_seed_same_numbers_whatever_the_chunks(scenario: bs.Scenario) -> None:
    a = bs.monte_carlo(scenario, CURRENT, draws=5000, seed=7, chunk_size=1024, keep_draws=True)
    b = bs.monte_carlo(scenario, CURRENT, draws=5000, seed=7, chunk_size=3000, keep_draws=True)
    pd.testing.assert_frame_equal(a.summary, b.summary, check_exact=True)
    pd.testing.assert_frame_equal(a.risk, b.risk, check_exact=True)
    assert np.array_equal(a.result.raw.frame, b.result.raw.frame)
    c = bs.monte_carlo(scenario, CURRENT, draws=5000, seed=8)
    assert not np.allclose(a.risk.prob_deficit, c.risk.prob_deficit)


def test_a_draw_is_the_same_in_a_smaller_run(scenario: bs.Scenario) -> None:
    big = bs.monte_carlo(scenario, CURRENT, draws=3000, seed=3, keep_draws=True).result.raw.frame
    small = bs.monte_carlo(scenario, CURRENT, draws=10, seed=3, keep_draws=True).result.raw.frame
    assert np.array_equal(big[:10], small)


def test_streaming_summaries_match_the_kept_draws(scenario: bs.Scenario) -> None:
    mc = bs.monte_carlo(scenario, CURRENT, draws=4000, seed=11, chunk_size=1024, keep_draws=True)
    raw = mc.result.raw
    result = raw.frame - raw.cost
    s = mc.summary.set_index(["quantity", "year", "committee"])
    frame_stats = s.loc["result"]
    assert frame_stats["mean"].to_numpy() == pytest.approx(result.mean(axis=0).ravel(), rel=1e-9)
    assert frame_stats["sd"].to_numpy() == pytest.approx(result.std(axis=0).ravel(), rel=1e-6, abs=1e-3)
    spread = result.max(axis=0) - result.min(axis=0)
    exact = np.quantile(result, 0.5, axis=0)
    # within one histogram bin (the range is at most mean +- 12 sd of the first block, widened to hold it)
    assert np.all(
        np.abs(frame_stats["q50"].to_numpy() - exact.ravel())
        <= np.maximum(24 * result.std(axis=0), spread).ravel() / BINS * 2 + 1e-6
    )
    risk = mc.risk.set_index(["year", "committee"])
    assert risk.prob_deficit.to_numpy() == pytest.approx((result < 0).mean(axis=0).ravel(), abs=0)
    assert risk.expected_coverage.to_numpy() == pytest.approx((raw.frame / raw.need).mean(axis=0).ravel(), rel=1e-9)


def test_no_uncertainty_gives_the_deterministic_run_in_every_draw() -> None:
    s = make_scenario(uncertainty=Uncertainty())
    mc = bs.monte_carlo(s, bs.strategies.incremental(), draws=1500, seed=1)
    det = bs.simulate(s, bs.strategies.incremental()).outcomes
    frames = mc.summary.query("quantity == 'frame'")
    assert frames["mean"].to_numpy() == pytest.approx(det.frame.to_numpy(), rel=1e-12)
    assert frames["sd"].to_numpy() == pytest.approx(0.0, abs=1e-6)
    assert frames["q95"].to_numpy() == pytest.approx(det.frame.to_numpy(), rel=1e-12)


def test_population_shocks_move_outcomes_and_later_forecasts() -> None:
    s = bs.default_scenario()
    arrays = bs.engine.compile_scenario(s)
    drawn = sample(arrays, s.uncertainty, 0, 50, seed=2)
    shock = drawn.population_shock
    base = list(arrays.population_years).index(2023)
    assert np.all(shock[:, : base + 1] == 0)  # the base year and before are known
    assert np.all(drawn.outcome_population[:, 0] == arrays.outcome_population[0, 0])
    # budget 2026 (t = 2) uses the forecast published 2025 with facts at 2024: its figure for 2026
    # starts from the perturbed 2024
    y2024, t = list(arrays.population_years).index(2024), 2
    expected = arrays.known_population[0, t, 2] * np.exp(shock[:, y2024])
    assert drawn.known_population[:, t, 2] == pytest.approx(expected)


def test_economy_and_cost_shocks_have_the_asked_spread() -> None:
    u = Uncertainty(
        economy=EconomyUncertainty(wage_sd=0.01),
        costs=CostUncertainty(legislation_probability=0.5, legislation_size=(0.02, 0.02)),
    )
    s = make_scenario(uncertainty=u)
    drawn = sample(bs.engine.compile_scenario(s), u, 0, 20_000, seed=5)
    assert np.std(drawn.wage_outcome - 0.033) == pytest.approx(0.01, rel=0.03)
    steps = drawn.cost_level[:, 0, :]  # first year: a 2 % step or none, half the time
    assert set(np.round(np.unique(steps), 6)) == {1.0, 1.02}
    assert (steps > 1).mean() == pytest.approx(0.5, abs=0.02)


def test_request_noise_is_reproducible_per_draw() -> None:
    s = bs.default_scenario()
    process = bs.process.BudgetProcess(requests=Requests(noise=0.3, seed=4))
    a = bs.monte_carlo(s, CURRENT, process=process, draws=2100, seed=1, chunk_size=1024, keep_draws=True)
    b = bs.monte_carlo(s, CURRENT, process=process, draws=2100, seed=1, chunk_size=4096, keep_draws=True)
    assert np.array_equal(a.result.raw.frame, b.result.raw.frame)


def test_block_random_is_chunk_invariant() -> None:
    def make(generator, n):
        return {"z": generator().standard_normal((n, 3))}

    whole = block_random(9, 0, 2500, make)["z"]
    parts = np.concatenate([block_random(9, 0, 1000, make)["z"], block_random(9, 1000, 1500, make)["z"]])
    assert np.array_equal(whole, parts)


def test_compare_with_draws(scenario: bs.Scenario) -> None:
    cmp = bs.compare_monte_carlo(
        scenario, {"current": CURRENT, "needs": bs.strategies.needs_based()}, draws=2000, seed=1
    )
    assert cmp.metrics.strategy.tolist() == ["current", "needs"]
    assert set(cmp.risk.columns) == {
        "strategy",
        "year",
        "committee",
        "prob_deficit",
        "expected_deficit",
        "expected_coverage",
    }
    assert cmp.summary.quantity.unique().tolist() == ["frame", "need", "cost", "result", "coverage"]


def test_monte_carlo_input_errors() -> None:
    with pytest.raises(ValueError, match="the scenario has no uncertainty to draw from"):
        bs.monte_carlo(make_scenario(), CURRENT, draws=10)
    s = make_scenario(uncertainty=Uncertainty())
    with pytest.raises(ValueError, match="draws must be a whole number >= 1, got 0"):
        bs.monte_carlo(s, CURRENT, draws=0)
    for bad, message in (
        ({"draws": 1.5}, r"draws must be a whole number >= 1, got 1.5 \(float\)"),
        ({"draws": True}, r"draws must be a whole number >= 1, got True \(bool\)"),
        ({"seed": "7"}, r"seed must be a whole number >= 0, got '7' \(str\)"),
    ):
        with pytest.raises(TypeError, match=message):
            bs.monte_carlo(s, CURRENT, **{"draws": 10, **bad})
    with pytest.raises(ValueError, match="seed must be a whole number >= 0, got -1"):
        bs.monte_carlo(s, CURRENT, draws=10, seed=-1)
    with pytest.raises(ValueError, match="chunk_size must be a whole number >= 1, got 0"):
        bs.monte_carlo(s, CURRENT, draws=10, chunk_size=0)
    with pytest.raises(ValueError, match=r"quantiles must be in \(0, 1\)"):
        bs.monte_carlo(s, CURRENT, draws=10, quantiles=(0.5, 1.0))
    with pytest.raises(ValidationError, match=r"uncertainty.population.sd: unknown key\(s\) \['0-4'\]"):
        make_scenario(uncertainty=Uncertainty(population=PopulationUncertainty(sd={"0-4": 0.01})))
    with pytest.raises(ValidationError, match="legislation_size"):
        CostUncertainty(legislation_size=(0.05, 0.01))


def test_quantile_columns_are_named_by_value_and_fan_charts_use_them() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from budgetsim.reporting.plots import fan_chart

    s = bs.default_scenario()
    mc = bs.monte_carlo(s, CURRENT, draws=1100, seed=1, quantiles=(0.001, 0.004, 0.5, 0.995, 0.999))
    assert [c for c in mc.summary.columns if c.startswith("q") and c != "quantity"] == [
        "q0.1",
        "q0.4",
        "q50",
        "q99.5",
        "q99.9",
    ]
    labels = [t.get_text() for t in fan_chart(mc, "VÄN").axes[0].get_legend().get_texts()]
    assert labels == ["0.1-99.9 % of draws", "0.4-99.5 % of draws", "mean"]
    with pytest.raises(ValueError, match="quantiles must differ"):
        bs.monte_carlo(s, CURRENT, draws=10, quantiles=(0.5, 0.5))


def test_common_random_numbers_across_end_years() -> None:
    """A sweep point with a later end year draws the same numbers for the years it shares."""
    short, long = bs.boras(end_year=2028), bs.boras(end_year=2030)
    a = sample(bs.engine.compile_scenario(short), short.uncertainty, 0, 200, seed=3)
    b = sample(bs.engine.compile_scenario(long), long.uncertainty, 0, 200, seed=3)
    assert np.array_equal(a.price_outcome, b.price_outcome[:, :5])
    assert np.array_equal(a.cost_level, b.cost_level[:, :5])
    assert np.array_equal(a.population_shock, b.population_shock[:, : a.population_shock.shape[1]])
