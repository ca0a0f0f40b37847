"""Year-end rules as ordered small steps. At each year end a committee's result (frame - cost) is
settled step by step: each step takes its part of what is left of the deficit or the surplus, or
reads the result, and declares the records it writes; the budget-time effects it causes (a
deduction, a ratchet, a one-off) enter the next frame as named components.

A committee's steps run in the order given. What no step settles falls to the closing steps,
added when missing: the rest of a deficit is carried and recovered from the next frame, the rest
of a surplus is kept (it repays any debt first). :class:`YearEndRule` is the familiar flat form of
the same steps, in the canonical order write-off, cover from savings, carry and recover, claw
back, keep, draw on savings, ratchet, action plan.

A new step is one class: its parameters, the records it writes, and ``settle`` (or ``budget``)
working on the columns of the committees that have it::

    class Forgive(YearEndStep, tag="forgive_small"):
        limit: float
        records = ("forgiven",)

        def settle(self, ledger, t, cols, params):
            forgiven = np.minimum(ledger.deficit[:, cols], params["limit"])
            ledger.deficit[:, cols] -= forgiven
            ledger.record("forgiven", t, cols, forgiven)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, ClassVar

import numpy as np
from pydantic import Field

from budgetsim.core.components import Component
from budgetsim.core.registry import Example, Rule, rule_field
from budgetsim.core.text import pct, tr
from budgetsim.scenario.base import Model

NEGOTIATION_STREAM = 5  # random-number stream of negotiated write-offs (1-4: the scenario's uncertainty)
MAX_RECOVERY_YEARS = 10
MAX_ACTION_LAG = 5

#: Frame components the year-end steps cause in later frames.
DEFICIT_RECOVERY = Component("year-end effects", "deficit recovered", "återställt underskott", 81)
RATCHET = Component("year-end effects", "ratchet after a surplus", "sänkt ram efter överskott", 80)
ACCUMULATED_DRAW = Component(
    "year-end effects", "drawn from accumulated result", "ianspråktagande av ackumulerat resultat", 82
)


class Ledger:
    """The process state the year-end steps work on, each array over (draws, ..., committees):
    the deficit and surplus still to settle this year, savings, the schedule of deficit recovery,
    the pending ratchet, what is drawn for one-offs, action plans' effect on cost, and the records."""

    def __init__(
        self,
        D: int,
        T: int,
        C: int,
        opening_accumulated: np.ndarray,
        records: tuple[str, ...],
        uniform: Callable[[int, int], np.ndarray] | None = None,
        mandated: np.ndarray | None = None,
    ) -> None:
        self.schedule = np.zeros((D, T + MAX_RECOVERY_YEARS + 1, C))  # deficit recovery due per year
        self.cost_level = np.ones((D, T + MAX_ACTION_LAG + 1, C))  # action plans' effect on cost
        self.accumulated = np.broadcast_to(opening_accumulated, (D, C)).astype(float)
        self.pending_ratchet = np.zeros((D, C))
        self.plan_from = np.zeros((D, C), dtype=int)  # no new action plan before the last one takes effect
        self.drawn = np.zeros((D, C))
        self.frame = self.result = self.deficit = self.surplus = self.proposed = np.zeros((D, C))
        self.records = {k: np.zeros((D, T, C)) for k in records}
        #: ``uniform(stream, t)`` gives (D, C) uniform numbers for a random step, reproducible per draw;
        #: None in a deterministic run, where random steps take their expected value
        self.uniform = uniform
        #: (C,) share of each committee's budget mandated by law, which action plans cannot cut
        self.mandated = np.zeros(C) if mandated is None else mandated

    def record(self, name: str, t: int, cols: np.ndarray, value: np.ndarray) -> None:
        """Write a record of year index ``t`` for committees ``cols``."""
        self.records[name][:, t, cols] = value


class YearEndStep(Rule, kind="year_end"):
    """One step of a committee's year end. ``settle`` runs at the year end of year ``t``;
    ``budget`` when the next frame is set. Both act on the committees ``cols`` that have the step;
    ``params`` holds each parameter as an array over those committees."""

    #: records the step writes (columns of the ``year_end`` table)
    records: ClassVar[tuple[str, ...]] = ()
    #: True if the step settles all that is left of a deficit; of a surplus
    closes_deficit: ClassVar[bool] = False
    closes_surplus: ClassVar[bool] = False

    def settle(self, ledger: Ledger, t: int, cols: np.ndarray, params: dict[str, np.ndarray]) -> None:
        """Settle the year end of year index ``t`` for committees ``cols``."""

    def budget(self, ledger: Ledger, t: int, cols: np.ndarray, params: dict[str, np.ndarray]) -> None:
        """Act when the frame of year index ``t`` is set, for committees ``cols``."""

    def closes(self) -> tuple[bool, bool]:
        """(settles all of a deficit, settles all of a surplus) with these parameters."""
        return self.closes_deficit, self.closes_surplus

    def text(self, language: str) -> str:
        """The step in plain words."""
        return self.tag


class WriteOff(YearEndStep, tag="write_off"):
    """``share`` of what is left of a deficit is written off (avskrivs): the committee is not asked
    to restore it."""

    share: float = Field(default=1.0, ge=0, le=1)
    records: ClassVar = ("written_off",)
    examples: ClassVar = (Example("write off half", lambda _: WriteOff(share=0.5)),)

    def closes(self) -> tuple[bool, bool]:
        return self.share == 1, False

    def settle(self, ledger: Ledger, t: int, cols: np.ndarray, params: dict[str, np.ndarray]) -> None:
        written_off = params["share"] * ledger.deficit[:, cols]
        ledger.deficit[:, cols] = ledger.deficit[:, cols] - written_off
        ledger.records["written_off"][:, t, cols] += written_off

    def text(self, language: str) -> str:
        return tr(
            language,
            f"deficits {pct(self.share, language)} written off",
            "underskottet skrivs av helt"
            if self.share == 1
            else f"{pct(self.share, language)} av underskottet skrivs av",
        )


class NegotiatedWriteOff(YearEndStep, tag="negotiated_write_off"):
    """After negotiation the deficit left is written off with ``probability``, otherwise it stays to
    be settled by the later steps. A Monte Carlo run draws the outcome for each committee-year; a
    deterministic run writes off the expected share (``probability`` x deficit)."""

    probability: float = Field(default=0.8, ge=0, le=1)
    records: ClassVar = ("written_off",)
    examples: ClassVar = (Example("written off four times in five", lambda _: NegotiatedWriteOff(probability=0.8)),)

    def closes(self) -> tuple[bool, bool]:
        return self.probability == 1, False

    def settle(self, ledger: Ledger, t: int, cols: np.ndarray, params: dict[str, np.ndarray]) -> None:
        p = params["probability"]
        share = p if ledger.uniform is None else (ledger.uniform(NEGOTIATION_STREAM, t)[:, cols] < p).astype(float)
        written_off = share * ledger.deficit[:, cols]
        ledger.deficit[:, cols] = ledger.deficit[:, cols] - written_off
        ledger.records["written_off"][:, t, cols] += written_off

    def text(self, language: str) -> str:
        return tr(
            language,
            f"deficits written off after negotiation, with probability {pct(self.probability, language)}",
            f"underskott avskrivs efter förhandling, med sannolikheten {pct(self.probability, language)}",
        )


class CoverFromSavings(YearEndStep, tag="cover_from_savings"):
    """What is left of a deficit is paid from the committee's accumulated result (savings) before
    it becomes a debt."""

    records: ClassVar = ("covered_by_savings",)
    examples: ClassVar = (Example("cover from savings", lambda _: CoverFromSavings()),)

    def settle(self, ledger: Ledger, t: int, cols: np.ndarray, params: dict[str, np.ndarray]) -> None:
        covered = np.minimum(ledger.deficit[:, cols], np.maximum(ledger.accumulated[:, cols], 0.0))
        ledger.deficit[:, cols] = ledger.deficit[:, cols] - covered
        ledger.accumulated[:, cols] = ledger.accumulated[:, cols] - covered
        ledger.record("covered_by_savings", t, cols, covered)

    def text(self, language: str) -> str:
        return tr(language, "savings cover a deficit first", "ackumulerat resultat täcker först ett underskott")


class CarryAndRecover(YearEndStep, tag="carry_and_recover"):
    """What is left of a deficit becomes a debt, recovered from the following frames in equal parts
    over ``years`` (one-off deductions, component ``deficit_recovery``). No year's deduction takes
    more than ``cap`` of the frame proposed for it: the rest waits a year, so a run of deficits
    never drives a frame below zero."""

    years: int = Field(default=1, ge=1, le=MAX_RECOVERY_YEARS)
    cap: float = Field(default=0.5, gt=0, lt=1, description="largest share of a frame one year's recovery takes")
    records: ClassVar = ("carried_forward",)
    closes_deficit: ClassVar = True
    components: ClassVar = {"deficit_recovery": DEFICIT_RECOVERY}
    examples: ClassVar = (Example("recover over two years", lambda _: CarryAndRecover(years=2)),)

    def settle(self, ledger: Ledger, t: int, cols: np.ndarray, params: dict[str, np.ndarray]) -> None:
        carried = ledger.deficit[:, cols]
        years = params["years"].astype(int)
        steps = np.arange(ledger.schedule.shape[1])[None, :, None]
        due = (steps > t) & (steps <= t + years[None, None, :])
        ledger.schedule[:, :, cols] += due * (carried / years)[:, None, :]
        ledger.deficit[:, cols] = 0.0
        ledger.record("carried_forward", t, cols, carried)

    def budget(self, ledger: Ledger, t: int, cols: np.ndarray, params: dict[str, np.ndarray]) -> None:
        due = ledger.schedule[:, t, cols]
        limit = params["cap"] * np.maximum(ledger.proposed[:, cols], 0.0)
        if np.any(due > limit):
            excess = np.maximum(due - limit, 0.0)
            ledger.schedule[:, t, cols] = due - excess
            ledger.schedule[:, t + 1, cols] += excess

    def text(self, language: str) -> str:
        return tr(
            language,
            f"the rest recovered over {self.years} year(s)",
            "resterande underskott förs över till nästa år (resultatöverföring) och återställs genom lägre ram"
            + (f" under {self.years} år" if self.years > 1 else ""),
        )


class ClawBack(YearEndStep, tag="claw_back"):
    """``share`` of what is left of a surplus is handed back to the municipality."""

    share: float = Field(default=1.0, ge=0, le=1)
    records: ClassVar = ("clawed_back",)
    examples: ClassVar = (Example("claw back all", lambda _: ClawBack()),)

    def closes(self) -> tuple[bool, bool]:
        return False, self.share == 1

    def settle(self, ledger: Ledger, t: int, cols: np.ndarray, params: dict[str, np.ndarray]) -> None:
        clawed = params["share"] * ledger.surplus[:, cols]
        ledger.surplus[:, cols] = ledger.surplus[:, cols] - clawed
        ledger.record("clawed_back", t, cols, clawed)

    def text(self, language: str) -> str:
        return tr(
            language,
            f"surpluses {pct(self.share, language)} clawed back",
            "överskottet dras in helt" if self.share == 1 else f"{pct(self.share, language)} av överskottet dras in",
        )


class KeepSurplus(YearEndStep, tag="keep_surplus"):
    """What is left of a surplus stays with the committee: it first repays any debt, the rest is
    saved as accumulated result (eget kapital), up to ``cap`` x the frame (None: no cap); what
    would take the savings above it is handed back."""

    cap: float | None = Field(default=None, ge=0, le=10, description="largest accumulated result, share of the frame")
    records: ClassVar = ("kept", "clawed_back")
    closes_surplus: ClassVar = True
    examples: ClassVar = (
        Example("keep", lambda _: KeepSurplus()),
        Example("keep up to a tenth of the frame", lambda _: KeepSurplus(cap=0.1)),
    )

    def settle(self, ledger: Ledger, t: int, cols: np.ndarray, params: dict[str, np.ndarray]) -> None:
        surplus = ledger.surplus[:, cols]
        debt = ledger.schedule[:, t + 1 :, cols].sum(axis=1)
        repaid = np.minimum(surplus, debt)
        share_left = np.divide(debt - repaid, debt, out=np.ones_like(debt), where=debt > 0)
        ledger.schedule[:, t + 1 :, cols] *= share_left[:, None, :]
        capped = np.array([c is not None for c in params["cap"]])
        cap = np.array([0.0 if c is None else c for c in params["cap"]], dtype=float)
        room = np.maximum(cap * np.maximum(ledger.frame[:, cols], 0.0) - ledger.accumulated[:, cols], 0.0)
        saved = np.where(capped, np.minimum(surplus - repaid, room), surplus - repaid)
        ledger.accumulated[:, cols] = ledger.accumulated[:, cols] + saved
        ledger.surplus[:, cols] = 0.0
        ledger.record("kept", t, cols, repaid + saved)
        ledger.record("clawed_back", t, cols, ledger.records["clawed_back"][:, t, cols] + surplus - repaid - saved)

    def text(self, language: str) -> str:
        if self.cap is None:
            return tr(language, "the rest of a surplus is kept", "resten av ett överskott behålls")
        return tr(
            language,
            f"the rest of a surplus is kept, up to an accumulated result of {pct(self.cap, language)} of the frame",
            f"resten av ett överskott behålls, upp till ett ackumulerat resultat om {pct(self.cap, language)} av ramen",
        )


class DrawAccumulated(YearEndStep, tag="draw_accumulated"):
    """Each year ``share`` of the accumulated result may be spent on temporary, non-recurring
    initiatives: a one-off addition (component ``accumulated_draw``) that never raises the frame
    level, spent as any frame is. With ``on_request`` a committee draws only when it asks, after a
    year in deficit, and no more than what of that deficit its savings did not already pay (none in
    the first budget year)."""

    share: float = Field(default=0.2, ge=0, le=1)
    on_request: bool = False
    components: ClassVar = {"accumulated_draw": ACCUMULATED_DRAW}
    examples: ClassVar = (
        Example("draw a fifth", lambda _: DrawAccumulated(share=0.2)),
        Example("draw a fifth on request", lambda _: DrawAccumulated(share=0.2, on_request=True)),
    )

    def budget(self, ledger: Ledger, t: int, cols: np.ndarray, params: dict[str, np.ndarray]) -> None:
        drawn = params["share"] * np.maximum(ledger.accumulated[:, cols], 0.0)
        if params["on_request"].any():
            asked = np.zeros_like(drawn)
            if t:  # last year's deficit, less what the savings already paid of it
                covered = ledger.records.get("covered_by_savings")
                paid = covered[:, t - 1, cols] if covered is not None else 0.0
                asked = np.maximum(-ledger.records["operating_result"][:, t - 1, cols] - paid, 0.0)
            drawn = np.where(params["on_request"], np.minimum(drawn, asked), drawn)
        ledger.drawn[:, cols] = drawn

    def text(self, language: str) -> str:
        if self.on_request:
            return tr(
                language,
                f"up to {pct(self.share, language)} of the accumulated result a year may be drawn on request, "
                "to cover the last year's deficit",
                f"upp till {pct(self.share, language)} av det ackumulerade resultatet per år får tas i anspråk efter "
                "begäran, för att täcka förra årets underskott",
            )
        return tr(
            language,
            f"{pct(self.share, language)} of the accumulated result may fund one-offs each year",
            f"{pct(self.share, language)} av det ackumulerade resultatet får användas till engångsinsatser varje år",
        )


class Ratchet(YearEndStep, tag="ratchet"):
    """``share`` of a surplus is cut from the next frame for good (component ``ratchet``)."""

    share: float = Field(default=0.5, ge=0, le=1)
    components: ClassVar = {"ratchet": RATCHET}
    examples: ClassVar = (Example("ratchet half", lambda _: Ratchet(share=0.5)),)

    def settle(self, ledger: Ledger, t: int, cols: np.ndarray, params: dict[str, np.ndarray]) -> None:
        ledger.pending_ratchet[:, cols] = params["share"] * np.maximum(ledger.result[:, cols], 0.0)

    def text(self, language: str) -> str:
        return tr(
            language,
            f"ratchet: {pct(self.share, language)} of a surplus cut from the next frame",
            f"{pct(self.share, language)} av ett överskott dras från nästa ram",
        )


class ActionPlan(YearEndStep, tag="action_plan"):
    """A deficit beyond ``threshold`` of the frame triggers an action plan that cuts the committee's
    cost level by ``cut`` from ``lag`` years later (at least 1: that year's money is spent); no new
    plan starts before the last one bites. The part of the budget mandated by law
    (``Committee.mandated_share``, e.g. 90 % of IFO's) is not cut: the cost falls by
    ``cut x (1 - mandated share)``."""

    threshold: float = Field(default=0.01, ge=0, description="deficit share of frame that triggers a plan")
    cut: float = Field(default=0.01, ge=0, lt=1)
    lag: int = Field(default=1, ge=1, le=MAX_ACTION_LAG, description="years until the plan bites")
    records: ClassVar = ("action_plan",)
    examples: ClassVar = (Example("plan at 1 %", lambda _: ActionPlan(threshold=0.01, cut=0.02, lag=2)),)

    def settle(self, ledger: Ledger, t: int, cols: np.ndarray, params: dict[str, np.ndarray]) -> None:
        lag = params["lag"].astype(int)
        triggered = (ledger.result[:, cols] < -params["threshold"] * ledger.frame[:, cols]) & (
            t >= ledger.plan_from[:, cols]
        )
        ledger.plan_from[:, cols] = np.where(triggered, t + lag, ledger.plan_from[:, cols])
        later = np.arange(ledger.cost_level.shape[1])[None, :, None] >= (t + lag)[None, None, :]
        cut = params["cut"] * (1 - ledger.mandated[cols])
        ledger.cost_level[:, :, cols] *= np.where(triggered[:, None, :] & later, 1 - cut, 1.0)
        ledger.record("action_plan", t, cols, triggered.astype(float))

    def text(self, language: str) -> str:
        return tr(
            language,
            f"a deficit beyond {pct(self.threshold, language)} of the frame triggers an action plan cutting cost by {pct(self.cut, language)} after {self.lag} year(s)",
            f"ett underskott över {pct(self.threshold, language)} av ramen kräver en åtgärdsplan som sänker kostnaden med {pct(self.cut, language)} efter {self.lag} år",
        )


#: A field holding a year-end step: a step, a run-file entry ``{rule: ...}`` or a bare tag.
YearEndStepRef = Annotated[YearEndStep, *rule_field("year_end")]


def complete(steps: Sequence[YearEndStep]) -> tuple[YearEndStep, ...]:
    """The steps with the closing steps added where nothing settles the rest: carry and recover
    over one year for a deficit, keep for a surplus.

    >>> [s.tag for s in complete([WriteOff(share=0.5)])]
    ['write_off', 'carry_and_recover', 'keep_surplus']
    """
    out = list(steps)
    if not any(s.closes()[0] for s in out):
        out.append(CarryAndRecover())
    if not any(s.closes()[1] for s in out):
        out.append(KeepSurplus())
    return tuple(out)


class YearEndRule(Model):
    """What happens to a committee's result (frame - cost) at year end, in the flat form; it stands
    for the steps of :meth:`steps` in the canonical order.

    * A deficit is written off (``deficit_write_off`` share), paid from savings, or carried forward
      and recovered from the following frames in equal parts over ``recovery_years``.
    * A surplus is clawed back (``surplus_claw_back`` share) or kept as accumulated result (eget
      kapital), repaying any debt first. Each year ``accumulated_draw`` of the accumulated result
      may be spent on temporary, non-recurring initiatives.
    * ``ratchet``: this share of a surplus is cut from the next frame for good.
    * An action plan: a deficit beyond ``action_plan_threshold`` of the frame cuts the committee's
      cost level by ``action_plan_cut`` from ``action_plan_lag`` years later.
    * A year whose frame was cut to recover an earlier deficit and whose cost did not fall books a
      deficit again, so the debt stays until activity adapts (``debt`` in the ``year_end`` table).

    >>> YearEndRule(deficit_write_off=1.0, surplus_claw_back=1.0).recovery_years
    1
    >>> [s.tag for s in YearEndRule(ratchet=0.5).steps()][-2:]
    ['draw_accumulated', 'ratchet']
    """

    deficit_write_off: float = Field(default=0.0, ge=0, le=1)
    recovery_years: int = Field(default=1, ge=1, le=MAX_RECOVERY_YEARS)
    surplus_claw_back: float = Field(default=0.0, ge=0, le=1)
    accumulated_draw: float = Field(default=0.0, ge=0, le=1)
    ratchet: float = Field(default=0.0, ge=0, le=1)
    action_plan_threshold: float | None = Field(
        default=None, ge=0, description="deficit share of frame that triggers a plan"
    )
    action_plan_cut: float = Field(default=0.0, ge=0, lt=1)
    action_plan_lag: int = Field(
        default=1, ge=1, le=MAX_ACTION_LAG, description="years until the plan bites (that year's cost is spent)"
    )
    recovery_cap: float = Field(
        default=0.5, gt=0, lt=1, description="largest share of a frame one year's recovery takes"
    )

    def steps(self) -> tuple[YearEndStep, ...]:
        """The same rule as ordered steps."""
        steps: list[YearEndStep] = [
            WriteOff(share=self.deficit_write_off),
            CoverFromSavings(),
            CarryAndRecover(years=self.recovery_years, cap=self.recovery_cap),
            ClawBack(share=self.surplus_claw_back),
            KeepSurplus(),
            DrawAccumulated(share=self.accumulated_draw),
            Ratchet(share=self.ratchet),
        ]
        if self.action_plan_threshold is not None:
            steps.append(
                ActionPlan(threshold=self.action_plan_threshold, cut=self.action_plan_cut, lag=self.action_plan_lag)
            )
        return tuple(steps)

    def text(self, language: str) -> str:
        """The rule in plain words, leaving out steps that do nothing."""
        parts = [WriteOff(share=self.deficit_write_off).text(language)]
        if self.deficit_write_off < 1:
            parts.append(CarryAndRecover(years=self.recovery_years).text(language))
        parts.append(ClawBack(share=self.surplus_claw_back).text(language))
        if self.accumulated_draw:
            parts.append(DrawAccumulated(share=self.accumulated_draw).text(language))
        if self.ratchet:
            parts.append(Ratchet(share=self.ratchet).text(language))
        if self.action_plan_threshold is not None:
            parts.append(
                ActionPlan(
                    threshold=self.action_plan_threshold, cut=self.action_plan_cut, lag=self.action_plan_lag
                ).text(language)
            )
        return "; ".join(parts)


#: Committees without a rule: deficits written off and surpluses kept, so results change no frame.
NEUTRAL = YearEndRule(deficit_write_off=1.0)
