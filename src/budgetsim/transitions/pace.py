"""Pace of change toward a target: every committee gets a minimum uplift; committees below their
target (e.g. the needs-based amount) get more; the inner strategy's total is respected.

With inner frames p (total T), target frames scaled to T (t), and floors f = last x (1 + min_uplift)
(with hold-harmless at least last): frame = max(f, a x t), where a is the largest level <= 1 -
max_below that the total affords. Money left over when a = 1 - max_below goes to everyone in
proportion to their frames. So with ``max_below=0`` committees move to target as fast as the
total allows, and no committee stays more than ``1 - a`` under target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from budgetsim.engine.arrays import ScenarioArrays
from budgetsim.engine.context import AllocationLike, BudgetContext, as_allocation, check_strategy, frames_after
from budgetsim.transitions.adjust import UnaffordableError, settle, solve_increasing
from budgetsim.transitions.base import Transition


@dataclass(frozen=True)
class PaceOfChange(Transition):
    """Move committees toward ``target``'s split at a controlled pace.

    >>> import budgetsim as bs
    >>> PaceOfChange(bs.strategies.boras_current(), target=bs.strategies.needs_based()).rule
    'pace_of_change'
    """

    target: Callable[[BudgetContext], AllocationLike] | None = None
    min_uplift: float = 0.0
    max_below: float = 0.0
    hold_harmless: bool = True
    rule = "pace_of_change"

    def check(self, arrays: ScenarioArrays) -> None:
        super().check(arrays)
        if self.target is None:
            raise ValueError("pace of change: give a target strategy, e.g. target=needs_based()")
        check_strategy(self.target, arrays)
        if not 0 <= self.max_below < 1:
            raise ValueError(f"pace of change: max_below must be in [0, 1), got {self.max_below}")

    def adjust(self, ctx: BudgetContext, proposed: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        assert self.target is not None
        total = proposed.sum(axis=-1)
        target = frames_after(ctx, as_allocation(self.target(ctx)))
        target = target * (total / target.sum(axis=-1))[:, None]
        floors = np.broadcast_to(ctx.last_frame * (1 + self.min_uplift), proposed.shape)
        if self.hold_harmless:
            floors = np.maximum(floors, ctx.last_frame)
        if np.any(floors.sum(axis=-1) > total * (1 + 1e-12)):
            raise UnaffordableError("the minimum uplift costs more than the total available")

        def frames(level: np.ndarray) -> np.ndarray:
            return np.maximum(floors, level[:, None] * target)

        zero = np.zeros_like(total)
        level = solve_increasing(lambda a: frames(a).sum(axis=-1), total, zero, zero + 1.0)
        level = np.minimum(level, 1 - self.max_below)
        result = settle(frames(level), total, np.ones_like(proposed, dtype=bool))
        return result, {"distance_from_target": result / target - 1}
