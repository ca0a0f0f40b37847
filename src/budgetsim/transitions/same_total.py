"""Same total: scale an inner strategy's frames so that each year they add up to what another
strategy gives on its own path (the current model's total, say). A blend of two budget-neutral
allocations drifts from the total by a few thousand SEK, since each part's changes are taken from
the blend's own frames; wrapped in this rule it is budget-neutral to the öre, with the scaling
shown as its own component."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.components import Component
from budgetsim.core.context import BudgetContext, check_strategy
from budgetsim.core.registry import Example, StrategyRef
from budgetsim.core.strategy import display_name
from budgetsim.core.text import tr
from budgetsim.strategies import boras_current, needs_based
from budgetsim.strategies.base import total_of
from budgetsim.transitions.base import Transition


class SameTotal(Transition, tag="same_total"):
    """Scale ``inner``'s frames proportionally to ``total``'s own-path total each year.

    >>> import budgetsim as bs
    >>> SameTotal(bs.strategies.needs_based(), total=bs.strategies.boras_current()).tag
    'same_total'
    """

    total: StrategyRef

    components: ClassVar = {
        "same_total": Component("transition rules", "scaled to the same total", "skalat till samma total", 54)
    }
    examples: ClassVar = (
        Example(
            "needs based on the current total", lambda _: SameTotal(needs_based(), total=boras_current()), axioms=False
        ),
    )

    def check(self, arrays: ScenarioArrays) -> None:
        super().check(arrays)
        check_strategy(self.total, arrays)

    def describe_rule(self, scenario: Any, language: str) -> str:
        name = display_name(self.total, language)
        return tr(
            language,
            f"**Same total.** Each year all frames are scaled by one factor so that they add up to what '{name}' gives on its own path (budget-neutral).",
            f"**Samma total.** Varje år skalas alla ramar med samma faktor så att de summerar till vad ”{name}” ger på egen hand (budgetneutralt).",
        )

    def adjust(self, ctx: BudgetContext, proposed: np.ndarray) -> np.ndarray:
        total = total_of(ctx, self.total)
        given = proposed.sum(axis=-1)
        if np.any(given <= 0):
            raise ValueError("same total: the inner strategy's frames add up to nothing; there is no split to scale")
        return proposed * (total / given)[:, None]
