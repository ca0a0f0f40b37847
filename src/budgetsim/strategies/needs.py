"""Needs-based allocation (behovsfinansiering): a total distributed top-down in proportion to
weighted need.

weighted need_c = need units_c x price level_c, where need units = forecast population in the
committee's age ranges x cost weights (standard cost per inhabitant, base-year SEK) x need index x
care intensity (as last measured). Need comes from the criteria, not from history: a committee
whose base frame is above what its criteria justify loses share. A committee without a need
profile is weighted by its base-year cost. Then

frame_c = total x weighted need_c / sum of weighted need.

The parts sum to the total; with ``round_to=0.01`` each frame is whole öre and the sum is exact.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.components import Component
from budgetsim.core.context import Allocation, BudgetContext
from budgetsim.core.money import apportion
from budgetsim.core.registry import Example, StrategyRef
from budgetsim.core.strategy import Strategy, display_name
from budgetsim.core.text import pct, sek, short, tr
from budgetsim.scenario import Scenario
from budgetsim.strategies.base import ADDITIONS, check_total, total_of
from budgetsim.strategies.incremental import Incremental


class NeedsBased(Strategy, tag="needs_based"):
    """Distribute a total in proportion to weighted need.

    ``total=None`` takes the scenario's total available (revenue less the result target, or an
    explicit path). ``total=<strategy>`` distributes, every year, exactly what that strategy gives
    all committees together when it runs on its own path from the base-year frames
    (:func:`~budgetsim.strategies.base.own_path_totals`): a budget-neutral comparison, the same
    money year by year whatever this rule does to the split.
    Political additions are given to their committee on top of the split and funded from the
    total, so the total is respected (``additions=False`` ignores them).

    >>> import budgetsim as bs
    >>> NeedsBased(total=bs.strategies.boras_current()).name
    'needs based'
    """

    total: StrategyRef | None = None
    round_to: float | None = Field(default=None, gt=0)  #: e.g. 0.01 for whole öre
    additions: bool = True  #: political additions go to their committee, funded from the total
    name: str = "needs based"

    components: ClassVar = {
        "needs": Component("needs", "needs-based allocation", "behovsbaserad fördelning", 40),
        "additions": ADDITIONS,
    }
    examples: ClassVar = (
        Example("needs based", lambda _: NeedsBased()),
        Example(
            "needs based on another total, in öre",
            lambda _: NeedsBased(total=Incremental(), round_to=0.01),
            axioms=False,
        ),
    )

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        total = (
            tr(
                language,
                "the total available (revenue less the result target and other costs)",
                "det ekonomiska utrymmet (intäkter minus resultatmål och övriga kostnader)",
            )
            if self.total is None
            else tr(
                language,
                f"the total that '{display_name(self.total)}' gives on its own path",
                f"den totalram som ”{display_name(self.total, language)}” ger på egen hand",
            )
        )
        weights = "; ".join(
            f"{c.id}: "
            + ", ".join(f"{w.label} {sek(w.weight, language)}" for w in c.need.weights)
            + (
                f" × {tr(language, 'need index', 'behovsindex')} {short(c.need.need_index, language)}"
                if c.need.need_index != 1
                else ""
            )
            + (
                f", {tr(language, 'care intensity', 'vårdtyngd')} +{pct(c.need.care_intensity_growth, language)}/{tr(language, 'year', 'år')}"
                if c.need.care_intensity_growth
                else ""
            )
            for c in scenario.committees
            if c.need is not None
        )
        flat = [c.id for c in scenario.committees if c.need is None]
        text = (
            tr(language, "**Needs-based allocation.** ", "**Behovsbaserad fördelning.** ")
            + tr(
                language,
                f"{total[0].upper() + total[1:]} is split in proportion to weighted need: the forecast population of each age range times its standard cost per inhabitant. ",
                f"{total[0].upper() + total[1:]} fördelas efter vägt behov: prognosen för invånarna i varje åldersgrupp gånger standardkostnaden per invånare. ",
            )
            + f"{tr(language, 'Standard costs', 'Standardkostnader')}: {weights or '-'}."
        )
        if flat:
            text += " " + tr(
                language,
                f"Weighted by base-year cost: {', '.join(flat)}.",
                f"Viktas med basårets kostnad: {', '.join(flat)}.",
            )
        if self.round_to:
            text += " " + tr(
                language,
                f"Frames are rounded to {self.round_to:g} SEK and sum to the total exactly.",
                f"Ramarna avrundas till {short(self.round_to, 'sv')} kr och summerar exakt till totalen.",
            )
        return text

    def check(self, arrays: ScenarioArrays) -> None:
        check_total(self.total, arrays, "needs based")

    def __call__(self, ctx: BudgetContext) -> Allocation:
        weighted_need = ctx.weighted_need
        additions = ctx.additions if self.additions else np.zeros_like(ctx.additions)
        frames = apportion(total_of(ctx, self.total) - additions.sum(), weighted_need, self.round_to)
        changes = {"needs": frames - ctx.last_frame}
        if additions.any():
            changes["additions"] = np.broadcast_to(additions, frames.shape)
        return Allocation(changes, {"weighted_need": weighted_need})
