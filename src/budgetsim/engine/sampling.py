"""Random draws of a scenario's uncertainty, reproducible per draw.

Draws are generated in blocks of :data:`BLOCK`; each block has its own generator, seeded from
(seed, block index). A draw's numbers therefore depend only on the seed and its index, whatever
chunks a run is cut into and wherever the chunks run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.random import block_random
from budgetsim.scenario.uncertainty import Uncertainty, sd_for


def sample(arrays: ScenarioArrays, uncertainty: Uncertainty, first: int, count: int, seed: int) -> ScenarioArrays:
    """The scenario arrays for draws ``first .. first + count - 1`` of ``uncertainty``.

    >>> import budgetsim as bs
    >>> s = bs.default_scenario()
    >>> a = sample(bs.core.compile_scenario(s), s.uncertainty, 0, 5, seed=1)
    >>> a.draws, a.population_shock.shape[0]
    (5, 5)
    """
    T, C = len(arrays.years), len(arrays.committees)
    Y, B = arrays.population_shock.shape[1:]
    u, e = uncertainty, uncertainty.economy
    future = arrays.population_years > arrays.base_year  # only years after the base year are uncertain
    band_sd = np.array([sd_for(u.population.sd, band.label) for band in arrays.bands])
    care_sd = np.array([sd_for(u.costs.care_intensity_sd, c) for c in arrays.committees])
    uncertain_care = np.flatnonzero(care_sd > 0)  # draw only what has a spread: fewer numbers, same per draw

    years = [int(y) for y in arrays.years]
    population_years = [int(y) for y in arrays.population_years[future]]

    def make(generator: Callable[..., np.random.Generator], n: int) -> dict[str, np.ndarray]:
        # one generator per stream and calendar year: a run with more years or another end year
        # draws the same numbers for the years it shares (common random numbers across sweeps)
        return {
            "population": np.stack([generator(1, y).standard_normal((n, B)) for y in population_years], axis=1),
            "economy": np.stack([generator(2, y).standard_normal((n, 4)) for y in years], axis=2),
            "care": np.stack([generator(3, y).standard_normal((n, len(uncertain_care))) for y in years], axis=1),
            "law": np.stack([generator(4, y).random((n, C)) for y in years], axis=1),
        }

    z = block_random(seed, first, count, make)
    n = z["law"].shape[0]
    population_shock = np.zeros((n, Y, B))
    population_shock[:, future] = np.cumsum(z["population"] * band_sd, axis=1)
    wage, price, internal, revenue = (z["economy"][:, k] for k in range(4))
    revenue_factor = np.exp(np.cumsum(e.revenue_sd * revenue, axis=1))
    care = np.zeros((n, T + 1, C))  # the base year (index 0) is known
    care[:, 1:, uncertain_care] = np.cumsum(z["care"] * care_sd[uncertain_care], axis=1)
    # one uniform per committee-year: below p a law comes, its size uniform in the range (u / p is uniform)
    p = u.costs.legislation_probability
    lo, hi = u.costs.legislation_size
    hit = z["law"] < p
    steps = np.where(hit, lo + (hi - lo) * np.divide(z["law"], p, out=np.zeros_like(z["law"]), where=hit), 0.0)
    changes: dict[str, np.ndarray] = {
        "population_shock": population_shock,
        "wage_outcome": arrays.wage_outcome + e.wage_sd * wage,
        "price_outcome": arrays.price_outcome + e.price_sd * price,
        "internal_price_outcome": arrays.internal_price_outcome + e.internal_price_sd * internal,
        "care_shock": care,
        "cost_level": arrays.cost_level * np.cumprod(1 + steps, axis=1),
    }
    if arrays.revenue is not None:
        changes["revenue"] = arrays.revenue * revenue_factor
    if arrays.total_available is not None:
        changes["total_available"] = arrays.total_available * revenue_factor
    return replace(arrays.with_draws(**changes), first_draw=first, seed=seed, stochastic=True)
