"""A transition rule wraps a strategy and returns a strategy: it takes the frames the inner
strategy proposes and adjusts them, adding one named component (the rule's tag) that holds the
adjustment. Rules stack, and pass through ``simulate`` and ``compare`` like any strategy."""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.context import Allocation, BudgetContext, as_allocation, check_strategy, frames_after, strategy_name
from budgetsim.core.registry import StrategyRef
from budgetsim.core.strategy import Strategy, describe_rule
from budgetsim.scenario import Scenario


class Transition(Strategy):
    """Base for rules that adjust an inner strategy's frames. A subclass is registered with a
    ``tag`` (also the name of the component holding its adjustment), declares that component and
    implements :meth:`adjust` and :meth:`describe_rule`."""

    inner: StrategyRef

    @property
    def name(self) -> str:
        return f"{self.tag}({strategy_name(self.inner)})"

    def check(self, arrays: ScenarioArrays) -> None:
        check_strategy(self.inner, arrays)

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        return describe_rule(self.inner, scenario, language) + "\n\n" + self.describe_rule(scenario, language)

    @abstractmethod
    def describe_rule(self, scenario: Scenario, language: str) -> str:
        """This rule alone, in plain words."""

    @abstractmethod
    def adjust(self, ctx: BudgetContext, proposed: np.ndarray) -> np.ndarray | tuple[np.ndarray, dict[str, np.ndarray]]:
        """(D, C) adjusted frames from the proposed ones, optionally with diagnostics."""

    def __call__(self, ctx: BudgetContext) -> Allocation:
        inner = as_allocation(self.inner(ctx))
        proposed = frames_after(ctx, inner)
        try:
            adjusted = self.adjust(ctx, proposed)
        except ValueError as err:
            raise type(err)(f"{self.tag} in {ctx.year}: {err}") from None
        info = dict(inner.info)
        if isinstance(adjusted, tuple):
            adjusted, extra = adjusted
            info.update(extra)
        changes = dict(inner.changes)
        changes[self.tag] = changes.get(self.tag, 0.0) + (adjusted - proposed)
        return Allocation(changes, info)
