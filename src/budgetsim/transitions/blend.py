"""Blend: a weighted mix of strategies, e.g. 70 % needs-based and 30 % last year's frame in a
transition year, with weights that may change by year (a phase-in path). Each part's changes are
scaled by its weight, so the frame is the weighted mix of the parts' frames and every component
keeps its name. Diagnostics are passed on unweighted (the first part's, where two share a name)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from budgetsim.engine.arrays import ScenarioArrays
from budgetsim.engine.context import (
    Allocation,
    AllocationLike,
    BudgetContext,
    as_allocation,
    check_strategy,
    strategy_name,
)
from budgetsim.reporting.text import pct, tr
from budgetsim.strategies.base import Composable, merge

Weight = float | Mapping[int, float]


@dataclass(frozen=True)
class Blend(Composable):
    """``Blend(((needs_based(), 0.7), (Unchanged(), 0.3)))``; a weight may be ``{year: weight}``.
    For every budget year the weights must be in [0, 1] and sum to 1.

    >>> import budgetsim as bs
    >>> phase_in = {2024: 0.2, 2025: 0.4, 2026: 0.6, 2027: 0.8, 2028: 1.0, 2029: 1.0, 2030: 1.0}
    >>> b = Blend(((bs.strategies.needs_based(), phase_in),
    ...            (bs.strategies.boras_current(), {y: 1 - w for y, w in phase_in.items()})))
    >>> b.weight(0, 2025), b.weight(1, 2025)
    (0.4, 0.6)
    """

    parts: tuple[tuple[Callable[[BudgetContext], AllocationLike], Weight], ...]

    @property
    def name(self) -> str:
        return "blend(" + ", ".join(strategy_name(s) for s, _ in self.parts) + ")"

    def weight(self, part: int, year: int) -> float:
        w = self.parts[part][1]
        return float(w[year]) if isinstance(w, Mapping) else float(w)

    def describe(self, scenario: Any, language: str = "en") -> str:
        from budgetsim.reporting.describe import describe_rule

        lines = []
        for i, (strategy, _) in enumerate(self.parts):
            weights = ", ".join(f"{y}: {pct(self.weight(i, y), language)}" for y in scenario.years)
            lines.append(f"- {tr(language, 'Weight', 'Vikt')} {weights}. {describe_rule(strategy, scenario, language)}")
        return tr(language, "**Blend of rules:**", "**Blandning av regler:**") + "\n" + "\n".join(lines)

    def check(self, arrays: ScenarioArrays) -> None:
        for strategy, _ in self.parts:
            check_strategy(strategy, arrays)
        for year in (int(y) for y in arrays.years):
            try:
                weights = [self.weight(i, year) for i in range(len(self.parts))]
            except KeyError:
                raise ValueError(f"blend: no weight for budget year {year}") from None
            if any(not 0 <= w <= 1 for w in weights) or abs(sum(weights) - 1) > 1e-9:
                raise ValueError(f"blend: weights for {year} must be in [0, 1] and sum to 1, got {weights}")

    def __call__(self, ctx: BudgetContext) -> Allocation:
        weights = [self.weight(i, ctx.year) for i in range(len(self.parts))]
        parts = ((as_allocation(strategy(ctx)), w) for (strategy, _), w in zip(self.parts, weights, strict=True) if w)
        return merge(parts, info="first")
