"""What a strategy sees when it sets one year's frames, and what it returns.

A strategy is any callable ``strategy(ctx: BudgetContext) -> Allocation | dict[str, array]``.
It returns the *changes* from last year's frame, by component name; the engine adds them to
the last frame. Every array is shaped ``(draws, committees)`` or broadcasts to it.

>>> import budgetsim as bs
>>> def two_percent(ctx):
...     return {"flat uplift": 0.02 * ctx.last_frame}
>>> r = bs.simulate(bs.default_scenario(), two_percent)
>>> round(float(r.frames.frame.iloc[0] / bs.default_scenario().committees[0].base_frame), 4)
1.02
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from budgetsim.core.arrays import KNOWN_OFFSETS, ScenarioArrays
from budgetsim.core.need import mix_rate, need_units, standard_need


@dataclass(frozen=True)
class Allocation:
    """A strategy's answer for one year: ``changes`` sum with the last frame to the new frame;
    ``info`` holds diagnostics that explain it but are not part of the frame."""

    changes: Mapping[str, np.ndarray]
    info: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class BudgetContext:
    """The state when the frames for budget year ``year`` are set (autumn of ``year - 1``).

    The properties offer only information available at that time: assumed (not actual) wage and
    price rates, and the population as known from the latest forecast. The exceptions are marked
    (:attr:`delivered_need`, for settlement rules); ``arrays`` itself also holds the outcomes, which
    a budget-time rule must not read.
    """

    arrays: ScenarioArrays
    t: int  #: index of the budget year in ``arrays.years``
    last_frame: np.ndarray  #: (D, C) last year's frames, SEK
    #: ``totals(strategy)`` gives (D, T) the total frame that strategy proposes each year on its own
    #: path in this run's setting (inside the same budget process, if any); None: its rule alone
    totals: TotalsOf | None = None

    @property
    def year(self) -> int:
        return int(self.arrays.years[self.t])

    @property
    def committees(self) -> tuple[str, ...]:
        return self.arrays.committees

    @property
    def wage_uplift(self) -> np.ndarray:
        """(D|1, 1) wage index assumed for this budget year."""
        return self.arrays.wage_uplift[:, self.t, None]

    @property
    def price_uplift(self) -> np.ndarray:
        """(D|1, 1) price index assumed for this budget year."""
        return self.arrays.price_uplift[:, self.t, None]

    @property
    def efficiency(self) -> np.ndarray:
        """(D|1, 1) efficiency requirement of this budget year."""
        return self.arrays.efficiency[:, self.t, None]

    @property
    def wage_share(self) -> np.ndarray:
        """(C,) wage share of each committee's cost."""
        return self.arrays.wage_share

    @cached_property
    def cost_uplift(self) -> np.ndarray:
        """(D|1, C) price and wage uplift of each committee's cost mix this year (no efficiency)."""
        return mix_rate(
            self.arrays, self.arrays.wage_uplift[:, self.t, None], self.arrays.price_uplift[:, self.t, None]
        )

    @cached_property
    def price_level(self) -> np.ndarray:
        """(D|1, C) base-year SEK to this year's SEK by each committee's cost mix: the product of
        (1 + cost uplift) over the budget years up to and including this one."""
        a = self.arrays
        rates = mix_rate(a, a.wage_uplift[:, : self.t + 1, None], a.price_uplift[:, : self.t + 1, None])
        return np.prod(1 + rates, axis=1)

    def population(self, offset: int = 0) -> np.ndarray:
        """(D|1, B) population by band for year ``year + offset`` (offset -2, -1 or 0), as known
        at budget time: the forecast, or the outcome where the year had ended."""
        return self.arrays.known_population[:, self.t, KNOWN_OFFSETS.index(offset)]

    @cached_property
    def need_units(self) -> np.ndarray:
        """(D|1, C) need units known at budget time: this year's forecast population x weights x
        need index x care intensity as last measured (the year before)."""
        return need_units(self.arrays, self.population(0), self.year - 1 - self.arrays.base_year)

    @cached_property
    def weighted_need(self) -> np.ndarray:
        """(D|1, C) need known at budget time in SEK at this year's prices: need units x price
        level (a committee without a need profile counts its base-year cost)."""
        return standard_need(self.arrays, self.need_units, self.price_level)

    @cached_property
    def delivered_need(self) -> np.ndarray:
        """(D|1, C) as :attr:`weighted_need`, but on the *outcome* population and care intensity of
        the budget year: known only after the year. Only for settlement rules that pay for what
        was delivered (activity-based financing, vouchers)."""
        units = need_units(
            self.arrays, self.arrays.outcome_population[:, self.t + 1], self.year - self.arrays.base_year
        )
        return standard_need(self.arrays, units, self.price_level)

    @property
    def total_available(self) -> np.ndarray:
        """(D|1,) total the municipality can give its committees this year, SEK."""
        if self.arrays.total_available is None:
            raise ValueError("the scenario gives no total available: set economy.revenue or economy.total_available")
        return self.arrays.total_available[:, self.t]

    @property
    def additions(self) -> np.ndarray:
        """(C,) political additions decided for this year, SEK."""
        return self.arrays.additions[self.t]


AllocationLike = Allocation | Mapping[str, np.ndarray]
#: Anything that can serve as a strategy: a function or callable object of the budget context.
StrategyLike = Callable[["BudgetContext"], AllocationLike]
#: Gives a strategy's proposed total frame (D, T) on its own path.
TotalsOf = Callable[[StrategyLike], np.ndarray]


def as_allocation(value: AllocationLike) -> Allocation:
    """Accept a plain ``{component: changes}`` mapping as an :class:`Allocation`."""
    if isinstance(value, Allocation):
        return value
    if isinstance(value, Mapping):
        return Allocation(changes=dict(value))
    raise TypeError(f"a strategy must return an Allocation or a dict of changes, got {type(value).__name__}")


def strategy_name(strategy: Callable[..., AllocationLike]) -> str:
    """A readable name: the ``name`` attribute, else the function or class name."""
    name = getattr(strategy, "name", None)
    if isinstance(name, str):
        return name
    return getattr(strategy, "__name__", type(strategy).__name__)


def check_strategy(strategy: Callable[..., AllocationLike], arrays: ScenarioArrays) -> None:
    """Run the strategy's own ``check`` if it has one."""
    check = getattr(strategy, "check", None)
    if callable(check):
        check(arrays)


def frames_after(ctx: BudgetContext, allocation: Allocation) -> np.ndarray:
    """(D, C) frames an allocation leads to: last frame plus all its changes."""
    frames = np.array(ctx.last_frame, dtype=float)
    for change in allocation.changes.values():
        frames = frames + change
    return frames
