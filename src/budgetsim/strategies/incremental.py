"""Incremental frame (anslagsfinansiering): last year's frame uplifted for wages and prices by
the committee's own cost mix, less the efficiency requirement, plus political additions.

frame_t = frame_{t-1} x (1 + wage share x wage index + other share x price index - efficiency)
          + additions_t
"""

from __future__ import annotations

from dataclasses import dataclass

from budgetsim.engine.context import Allocation, BudgetContext
from budgetsim.strategies.base import Composable


@dataclass(frozen=True)
class Incremental(Composable):
    """Last frame plus price/wage uplift minus efficiency requirement (plus additions).

    With the 2024 Borås figures (wages 3.3 %, other costs 1.8 %, efficiency 1 %) a committee
    with a 70 % wage share gets 0.7 x 3.3 + 0.3 x 1.8 - 1 = 1.85 %.
    """

    additions: bool = True  #: include the scenario's political additions
    name: str = "incremental"

    def __call__(self, ctx: BudgetContext) -> Allocation:
        last, ws = ctx.last_frame, ctx.wage_share
        changes = {
            "wages": last * ws * ctx.wage_uplift,
            "prices": last * (1 - ws) * ctx.price_uplift,
            "efficiency": -last * ctx.efficiency,
        }
        if self.additions and ctx.arrays.additions.any():
            changes["additions"] = ctx.additions
        return Allocation(changes)
