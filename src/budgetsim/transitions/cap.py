"""Cap on year-on-year gains and losses: each frame stays within last x (1 - max_loss) and
last x (1 + max_gain).

With ``keep_total=True`` (default) the money a cap frees or costs is shared by all committees
still inside their bounds, as the same share of their last frame: frame = clip(p + lambda x last,
lower, upper) with one lambda per year chosen so the total stays fixed. With ``keep_total=False``
frames are clipped and the total changes.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import field_validator

from budgetsim.core.components import Component
from budgetsim.core.context import BudgetContext
from budgetsim.core.numeric import UnaffordableError, settle, solve_increasing, where_unaffordable
from budgetsim.core.registry import Example
from budgetsim.core.text import pct, tr
from budgetsim.strategies import needs_based
from budgetsim.transitions.base import Transition
from budgetsim.transitions.floor import HELD


class Cap(Transition, tag="cap"):
    """Limit each committee's year-on-year change to ``[-max_loss, +max_gain]`` (fractions).

    >>> import budgetsim as bs
    >>> Cap(bs.strategies.needs_based(), max_gain=0.05, max_loss=0.02).name
    'cap(needs based)'
    """

    max_gain: float | None = None
    max_loss: float | None = None
    keep_total: bool = True

    components: ClassVar = {"cap": Component("transition rules", "cap", "tak", 51)}
    examples: ClassVar = (
        Example(
            "cap +5 %/-2 % (needs based)",
            lambda _: Cap(needs_based(), max_gain=0.05, max_loss=0.02),
            {"need_responsive": HELD.format("cap")},
        ),
        Example(
            "cap +3 %, total not kept", lambda _: Cap(needs_based(), max_gain=0.03, keep_total=False), axioms=False
        ),
    )

    @field_validator("max_gain", "max_loss")
    @classmethod
    def _fraction(cls, value: float | None, info: Any) -> float | None:
        if value is not None and not 0 <= value <= 1:
            raise ValueError(f"cap: {info.field_name} must be a fraction in [0, 1], got {value}")
        return value

    def describe_rule(self, scenario: Any, language: str) -> str:
        gain = pct(self.max_gain, language) if self.max_gain is not None else tr(language, "no limit", "ingen gräns")
        loss = pct(self.max_loss, language) if self.max_loss is not None else tr(language, "no limit", "ingen gräns")
        total = tr(language, " The total stays fixed.", " Totalen står fast.") if self.keep_total else ""
        return tr(
            language,
            f"**Cap.** A frame may rise by at most {gain} and fall by at most {loss} a year.{total}",
            f"**Tak.** En ram får öka med högst {gain} och minska med högst {loss} per år.{total}",
        )

    def adjust(self, ctx: BudgetContext, proposed: np.ndarray) -> np.ndarray:
        last = np.broadcast_to(ctx.last_frame, proposed.shape)
        lower = last * (1 - self.max_loss) if self.max_loss is not None else np.full_like(last, -np.inf)
        upper = last * (1 + self.max_gain) if self.max_gain is not None else np.full_like(last, np.inf)
        if not self.keep_total:
            return np.clip(proposed, lower, upper)
        total = proposed.sum(axis=-1)
        short = np.maximum(lower.sum(axis=-1) - total, total - upper.sum(axis=-1))
        if np.any(short > 1e-12 * total):
            raise UnaffordableError(f"the total cannot be split within the caps{where_unaffordable(short)}")

        def frames(lam: np.ndarray) -> np.ndarray:
            return np.clip(proposed + lam[:, None] * last, lower, upper)

        finite = np.abs(np.concatenate([np.where(np.isfinite(b), b - proposed, 0.0) for b in (lower, upper)], axis=-1))
        bound = (finite.max(axis=-1) + np.abs(proposed).sum(axis=-1)) / last.min(axis=-1) + 1
        lam = solve_increasing(lambda x: frames(x).sum(axis=-1), total, -bound, bound)
        result = frames(lam)
        return settle(result, total, (result > lower) & (result < upper))
