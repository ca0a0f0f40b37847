"""What a strategy is, and how strategies combine.

A strategy is any callable ``(ctx: BudgetContext) -> Allocation | dict[str, array]`` returning
changes from last year's frame by component. It may have a ``check(arrays)`` method, called
once before the first year, that raises if the scenario does not suit it, and a ``name``.
Built-ins are small frozen dataclasses; ``a + b`` (or :func:`combine`) adds their changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from budgetsim.engine.arrays import ScenarioArrays
from budgetsim.engine.context import (
    Allocation,
    AllocationLike,
    BudgetContext,
    StrategyLike,
    as_allocation,
    check_strategy,
    frames_after,
    strategy_name,
)

#: The type of a strategy: any callable of the budget context returning an allocation.
Strategy = StrategyLike

__all__ = [
    "AllocationLike",
    "Combined",
    "Composable",
    "Strategy",
    "TotalRule",
    "as_allocation",
    "check_strategy",
    "check_total",
    "combine",
    "merge",
    "strategy_name",
    "total_of",
]


class Composable:
    """Mixin for built-in strategies: ``a + b`` combines them."""

    def __add__(self, other: Callable[..., AllocationLike]) -> Combined:
        return combine(self, other)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Combined(Composable):
    """Several strategies applied to the same context; changes and info with the same name add up."""

    parts: tuple[Callable[..., AllocationLike], ...]

    @property
    def name(self) -> str:
        return " + ".join(strategy_name(p) for p in self.parts)

    def check(self, arrays: ScenarioArrays) -> None:
        for part in self.parts:
            check_strategy(part, arrays)

    def describe(self, scenario: Any, language: str = "en") -> str:
        from budgetsim.reporting.describe import describe_rule

        return "\n\n".join(describe_rule(p, scenario, language) for p in self.parts)

    def __call__(self, ctx: BudgetContext) -> Allocation:
        return merge((as_allocation(part(ctx)), 1.0) for part in self.parts)


def merge(parts: Iterable[tuple[Allocation, Any]], info: Literal["weighted", "first"] = "weighted") -> Allocation:
    """Add allocations, each scaled by its weight (a number, or a (C,) array such as a committee
    mask): changes with the same name add up. Diagnostics are scaled and added the same way, or
    with ``info="first"`` passed on unscaled, the first part's where two share a name.

    >>> a = Allocation({"x": np.array([1.0, 2.0])}, {"d": np.array([5.0, 5.0])})
    >>> m = merge([(a, 0.5), (a, np.array([0.0, 1.0]))])
    >>> m.changes["x"].tolist(), m.info["d"].tolist()
    ([0.5, 3.0], [2.5, 7.5])
    """
    changes: dict[str, np.ndarray] = {}
    diagnostics: dict[str, np.ndarray] = {}
    for allocation, weight in parts:
        for key, value in allocation.changes.items():
            changes[key] = changes.get(key, 0.0) + weight * value
        for key, value in allocation.info.items():
            if info == "first":
                diagnostics.setdefault(key, value)
            else:
                diagnostics[key] = diagnostics.get(key, 0.0) + weight * value
    return Allocation(changes, diagnostics)


def combine(*strategies: Callable[..., AllocationLike]) -> Combined:
    """Combine strategies: the frame change is the sum of their changes.

    >>> import budgetsim as bs
    >>> s = bs.strategies.combine(bs.strategies.Incremental(), bs.strategies.VolumeUplift())
    >>> s.name
    'incremental + volume uplift'
    """
    parts: list[Callable[..., AllocationLike]] = []
    for s in strategies:
        parts.extend(s.parts if isinstance(s, Combined) else (s,))
    return Combined(tuple(parts))


TotalRule = Callable[[BudgetContext], AllocationLike] | None


def total_of(ctx: BudgetContext, total: TotalRule) -> np.ndarray:
    """(D|1,) the total a top-down rule distributes: the scenario's total available (``None``), or
    what strategy ``total`` would give all committees together this year."""
    if total is None:
        return ctx.total_available
    return frames_after(ctx, as_allocation(total(ctx))).sum(axis=-1)


def check_total(total: TotalRule, arrays: ScenarioArrays, rule: str) -> None:
    """Refuse, before the first year, a top-down rule that has no total to distribute."""
    if total is None and arrays.total_available is None:
        raise ValueError(
            f"{rule}: the scenario gives no total available (economy.revenue or economy.total_available); pass total="
        )
    if total is not None:
        check_strategy(total, arrays)
