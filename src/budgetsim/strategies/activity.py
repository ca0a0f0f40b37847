"""Activity-based financing (prestationsersättning): payment per delivered unit of service, as in
health care, the contrast the study mentions. The frame is settled after the year on what was
actually delivered: need units of the *outcome* population and care intensity, paid at
``price_share`` of the standard cost per unit, uplifted by the committee's cost mix.

A committee without a need profile has no units to count and is paid its base-year cost,
uplifted, like in the needs-based rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from budgetsim.engine.arrays import ScenarioArrays
from budgetsim.engine.context import Allocation, BudgetContext
from budgetsim.reporting.text import pct, tr
from budgetsim.scenario import Scenario
from budgetsim.strategies.base import Composable


@dataclass(frozen=True)
class ActivityBased(Composable):
    """Pay each committee for the units it delivered this year.

    >>> ActivityBased(price_share=0.95).name
    'activity based'
    """

    price_share: float = 1.0
    name: str = "activity based"

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        return tr(
            language,
            f"**Activity-based financing.** Each committee is paid after the year for the units it delivered, at {pct(self.price_share, language)} of the standard cost per unit.",
            f"**Prestationsersättning.** Varje nämnd ersätts i efterhand för de prestationer den levererat, med {pct(self.price_share, language)} av standardkostnaden per prestation.",
        )

    def check(self, arrays: ScenarioArrays) -> None:
        if self.price_share < 0:
            raise ValueError(f"activity based: price_share must be >= 0, got {self.price_share}")

    def __call__(self, ctx: BudgetContext) -> Allocation:
        return Allocation({"activity": self.price_share * ctx.delivered_need - ctx.last_frame})
