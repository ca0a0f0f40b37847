"""The model a municipality most likely runs today, read from its own data: committees with a
price list are paid per inhabitant (:class:`~budgetsim.strategies.PerCapita`), the others get
incremental frames plus a volume uplift where they have volume drivers (Borås's model). It is a
registered rule, so a run file can name it (``current: {rule: current_model}``) for any
municipality, priced or not."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.context import Allocation, BudgetContext, as_allocation
from budgetsim.core.registry import Example
from budgetsim.core.strategy import Strategy, combine, merge
from budgetsim.core.text import tr
from budgetsim.scenario import Scenario
from budgetsim.strategies.incremental import Incremental
from budgetsim.strategies.per_capita import PerCapita
from budgetsim.strategies.routing import PerCommittee
from budgetsim.strategies.volume import VolumeUplift


class CurrentModel(Strategy, tag="current_model"):
    """Per capita for the committees with a price list; incremental frames plus volume uplift for
    the others.

    >>> import budgetsim as bs
    >>> CurrentModel().spec()
    {'rule': 'current_model'}
    """

    name: str = "current model"

    components: ClassVar = {**PerCapita.components, **Incremental.components, **VolumeUplift.components}
    examples: ClassVar = (Example("current model", lambda _: CurrentModel(), axioms=False),)

    def name_in(self, language: str) -> str:
        return tr(language, "current model", "nuvarande modell")

    @staticmethod
    def listed(arrays: ScenarioArrays) -> np.ndarray:
        """(C,) the committees with a price list."""
        return np.asarray(~np.isnan(arrays.list_price).all(axis=(0, 2)))

    def routed(self, scenario: Scenario) -> PerCommittee | Strategy:
        """The same model spelled out for ``scenario``: which committee follows which rule."""
        priced = tuple(c.id for c in scenario.committees if c.price_list is not None)
        if not priced:
            return combine(Incremental(), VolumeUplift())
        return PerCommittee(
            dict.fromkeys(priced, PerCapita(committees=priced)), default=combine(Incremental(), VolumeUplift())
        )

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        return self.routed(scenario).describe(scenario, language)

    def __call__(self, ctx: BudgetContext) -> Allocation:
        listed = self.listed(ctx.arrays)
        rest = as_allocation(combine(Incremental(), VolumeUplift())(ctx))
        if not listed.any():
            return rest
        priced = tuple(np.array(ctx.committees)[listed].tolist())
        paid = as_allocation(PerCapita(committees=priced)(ctx))
        return merge([(paid, listed.astype(float)), (rest, (~listed).astype(float))])
