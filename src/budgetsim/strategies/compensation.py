"""Compensations the study says the model does not give (l.508, l.512, l.652, l.673): internal
services at the rate actually charged, and the running costs of new investments. Each is a rule
with its own component, to add to a strategy with ``+``:
``boras_current() + InternalPrices() + InvestmentCosts()``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from budgetsim.core.components import Component
from budgetsim.core.context import Allocation, BudgetContext
from budgetsim.core.registry import Example
from budgetsim.core.strategy import Strategy
from budgetsim.core.text import tr
from budgetsim.scenario import Scenario


class InternalPrices(Strategy, tag="internal_prices"):
    """Compensate the internal-services share of each frame at the rate the service committees
    charge (set before the budget year: IT +8-14 %, l.512) instead of the general price index:
    component ``internal_prices`` = last frame x internal share x (internal rate - price index).

    >>> InternalPrices().spec()
    {'rule': 'internal_prices'}
    """

    name: str = "internal prices"

    components: ClassVar = {
        "internal_prices": Component(
            "price and wage uplift", "internal prices at the charged rate", "internpriser enligt debiterad takt", 12
        )
    }
    examples: ClassVar = (Example("internal prices at the charged rate", lambda _: InternalPrices(), axioms=False),)

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        return tr(
            language,
            "**Internal prices.** The internal-services share of each frame is compensated at the rate the service committees charge, not at the price index.",
            "**Internpriser.** Den del av ramen som går till interna tjänster kompenseras med den takt som de interna leverantörerna debiterar, inte med prisindex.",
        )

    def __call__(self, ctx: BudgetContext) -> Allocation:
        a = ctx.arrays
        gap = a.internal_price_outcome[:, ctx.t, None] - ctx.price_uplift
        return Allocation({"internal_prices": ctx.last_frame * a.internal_share * gap})


class InvestmentCosts(Strategy, tag="investment_costs"):
    """Compensate the running costs of new investments (drift) from the year they start, at the
    frame's price level: component ``investment_running_costs`` (study l.508: the system "does not
    take the running costs into account").

    >>> InvestmentCosts().name
    'investment running costs'
    """

    name: str = "investment running costs"

    components: ClassVar = {
        "investment_running_costs": Component(
            "volume", "running costs of new investments", "driftkostnader för nya investeringar", 34
        )
    }
    examples: ClassVar = (Example("running costs of investments", lambda _: InvestmentCosts(), axioms=False),)

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        listed = "; ".join(f"{i.year} {i.committee} {i.label}" for i in scenario.investments) or "-"
        return tr(
            language,
            f"**Running costs of investments** are compensated from the year they start: {listed}.",
            f"**Driftkostnader för investeringar** kompenseras från det år de börjar: {listed}.",
        )

    def __call__(self, ctx: BudgetContext) -> Allocation:
        a = ctx.arrays
        started = a.investment_cost[ctx.t + 1] - a.investment_cost[ctx.t]
        change = np.broadcast_to(started * ctx.price_level, ctx.last_frame.shape)
        return Allocation({"investment_running_costs": change} if started.any() else {})
