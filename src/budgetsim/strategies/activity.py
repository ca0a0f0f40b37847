"""Activity-based financing (prestationsersättning): payment per delivered unit of service, as in
health care, the contrast the study mentions. The frame is settled after the year on what was
actually delivered: need units of the *outcome* population and care intensity, paid at
``price_share`` of the standard cost per unit, uplifted by the committee's cost mix.

A committee without a need profile has no units to count and is paid its base-year cost,
uplifted, like in the needs-based rule.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from budgetsim.core.components import Component
from budgetsim.core.context import Allocation, BudgetContext
from budgetsim.core.registry import Example
from budgetsim.core.strategy import Strategy
from budgetsim.core.text import pct, tr
from budgetsim.scenario import Scenario


class ActivityBased(Strategy, tag="activity_based"):
    """Pay each committee for the units it delivered this year.

    >>> ActivityBased(price_share=0.95).name
    'activity based'
    """

    price_share: float = Field(default=1.0, ge=0)
    name: str = "activity based"

    components: ClassVar = {"activity": Component("needs", "activity-based payment", "prestationsersättning", 43)}
    examples: ClassVar = (
        Example(
            "activity based",
            lambda _: ActivityBased(),
            {"sums_to_total": "pays for delivered units, whatever they add up to"},
        ),
    )

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        return tr(
            language,
            f"**Activity-based financing.** Each committee is paid after the year for the units it delivered, at {pct(self.price_share, language)} of the standard cost per unit.",
            f"**Prestationsersättning.** Varje nämnd ersätts i efterhand för de prestationer den levererat, med {pct(self.price_share, language)} av standardkostnaden per prestation.",
        )

    def __call__(self, ctx: BudgetContext) -> Allocation:
        return Allocation({"activity": self.price_share * ctx.delivered_need - ctx.last_frame})
