"""Loss cap per inhabitant: in each year a reform may reduce a committee's frame, compared with
what the old rule (``reference``) would have given it from the same starting frames, by at most
``per_inhabitant`` SEK per inhabitant. Against the old rule's own path the loss can thus grow by
at most that much a year: 250, 500, 750 SEK... as in Sweden's 2020 cost-equalisation reform.
The cost of the cap is paid by damping the gains of the others, as with a floor. The cap never
asks for more than the whole frame (the floor is at least 0).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.components import Component
from budgetsim.core.context import BudgetContext, as_allocation, check_strategy, frames_after
from budgetsim.core.numeric import lift_and_damp
from budgetsim.core.registry import Example, StrategyRef
from budgetsim.core.strategy import display_name
from budgetsim.core.text import sek, tr
from budgetsim.strategies import boras_current, needs_based
from budgetsim.transitions.base import Transition
from budgetsim.transitions.floor import HELD


class LossCap(Transition, tag="loss_cap"):
    """Cap the loss from a reform (``inner``) against the old rule (``reference``) per inhabitant.

    The inhabitants are the whole population as known at budget time; ``start_year`` is the
    reform's first year (default: the first budget year).

    >>> import budgetsim as bs
    >>> LossCap(bs.strategies.needs_based(), reference=bs.strategies.boras_current(), per_inhabitant=250).tag
    'loss_cap'
    """

    reference: StrategyRef | None = None
    per_inhabitant: float = Field(default=250.0, ge=0)
    start_year: int | None = None

    components: ClassVar = {
        "loss_cap": Component("transition rules", "loss cap per inhabitant", "förlustbegränsning per invånare", 53)
    }
    examples: ClassVar = (
        Example(
            "loss cap 250 SEK (needs vs current)",
            lambda _: LossCap(needs_based(), reference=boras_current(), per_inhabitant=250),
            {
                "need_responsive": HELD.format("loss cap"),
                "scale_invariant": "the cap is a fixed amount of SEK per inhabitant, not scaled with the money",
            },
        ),
    )

    def describe_rule(self, scenario: Any, language: str) -> str:
        old = display_name(self.reference, language) if self.reference is not None else "-"
        return tr(
            language,
            f"**Loss cap.** Each year the reform may cost a committee at most {sek(self.per_inhabitant, language)} per inhabitant compared with '{old}'.",
            f"**Förlustbegränsning.** Varje år får reformen kosta en nämnd högst {sek(self.per_inhabitant, language)} per invånare jämfört med ”{old}”.",
        )

    def check(self, arrays: ScenarioArrays) -> None:
        super().check(arrays)
        if self.reference is None:
            raise ValueError("loss cap: give the reference strategy (the rule before the reform)")
        check_strategy(self.reference, arrays)

    def adjust(self, ctx: BudgetContext, proposed: np.ndarray) -> np.ndarray:
        assert self.reference is not None
        start = int(ctx.arrays.years[0]) if self.start_year is None else self.start_year
        if ctx.year < start:
            return proposed
        reference = frames_after(ctx, as_allocation(self.reference(ctx)))
        inhabitants = ctx.population(0).sum(axis=-1)  # (D|1,)
        allowance = self.per_inhabitant * inhabitants
        floors = np.broadcast_to(np.maximum(reference - allowance[:, None], 0.0), proposed.shape)
        return lift_and_damp(proposed, floors, proposed.sum(axis=-1), what="loss cap")
