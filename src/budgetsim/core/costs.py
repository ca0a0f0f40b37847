"""The cost side (resource consumption model): what each committee's activity actually costs,
and what meeting its realised need would cost at the base-year standard.

For committee c in year t (base year 0), with outcome rates (not the rates frames assumed):

* need units  u_t = outcome population x need weights x need index x (1 + care drift)^t
* need_t = base cost x u_t / u_0 x prod(1 + wage share x wage + other share x price)
           x prod(1 - realised efficiency)
* cost_t = base cost x u_t / u_0 x prod(1 + wage share x wage + internal share x internal price
           + rest x price) x prod(1 - realised efficiency) x cost steps (e.g. new legislation)
           + running costs of new investments x the same price index

So the need-driven cost exceeds need exactly by what the allocation model cannot see: internal
services priced above the general price index and cost steps; need exceeds the frame by what the
allocation misses (driver bands, forecast errors, care intensity, uplift below actual prices).

The net cost a committee books is its need-driven cost moved towards its frame by the scenario's
spending adaptation λ (:func:`spend`): activity adapts to the frame, the same way whatever rule set it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.need import mix_rate, need_units


@dataclass(frozen=True)
class NeedAndCost:
    need: np.ndarray  # (D, T, C) SEK
    cost: np.ndarray  # (D, T, C) SEK


def spend(need_driven: np.ndarray, frame: np.ndarray, adaptation: np.ndarray) -> np.ndarray:
    """Net cost booked: need-driven cost + λ x (frame - need-driven cost), with λ the spending
    adaptation of each draw (D|1,); arrays shaped (D, C) or (D, T, C).

    >>> float(spend(np.array([[100.0]]), np.array([[110.0]]), np.array([0.8]))[0, 0])
    108.0
    """
    lam = adaptation.reshape(-1, *([1] * (np.ndim(frame) - 1)))
    return need_driven + lam * (frame - need_driven)


def need_and_cost(arrays: ScenarioArrays) -> NeedAndCost:
    """Need and need-driven net cost (before adapting to the frame, :func:`spend`) for every draw,
    budget year and committee (SEK)."""
    units = need_units(arrays, arrays.outcome_population, np.arange(len(arrays.years) + 1))  # (D, T+1, C)
    volume = units[:, 1:] / units[:, :1]
    wage, price = arrays.wage_outcome[..., None], arrays.price_outcome[..., None]
    need_index = np.cumprod(1 + mix_rate(arrays, wage, price), axis=1)
    cost_index = np.cumprod(1 + mix_rate(arrays, wage, price, arrays.internal_price_outcome[..., None]), axis=1)
    productivity = np.cumprod(1 - arrays.realised_efficiency, axis=1)[..., None]
    need = arrays.base_cost * volume * need_index * productivity
    cost = arrays.base_cost * volume * cost_index * productivity * arrays.cost_level
    if arrays.investment_cost.any():  # running costs of new investments, at the costs' own prices
        cost = cost + arrays.investment_cost[1:] * cost_index
    D = arrays.draws
    return NeedAndCost(
        need=np.broadcast_to(need, (D, *need.shape[1:])), cost=np.broadcast_to(cost, (D, *cost.shape[1:]))
    )
