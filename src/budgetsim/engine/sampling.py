"""Random draws of a scenario's uncertainty, reproducible per draw.

Draws are generated in blocks of :data:`BLOCK`; each block has its own generator, seeded from
(seed, block index). A draw's numbers therefore depend only on the seed and its index, whatever
chunks a run is cut into and wherever the chunks run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from budgetsim.engine.arrays import ScenarioArrays
from budgetsim.scenario.uncertainty import Uncertainty, sd_for

BLOCK = 1024


def block_random(
    seed: int,
    first: int,
    count: int,
    make: Callable[[np.random.Generator, int], dict[str, np.ndarray]],
    stream: tuple[int, ...] = (),
) -> dict[str, np.ndarray]:
    """Random arrays for draws ``first .. first + count - 1``: ``make(rng, BLOCK)`` is called once
    per block with that block's generator and must draw the same shapes in the same order each
    time; the rows of the requested draws are returned.

    >>> a = block_random(7, 0, 3000, lambda rng, n: {"z": rng.standard_normal(n)})["z"]
    >>> b = block_random(7, 1500, 10, lambda rng, n: {"z": rng.standard_normal(n)})["z"]
    >>> bool((a[1500:1510] == b).all())
    True
    """
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    parts: list[dict[str, np.ndarray]] = []
    for block in range(first // BLOCK, (first + count - 1) // BLOCK + 1):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, *stream)))
        values = make(rng, BLOCK)
        lo, hi = max(first, block * BLOCK) - block * BLOCK, min(first + count, (block + 1) * BLOCK) - block * BLOCK
        parts.append({k: v[lo:hi] for k, v in values.items()})
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def sample(arrays: ScenarioArrays, uncertainty: Uncertainty, first: int, count: int, seed: int) -> ScenarioArrays:
    """The scenario arrays for draws ``first .. first + count - 1`` of ``uncertainty``.

    >>> import budgetsim as bs
    >>> s = bs.default_scenario()
    >>> a = sample(bs.engine.compile_scenario(s), s.uncertainty, 0, 5, seed=1)
    >>> a.draws, a.population_shock.shape[0]
    (5, 5)
    """
    T, C = len(arrays.years), len(arrays.committees)
    Y, B = arrays.population_shock.shape[1:]

    def make(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        return {
            "population": rng.standard_normal((n, Y, B)),
            "wage": rng.standard_normal((n, T)),
            "price": rng.standard_normal((n, T)),
            "internal": rng.standard_normal((n, T)),
            "revenue": rng.standard_normal((n, T)),
            "care": rng.standard_normal((n, T + 1, C)),
            "law_hit": rng.random((n, T, C)),
            "law_size": rng.random((n, T, C)),
        }

    z = block_random(seed, first, count, make)
    u = uncertainty
    future = (arrays.population_years > arrays.base_year)[None, :, None]
    band_sd = np.array([sd_for(u.population.sd, band.label) for band in arrays.bands])
    population_shock = np.cumsum(z["population"] * band_sd * future, axis=1)
    e = u.economy
    revenue_factor = np.exp(np.cumsum(e.revenue_sd * z["revenue"], axis=1))
    care_sd = np.array([sd_for(u.costs.care_intensity_sd, c) for c in arrays.committees])
    care = z["care"] * care_sd
    care[:, 0] = 0.0  # the base year is known
    lo, hi = u.costs.legislation_size
    steps = (z["law_hit"] < u.costs.legislation_probability) * (lo + (hi - lo) * z["law_size"])
    changes: dict[str, np.ndarray] = {
        "population_shock": population_shock,
        "wage_outcome": arrays.wage_outcome + e.wage_sd * z["wage"],
        "price_outcome": arrays.price_outcome + e.price_sd * z["price"],
        "internal_price_outcome": arrays.internal_price_outcome + e.internal_price_sd * z["internal"],
        "care_shock": np.cumsum(care, axis=1),
        "cost_level": arrays.cost_level * np.cumprod(1 + steps, axis=1),
    }
    if arrays.revenue is not None:
        changes["revenue"] = arrays.revenue * revenue_factor
    if arrays.total_available is not None:
        changes["total_available"] = arrays.total_available * revenue_factor
    return replace(arrays.with_draws(**changes), first_draw=first)
