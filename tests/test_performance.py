"""What makes Monte Carlo fast must not change its numbers: the fused loop gives the general loop's
arrays bit for bit, the vectorised seeding gives numpy's generators, the draw cache and the chunk
size change nothing, and memory stays bounded as draws grow. No wall-clock time is asserted."""

import importlib.util
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import budgetsim as bs
from budgetsim.core.costs import need_and_cost
from budgetsim.core.random import spawn_generators
from budgetsim.engine import kernels
from budgetsim.engine.run import run_years
from budgetsim.engine.sampling import DRAW_CACHE, Block, DrawCache, layout_of, sample
from budgetsim.strategies import Incremental, VolumeUplift

CURRENT = bs.strategies.boras_current()


@pytest.fixture(scope="module")
def scenario() -> bs.Scenario:
    return bs.default_scenario()


def with_additions_and_investments(scenario: bs.Scenario) -> bs.Scenario:
    return scenario.replace(
        additions=({"year": 2025, "committee": "VÄN", "amount": 20e6},),
        investments=({"year": 2026, "committee": "GSN", "running_cost": 5e6},),
    )


STRATEGIES = {
    "boras": CURRENT,
    "incremental": Incremental(),
    "volume only": VolumeUplift(),
    "mean, corrected": bs.strategies.combine(Incremental(), VolumeUplift(basis="mean", correct_forecast_errors=True)),
    "volume first, some committees": bs.strategies.combine(VolumeUplift(committees=("GSN", "VÄN")), Incremental()),
}


@pytest.mark.parametrize("name", list(STRATEGIES))
@pytest.mark.parametrize("variant", ["boras", "additions and investments"])
def test_fused_loop_gives_the_general_loops_arrays_bit_for_bit(scenario: bs.Scenario, name: str, variant: str) -> None:
    if variant != "boras":
        scenario = with_additions_and_investments(scenario)
    strategy = STRATEGIES[name]
    compiled = bs.engine.compile_scenario(scenario)
    parts = kernels.fusable(strategy)
    assert parts is not None
    for first, count in ((0, 1), (0, 700), (1500, 1100)):
        fused = kernels.run_fused(sample(compiled, scenario.uncertainty, first, count, seed=4), parts, keep=True)
        general, _ = run_years(sample(compiled, scenario.uncertainty, first, count, seed=4), strategy, name)
        assert fused is not None
        for key in ("frame", "need", "cost"):
            assert np.array_equal(getattr(fused, key), getattr(general, key)), key
        for kind in ("components", "info"):
            mine, theirs = getattr(fused, kind), getattr(general, kind)
            assert list(mine) == list(theirs)
            for key in theirs:
                assert np.array_equal(mine[key], theirs[key]), key
                assert not np.signbit(mine[key][mine[key] == 0]).any() or key == "base"


def test_fused_need_and_cost_is_the_cost_models(scenario: bs.Scenario) -> None:
    scenario = with_additions_and_investments(scenario)
    arrays = sample(bs.engine.compile_scenario(scenario), scenario.uncertainty, 0, 900, seed=2)
    mine, theirs = kernels.need_and_cost(arrays), need_and_cost(arrays)
    assert np.array_equal(mine.need, theirs.need) and np.array_equal(mine.cost, theirs.cost)


def test_only_the_built_in_rules_take_the_fused_loop() -> None:
    assert kernels.fusable(CURRENT) is not None
    assert kernels.fusable(VolumeUplift(settle_on_outcome=True)) is None
    assert kernels.fusable(bs.strategies.needs_based()) is None
    assert kernels.fusable(bs.strategies.combine(Incremental(), Incremental())) is None
    assert kernels.fusable(lambda ctx: {"flat": 0.01 * ctx.last_frame}) is None


def test_the_fused_loop_implements_every_field_of_its_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """A field added to Incremental or VolumeUplift fails here until the fused loop handles it;
    meanwhile such a rule runs the general loop, which honours the field."""
    for rule, implemented in kernels.IMPLEMENTS.items():
        assert set(rule.model_fields) == implemented, (
            f"{rule.__name__}: the fused loop does not handle {set(rule.model_fields) - implemented}"
        )
    monkeypatch.setitem(kernels.IMPLEMENTS, Incremental, frozenset({"name"}))  # as if additions were new
    assert kernels.fusable(Incremental()) is None and kernels.fusable(CURRENT) is None
    assert kernels.fusable(VolumeUplift()) is not None


def test_a_chunk_with_numbers_that_are_not_finite_goes_to_the_general_loop(scenario: bs.Scenario) -> None:
    arrays = sample(bs.engine.compile_scenario(scenario), scenario.uncertainty, 0, 50, seed=1)
    shock = arrays.population_shock.copy()
    shock[3, -1, 0] = np.nan
    assert kernels.run_fused(arrays.with_draws(population_shock=shock), kernels.fusable(CURRENT), keep=False) is None


def test_vectorised_seeding_gives_numpys_generators() -> None:
    keys = [(0, 1, 2024), (5, 4, 2030), (2**32 - 1, 0, 7), (3, 2**32, 1), (1, 2)]
    for seed in (0, 1, 2**32 + 5, 2**200 + 1):
        for key, generator in zip(keys, spawn_generators(seed, keys), strict=True):
            expected = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
            assert np.array_equal(generator.standard_normal(5), expected.standard_normal(5))
            assert np.array_equal(generator.random(3), expected.random(3))


def test_same_numbers_whatever_the_chunks_and_the_draw_cache(scenario: bs.Scenario) -> None:
    DRAW_CACHE.clear()
    runs = [
        bs.monte_carlo(scenario, CURRENT, draws=4100, seed=9, chunk_size=size, keep_draws=True)
        for size in (1024, 3072, 2048, 8192)
    ]
    for other in runs[1:]:
        pd.testing.assert_frame_equal(other.summary, runs[0].summary, check_exact=True)
        pd.testing.assert_frame_equal(other.risk, runs[0].risk, check_exact=True)
        assert np.array_equal(other.result.raw.frame, runs[0].result.raw.frame)
    plain = bs.monte_carlo(scenario, CURRENT, draws=4100, seed=9)
    pd.testing.assert_frame_equal(plain.summary, runs[0].summary, check_exact=True)


def test_a_sweep_variation_reuses_the_drawn_numbers(scenario: bs.Scenario) -> None:
    DRAW_CACHE.clear()
    bs.monte_carlo(scenario, CURRENT, draws=2000, seed=5)
    layout = layout_of(bs.engine.compile_scenario(scenario), scenario.uncertainty)
    assert DRAW_CACHE.get((5, 1, layout)) is not None
    variant = scenario.with_volume_driver("VÄN", min_age=80)
    assert layout_of(bs.engine.compile_scenario(variant), variant.uncertainty) == layout
    warm = bs.monte_carlo(variant, CURRENT, draws=2000, seed=5)
    DRAW_CACHE.clear()
    cold = bs.monte_carlo(variant, CURRENT, draws=2000, seed=5)
    pd.testing.assert_frame_equal(warm.summary, cold.summary, check_exact=True)


def test_the_draw_cache_is_bounded() -> None:
    block = Block(*(np.zeros((2, 4, 3)) for _ in range(5)))
    cache = DrawCache(max_bytes=3 * block.nbytes)
    layout = layout_of(bs.engine.compile_scenario(bs.default_scenario()), bs.default_scenario().uncertainty)
    for b in range(5):
        cache.put((1, b, layout), block)
    assert [cache.get((1, b, layout)) is not None for b in range(5)] == [False, False, True, True, True]


def synthetic(committees: int, years: int) -> bs.Scenario:
    """The benchmark's synthetic scenario (benchmarks/run.py)."""
    spec = importlib.util.spec_from_file_location("benchmark", Path(__file__).parents[1] / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.synthetic(committees, years)


def peak_bytes(scenario: bs.Scenario, draws: int) -> int:
    DRAW_CACHE.clear()
    tracemalloc.start()
    bs.monte_carlo(scenario, CURRENT, draws=draws, seed=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


@pytest.mark.slow
def test_peak_memory_does_not_grow_with_the_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = synthetic(20, 10)
    monkeypatch.setattr(DRAW_CACHE, "max_bytes", 4 * 2**20)  # the draw cache is bounded on its own
    small, large = peak_bytes(scenario, 5 * 2048), peak_bytes(scenario, 15 * 2048)
    assert large < small * 1.02 + 2**20  # three times the draws: the same chunks and summaries
    assert large < 2**30
