"""Needs-based allocation (behovsfinansiering): a total distributed top-down in proportion to
weighted need.

weighted need_c = need units_c x price level_c, where need units = forecast population in the
committee's age ranges x cost weights (standard cost per inhabitant, base-year SEK) x need index x
care intensity (as last measured). Need comes from the criteria, not from history: a committee
whose base frame is above what its criteria justify loses share. A committee without a need
profile is weighted by its base-year cost. Then

frame_c = total x weighted need_c / sum of weighted need.

The parts sum to the total; with ``round_to=0.01`` each frame is whole öre and the sum is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from budgetsim.engine.arrays import ScenarioArrays
from budgetsim.engine.context import Allocation, BudgetContext
from budgetsim.money import apportion
from budgetsim.strategies.base import Composable, TotalRule, check_total, total_of


@dataclass(frozen=True)
class NeedsBased(Composable):
    """Distribute a total in proportion to weighted need.

    ``total=None`` takes the scenario's total available (revenue less the result target, or an
    explicit path). ``total=<strategy>`` distributes what that strategy would give all committees
    together this year from this run's last frames: in the first year exactly its total; later
    the two totals drift apart a little, as the other rule's total depends on the split (cost mix).
    Political additions are given to their committee on top of the split and funded from the
    total, so the total is respected (``additions=False`` ignores them).

    >>> import budgetsim as bs
    >>> NeedsBased(total=bs.strategies.boras_current()).name
    'needs based'
    """

    total: TotalRule = None
    round_to: float | None = None  #: e.g. 0.01 for whole öre
    additions: bool = True  #: political additions go to their committee, funded from the total
    name: str = "needs based"

    def check(self, arrays: ScenarioArrays) -> None:
        check_total(self.total, arrays, "needs based")
        if self.round_to is not None and self.round_to <= 0:
            raise ValueError(f"needs based: round_to must be > 0, got {self.round_to}")

    def __call__(self, ctx: BudgetContext) -> Allocation:
        weighted_need = ctx.weighted_need
        additions = ctx.additions if self.additions else np.zeros_like(ctx.additions)
        frames = apportion(total_of(ctx, self.total) - additions.sum(), weighted_need, self.round_to)
        changes = {"needs": frames - ctx.last_frame}
        if additions.any():
            changes["additions"] = np.broadcast_to(additions, frames.shape)
        return Allocation(changes, {"weighted_need": weighted_need})
