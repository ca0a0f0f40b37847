"""Incremental frame (anslagsfinansiering): last year's frame uplifted for wages and prices by
the committee's own cost mix, less the efficiency requirement, plus political additions.

frame_t = frame_{t-1} x (1 + wage share x wage index + other share x price index - efficiency)
          + additions_t
"""

from __future__ import annotations

from typing import ClassVar

from budgetsim.core.components import Component
from budgetsim.core.context import Allocation, BudgetContext
from budgetsim.core.registry import Example
from budgetsim.core.strategy import Strategy
from budgetsim.core.text import pct, tr
from budgetsim.scenario import Scenario
from budgetsim.strategies.base import ADDITIONS

NOT_TOP_DOWN = "builds frames bottom-up from last year's; no total is distributed"


class Incremental(Strategy, tag="incremental"):
    """Last frame plus price/wage uplift minus efficiency requirement (plus additions).

    With the 2024 Borås figures (wages 3.3 %, other costs 1.8 %, efficiency 1 %) a committee
    with a 70 % wage share gets 0.7 x 3.3 + 0.3 x 1.8 - 1 = 1.85 %.
    """

    additions: bool = True  #: include the scenario's political additions
    name: str = "incremental"

    components: ClassVar = {
        "wages": Component("price and wage uplift", "wage uplift", "lönekompensation", 10),
        "prices": Component("price and wage uplift", "price uplift", "priskompensation", 11),
        "efficiency": Component("efficiency requirement", "efficiency requirement", "effektiviseringskrav", 20),
        "additions": ADDITIONS,
    }
    examples: ClassVar = (
        Example(
            "incremental",
            lambda _: Incremental(),
            {
                "sums_to_total": NOT_TOP_DOWN,
                "need_responsive": "frames do not depend on need (weights, care intensity, need index)",
            },
        ),
    )

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        e = scenario.economy
        rates = "; ".join(
            f"{y}: {tr(language, 'wages', 'löner')} {pct(e.wage_uplift[y], language)}, "
            f"{tr(language, 'other', 'övrigt')} {pct(e.price_uplift[y], language)}, "
            f"{tr(language, 'efficiency', 'effektiviseringskrav')} {pct(e.efficiency[y], language)}"
            for y in scenario.years
        )
        text = tr(
            language,
            "**Incremental frames.** Each frame is last year's frame uplifted by the committee's wage share times "
            "the wage index plus the rest times the price index, less the efficiency requirement",
            "**Anslagsfinansiering.** Varje ram är föregående års ram uppräknad med nämndens lönekostnadsandel gånger "
            "löneindex plus övriga kostnader gånger prisindex, minus effektiviseringskravet",
        )
        if self.additions and scenario.additions:
            text += tr(language, ", plus political additions", ", plus politiska satsningar")
        return f"{text}. {tr(language, 'Rates', 'Uppräkning')}: {rates}."

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
