"""The budget process as configuration: year-end rules, requests and budget roles, municipal
balance, multi-year frames and the budget calendar. Validated pydantic models, like a scenario."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from budgetsim.core.text import pct, tr
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
    """Municipal balance (Kommunallagen 11 kap.): the result equalisation reserve (RUR) takes the
    part of the balanced-budget result (the result less realisation gains) above
    ``reserve_threshold`` of revenue, up to a reserve of ``reserve_cap`` of revenue. It is drawn to
    cover a negative balanced-budget result (never more), under ``draw_rule``: ``"negative_result"``
    any such year; ``"weak_growth"`` only in a year when revenue (tax revenue, general grants and
    equalisation, as drawn) grows less than ``growth_trend``, its ten-year average: SKR's recommended
    criterion, which looks at the tax base, with revenue standing in for it. The first budget year's
    growth is measured from ``opening_revenue``, the base year's (without it the first year draws
    nothing).

    >>> Balance(draw_rule="weak_growth", growth_trend=0.04).growth_trend
    0.04
    """

    reserve_threshold: float = Field(default=0.01, ge=0, le=1)
    reserve_cap: float = Field(default=0.05, ge=0, le=1)
    opening_reserve: float = Field(default=0.0, ge=0, description="reserve at the end of the base year, SEK")
    draw_rule: Literal["negative_result", "weak_growth"] = "negative_result"
    growth_trend: float | None = Field(
        default=None, ge=-0.5, le=0.5, description="ten-year average growth of revenue, per year (weak_growth)"
    )
    opening_revenue: float | None = Field(default=None, ge=0, description="revenue of the base year, SEK")

    def text(self, language: str = "en") -> str:
        """The reserve's rules in plain words.

        >>> print(Balance(draw_rule="weak_growth", growth_trend=0.037).text("sv"))
        Resultatutjämningsreserv (RUR): tar emot den del av balanskravsresultatet som överstiger 1 % av skatteintäkter, generella statsbidrag och utjämning, upp till 5 % av dem; ingående 0 mnkr. Får tas i anspråk för att täcka ett negativt balanskravsresultat bara under år då intäkternas utveckling understiger sitt tioårssnitt (3,7 %).
        """
        draw = (
            tr(
                language,
                "It covers a negative balanced-budget result in any year.",
                "Får tas i anspråk för att täcka ett negativt balanskravsresultat.",
            )
            if self.draw_rule == "negative_result"
            else tr(
                language,
                f"It covers a negative balanced-budget result only in a year when revenue grows less than its ten-year average ({pct(self.growth_trend or 0.0, language)}).",
                f"Får tas i anspråk för att täcka ett negativt balanskravsresultat bara under år då intäkternas utveckling understiger sitt tioårssnitt ({pct(self.growth_trend or 0.0, language)}).",
            )
        )
        opening = f"{self.opening_reserve / 1e6:,.0f}".replace(",", " " if language == "sv" else ",")
        return (
            tr(
                language,
                f"Result equalisation reserve (RUR): takes the part of the balanced-budget result above {pct(self.reserve_threshold, language)} of tax revenue, general grants and equalisation, up to {pct(self.reserve_cap, language)} of them; opening {opening} MSEK. ",
                f"Resultatutjämningsreserv (RUR): tar emot den del av balanskravsresultatet som överstiger {pct(self.reserve_threshold, language)} av skatteintäkter, generella statsbidrag och utjämning, upp till {pct(self.reserve_cap, language)} av dem; ingående {opening} mnkr. ",
            )
            + draw
        )

    @model_validator(mode="after")
    def _trend_for_rule(self) -> Balance:
        if self.draw_rule == "weak_growth" and self.growth_trend is None:
            raise ValueError("draw_rule 'weak_growth' needs growth_trend (the ten-year average growth of revenue)")
        return self


class November(Model):
    """The November step (study l.298): when the council sets the frames it hands out part of the
    room above the result target, revenue x (1 - result target - other net costs) less the frames
    proposed, as political additions (satsningar): ``share`` of the room, at most ``cap`` of the
    receivers' frames, to the committees ``to`` (``"all"``; ``"unfunded"``: those without volume
    compensation; or named ids), in proportion to their frames. The rest of the room stays in the
    municipality's result. ``level_raising`` is the share of the additions that stays in the frame
    (within a multi-year frame period recorded as a supplementary appropriation, tilläggsanslag);
    the rest is temporary and reversed the next year. The additions are spent as any frame is (the
    scenario's ``spending_adaptation``). A negative room is not taken back here (that is the
    efficiency requirement's and the strategies' job).

    Borås's published targeted additions were 82 MSEK in 2017 (1.45 % of frames), 30 MSEK in 2018
    and 57 MSEK in 2020: about 1 % of frames a year (``budgetsim.datasets.boras.november_cap``).

    >>> November(to=("IFN", "SON"), level_raising=False).level_raising
    0.0
    """

    share: float = Field(default=1.0, ge=0, le=1, description="share of the room above the result target handed out")
    cap: float | None = Field(
        default=None, ge=0, le=0.2, description="at most this share of the receivers' frames (None: no cap)"
    )
    to: Literal["unfunded", "all"] | tuple[str, ...] = "all"
    level_raising: float | bool = Field(
        default=1.0, ge=0, le=1, description="share that raises the frame level; the rest is temporary (one year)"
    )

    def text(self, language: str = "en") -> str:
        """The November step in plain words.

        >>> print(November(cap=0.0095, level_raising=0.5).text())
        The November step: when the council sets the frames (kommunbidrag) it hands out 100 % of the room above the result target as political additions, at most 0.95 % of the frames, to all committees in proportion to their frames; half raises the frame level (within a multi-year frame period as a supplementary appropriation, tilläggsanslag), the rest is for that year only. The rest of the room stays in the result.
        """
        receivers = (
            tr(language, "all committees", "alla nämnder")
            if self.to == "all"
            else tr(language, "the committees without volume compensation", "nämnderna utan volymkompensation")
            if self.to == "unfunded"
            else ", ".join(self.to)
        )
        cap = (
            ""
            if self.cap is None
            else tr(
                language,
                f", at most {pct(self.cap, language)} of the frames",
                f", högst {pct(self.cap, language)} av ramarna",
            )
        )
        share = float(self.level_raising)
        lasting = (
            tr(language, "all of it raises the frame level", "allt höjer ramnivån")
            if share == 1
            else tr(language, "all of it is for that year only", "allt gäller bara det året")
            if share == 0
            else tr(language, "half raises the frame level", "hälften höjer ramnivån")
            if share == 0.5
            else tr(
                language, f"{pct(share, language)} raises the frame level", f"{pct(share, language)} höjer ramnivån"
            )
        )
        rest = (
            "" if share in (0, 1) else tr(language, ", the rest is for that year only", ", resten gäller bara det året")
        )
        return tr(
            language,
            f"The November step: when the council sets the frames (kommunbidrag) it hands out {pct(self.share, language)} of the room above the result target as political additions{cap}, to {receivers} in proportion to their frames; {lasting} (within a multi-year frame period as a supplementary appropriation, tilläggsanslag){rest}. The rest of the room stays in the result.",
            f"Novembersteget: när kommunfullmäktige beslutar kommunbidragen delas {pct(self.share, language)} av utrymmet över resultatmålet ut som politiska satsningar{cap}, till {receivers} i proportion till deras ramar; {lasting} (inom en flerårsram som tilläggsanslag){rest}. Resten av utrymmet stannar i resultatet.",
        )

    @field_validator("level_raising", mode="before")
    @classmethod
    def _all_or_nothing(cls, value: object) -> object:
        """``True``/``False`` (all level-raising / all temporary) as 1 and 0."""
        return float(value) if isinstance(value, bool) else value


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
