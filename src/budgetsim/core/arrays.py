"""The scenario compiled to numpy arrays: what the engine and the strategies compute on.

Axes: D draws (1 for a deterministic run; arrays that cannot vary by draw have no D axis),
T budget years, C committees, B age bands. Arrays that may vary by draw carry a leading
axis of length 1 or D, so numpy broadcasting serves one draw and many with the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any

import numpy as np

from budgetsim.scenario import AgeBand, Scenario
from budgetsim.scenario.population import band_indices

#: Offsets of the years whose population is known at budget time, relative to the budget year.
KNOWN_OFFSETS = (-2, -1, 0)


@dataclass(frozen=True, eq=False)
class ScenarioArrays:
    """Numeric form of a :class:`~budgetsim.scenario.Scenario`. Build it with :func:`compile_scenario`."""

    scenario: Scenario  # the scenario compiled (its central paths; the arrays may hold draws around them)
    committees: tuple[str, ...]
    bands: tuple[AgeBand, ...]
    years: np.ndarray  # (T,) budget years
    base_year: int
    base_frame: np.ndarray  # (C,) SEK
    base_cost: np.ndarray  # (C,) SEK
    wage_share: np.ndarray  # (C,)
    mandated_share: np.ndarray  # (C,) share of the budget mandated by law (0 where not known)
    internal_share: np.ndarray  # (C,)
    wage_uplift: np.ndarray  # (D|1, T) rates assumed when frames are set
    price_uplift: np.ndarray  # (D|1, T)
    efficiency: np.ndarray  # (D|1, T)
    wage_outcome: np.ndarray  # (D|1, T) what actually happened
    price_outcome: np.ndarray  # (D|1, T)
    internal_price_outcome: np.ndarray  # (D|1, T)
    realised_efficiency: np.ndarray  # (D|1, T)
    preliminary_wage_uplift: np.ndarray  # (D|1, T) rates assumed for the June frames
    preliminary_price_uplift: np.ndarray  # (D|1, T)
    total_available: np.ndarray | None  # (D|1, T) SEK, None if the scenario gives no total
    revenue: np.ndarray | None  # (D|1, T) tax revenue and general grants, SEK, None if not given
    result_target: float  # share of revenue
    other_net_costs_share: float  # depreciation and net financial items, share of revenue
    total_from_revenue: bool  # the total available is revenue less result target and other costs
    central_total_growth: (
        np.ndarray
    )  # (T,) the scenario's central total available relative to its first year (1s without one)
    additions: np.ndarray  # (T, C) SEK
    cost_level: np.ndarray  # (D|1, T, C) cumulative factor of cost steps (1 = none)
    investment_cost: np.ndarray  # (T+1, C) running costs of investments in force, base-year SEK (base .. end)
    forecast: (
        np.ndarray
    )  # (D|1, T, Y, B) central population of each year Y as known at the budget of year T (NaN: unknown)
    population_years: np.ndarray  # (Y,) the years of the forecast axis: base_year - 2 .. end_year
    fact_index: np.ndarray  # (T,) index in Y of the last year that was a fact (not a forecast) at each budget
    outcome: np.ndarray  # (D|1, T+1, B) central outcomes for base_year .. end_year
    population_shock: np.ndarray  # (D|1, Y, B) log deviation of the outcome from the central path
    driver_price: np.ndarray  # (C, B) base-year SEK per inhabitant of each driver band (0: not a driver)
    list_price: np.ndarray  # (T+1, C, B) last listed price per inhabitant up to each year base..end (NaN: none)
    list_from: np.ndarray  # (T+1, C, B) index (0 = base year) of the year that price was listed for
    price_basis: tuple[str | None, ...]  # (C,) population basis of each committee's price list (None: no list)
    need_weight: np.ndarray  # (C, B) relative need per inhabitant
    has_need_profile: np.ndarray  # (C,) bool; without one, need follows prices only
    need_index: np.ndarray  # (C,)
    care_intensity_growth: np.ndarray  # (C,)
    care_shock: np.ndarray  # (D|1, T+1, C) log deviation of care intensity, base_year .. end_year
    spending_adaptation: np.ndarray  # (D|1,) share of frame minus need-driven cost that is spent
    first_draw: int = 0  # global index of draw 0 (Monte Carlo chunks)
    seed: int = 0  # seed of the Monte Carlo draws (process randomness derives from it too)
    stochastic: bool = False  # drawn from the uncertainty: random process rules draw; otherwise they take expectations

    @cached_property
    def known_population(self) -> np.ndarray:
        """(D|1, T, 3, B) population known at each budget for the years t-2, t-1 and t: the central
        forecast, moved by the population shock of the year itself if it was a fact then, else by
        the shock of the last fact year (a forecast starts from the facts)."""
        return self._known(KNOWN_OFFSETS)

    def known_at(self, offset: int) -> np.ndarray:
        """(D|1, T, B) the slice of :attr:`known_population` for year ``t + offset`` (offset -2, -1
        or 0), derived alone unless that is already there."""
        if "known_population" in self.__dict__:
            return self.known_population[:, :, KNOWN_OFFSETS.index(offset)]
        return self._known((offset,))[:, :, 0]

    def _known(self, offsets: tuple[int, ...]) -> np.ndarray:
        """(D|1, T, len(offsets), B) the known population for the given offsets."""
        y = self.years[:, None] + np.array(offsets)[None, :] - self.population_years[0]  # (T, offsets)
        central = self.forecast[:, np.arange(len(self.years))[:, None], y]
        if not self.population_shock.any():
            return central
        anchor = np.minimum(y, self.fact_index[:, None])
        factor = np.take(self.population_factor, anchor.ravel(), axis=1).reshape(-1, *central.shape[1:])
        return np.multiply(central, factor, out=factor if factor.shape[0] >= central.shape[0] else None)

    @cached_property
    def outcome_population(self) -> np.ndarray:
        """(D|1, T+1, B) population outcomes for base_year .. end_year."""
        first = self.base_year - int(self.population_years[0])
        return self.outcome * self.population_factor[:, first : first + len(self.years) + 1]

    @cached_property
    def population_factor(self) -> np.ndarray:
        """(D|1, Y, B) exp(population shock): each year's outcome over its central path, derived once
        for the known and the outcome populations."""
        return np.exp(self.population_shock)

    def preliminary(self) -> ScenarioArrays:
        """A copy with the rates assumed in June in place of November's."""
        return replace(self, wage_uplift=self.preliminary_wage_uplift, price_uplift=self.preliminary_price_uplift)

    def frozen_at(self, t: int) -> ScenarioArrays:
        """A copy in which every budget from index ``t`` on knows only what the budget of ``t``
        knew: the basis of multi-year frames and of planning. The population is the forecast of
        then (NaN where it ends); the wage, price and efficiency rates of later years are assumed
        to stay at that year's; the total available grows from that year's at the scenario's
        central revenue growth (a plan cannot know later revenue shocks)."""
        forecast = self.forecast.copy()
        forecast[:, t:] = self.forecast[:, t : t + 1]
        fact_index = self.fact_index.copy()
        fact_index[t:] = fact_index[t]
        rates: dict[str, Any] = {}
        for name in (
            "wage_uplift",
            "price_uplift",
            "efficiency",
            "preliminary_wage_uplift",
            "preliminary_price_uplift",
        ):
            values = getattr(self, name).copy()
            values[:, t:] = values[:, t : t + 1]
            rates[name] = values
        total = self.total_available
        if total is not None:
            total = total.copy()
            total[:, t:] = total[:, t : t + 1] * (self.central_total_growth[t:] / self.central_total_growth[t])
        return replace(self, forecast=forecast, fact_index=fact_index, total_available=total, **rates)

    @property
    def draws(self) -> int:
        """Number of draws: the longest leading axis among the draw-dependent arrays."""
        return max(
            getattr(self, f.name).shape[0]
            for f in fields(self)
            if f.name in DRAW_FIELDS and getattr(self, f.name) is not None
        )

    def with_draws(self, **arrays: np.ndarray) -> ScenarioArrays:
        """A copy with draw-dependent arrays replaced (each with a leading axis of 1 or D).

        >>> import budgetsim as bs, numpy as np
        >>> a = bs.core.compile_scenario(bs.default_scenario())
        >>> b = a.with_draws(wage_outcome=a.wage_outcome + np.array([[0.0], [0.01]]))
        >>> b.draws
        2
        """
        unknown = set(arrays) - DRAW_FIELDS
        if unknown:
            raise ValueError(f"not draw-dependent arrays: {sorted(unknown)}; these are: {sorted(DRAW_FIELDS)}")
        values: dict[str, Any] = {}
        for name, value in arrays.items():
            current = getattr(self, name)
            if current is None:
                raise ValueError(f"{name}: the scenario has none to vary (set it in the scenario's economy)")
            value = np.asarray(value, dtype=float)
            if value.ndim != current.ndim or value.shape[1:] != current.shape[1:]:
                raise ValueError(
                    f"{name}: shape {value.shape} must be (draws, {', '.join(map(str, current.shape[1:]))})"
                )
            values[name] = value
        new = replace(self, **values)
        sizes = {getattr(new, n).shape[0] for n in DRAW_FIELDS if getattr(new, n) is not None} - {1}
        if len(sizes) > 1:
            raise ValueError(f"draw axes disagree: lengths {sorted(sizes)}")
        return new


DRAW_FIELDS = frozenset(
    {
        "wage_uplift",
        "price_uplift",
        "efficiency",
        "wage_outcome",
        "price_outcome",
        "internal_price_outcome",
        "realised_efficiency",
        "preliminary_wage_uplift",
        "preliminary_price_uplift",
        "total_available",
        "revenue",
        "forecast",
        "outcome",
        "population_shock",
        "cost_level",
        "care_shock",
        "spending_adaptation",
    }
)


def compile_scenario(scenario: Scenario) -> ScenarioArrays:
    """Compile a validated scenario to arrays (one draw).

    >>> import budgetsim as bs
    >>> a = bs.core.compile_scenario(bs.default_scenario())
    >>> a.known_population.shape[1:3], a.forecast.shape[1:3], a.draws
    ((7, 3), (7, 10), 1)
    """
    years = np.array(scenario.years)
    pop = scenario.population
    committees = scenario.committees
    C, B = len(committees), len(pop.bands)
    econ = scenario.economy

    def path(values: dict[int, float] | None, kind: str | None = None) -> np.ndarray:
        if kind is not None:
            return np.array([[econ.outcome(kind, int(y)) for y in years]])
        assert values is not None
        return np.array([[values[int(y)] for y in years]], dtype=float)

    total = None
    if econ.total_available is not None or econ.revenue is not None:
        total = np.array([[econ.available(int(y)) for y in years]], dtype=float)

    index = {c.id: i for i, c in enumerate(committees)}
    additions = np.zeros((len(years), C))
    for a in scenario.additions:
        additions[a.year - scenario.base_year - 1, index[a.committee]] += a.amount
    steps = np.ones((1, len(years), C))
    investment_cost = np.zeros((len(years) + 1, C))
    for inv in scenario.investments:
        investment_cost[inv.year - scenario.base_year :, index[inv.committee]] += inv.running_cost
    for s in scenario.cost_steps:
        steps[0, s.year - scenario.base_year - 1 :, index[s.committee]] *= 1 + s.share

    population_years = np.arange(scenario.base_year - 2, scenario.end_year + 1)
    forecast = np.full((1, len(years), len(population_years), B), np.nan)
    for t, year in enumerate(years):
        for y, known_year in enumerate(population_years):
            try:
                forecast[0, t, y] = pop.known(int(year), int(known_year))
            except ValueError:  # not known then; the scenario checks the years every budget needs
                continue
    fact_years = [
        vintage.published - 1 if (vintage := pop.vintage_for_budget(int(year))) is not None else scenario.end_year
        for year in years
    ]
    outcome = np.array([[pop.outcomes[y] for y in range(scenario.base_year, scenario.end_year + 1)]], dtype=float)

    driver_price = np.zeros((C, B))
    list_price = np.full((len(years) + 1, C, B), np.nan)
    list_from = np.full((len(years) + 1, C, B), -1)
    need_weight = np.zeros((C, B))
    for i, c in enumerate(committees):
        for d in c.volume_drivers:
            driver_price[i, pop.band_indices(d.min_age, d.max_age)] = d.price
        for p in c.price_list.prices if c.price_list is not None else ():
            y = p.year - scenario.base_year
            list_price[y, i, pop.band_indices(p.min_age, p.max_age)] = p.price
            list_from[y, i, pop.band_indices(p.min_age, p.max_age)] = y
        if c.need is not None:
            for w in c.need.weights:
                need_weight[i, pop.band_indices(w.min_age, w.max_age)] += w.weight
    for y in range(1, len(years) + 1):  # a year the list does not give keeps the last listed price
        unlisted = list_from[y] < 0
        list_price[y][unlisted], list_from[y][unlisted] = list_price[y - 1][unlisted], list_from[y - 1][unlisted]

    return ScenarioArrays(
        scenario=scenario,
        committees=tuple(c.id for c in committees),
        bands=pop.bands,
        years=years,
        base_year=scenario.base_year,
        base_frame=np.array([c.base_frame for c in committees]),
        base_cost=np.array([c.base_net_cost for c in committees]),
        wage_share=np.array([c.cost_mix.wages for c in committees]),
        mandated_share=np.array([c.mandated_share or 0.0 for c in committees]),
        internal_share=np.array([c.cost_mix.internal_services for c in committees]),
        wage_uplift=path(econ.wage_uplift),
        price_uplift=path(econ.price_uplift),
        efficiency=path(econ.efficiency),
        wage_outcome=path(None, "wage"),
        price_outcome=path(None, "price"),
        internal_price_outcome=path(None, "internal_price"),
        realised_efficiency=path(None, "efficiency"),
        preliminary_wage_uplift=path(None, "preliminary_wage"),
        preliminary_price_uplift=path(None, "preliminary_price"),
        total_available=total,
        total_from_revenue=econ.total_available is None and econ.revenue is not None,
        central_total_growth=np.ones(len(years)) if total is None else total[0] / total[0, 0],
        revenue=None if econ.revenue is None else path(econ.revenue),
        result_target=econ.result_target,
        other_net_costs_share=econ.other_net_costs_share,
        additions=additions,
        cost_level=steps,
        investment_cost=investment_cost,
        forecast=forecast,
        population_years=population_years,
        fact_index=np.array(fact_years) - population_years[0],
        population_shock=np.zeros((1, len(population_years), B)),
        outcome=outcome,
        driver_price=driver_price,
        list_price=list_price,
        list_from=list_from,
        price_basis=tuple(c.price_list.basis if c.price_list is not None else None for c in committees),
        need_weight=need_weight,
        has_need_profile=np.array([c.need is not None for c in committees]),
        need_index=np.array([c.need.need_index if c.need else 1.0 for c in committees]),
        care_intensity_growth=np.array([c.need.care_intensity_growth if c.need else 0.0 for c in committees]),
        care_shock=np.zeros((1, len(years) + 1, C)),
        spending_adaptation=np.array([econ.spending_adaptation]),
    )


def band_mask(arrays: ScenarioArrays, min_age: int, max_age: int | None) -> np.ndarray:
    """(B,) boolean mask of the bands that make up ages ``min_age``..``max_age`` exactly."""
    mask = np.zeros(len(arrays.bands), dtype=bool)
    mask[band_indices(arrays.bands, min_age, max_age)] = True
    return mask
