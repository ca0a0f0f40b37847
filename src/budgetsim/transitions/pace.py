"""Pace of change toward a target: every committee gets a minimum uplift; committees below their
target (e.g. the needs-based amount) get more; the inner strategy's total is respected, as the inner
strategy gives it on its own path (budget-neutral: the same money as the inner model, year by year).

With the inner strategy's total T, target frames scaled to T (t), and floors f = last x (1 + min_uplift)
(with hold-harmless at least last):

1. the guarantee: every committee gets max(f, (1 - max_below) x t). If that is not affordable,
   max(f, a x t) with the highest level a the total affords: nobody stays more than 1 - a under
   target, and the distance is the same for all who are lifted.
2. the pace: what is left goes to the committees still below target, in proportion to their
   remaining gap (t - frame), never beyond target; anything left after that (all at target or at
   their floor) goes in proportion to target.

So with ``max_below=0`` step 1 already moves committees as close to target as the total allows;
a larger ``max_below`` guarantees less and spends the rest on the largest gaps.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.components import Component
from budgetsim.core.context import BudgetContext, as_allocation, check_strategy, frames_after
from budgetsim.core.numeric import UnaffordableError, settle, solve_increasing, where_unaffordable
from budgetsim.core.registry import Example, StrategyRef
from budgetsim.core.strategy import display_name
from budgetsim.core.text import pct, tr
from budgetsim.strategies import boras_current, needs_based
from budgetsim.strategies.base import total_of
from budgetsim.transitions.base import Transition
from budgetsim.transitions.floor import HELD


class PaceOfChange(Transition, tag="pace_of_change"):
    """Move committees toward ``target``'s split at a controlled pace.

    >>> import budgetsim as bs
    >>> PaceOfChange(bs.strategies.boras_current(), target=bs.strategies.needs_based()).tag
    'pace_of_change'
    """

    target: StrategyRef | None = None
    min_uplift: float = 0.0
    max_below: float = Field(default=0.0, ge=0, lt=1)
    hold_harmless: bool = True

    components: ClassVar = {"pace_of_change": Component("transition rules", "pace of change", "takt mot målnivå", 52)}
    examples: ClassVar = (
        Example(
            "pace of change (current -> needs)",
            lambda _: PaceOfChange(boras_current(), target=needs_based(), min_uplift=-0.15, hold_harmless=False),
            {"need_responsive": HELD.format("minimum uplift")},
            total=lambda _: boras_current(),
        ),
    )

    def describe_rule(self, scenario: Any, language: str) -> str:
        target = display_name(self.target, language) if self.target is not None else "-"
        harmless = (
            tr(language, " Nobody is cut in cash terms.", " Ingen får sänkt ram i kronor.")
            if self.hold_harmless
            else ""
        )
        return tr(
            language,
            f"**Pace of change toward '{target}'.** Every committee gets at least {pct(self.min_uplift, language)}; no committee stays more than {pct(self.max_below, language)} below its target once affordable, and what is left closes the remaining gaps.{harmless}",
            f"**Takt mot ”{target}”.** Varje nämnd får minst {pct(self.min_uplift, language)}; ingen nämnd ligger mer än {pct(self.max_below, language)} under sin målnivå när det ryms, och det som blir över minskar de återstående avstånden.{harmless}",
        )

    def check(self, arrays: ScenarioArrays) -> None:
        super().check(arrays)
        if self.target is None:
            raise ValueError("pace of change: give a target strategy, e.g. target=needs_based()")
        check_strategy(self.target, arrays)

    def adjust(self, ctx: BudgetContext, proposed: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        assert self.target is not None
        total = np.broadcast_to(total_of(ctx, self.inner), proposed.shape[:1]).astype(float)
        target = frames_after(ctx, as_allocation(self.target(ctx)))
        target = target * (total / target.sum(axis=-1))[:, None]
        floors = np.broadcast_to(ctx.last_frame * (1 + self.min_uplift), proposed.shape)
        if self.hold_harmless:
            floors = np.maximum(floors, ctx.last_frame)
        short = floors.sum(axis=-1) - total
        if np.any(short > 1e-12 * total):
            raise UnaffordableError(
                f"the minimum uplift costs more than the total available{where_unaffordable(short)}"
            )

        def frames(level: np.ndarray) -> np.ndarray:
            return np.maximum(floors, level[:, None] * target)

        guarantee = np.full_like(total, 1 - self.max_below)
        affordable = frames(guarantee).sum(axis=-1) <= total
        zero = np.zeros_like(total)
        best = solve_increasing(lambda a: frames(a).sum(axis=-1), total, zero, zero + 1.0)
        result = frames(np.where(affordable, guarantee, best))
        left = total - result.sum(axis=-1)
        gap = np.maximum(target - result, 0.0)
        to_gaps = np.minimum(left, gap.sum(axis=-1))
        share = np.divide(
            gap, gap.sum(axis=-1, keepdims=True), out=np.zeros_like(gap), where=gap.sum(axis=-1, keepdims=True) > 0
        )
        result = result + to_gaps[:, None] * share
        rest = left - to_gaps
        result = result + rest[:, None] * target / target.sum(axis=-1, keepdims=True)
        result = settle(result, total, np.ones_like(proposed, dtype=bool))
        distance = np.divide(result, target, out=np.ones_like(result), where=target > 0) - 1
        return result, {"distance_from_target": distance}
