"""Small structural strategies: keep last year's frame, or give different committees different rules."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.context import Allocation, BudgetContext, StrategyLike, as_allocation, check_strategy
from budgetsim.core.registry import Example, StrategyRef
from budgetsim.core.strategy import Strategy, describe_rule, display_name, merge
from budgetsim.core.text import term, tr
from budgetsim.scenario import Scenario
from budgetsim.strategies.incremental import Incremental
from budgetsim.strategies.needs import NeedsBased


class Unchanged(Strategy, tag="unchanged"):
    """Last year's frame, unchanged (the "last year's outcome" part of a blended transition).

    >>> Unchanged().name
    'last frame'
    """

    name: str = "last frame"

    examples: ClassVar = (Example("last frame", lambda _: Unchanged(), axioms=False),)

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        return tr(language, "**Last year's frame**, unchanged.", "**Föregående års ram**, oförändrad.")

    def __call__(self, ctx: BudgetContext) -> Allocation:
        return Allocation({})


class PerCommittee(Strategy, tag="per_committee"):
    """Different rules for different committees: ``rules`` maps committee ids to a strategy;
    the others follow ``default`` (or keep last year's frame when it is None).

    >>> import budgetsim as bs
    >>> PerCommittee({"GSN": bs.strategies.needs_based()}, default=bs.strategies.incremental()).name
    'GSN: needs based; others: incremental'
    """

    rules: dict[str, StrategyRef] = Field(default_factory=dict)
    default: StrategyRef | None = None

    examples: ClassVar = (
        Example(
            "needs based for one committee",
            lambda s: PerCommittee({s.committees[-1].id: NeedsBased()}, default=Incremental()),
            axioms=False,
        ),
    )

    @property
    def name(self) -> str:
        return self.name_in("en")

    def name_in(self, language: str) -> str:
        """The name in ``language``: each committee's rule, then the others'."""
        parts = [f"{c}: {display_name(s, language)}" for c, s in self.rules.items()]
        rest = display_name(self.default, language) if self.default else term("rule:unchanged", language)
        return "; ".join([*parts, f"{tr(language, 'others', 'övriga')}: {rest}"])

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        """Each rule once, headed by the committees that follow it, then the others' rule."""
        groups: list[tuple[list[str], StrategyLike]] = []
        for committee, strategy in self.rules.items():
            same = next((ids for ids, other in groups if other is strategy or other == strategy), None)
            if same is None:
                groups.append(([committee], strategy))
            else:
                same.append(committee)
        parts = [f"*{', '.join(ids)}:* {describe_rule(s, scenario, language)}" for ids, s in groups]
        rest = (
            describe_rule(self.default, scenario, language)
            if self.default
            else tr(language, "last year's frame", "föregående års ram")
        )
        parts.append(f"*{tr(language, 'Other committees', 'Övriga nämnder')}:* {rest}")
        heading = tr(language, "**Different rules for different committees.**", "**Olika regler för olika nämnder.**")
        return "\n\n".join([heading, *parts])

    def check(self, arrays: ScenarioArrays) -> None:
        unknown = sorted(set(self.rules) - set(arrays.committees))
        if unknown:
            raise ValueError(f"per committee: unknown committee(s) {unknown}; known: {', '.join(arrays.committees)}")
        for strategy in [*self.rules.values(), *([self.default] if self.default else [])]:
            check_strategy(strategy, arrays)

    def __call__(self, ctx: BudgetContext) -> Allocation:
        ids = np.array(ctx.committees)
        routed = [(s, np.isin(ids, [c])) for c, s in self.rules.items()]
        if self.default is not None:
            routed.append((self.default, ~np.isin(ids, list(self.rules))))
        return merge((as_allocation(strategy(ctx)), mask.astype(float)) for strategy, mask in routed)
