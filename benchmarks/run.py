"""Throughput and memory of the engine. Not part of the test suite; run

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/run.py [--quick]

It prints Markdown tables: committee-years per second of the vectorised engine against the plain
Python loop of the same model (budgetsim.reference), end-to-end Monte Carlo, how the cost grows
with draws, years and committees, and peak memory of a 100,000-draw run. One committee-year is one
committee's frame (and need and cost) in one budget year of one draw.
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
from budgetsim.engine.sampling import sample
from budgetsim.reference import simulate_reference

STRATEGY = bs.strategies.boras_current()


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Shortest wall time of ``repeat`` runs, seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
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
    arrays = sample(bs.engine.compile_scenario(scenario), scenario.uncertainty, 0, draws, seed=1)
    arrays.known_population, arrays.outcome_population  # derive once, as a chunk does  # noqa: B018
    seconds = best_of(lambda: bs.simulate(arrays, STRATEGY))
    return committee_years(scenario, draws) / seconds


def monte_carlo_rate(scenario: bs.Scenario, draws: int) -> float:
    seconds = best_of(lambda: bs.monte_carlo(scenario, STRATEGY, draws=draws, seed=1), 1)
    return committee_years(scenario, draws) / seconds


def peak_memory_mb(scenario: bs.Scenario, draws: int) -> float:
    tracemalloc.start()
    bs.monte_carlo(scenario, STRATEGY, draws=draws, seed=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


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
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    quick = parser.parse_args().quick
    boras = bs.default_scenario()
    print(f"Machine: {machine()}\n")

    ref = reference_rate(boras, 3 if quick else 20)
    print("| Borås (7 committees x 7 years) | committee-years / s | x plain loop |\n|---|---:|---:|")
    print(f"| plain Python loop (reference) | {ref:,.0f} | 1 |")
    for draws in (1, 100, 1_000, 10_000) if quick else (1, 100, 1_000, 10_000, 100_000):
        rate = engine_rate(boras, draws)
        print(f"| engine, {draws:,} draws | {rate:,.0f} | {rate / ref:,.0f} |")
    for draws in (10_000,) if quick else (10_000, 100_000):
        rate = monte_carlo_rate(boras, draws)
        print(
            f"| Monte Carlo end to end (sampling + engine + summaries), {draws:,} draws | {rate:,.0f} | {rate / ref:,.0f} |"
        )

    draws = 1_000 if quick else 10_000
    print(
        f"\n| engine, {draws:,} draws | committees | years | committee-years / s | seconds |\n|---|---:|---:|---:|---:|"
    )
    for committees, years in ((5, 5), (20, 5), (50, 5), (20, 10), (20, 20)):
        scenario = synthetic(committees, years)
        rate = engine_rate(scenario, draws)
        print(f"| synthetic | {committees} | {years} | {rate:,.0f} | {committee_years(scenario, draws) / rate:.3f} |")

    big = synthetic(20, 10)
    draws = 10_000 if quick else 100_000
    print(
        f"\nPeak memory (tracemalloc) of a {draws:,}-draw Monte Carlo run, 20 committees x 10 years: {peak_memory_mb(big, draws):,.0f} MB"
    )


if __name__ == "__main__":
    main()
