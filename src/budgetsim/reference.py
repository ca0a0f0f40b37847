"""Plain-Python reference implementation of the three mechanisms and the cost side.

This is the readable specification: loops over years, committees and age bands, straight from
the scenario objects, with no numpy and no shared code with the engine. The test suite checks the
vectorised engine against it on random scenarios, and the benchmarks time the engine against it.

>>> import budgetsim as bs
>>> s = bs.default_scenario()
>>> ref = simulate_reference(s, incremental=True, volume=True)
>>> eng = bs.simulate(s, bs.strategies.boras_current()).frames
>>> abs(ref.frames[(2030, "GSN")] - float(eng.query("year == 2030 and committee == 'GSN'").frame.iloc[0])) < 1e-3
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from budgetsim.scenario import Committee, Scenario

Key = tuple[int, str]


@dataclass
class ReferenceResult:
    frames: dict[Key, float] = field(default_factory=dict)
    components: dict[Key, dict[str, float]] = field(default_factory=dict)
    need: dict[Key, float] = field(default_factory=dict)
    cost: dict[Key, float] = field(default_factory=dict)


def _people(scenario: Scenario, counts: Sequence[float], min_age: int, max_age: int | None) -> float:
    return sum(counts[j] for j in scenario.population.band_indices(min_age, max_age))


def _uplift(scenario: Scenario, c: Committee, year: int) -> float:
    e = scenario.economy
    return c.cost_mix.wages * e.wage_uplift[year] + c.cost_mix.other * e.price_uplift[year]


def _price_level(scenario: Scenario, c: Committee, year: int) -> float:
    level = 1.0
    for y in range(scenario.base_year + 1, year + 1):
        level *= 1 + _uplift(scenario, c, y)
    return level


def _basis(scenario: Scenario, budget_year: int, year: int, basis: str) -> tuple[float, ...]:
    known = scenario.population.known
    if basis == "forecast":
        return known(budget_year, year)
    before, this = known(budget_year, year - 1), known(budget_year, year)
    return tuple((a + b) / 2 for a, b in zip(before, this, strict=True))


def _need_units(scenario: Scenario, c: Committee, counts: Sequence[float], care_years: int) -> float:
    if c.need is None:
        return 1.0
    units = sum(w.weight * _people(scenario, counts, w.min_age, w.max_age) for w in c.need.weights)
    return units * c.need.need_index * (1 + c.need.care_intensity_growth) ** care_years


def _volume(scenario: Scenario, c: Committee, year: int, basis: str, correct: bool) -> dict[str, float]:
    level = _price_level(scenario, c, year)

    def value(budget_year: int, year_a: int, budget_b: int, year_b: int) -> float:
        a, b = _basis(scenario, budget_year, year_a, basis), _basis(scenario, budget_b, year_b, basis)
        total = 0.0
        for d in c.volume_drivers:
            total += (
                d.price
                * level
                * (_people(scenario, a, d.min_age, d.max_age) - _people(scenario, b, d.min_age, d.max_age))
            )
        return total

    out = {"volume": value(year, year, year, year - 1)}
    if correct:
        out["volume_correction"] = value(year, year - 1, year - 1, year - 1) if year > scenario.base_year + 1 else 0.0
    return out


def simulate_reference(
    scenario: Scenario,
    *,
    incremental: bool = False,
    volume: bool = False,
    volume_committees: Sequence[str] | None = None,
    basis: str = "forecast",
    correct_forecast_errors: bool = False,
    needs: bool = False,
    needs_total_from_others: bool = False,
) -> ReferenceResult:
    """Frames by component, need and cost for every (year, committee).

    ``needs`` distributes the scenario's total available, or with ``needs_total_from_others``
    the total the incremental and volume parts give on their own path from the base-year frames;
    it then replaces those parts.
    """
    out = ReferenceResult()
    last = {c.id: c.base_frame for c in scenario.committees}
    own = dict(last)  # the incremental and volume parts on their own path (for needs_total_from_others)
    base_counts = scenario.population.outcomes[scenario.base_year]
    e = scenario.economy

    def parts_from(frames: dict[str, float], year: int) -> dict[str, dict[str, float]]:
        changes: dict[str, dict[str, float]] = {}
        for c in scenario.committees:
            parts: dict[str, float] = {}
            if incremental:
                parts["wages"] = frames[c.id] * c.cost_mix.wages * e.wage_uplift[year]
                parts["prices"] = frames[c.id] * c.cost_mix.other * e.price_uplift[year]
                parts["efficiency"] = -frames[c.id] * e.efficiency[year]
                parts["additions"] = sum(a.amount for a in scenario.additions if a.year == year and a.committee == c.id)
            covered = volume_committees is None or c.id in volume_committees
            if volume and covered and c.volume_drivers:
                parts.update(_volume(scenario, c, year, basis, correct_forecast_errors))
            changes[c.id] = parts
        return changes

    for year in scenario.years:
        changes = parts_from(last, year)
        if needs:
            total: float | None = e.available(year)
            if needs_total_from_others:
                own_changes = parts_from(own, year)
                own = {cid: own[cid] + sum(p.values()) for cid, p in own_changes.items()}
                total = sum(own.values())
            assert total is not None
            weights = {}
            for c in scenario.committees:
                if c.need is None:
                    units = c.base_net_cost
                else:
                    units = _need_units(
                        scenario, c, scenario.population.known(year, year), year - 1 - scenario.base_year
                    )
                weights[c.id] = units * _price_level(scenario, c, year)
            weight_sum = sum(weights.values())
            added = {
                c.id: sum(a.amount for a in scenario.additions if a.year == year and a.committee == c.id)
                for c in scenario.committees
            }
            split = total - sum(added.values())
            changes = {
                cid: {"needs": split * w / weight_sum - last[cid], "additions": added[cid]}
                for cid, w in weights.items()
            }
        for c in scenario.committees:
            out.components[(year, c.id)] = {"base": last[c.id], **changes[c.id]}
            last[c.id] = last[c.id] + sum(changes[c.id].values())
            out.frames[(year, c.id)] = last[c.id]

    for c in scenario.committees:
        base_units = _need_units(scenario, c, base_counts, 0)
        need_price = cost_price = productivity = step = 1.0
        for year in scenario.years:
            wage, price = e.outcome("wage", year), e.outcome("price", year)
            internal = e.outcome("internal_price", year)
            mix = c.cost_mix
            need_price *= 1 + mix.wages * wage + mix.other * price
            cost_price *= (
                1 + mix.wages * wage + mix.internal_services * internal + (mix.other - mix.internal_services) * price
            )
            productivity *= 1 - e.outcome("efficiency", year)
            step *= math.prod(1 + s.share for s in scenario.cost_steps if s.year == year and s.committee == c.id)
            volume_index = (
                _need_units(scenario, c, scenario.population.outcomes[year], year - scenario.base_year) / base_units
            )
            out.need[(year, c.id)] = c.base_net_cost * volume_index * need_price * productivity
            need_driven = c.base_net_cost * volume_index * cost_price * productivity * step
            # activity adapts to the frame: the same spending behaviour whatever rule set it
            out.cost[(year, c.id)] = need_driven + e.spending_adaptation * (out.frames[(year, c.id)] - need_driven)
    return out
