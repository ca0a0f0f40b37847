"""Blend: a weighted mix of strategies, e.g. 70 % needs-based and 30 % last year's frame in a
transition year, with weights that may change by year (a phase-in path). Each part's changes are
scaled by its weight, so the frame is the weighted mix of the parts' frames and every component
keeps its name. Diagnostics are passed on unweighted (the first part's, where two share a name)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import field_validator

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.context import Allocation, BudgetContext, as_allocation, check_strategy
from budgetsim.core.registry import Example, StrategyRef
from budgetsim.core.strategy import Strategy, describe_rule, display_name, merge
from budgetsim.core.text import pct, term, tr
from budgetsim.scenario.base import Model
from budgetsim.strategies import Unchanged, needs_based

Weight = float | dict[int, float]


class BlendPart(Model):
    """One strategy of a blend and its weight (a number, or ``{year: weight}``)."""

    strategy: StrategyRef
    weight: Weight


class Blend(Strategy, tag="blend"):
    """``Blend(((needs_based(), 0.7), (Unchanged(), 0.3)))``; a weight may be ``{year: weight}``.
    For every budget year the weights must be in [0, 1] and sum to 1.

    >>> import budgetsim as bs
    >>> phase_in = {2024: 0.2, 2025: 0.4, 2026: 0.6, 2027: 0.8, 2028: 1.0, 2029: 1.0, 2030: 1.0}
    >>> b = Blend(((bs.strategies.needs_based(), phase_in),
    ...            (bs.strategies.boras_current(), {y: 1 - w for y, w in phase_in.items()})))
    >>> b.weight(0, 2025), b.weight(1, 2025)
    (0.4, 0.6)
    """

    parts: tuple[BlendPart, ...]

    examples: ClassVar = (
        Example(
            "blend 70 % needs / 30 % last frame",
            lambda _: Blend(((needs_based(), 0.7), (Unchanged(), 0.3))),
            {"sums_to_total": "30 % of the frame is last year's, whatever the total"},
        ),
        Example(
            "phase-in over the budget years",
            lambda s: Blend(
                (
                    (needs_based(), {y: min(1.0, (i + 1) / 4) for i, y in enumerate(s.years)}),
                    (Unchanged(), {y: 1 - min(1.0, (i + 1) / 4) for i, y in enumerate(s.years)}),
                )
            ),
            axioms=False,
        ),
    )

    @field_validator("parts", mode="before")
    @classmethod
    def _pairs(cls, parts: Any) -> Any:
        """Accept (strategy, weight) pairs as well as {strategy, weight} entries."""
        if isinstance(parts, list | tuple):
            return tuple(
                {"strategy": p[0], "weight": p[1]} if isinstance(p, list | tuple) and len(p) == 2 else p for p in parts
            )
        return parts

    @property
    def name(self) -> str:
        return self.name_in("en")

    def name_in(self, language: str) -> str:
        """The name in ``language``, naming the blended rules."""
        return (
            term("rule:blend", language) + "(" + ", ".join(display_name(p.strategy, language) for p in self.parts) + ")"
        )

    def weight(self, part: int, year: int) -> float:
        w = self.parts[part].weight
        return float(w[year]) if isinstance(w, dict) else float(w)

    def describe(self, scenario: Any, language: str = "en") -> str:
        lines = []
        for i, strategy in enumerate(p.strategy for p in self.parts):
            weights = ", ".join(f"{y}: {pct(self.weight(i, y), language)}" for y in scenario.years)
            lines.append(f"- {tr(language, 'Weight', 'Vikt')} {weights}. {describe_rule(strategy, scenario, language)}")
        return tr(language, "**Blend of rules:**", "**Blandning av regler:**") + "\n" + "\n".join(lines)

    def check(self, arrays: ScenarioArrays) -> None:
        for part in self.parts:
            check_strategy(part.strategy, arrays)
        for year in (int(y) for y in arrays.years):
            try:
                weights = [self.weight(i, year) for i in range(len(self.parts))]
            except KeyError:
                raise ValueError(f"blend: no weight for budget year {year}") from None
            if any(not 0 <= w <= 1 for w in weights) or abs(sum(weights) - 1) > 1e-9:
                raise ValueError(f"blend: weights for {year} must be in [0, 1] and sum to 1, got {weights}")

    def __call__(self, ctx: BudgetContext) -> Allocation:
        weights = [self.weight(i, ctx.year) for i in range(len(self.parts))]
        parts = ((as_allocation(p.strategy(ctx)), w) for p, w in zip(self.parts, weights, strict=True) if w)
        return merge(parts, info="first")
