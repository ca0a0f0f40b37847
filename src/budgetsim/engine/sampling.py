"""Random draws of a scenario's uncertainty, reproducible per draw.

Draws are generated in blocks of :data:`BLOCK`; each block has its own generator per stream and
calendar year, seeded from (seed, block index, stream, year). A draw's numbers therefore depend
only on the seed and its index, whatever chunks a run is cut into and wherever the chunks run.

The numbers of recent blocks are kept in a small cache (:data:`DRAW_CACHE_BYTES`), keyed by the
seed, the block and what is drawn (the years, the age bands, the committees with a care-intensity
spread), not by the scenario's values: the points of a sweep that change economy paths, drivers
or the strategy draw each block once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.random import BLOCK, spawn_generators
from budgetsim.scenario.uncertainty import Uncertainty, sd_for

#: Most bytes of drawn numbers the cache keeps (least recently used blocks go first).
DRAW_CACHE_BYTES = 64 * 2**20
#: Random-number stream of the spending adaptation (1-4: the scenario's paths, 5: negotiated write-offs).
ADAPTATION_STREAM = 6


@dataclass(frozen=True)
class Layout:
    """What one block draws: standard normals for the population of each uncertain year and band,
    for 4 economy shocks and the committees with a care-intensity spread each budget year, one
    uniform per committee-year for legislation, and (with a spread) one standard normal per draw
    for its spending adaptation."""

    population_years: tuple[int, ...]
    bands: int
    years: tuple[int, ...]
    care: int
    committees: int
    adaptation: int = 0
    base_year: int = 0


@dataclass(frozen=True, eq=False)
class Block:
    """One block's numbers, each (years, BLOCK, width)."""

    population: np.ndarray
    economy: np.ndarray
    care: np.ndarray
    law: np.ndarray
    adaptation: np.ndarray

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.population, self.economy, self.care, self.law, self.adaptation))


class DrawCache:
    """Blocks of drawn numbers by (seed, block, layout), least recently used dropped first."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._blocks: OrderedDict[tuple[int, int, Layout], Block] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[int, int, Layout]) -> Block | None:
        with self._lock:
            block = self._blocks.get(key)
            if block is not None:
                self._blocks.move_to_end(key)
            return block

    def put(self, key: tuple[int, int, Layout], block: Block) -> None:
        with self._lock:
            if key in self._blocks or block.nbytes > self.max_bytes:
                return
            self._blocks[key] = block
            self._bytes += block.nbytes
            while self._bytes > self.max_bytes:
                _, dropped = self._blocks.popitem(last=False)
                self._bytes -= dropped.nbytes

    def clear(self) -> None:
        with self._lock:
            self._blocks.clear()
            self._bytes = 0


#: The process-wide cache of drawn blocks (``DRAW_CACHE.clear()`` empties it).
DRAW_CACHE = DrawCache(DRAW_CACHE_BYTES)


def layout_of(arrays: ScenarioArrays, uncertainty: Uncertainty) -> Layout:
    """What a block of draws holds for this scenario and uncertainty."""
    future = arrays.population_years[arrays.population_years > arrays.base_year]
    care_sd = [sd_for(uncertainty.costs.care_intensity_sd, c) for c in arrays.committees]
    return Layout(
        population_years=tuple(int(y) for y in future),
        bands=arrays.population_shock.shape[2],
        years=tuple(int(y) for y in arrays.years),
        care=sum(sd > 0 for sd in care_sd),
        committees=len(arrays.committees),
        adaptation=int(uncertainty.economy.spending_adaptation_sd > 0),
        base_year=arrays.base_year,
    )


def draw_blocks(seed: int, blocks: range, layout: Layout, cache: DrawCache = DRAW_CACHE) -> list[Block]:
    """The numbers of ``blocks`` (from the cache where it has them): one generator per block,
    stream (1 population, 2 economy, 3 care, 4 legislation, 6 spending adaptation, keyed by the
    base year) and calendar year, so a run with more years or another end year draws the same
    numbers for the years it shares (common random numbers across sweeps)."""
    found = {b: cache.get((seed, b, layout)) for b in blocks}
    missing = [b for b in blocks if found[b] is None]
    streams = [
        (1, layout.population_years, layout.bands, True),
        (2, layout.years, 4, True),
        (3, layout.years, layout.care, True),
        (4, layout.years, layout.committees, False),
        (ADAPTATION_STREAM, (layout.base_year,), layout.adaptation, True),
    ]
    # a stream with nothing to draw (no committee with a care spread) needs no generators
    keys = [(b, stream, y) for b in missing for stream, years, width, _ in streams if width for y in years]
    generators = iter(spawn_generators(seed, keys))
    for b in missing:
        arrays = []
        for _, years, width, normal in streams:
            out = np.empty((len(years), BLOCK, width))
            for i in range(len(years) if width else 0):
                generator = next(generators)
                if normal:
                    generator.standard_normal(out=out[i])
                else:
                    generator.random(out=out[i])
            out.flags.writeable = False
            arrays.append(out)
        block = Block(*arrays)
        cache.put((seed, b, layout), block)
        found[b] = block
    return [found[b] for b in blocks]  # type: ignore[misc]


def running(op: np.ufunc, x: np.ndarray, axis: int) -> np.ndarray:
    """``op.accumulate(x, axis=axis)`` (a running sum or product) computed in ``x`` itself, one
    slab at a time: the same operations in the same order, without numpy's slow inner loop along a
    short axis. Returns ``x``."""
    view = np.moveaxis(x, axis, 0)
    for i in range(1, view.shape[0]):
        op(view[i - 1], view[i], out=view[i])
    return x


def sample(arrays: ScenarioArrays, uncertainty: Uncertainty, first: int, count: int, seed: int) -> ScenarioArrays:
    """The scenario arrays for draws ``first .. first + count - 1`` of ``uncertainty``.

    >>> import budgetsim as bs
    >>> s = bs.default_scenario()
    >>> a = sample(bs.core.compile_scenario(s), s.uncertainty, 0, 5, seed=1)
    >>> a.draws, a.population_shock.shape[0]
    (5, 5)
    """
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    T, C = len(arrays.years), len(arrays.committees)
    Y, B = arrays.population_shock.shape[1:]
    u, e = uncertainty, uncertainty.economy
    layout = layout_of(arrays, uncertainty)
    future = Y - len(layout.population_years)  # only years after the base year are uncertain
    band_sd = np.array([sd_for(u.population.sd, band.label) for band in arrays.bands])
    band_drift = np.array([sd_for(u.population.drift, band.label) for band in arrays.bands])
    care_sd = np.array([sd_for(u.costs.care_intensity_sd, c) for c in arrays.committees])
    uncertain_care = np.flatnonzero(care_sd > 0)  # draw only what has a spread: fewer numbers, same per draw

    n = count
    shocks = np.empty((len(layout.population_years), n, B))  # year-major, as drawn
    economy = np.empty((T, n, 4))
    care_z = np.empty((T, n, len(uncertain_care)))
    law = np.empty((T, n, C))
    adaptation = np.empty(n)
    blocks = range(first // BLOCK, (first + count - 1) // BLOCK + 1)
    for b, block in zip(blocks, draw_blocks(seed, blocks, layout), strict=True):
        lo, hi = max(first, b * BLOCK) - b * BLOCK, min(first + count, (b + 1) * BLOCK) - b * BLOCK
        rows = slice(b * BLOCK + lo - first, b * BLOCK + hi - first)
        np.multiply(block.population[:, lo:hi], band_sd, out=shocks[:, rows])
        if band_drift.any():
            shocks[:, rows] += band_drift
        economy[:, rows] = block.economy[:, lo:hi]
        care_z[:, rows] = block.care[:, lo:hi]
        law[:, rows] = block.law[:, lo:hi]
        if layout.adaptation:
            adaptation[rows] = block.adaptation[0, lo:hi, 0]
    running(np.add, shocks, axis=0)
    population_shock = np.zeros((n, Y, B))
    for i, year_shocks in enumerate(shocks):
        population_shock[:, future + i] = year_shocks
    wage, price, internal, revenue = (economy[:, :, k].T for k in range(4))  # (n, T)
    revenue_factor = np.exp(running(np.add, np.multiply(e.revenue_sd, revenue, out=np.empty((n, T))), axis=1))
    care = np.zeros((n, T + 1, C))  # the base year (index 0) is known
    care[:, 1:, uncertain_care] = running(np.add, care_z * care_sd[uncertain_care], axis=0).transpose(1, 0, 2)
    # one uniform per committee-year: below p a law comes, its size uniform in the range (u / p is uniform)
    p = u.costs.legislation_probability
    lo_size, hi_size = u.costs.legislation_size
    size = np.divide(law, p) if p > 0 else np.zeros_like(law)
    size *= hi_size - lo_size
    size += lo_size
    size += 1.0
    steps = running(np.multiply, np.where(law < p, size, 1.0), axis=0)  # (T, n, C) cumulative cost steps
    cost_level = np.empty((n, T, C))
    np.multiply(arrays.cost_level, steps.transpose(1, 0, 2), out=cost_level)
    changes: dict[str, np.ndarray] = {
        "population_shock": population_shock,
        "wage_outcome": _outcome(arrays.wage_outcome, e.wage_sd, wage),
        "price_outcome": _outcome(arrays.price_outcome, e.price_sd, price),
        "internal_price_outcome": _outcome(arrays.internal_price_outcome, e.internal_price_sd, internal),
        "care_shock": care,
        "cost_level": cost_level,
    }
    if layout.adaptation:
        changes["spending_adaptation"] = _adaptation(arrays.spending_adaptation, e.spending_adaptation_sd, adaptation)
    if arrays.revenue is not None:
        changes["revenue"] = arrays.revenue * revenue_factor
    if arrays.total_available is not None:
        changes["total_available"] = arrays.total_available * revenue_factor
    return replace(arrays.with_draws(**changes), first_draw=first, seed=seed, stochastic=True)


def _adaptation(central: np.ndarray, sd: float, z: np.ndarray) -> np.ndarray:
    """(n,) spending adaptations with median ``central`` (1,), drawn on the logit scale so every draw
    stays inside (0, 1): logit(λ) = logit(central) + ``sd`` x z. At 0 or 1 there is no room to vary:
    every draw is the centre.

    >>> lam = _adaptation(np.array([0.95]), 0.5, np.random.default_rng(1).standard_normal(100_000))
    >>> [round(float(q), 3) for q in np.quantile(lam, [0.05, 0.5, 0.95])]
    [0.894, 0.95, 0.977]
    """
    m = float(central[0])
    if not 0 < m < 1:
        return np.full(z.shape, m)
    return 1 / (1 + np.exp(-(np.log(m / (1 - m)) + sd * z)))


def _outcome(central: np.ndarray, sd: float, z: np.ndarray) -> np.ndarray:
    """(n, T) central path + sd x shocks, in C order (as the engine reads it)."""
    out = np.multiply(sd, z, out=np.empty(z.shape))
    return np.add(central, out, out=out)
