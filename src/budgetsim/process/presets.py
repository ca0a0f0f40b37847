"""Process presets: the practice the study describes, and the alternative its staff ask for. They
are generic: which committee plays which part (written off, ratcheted, saving for one-offs) and
what each has saved come from the dataset (see :mod:`budgetsim.datasets`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from budgetsim.process.rules import Balance, BudgetProcess, November, Requests
from budgetsim.process.year_end import (
    ActionPlan,
    CarryAndRecover,
    ClawBack,
    CoverFromSavings,
    DrawAccumulated,
    KeepSurplus,
    NegotiatedWriteOff,
    Ratchet,
    WriteOff,
    YearEndRule,
    YearEndStep,
)


def study_practice(
    *,
    written_off: Sequence[str] = (),
    negotiated: float = 0.8,
    ratchet: Mapping[str, float] | None = None,
    saving: Mapping[str, float] | None = None,
    opening_accumulated: Mapping[str, float] | None = None,
    opening_reserve: float = 0.0,
    november: November | None = None,
    pool_share: float = 0.003,
    frame_period: int = 1,
    accumulated_cap: float | None = None,
    draw_on_request: bool = False,
    balance: Balance | None = None,
) -> BudgetProcess:
    """The year-end practice of the study (Rosvall 2023, line numbers of the thesis text):

    * deficits are in general written off (l.468 "avskrivs det i stort sett", l.648): the
      ``written_off`` committees' always (IFO, l.460), the others' after negotiation with
      probability ``negotiated`` (SON "oftast", l.492; the probability is an assumption); what is
      not written off is first paid from savings, then recovered from the next frame;
    * committees that keep to budget hand their surplus back (l.468); the ``ratchet`` committees
      get that share of a surplus less next time (l.493-494; the share is an assumption);
    * the ``saving`` committees keep their surplus as an accumulated result (at most
      ``accumulated_cap`` of their frame) and may spend that share of it each year on temporary
      initiatives only (l.482; the share is an assumption), with ``draw_on_request`` only when they
      ask after a deficit;
    * an action plan is required when a deficit is forecast (l.464-466): a deficit beyond 1 % of the
      frame cuts the non-mandated cost level 1 % from the next year (an assumption);
    * committees without volume compensation request money (l.418), and the guardian grants from
      a pool of ``pool_share`` of frames pro rata to requests (an assumption);
    * ``november``: part of the room above the result target handed out as additions (l.298);
    * ``balance``: the municipality's reserve (RUR) rules (default: :class:`Balance` with
      ``opening_reserve``).

    >>> [s.tag for s in study_practice(written_off=("IFO",)).year_end["IFO"]]
    ['write_off', 'claw_back', 'action_plan']
    """
    ratchet, saving = dict(ratchet or {}), dict(saving or {})
    plan = ActionPlan(threshold=0.01, cut=0.01, lag=1)

    def steps(committee: str) -> tuple[YearEndStep, ...]:
        deficit: list[YearEndStep] = (
            [WriteOff(share=1.0)]
            if committee in written_off
            else [CoverFromSavings(), NegotiatedWriteOff(probability=negotiated), CarryAndRecover()]
        )
        surplus: list[YearEndStep] = (
            [KeepSurplus(cap=accumulated_cap), DrawAccumulated(share=saving[committee], on_request=draw_on_request)]
            if committee in saving
            else [ClawBack(share=1.0)]
        )
        extra: list[YearEndStep] = [Ratchet(share=ratchet[committee])] if committee in ratchet else []
        return (*deficit, *surplus, *extra, plan)

    year_end: dict[str, YearEndRule | tuple[YearEndStep, ...]] = {"*": steps("*")}
    for committee in dict.fromkeys([*written_off, *ratchet, *saving]):
        year_end[committee] = steps(committee)
    return BudgetProcess(
        year_end=year_end,
        requests=Requests(pool_share=pool_share),
        november=november,
        balance=balance if balance is not None else Balance(opening_reserve=opening_reserve),
        opening_accumulated=dict(opening_accumulated or {}),
        frame_period=frame_period,
        planning_horizon=max(3, frame_period),
    )


def kept_surpluses(opening_accumulated: Mapping[str, float] | None = None, frame_period: int = 1) -> BudgetProcess:
    """No write-offs, surpluses kept: every deficit is recovered from the next frame, every surplus
    stays with the committee, a fifth of what it has saved may be spent each year on temporary
    initiatives; no ratchet, no requests.

    >>> kept_surpluses().year_end["*"].accumulated_draw
    0.2
    """
    return BudgetProcess(
        year_end={"*": YearEndRule(deficit_write_off=0.0, surplus_claw_back=0.0, accumulated_draw=0.2)},
        opening_accumulated=dict(opening_accumulated or {}),
        frame_period=frame_period,
        planning_horizon=max(3, frame_period),
    )
