"""A fused year loop for the built-in incremental and volume-uplift rules (the Borås model and its
parts) without a budget process: what Monte Carlo chunks run for them.

It does the arithmetic of :class:`~budgetsim.strategies.Incremental`,
:class:`~budgetsim.strategies.VolumeUplift` and :func:`~budgetsim.engine.run_years` operation for
operation, in the same order, so its numbers are bit for bit the general loop's (tests compare
them). What it saves: the volume terms do not depend on last year's frame, so they are computed
for all years at once (the sum over past forecast changes as one running sum); each year is then a
few passes over (draws, committees) into preallocated arrays, without contexts, dictionaries,
shape checks or the components nobody reads. Any other strategy, a user's own function included,
runs the general loop; so does a chunk whose numbers are not all finite (the general loop then
names the failing component).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np

from budgetsim.core.arrays import KNOWN_OFFSETS, ScenarioArrays
from budgetsim.core.components import BASE
from budgetsim.core.context import BudgetContext, StrategyLike
from budgetsim.core.costs import NeedAndCost, spend
from budgetsim.core.strategy import Combined
from budgetsim.engine.run import RunArrays
from budgetsim.engine.sampling import running
from budgetsim.strategies.incremental import Incremental
from budgetsim.strategies.volume import VolumeUplift

Part = Incremental | VolumeUplift

#: The fields of each rule the fused loop implements. A rule with a field not listed here (one added
#: later) runs the general loop, which honours it; a test fails until the fused loop handles it too.
IMPLEMENTS: dict[type, frozenset[str]] = {
    Incremental: frozenset({"additions", "name"}),
    VolumeUplift: frozenset({"committees", "basis", "correct_forecast_errors", "settle_on_outcome", "name"}),
}


def fusable(strategy: StrategyLike) -> tuple[Part, ...] | None:
    """The parts of ``strategy`` if the fused loop runs it: incremental frames, volume uplift
    (without settlement on outcomes), or both combined, each with only the fields it implements
    (:data:`IMPLEMENTS`); otherwise None."""
    parts = strategy.parts if type(strategy) is Combined else (strategy,)
    kinds = [type(p) for p in parts]
    if not parts or len(set(kinds)) != len(kinds) or not set(kinds) <= set(IMPLEMENTS):
        return None
    fused = cast(tuple[Part, ...], tuple(parts))
    if any(not set(type(p).model_fields) <= IMPLEMENTS[type(p)] for p in fused):
        return None
    if any(isinstance(p, VolumeUplift) and p.settle_on_outcome for p in fused):
        return None
    return fused


@dataclass(frozen=True, eq=False)
class VolumeTerms:
    """A volume rule's changes and diagnostics, each (T, D, C) SEK."""

    changes: dict[str, np.ndarray]
    info: dict[str, np.ndarray]


def run_fused(arrays: ScenarioArrays, parts: tuple[Part, ...], keep: bool) -> RunArrays | None:
    """The general loop's output for a strategy made of ``parts`` (see :func:`fusable`), or None
    if some number is not finite. Without ``keep`` only frame, need and cost are returned (the
    components and diagnostics, which streaming summaries do not read, are left out)."""
    D, T, C = arrays.draws, len(arrays.years), len(arrays.committees)
    costs = need_and_cost(arrays)
    volume = {id(p): _volume_terms(arrays, p, keep) for p in parts if isinstance(p, VolumeUplift)}
    frame = np.empty((D, T, C))
    components: dict[str, np.ndarray] = {BASE: np.empty((D, T, C))} if keep else {}
    wage_share, rest = arrays.wage_share, 1 - arrays.wage_share
    wages, prices, efficiency, total = (np.empty((D, C)) for _ in range(4))
    last = np.broadcast_to(arrays.base_frame, (D, C)).astype(float)
    for t in range(T):
        changes: list[tuple[str, np.ndarray]] = []
        for part in parts:
            if isinstance(part, Incremental):
                np.multiply(last, wage_share, out=wages)
                np.multiply(wages, arrays.wage_uplift[:, t, None], out=wages)
                np.multiply(last, rest, out=prices)
                np.multiply(prices, arrays.price_uplift[:, t, None], out=prices)
                np.negative(last, out=efficiency)
                np.multiply(efficiency, arrays.efficiency[:, t, None], out=efficiency)
                changes += [("wages", wages), ("prices", prices), ("efficiency", efficiency)]
                if part.additions and arrays.additions.any():
                    changes.append(("additions", np.broadcast_to(arrays.additions[t], (D, C))))
            else:
                changes += [(k, v[t]) for k, v in volume[id(part)].changes.items()]
        if keep:
            components[BASE][:, t] = last
            for key, value in changes:
                components.setdefault(key, np.empty((D, T, C)))[:, t] = value
        np.copyto(total, changes[0][1])
        for _, value in changes[1:]:
            total += value
        last = np.add(last, total, out=frame[:, t])
    info: dict[str, np.ndarray] = {}
    for terms in volume.values():
        info.update({k: np.ascontiguousarray(v.transpose(1, 0, 2)) for k, v in terms.info.items()})
    checked = [frame, *info.values(), *([arrays.outcome_population] if volume else [])]
    if not all(np.isfinite(np.sum(x)) for x in checked):  # a sum is finite only if every term is
        return None
    for value in (*(v for k, v in components.items() if k != BASE), *info.values()):
        value += 0.0  # as the general loop's merge: 0.0 + change (a negative zero becomes zero)
    cost = spend(costs.cost, frame, arrays.spending_adaptation) if arrays.spending_adaptation.any() else costs.cost
    return RunArrays(frame=frame, components=components, info=info, need=costs.need, cost=cost)


def need_and_cost(arrays: ScenarioArrays) -> NeedAndCost:
    """:func:`budgetsim.core.costs.need_and_cost` with fewer passes: the same products in the same
    order, in place, and the running products over years one slab at a time."""
    units = _need_units(arrays)  # (D, T+1, C)
    base = arrays.base_cost * (units[:, 1:] / units[:, :1])  # base cost x volume
    ws, share = arrays.wage_share, arrays.internal_share
    wage, price = arrays.wage_outcome[..., None], arrays.price_outcome[..., None]
    need_index = ws * wage + (1 - ws) * price
    need_index += 1.0
    cost_index = ws * wage + share * arrays.internal_price_outcome[..., None] + (1 - ws - share) * price
    cost_index += 1.0
    running(np.multiply, need_index, axis=1)
    running(np.multiply, cost_index, axis=1)
    productivity = np.cumprod(1 - arrays.realised_efficiency, axis=1)[..., None]
    need = base * need_index
    need *= productivity
    cost = base * cost_index
    cost *= productivity
    cost = cost * arrays.cost_level
    if arrays.investment_cost.any():  # running costs of new investments, at the costs' own prices
        cost += arrays.investment_cost[1:] * cost_index
    D = arrays.draws
    return NeedAndCost(
        need=np.broadcast_to(need, (D, *need.shape[1:])), cost=np.broadcast_to(cost, (D, *cost.shape[1:]))
    )


def _need_units(arrays: ScenarioArrays) -> np.ndarray:
    """:func:`budgetsim.core.need.need_units` of the outcome population in every year (D, T+1, C):
    one matrix product over all draws and years, the care factor and the committees without a need
    profile in place."""
    population = arrays.outcome_population
    D, Y, B = population.shape
    units = (population.reshape(D * Y, B) @ arrays.need_weight.T).reshape(D, Y, -1)
    units *= arrays.need_index
    years = np.arange(Y)
    care = np.exp(arrays.care_shock)
    care *= (1 + arrays.care_intensity_growth) ** years[..., None]
    units *= care
    units[:, :, ~arrays.has_need_profile] = 1.0
    return units


def _volume_terms(arrays: ScenarioArrays, rule: VolumeUplift, keep: bool) -> VolumeTerms:
    """:meth:`VolumeUplift.__call__` for every budget year at once, budget-year first."""
    T = len(arrays.years)
    if rule.basis == "forecast":
        current, previous = arrays.known_at(0), arrays.known_at(-1)  # (D|1, T, B)
    else:
        k0, k1, k2 = (arrays.known_at(offset) for offset in KNOWN_OFFSETS)
        current, previous = (k1 + k2) / 2, (k0 + k1) / 2
    prices = (arrays.driver_price * rule.covered(arrays)[:, None]).T  # (B, C) base-year SEK
    levels = [BudgetContext(arrays, t, arrays.base_frame).price_level for t in range(T)]

    def value(t: int, population: np.ndarray) -> np.ndarray:  # as the rule's value(): (D, B) -> (D, C)
        return (population @ prices) * levels[t]

    changes = {"volume": np.stack([value(t, current[:, t] - previous[:, t]) for t in range(T)])}
    if rule.correct_forecast_errors:
        revisions = [np.zeros_like(previous[:, 0])] + [previous[:, t] - current[:, t - 1] for t in range(1, T)]
        changes["volume_correction"] = np.stack([value(t, r) for t, r in enumerate(revisions)])
    info: dict[str, np.ndarray] = {}
    if keep:
        uncorrected = running(np.add, current - previous, axis=1)  # the level paid for if nothing is corrected
        uncorrected += previous[:, :1]
        paid = current if rule.correct_forecast_errors else uncorrected
        info["volume_uncorrected_error"] = np.stack([value(t, uncorrected[:, t] - current[:, t]) for t in range(T)])
        info["volume_outcome_error"] = np.stack([value(t, paid[:, t] - rule.outcome(arrays, t)) for t in range(T)])
    return VolumeTerms(changes, info)
