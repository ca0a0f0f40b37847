"""The budget process as configuration: year-end rules, requests and budget roles, municipal
balance, multi-year frames and the budget calendar. Validated pydantic models, like a scenario."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from budgetsim.process.grants import GrantRef, GrantRule, ProRata
from budgetsim.process.year_end import NEUTRAL, YearEndRule, YearEndStep, YearEndStepRef, complete
from budgetsim.scenario.base import Model

PerYear = float | dict[int, float]


def value_in(value: PerYear, year: int) -> float:
    """A parameter that is either constant or given per year (roles may change between years)."""
    if isinstance(value, dict):
        if year not in value:
            raise KeyError(year)
        return float(value[year])
    return float(value)


class Requests(Model):
    """Budget requests (äskanden) and the roles around them.

    Each eligible committee (default: those without volume uplift) requests
    ``ambition`` x its perceived gap x (1 + noise), where the perceived gap is its expected cost
    (this year's cost grown at this year's rate, as its own monthly follow-up forecasts it in the
    autumn; one-offs paid from savings left out) less the frame proposed for it. The noise is
    seeded from the run's seed and ``seed``. The guardian
    grants from a pool of ``pool_share`` of all proposed frames, less what hoarders hold back
    (``hoarding``), by ``rule``: pro rata to requests, by evidence of need (the gap between need and
    frame), by advocacy strength (request x ambition), or by the size of the last deficit. No
    committee gets more than it asked. Grants are permanent frame additions. Hoarders also push
    the revenue estimate down by ``revenue_pessimism``, which lowers any total available.
    Ambition, rule and hoarding may change between years.
    """

    eligible: tuple[str, ...] | None = None
    ambition: dict[str, PerYear] = Field(
        default_factory=dict, description="advocate ambition per committee (default 1)"
    )
    noise: float = Field(default=0.0, ge=0, le=1, description="standard deviation of request noise")
    pool_share: PerYear = 0.005
    rule: GrantRef | dict[int, GrantRef] = ProRata()
    hoarding: PerYear = 0.0
    revenue_pessimism: PerYear = 0.0
    seed: int = 0

    def rule_in(self, year: int) -> GrantRule:
        """The grant rule in force in ``year``."""
        rule = self.rule[year] if isinstance(self.rule, dict) else self.rule
        assert isinstance(rule, GrantRule)
        return rule


class Balance(Model):
    """Municipal balance: the result equalisation reserve (RUR) takes the part of the result above
    ``reserve_threshold`` of revenue, up to a reserve of ``reserve_cap`` of revenue, and is drawn to
    cover a negative result."""

    reserve_threshold: float = Field(default=0.01, ge=0, le=1)
    reserve_cap: float = Field(default=0.05, ge=0, le=1)
    opening_reserve: float = Field(default=0.0, ge=0, description="reserve at the end of the base year, SEK")


class November(Model):
    """The November step (study l.298): when the council sets the frames it hands out the room above
    the result target, revenue x (1 - result target - other net costs) less the frames proposed,
    as political additions: ``share`` of it, to the committees ``to`` (``"unfunded"``: those
    without volume compensation, whose activity does not follow demography; ``"all"``; or named
    ids), in proportion to their frames. ``level_raising`` additions stay in the frame; temporary
    ones are reversed the next year. They fund new activity, so they are spent: the receivers'
    cost rises by the same amount. A negative room is not taken back here (that is the
    efficiency requirement's and the strategies' job).

    >>> November(to=("IFN", "SON"), level_raising=False).to
    ('IFN', 'SON')
    """

    share: float = Field(default=1.0, ge=0, le=1)
    to: Literal["unfunded", "all"] | tuple[str, ...] = "unfunded"
    level_raising: bool = True


class BudgetProcess(Model):
    """All process rules. ``year_end`` maps committee ids to a rule, flat (:class:`YearEndRule`) or
    as ordered steps (:mod:`budgetsim.process.year_end`); ``"*"`` is the default for the others (no
    key: deficits are written off and surpluses kept, so results change no frame). ``frame_period``: frames are fixed for that many years
    at a time (1 = annual). ``planning_horizon``: how many years ahead committees' plans are made
    and compared with what they finally get. Preliminary (June) frames use the economy's
    ``preliminary_*`` assumptions when given.

    >>> BudgetProcess(frame_period=3).frame_period
    3
    """

    year_end: dict[str, YearEndRule | tuple[YearEndStepRef, ...]] = Field(default_factory=dict)
    requests: Requests | None = None
    november: November | None = None
    balance: Balance = Field(default_factory=Balance)
    frame_period: int = Field(default=1, ge=1, le=10)
    planning_horizon: int = Field(default=3, ge=1, le=10)
    opening_accumulated: dict[str, float] = Field(
        default_factory=dict, description="accumulated result at base-year end, SEK"
    )

    @model_validator(mode="after")
    def _planning_covers_period(self) -> BudgetProcess:
        if self.planning_horizon < self.frame_period:
            raise ValueError(
                f"planning_horizon ({self.planning_horizon}) must cover frame_period ({self.frame_period})"
            )
        return self

    def steps_for(self, committee: str) -> tuple[YearEndStep, ...]:
        """The year-end steps of ``committee``, closing steps included."""
        rule = self.year_end.get(committee, self.year_end.get("*", NEUTRAL))
        return complete(rule.steps() if isinstance(rule, YearEndRule) else rule)
