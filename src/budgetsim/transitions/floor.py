"""Floor with damping: every committee gets at least last frame x (1 + floor); the cost is paid
by scaling back the gains above the floor of all others with one factor between 0 and 1, so the
total the inner strategy gives stays fixed.

With proposed frames p, floors L and total T = sum(p): committees with p < L get L; the others get
L + k (p - L) with k = (T - sum(L)) / sum over them of (p - L).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import field_validator

from budgetsim.core.components import Component
from budgetsim.core.context import BudgetContext
from budgetsim.core.numeric import UnaffordableError, lift_and_damp
from budgetsim.core.registry import Example
from budgetsim.core.text import pct, tr
from budgetsim.strategies import needs_based
from budgetsim.transitions.base import Transition

HELD = "a committee held at its {} does not respond to more need until its share clears it"


class FloorWithDamping(Transition, tag="floor"):
    """Guarantee a minimum year-on-year change, paid for by damping gains.

    ``floor`` is a fraction and may be negative (-0.01: nobody loses more than 1 %). If the
    floors cost more than the total, ``if_unaffordable="raise"`` (default) stops with an error;
    ``"scale"`` gives every committee the same fraction of its floor (documented fallback).

    >>> import budgetsim as bs
    >>> FloorWithDamping(bs.strategies.needs_based(), floor=-0.01).name
    'floor(needs based)'
    """

    floor: float = 0.0
    if_unaffordable: Literal["raise", "scale"] = "raise"

    components: ClassVar = {"floor": Component("transition rules", "floor with damping", "golv med dämpning", 50)}
    examples: ClassVar = (
        Example(
            "floor -1 % (needs based)",
            lambda _: FloorWithDamping(needs_based(), floor=-0.01),
            {"need_responsive": HELD.format("floor")},
        ),
        Example(
            "floor +2 %, scaled when unaffordable",
            lambda _: FloorWithDamping(needs_based(), floor=0.02, if_unaffordable="scale"),
            axioms=False,
        ),
    )

    @field_validator("if_unaffordable", mode="before")
    @classmethod
    def _choice(cls, value: Any) -> Any:
        if value not in ("raise", "scale"):
            raise ValueError(f"floor: if_unaffordable must be 'raise' or 'scale', got {value!r}")
        return value

    @field_validator("floor")
    @classmethod
    def _above_minus_one(cls, value: float) -> float:
        if value <= -1:
            raise ValueError(f"floor: floor must be above -1 (a fraction), got {value}")
        return value

    def describe_rule(self, scenario: Any, language: str) -> str:
        return tr(
            language,
            f"**Floor with damping.** No committee's frame changes by less than {pct(self.floor, language)} a year; the cost is paid by scaling back all gains above the floor with one factor, so the total stays fixed.",
            f"**Golv med dämpning.** Ingen nämnds ram förändras med mindre än {pct(self.floor, language)} per år; kostnaden betalas genom att alla ökningar över golvet skalas ned med samma faktor, så att totalen står fast.",
        )

    def adjust(self, ctx: BudgetContext, proposed: np.ndarray) -> np.ndarray:
        floors = ctx.last_frame * (1 + self.floor)
        total = proposed.sum(axis=-1)
        if self.if_unaffordable == "raise":
            return lift_and_damp(proposed, floors, total)
        affordable = floors.sum(axis=-1) <= total
        scaled = floors * (total / floors.sum(axis=-1))[:, None]
        try:
            damped = lift_and_damp(proposed, np.where(affordable[:, None], floors, scaled), total)
        except UnaffordableError:  # float noise on the scaled floors
            damped = scaled
        return np.where(affordable[:, None], damped, scaled)
