"""A transition rule wraps a strategy and returns a strategy: it takes the frames the inner
strategy proposes and adjusts them, adding one named component (the rule's name) that holds the
adjustment. Rules stack, and pass through ``simulate`` and ``compare`` like any strategy."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np

from budgetsim.engine.arrays import ScenarioArrays
from budgetsim.engine.context import (
    Allocation,
    BudgetContext,
    StrategyLike,
    as_allocation,
    check_strategy,
    frames_after,
    strategy_name,
)
from budgetsim.strategies.base import Composable


@dataclass(frozen=True)
class Transition(Composable, ABC):
    """Base for rules that adjust an inner strategy's frames. Subclasses set ``rule`` (the
    component name) and implement :meth:`adjust`."""

    inner: StrategyLike

    rule = "transition"

    @property
    def name(self) -> str:
        return f"{self.rule}({strategy_name(self.inner)})"

    def check(self, arrays: ScenarioArrays) -> None:
        check_strategy(self.inner, arrays)

    def describe(self, scenario: Any, language: str = "en") -> str:
        from budgetsim.reporting.describe import describe_rule

        return describe_rule(self.inner, scenario, language) + "\n\n" + self.describe_rule(scenario, language)

    @abstractmethod
    def describe_rule(self, scenario: Any, language: str) -> str:
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
            raise type(err)(f"{self.rule} in {ctx.year}: {err}") from None
        info = dict(inner.info)
        if isinstance(adjusted, tuple):
            adjusted, extra = adjusted
            info.update(extra)
        changes = dict(inner.changes)
        changes[self.rule] = changes.get(self.rule, 0.0) + (adjusted - proposed)
        return Allocation(changes, info)
