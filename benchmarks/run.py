"""Throughput and memory of the engine. Not part of the test suite; run

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/run.py [--quick]

It prints Markdown tables: committee-years per second of the vectorised engine against the plain
Python loop of the same model (budgetsim.reference); end-to-end Monte Carlo against two ceilings
measured in the same run (drawing the random numbers the engine consumes, and a minimal fused
incremental + volume update); Monte Carlo inside Borås's budget process beside the fused loop; how
the time per committee-year grows with draws and committees;
peak memory of a large chunked run; and what a sweep point costs when it re-uses the compiled
scenario and the drawn numbers. One committee-year is one committee's frame (and need and cost) in
one budget year of one draw. Times are CPU seconds of this process (best of a few runs), so other
work on the machine disturbs them less; compare the figures of one run with each other.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

import budgetsim as bs
from budgetsim.core.random import BLOCK
from budgetsim.engine.sampling import DRAW_CACHE, Layout, draw_blocks, layout_of, sample
from budgetsim.reference import simulate_reference

STRATEGY = bs.strategies.boras_current()
CHUNK = 2048  # monte_carlo's default chunk size
clock = time.process_time


def best_of(fn: Callable[[], object], repeat: int = 3, setup: Callable[[], object] | None = None) -> float:
    """Shortest CPU time of ``repeat`` runs of ``fn`` (``setup`` before each, not timed), seconds."""
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)


def synthetic(committees: int, years: int) -> bs.Scenario:
    """A scenario of the given size: 4 age bands, forecasts that err, the Borås kind of uncertainty."""
    base, end = 2023, 2023 + years
    rng = np.random.default_rng(0)
    outcomes = {
        y: tuple(1000 * (1 + 0.01 * (y - base)) * np.array([1.0, 2.5, 0.8, 0.3])) for y in range(base - 2, end + 1)
    }
    forecasts = [
        {"published": p, "counts": {y: tuple(np.array(outcomes[y]) * 1.01) for y in range(p - 2, end + 1)}}
        for p in range(base, end)
    ]
    spans = [(0, 19), (20, 64), (65, 79), (80, None)]
    comms = []
    for i in range(committees):
        lo, hi = spans[i % 4]
        comms.append(
            {
                "id": f"N{i}",
                "name": f"Nämnd {i}",
                "sector": "test",
                "base_frame": float(rng.uniform(1e8, 1e9)),
                "cost_mix": {"wages": 0.6, "internal_services": 0.1},
                "volume_drivers": [{"min_age": lo, "max_age": hi, "price": 1000.0}] if i % 2 == 0 else [],
                "need": {
                    "weights": [{"min_age": lo, "max_age": hi, "weight": 50_000.0}],
                    "care_intensity_growth": 0.01,
                },
            }
        )
    budget_years = range(base + 1, end + 1)
    economy = {
        "wage_uplift": dict.fromkeys(budget_years, 0.033),
        "price_uplift": dict.fromkeys(budget_years, 0.018),
        "efficiency": dict.fromkeys(budget_years, 0.01),
        "revenue": {y: 2e10 * 1.03 ** (y - base) for y in budget_years},
    }
    uncertainty = bs.default_scenario().uncertainty.model_copy(
        update={"population": bs.PopulationUncertainty(sd=0.005), "costs": bs.CostUncertainty(care_intensity_sd=0.01)}
    )
    bands = [{"label": f"{lo}+" if hi is None else f"{lo}-{hi}", "min_age": lo, "max_age": hi} for lo, hi in spans]
    return bs.Scenario.model_validate(
        {
            "base_year": base,
            "end_year": end,
            "committees": comms,
            "population": {"bands": bands, "outcomes": outcomes, "forecasts": forecasts},
            "economy": economy,
            "uncertainty": uncertainty,
        }
    )


def committee_years(scenario: bs.Scenario, draws: int) -> int:
    return draws * len(scenario.years) * len(scenario.committees)


def reference_rate(scenario: bs.Scenario, runs: int) -> float:
    seconds = best_of(lambda: [simulate_reference(scenario, incremental=True, volume=True) for _ in range(runs)], 1)
    return committee_years(scenario, runs) / seconds


def engine_rate(scenario: bs.Scenario, draws: int) -> float:
    """The general year loop (``simulate`` on drawn arrays), as a user's own strategy runs."""
    arrays = sample(bs.engine.compile_scenario(scenario), scenario.uncertainty, 0, draws, seed=1)
    arrays.known_population, arrays.outcome_population  # derive once, as a chunk does  # noqa: B018
    seconds = best_of(lambda: bs.simulate(arrays, STRATEGY))
    return committee_years(scenario, draws) / seconds


def monte_carlo_seconds(scenario: bs.Scenario, draws: int, repeat: int = 3) -> float:
    """End to end, drawing every number afresh (the draw cache emptied before each run)."""
    return best_of(lambda: bs.monte_carlo(scenario, STRATEGY, draws=draws, seed=1), repeat, DRAW_CACHE.clear)


def process_rates(scenario: bs.Scenario, draws: int, repeat: int) -> dict[str, float]:
    """Committee-years per second of Monte Carlo of the current model without a process (the fused
    loop), inside Borås's budget process (what `budgetsim compare --draws` runs), and of the whole
    comparison the command line runs (every strategy of the dataset, in its process)."""
    dataset = bs.dataset("boras")
    process = dataset.process("boras_practice")
    strategies = dataset.strategies(scenario)
    cy = committee_years(scenario, draws)
    fused = best_of(lambda: bs.monte_carlo(scenario, STRATEGY, draws=draws, seed=1), repeat, DRAW_CACHE.clear)
    inside = best_of(
        lambda: bs.monte_carlo(scenario, STRATEGY, process=process, draws=draws, seed=1), repeat, DRAW_CACHE.clear
    )
    whole = best_of(
        lambda: bs.compare_monte_carlo(scenario, strategies, process, draws=draws, seed=1), 1, DRAW_CACHE.clear
    )
    return {
        "current model, no process (fused loop)": cy / fused,
        "current model, inside boras_practice": cy / inside,
        f"the standard comparison ({len(strategies)} strategies) inside boras_practice": len(strategies) * cy / whole,
    }


def numbers_per_draw(layout: Layout) -> tuple[int, int]:
    """Standard normals and uniforms one draw consumes."""
    normals = len(layout.population_years) * layout.bands + len(layout.years) * (4 + layout.care)
    return normals, len(layout.years) * layout.committees


def generator_rates(repeat: int) -> tuple[float, float]:
    """Numbers per second of numpy's PCG64 filling float64 blocks (BLOCK rows, 21 columns) in
    place: standard normals and uniforms, the calls and layout the engine draws with."""
    generator, out, blocks = np.random.default_rng(1), np.empty((BLOCK, 21)), 200
    normal = best_of(lambda: [generator.standard_normal(out=out) for _ in range(blocks)], repeat)
    uniform = best_of(lambda: [generator.random(out=out) for _ in range(blocks)], repeat)
    return blocks * out.size / normal, blocks * out.size / uniform


def random_ceiling(scenario: bs.Scenario, draws: int, repeat: int) -> float:
    """Committee-years per second if a run did nothing but draw its numbers (one generator per
    block, stream and year, seeded as the engine seeds them)."""
    layout = layout_of(bs.engine.compile_scenario(scenario), scenario.uncertainty)
    blocks = range(-(-draws // BLOCK))
    seconds = best_of(lambda: draw_blocks(1, blocks, layout), repeat, DRAW_CACHE.clear)
    return committee_years(scenario, len(blocks) * BLOCK) / seconds


def kernel_ceiling(scenario: bs.Scenario, draws: int, repeat: int) -> float:
    """Committee-years per second of a minimal fused year loop over (draws x committees) arrays in
    chunks: last frame x (1 + uplift) + the volume change (a (draws x bands) @ (bands x committees)
    product), written to the frames; inputs ready, no sampling, cost side or summaries."""
    T, C, B = len(scenario.years), len(scenario.committees), len(scenario.population.bands)
    rng = np.random.default_rng(0)
    growth, prices = rng.normal(0, 10, (T, CHUNK, B)), rng.uniform(0, 1e5, (B, C))
    uplift, base = 1 + rng.uniform(0, 0.03, (T, C)), rng.uniform(1e8, 1e9, C)
    frame, change, volume = np.empty((CHUNK, T, C)), np.empty((CHUNK, C)), np.empty((CHUNK, C))

    def run() -> None:
        for _ in range(-(-draws // CHUNK)):
            last = np.broadcast_to(base, (CHUNK, C))
            for t in range(T):
                np.multiply(last, uplift[t], out=change)
                np.matmul(growth[t], prices, out=volume)
                np.add(change, volume, out=change)
                last = np.add(change, 0.0, out=frame[:, t])

    return committee_years(scenario, -(-draws // CHUNK) * CHUNK) / best_of(run, repeat)


def peak_memory_mb(scenario: bs.Scenario, draws: int) -> float:
    DRAW_CACHE.clear()
    tracemalloc.start()
    bs.monte_carlo(scenario, STRATEGY, draws=draws, seed=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def sweep_points(scenario: bs.Scenario, draws: int, repeat: int) -> list[tuple[str, float]]:
    """CPU seconds of one sweep point that re-uses what an earlier point drew (and compiled), and of
    a fresh run of the same point: the same seed, new numbers drawn, scenario compiled anew."""
    efficiency = {y: 0.02 for y in scenario.years}
    variants = {
        "economy path changed (efficiency 2 %)": scenario.replace(
            economy=scenario.economy.model_copy(update={"efficiency": efficiency})
        ),
        "driver changed (elderly care: 80+)": scenario.with_volume_driver("VÄN", min_age=80),
        "strategy changed (incremental only), same scenario": scenario,
    }
    rows = []
    for label, variant in variants.items():
        strategy = bs.strategies.incremental() if variant is scenario else STRATEGY

        def warm(variant: bs.Scenario = variant) -> None:
            bs.monte_carlo(scenario, STRATEGY, draws=draws, seed=1)

        point = best_of(lambda v=variant, s=strategy: bs.monte_carlo(v, s, draws=draws, seed=1), repeat, warm)
        fresh = best_of(
            lambda v=variant, s=strategy: bs.monte_carlo(v.model_copy(), s, draws=draws, seed=1),
            repeat,
            DRAW_CACHE.clear,
        )
        rows.append((label, point / fresh))
    return rows


def machine() -> str:
    cpu = "unknown CPU"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        cpu = names[0] if names else cpu
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, BLAS threads {threads}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run (under half a minute)")
    quick = parser.parse_args().quick
    repeat = 2 if quick else 3
    boras = bs.default_scenario()
    print(f"Machine: {machine()}\n")

    ref = reference_rate(boras, 3 if quick else 20)
    print("| Borås (7 committees x 7 years) | committee-years / s | x plain loop |\n|---|---:|---:|")
    print(f"| plain Python loop (reference) | {ref:,.0f} | 1 |")
    for draws in (1, 1_000, 10_000) if quick else (1, 100, 1_000, 10_000, 100_000):
        rate = engine_rate(boras, draws)
        print(f"| general year loop (any strategy), {draws:,} draws | {rate:,.0f} | {rate / ref:,.0f} |")

    normal, uniform = generator_rates(repeat)
    layout = layout_of(bs.engine.compile_scenario(boras), boras.uncertainty)
    normals, uniforms = numbers_per_draw(layout)
    print(
        f"\nRandom numbers (numpy PCG64, float64 blocks of {BLOCK} x 21 filled in place): "
        f"{normal / 1e6:,.1f} million standard normals / s, {uniform / 1e6:,.1f} million uniforms / s. "
        f"A Borås draw consumes {normals} normals and {uniforms} uniforms "
        f"({(normals + uniforms) / 49:.1f} numbers per committee-year).\n"
    )
    print(
        "| Monte Carlo end to end (Borås) | committee-years / s | random-number ceiling | of it "
        "| fused-kernel ceiling | of it | both together | of it |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    for draws in (10_000, 100_000):
        rng = random_ceiling(boras, draws, repeat)
        kernel = kernel_ceiling(boras, draws, repeat)
        both = 1 / (1 / rng + 1 / kernel)
        rate = committee_years(boras, draws) / monte_carlo_seconds(boras, draws, repeat if draws < 100_000 else 2)
        print(
            f"| {draws:,} draws | {rate:,.0f} | {rng:,.0f} | {rate / rng:.0%} | {kernel:,.0f} | {rate / kernel:.0%} "
            f"| {both:,.0f} | {rate / both:.0%} |"
        )

    draws = 2_000 if quick else 10_000
    print(f"\n| Monte Carlo, Borås, {draws:,} draws | committee-years / s |\n|---|---:|")
    for label, rate in process_rates(boras, draws, repeat).items():
        print(f"| {label} | {rate:,.0f} |")

    print("\n| Monte Carlo end to end | draws | committees x years | ns per committee-year |\n|---|---:|---:|---:|")
    per_draws = []
    for draws in (1_000, 10_000, 100_000) if quick else (1_000, 10_000, 100_000, 1_000_000):
        seconds = monte_carlo_seconds(boras, draws, repeat if draws <= 10_000 else 1)
        per_draws.append(seconds / committee_years(boras, draws) * 1e9)
        print(f"| Borås | {draws:,} | 7 x 7 | {per_draws[-1]:.0f} |")
    draws = 2_000 if quick else 10_000
    per_committees = []
    for committees in (5, 20, 50, 200) if quick else (5, 20, 50, 100, 200):
        scenario = synthetic(committees, 10)
        seconds = monte_carlo_seconds(scenario, draws, repeat)
        per_committees.append(seconds / committee_years(scenario, draws) * 1e9)
        print(f"| synthetic | {draws:,} | {committees} x 10 | {per_committees[-1]:.0f} |")
    print(
        f"\nTime per committee-year, slowest over fastest: {max(per_draws) / min(per_draws):.2f} across draws, "
        f"{max(per_committees) / min(per_committees):.2f} across committees."
    )

    big = synthetic(20, 10)
    draws = 100_000 if quick else 1_000_000
    print(
        f"\nPeak memory (tracemalloc) of a {draws:,}-draw chunked Monte Carlo run with streaming summaries, "
        f"20 committees x 10 years: {peak_memory_mb(big, draws):,.0f} MB"
    )

    draws = 1_000 if quick else 10_000
    print(f"\n| sweep point, {draws:,} draws, Borås | CPU time against a fresh monte_carlo |\n|---|---:|")
    for label, ratio in sweep_points(boras, draws, repeat):
        print(f"| {label} | {ratio:.0%} |")


if __name__ == "__main__":
    main()
