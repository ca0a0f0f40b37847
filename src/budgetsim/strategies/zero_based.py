"""Zero-based budgeting (nollbasbudgetering): each year every committee's frame is rebuilt from
its activities' cost drivers and unit costs, ignoring history; the sum may then be scaled to what
is affordable.

frame_c = sum over activities of unit cost x volume x price level_c, where volume = inhabitants of
the activity's ages (as forecast at budget time) x take-up, or 1 for a fixed activity. Without
explicit activities, each committee's need profile serves as its activity list (standard cost per
inhabitant of each age range) and a committee without one re-justifies its base-year cost.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field, model_validator

from budgetsim.core.arrays import ScenarioArrays, band_mask
from budgetsim.core.components import Component
from budgetsim.core.context import Allocation, BudgetContext
from budgetsim.core.registry import Example, StrategyRef
from budgetsim.core.strategy import Strategy
from budgetsim.core.text import sek, tr
from budgetsim.scenario import Scenario
from budgetsim.scenario.base import Model
from budgetsim.strategies.base import ADDITIONS, check_total, total_of


class Activity(Model):
    """One activity of a committee: a unit cost in base-year SEK times a volume driven by the
    inhabitants of an age range (``min_age`` set) or fixed (no ages).

    >>> Activity(committee="GSN", name="teaching", unit_cost=120_000, min_age=5, max_age=14).label
    '5-14'
    """

    committee: str
    name: str
    unit_cost: float = Field(ge=0)
    min_age: int | None = Field(default=None, ge=0)
    max_age: int | None = Field(default=None, ge=0)
    take_up: float = Field(default=1.0, ge=0, description="units per inhabitant of the ages")

    @model_validator(mode="after")
    def _ages(self) -> Activity:
        if self.min_age is None and self.max_age is not None:
            raise ValueError(
                f"activity {self.name!r}: max_age without min_age; give both, or neither for a fixed activity"
            )
        if self.min_age is not None and self.max_age is not None and self.max_age < self.min_age:
            raise ValueError(f"activity {self.name!r}: max_age {self.max_age} < min_age {self.min_age}")
        return self

    @property
    def label(self) -> str:
        if self.min_age is None:
            return "fixed"
        return f"{self.min_age}+" if self.max_age is None else f"{self.min_age}-{self.max_age}"


class ZeroBased(Strategy, tag="zero_based"):
    """Rebuild every frame from activities each year; ``scale=True`` scales the sum to ``total``
    (None: the scenario's total available; a strategy: what it would give in total).

    Components: ``zero_based`` (rebuilt frame - last frame), when scaled ``affordability``, and
    ``additions`` (political additions, on top; when scaled, funded from the total).
    """

    activities: tuple[Activity, ...] | None = None
    scale: bool = False
    total: StrategyRef | None = None
    additions: bool = True  #: political additions on top (funded from the total when scaled)
    name: str = "zero based"

    components: ClassVar = {
        "zero_based": Component("needs", "zero-based rebuild", "nollbasbudgetering", 41),
        "affordability": Component("needs", "scaled to what is affordable", "anpassning till ekonomiskt utrymme", 42),
        "additions": ADDITIONS,
    }
    examples: ClassVar = (
        Example(
            "zero based", lambda _: ZeroBased(), {"sums_to_total": "the sum of justified costs, not a given total"}
        ),
        Example("zero based, scaled", lambda _: ZeroBased(scale=True)),
        Example(
            "zero based on activities",
            lambda s: ZeroBased(
                tuple(
                    Activity(committee=c.id, name="service", unit_cost=50_000, min_age=0, take_up=0.1)
                    for c in s.committees
                )
            ),
            axioms=False,
        ),
    )

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        if self.activities is None:
            basis = tr(language, "the need profiles' standard costs", "behovsprofilernas standardkostnader")
        else:
            basis = "; ".join(
                f"{a.committee} {a.name}: {sek(a.unit_cost, language)} × {a.label}" for a in self.activities
            )
        text = tr(
            language,
            f"**Zero-based budgeting.** Every frame is rebuilt each year from its activities, ignoring history: {basis}.",
            f"**Nollbasbudgetering.** Varje ram byggs upp på nytt varje år från verksamheten, utan hänsyn till historiken: {basis}.",
        )
        if self.scale:
            text += " " + tr(
                language, "The sum is scaled to what is affordable.", "Summan anpassas till det ekonomiska utrymmet."
            )
        return text

    def check(self, arrays: ScenarioArrays) -> None:
        if self.scale:
            check_total(self.total, arrays, "zero based")
        if self.activities is None:
            return
        given = {a.committee for a in self.activities}
        unknown, missing = sorted(given - set(arrays.committees)), [c for c in arrays.committees if c not in given]
        if unknown or missing:
            raise ValueError(
                f"zero based: activities for unknown committees {unknown}; committees without activities {missing}"
            )
        for a in self.activities:
            if a.min_age is not None:
                self._bands(arrays, a)

    @staticmethod
    def _bands(arrays: ScenarioArrays, activity: Activity) -> np.ndarray:
        try:
            return band_mask(arrays, activity.min_age or 0, activity.max_age)
        except ValueError as err:
            raise ValueError(f"zero based: activity {activity.name!r} of {activity.committee}: {err}") from None

    def rebuilt(self, ctx: BudgetContext) -> np.ndarray:
        """(D|1, C) the frames justified by the activities this year."""
        if self.activities is None:
            return ctx.weighted_need
        a = ctx.arrays
        cost = np.zeros((ctx.population(0).shape[0], len(a.committees)))
        for activity in self.activities:
            volume = 1.0 if activity.min_age is None else ctx.population(0)[:, self._bands(a, activity)].sum(axis=-1)
            cost[:, a.committees.index(activity.committee)] += activity.unit_cost * activity.take_up * volume
        return cost * ctx.price_level

    def __call__(self, ctx: BudgetContext) -> Allocation:
        rebuilt = np.broadcast_to(self.rebuilt(ctx), ctx.last_frame.shape)
        additions = ctx.additions if self.additions else np.zeros_like(ctx.additions)
        changes = {"zero_based": rebuilt - ctx.last_frame}
        if self.scale:
            total = total_of(ctx, self.total) - additions.sum()
            changes["affordability"] = rebuilt * (total / rebuilt.sum(axis=-1) - 1)[:, None]
        if additions.any():
            changes["additions"] = np.broadcast_to(additions, rebuilt.shape)
        return Allocation(changes)
