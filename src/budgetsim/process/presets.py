"""Process presets: the practice the study describes, and the alternative its staff ask for. They
are generic: which committee plays which part (written off, ratcheted, saving for one-offs) and
what each has saved come from the dataset (see :mod:`budgetsim.datasets`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from budgetsim.process.rules import BudgetProcess, Requests
from budgetsim.process.year_end import YearEndRule, YearEndStep


def study_practice(
    *,
    written_off: Sequence[str] = (),
    ratchet: Mapping[str, float] | None = None,
    saving: Mapping[str, float] | None = None,
    opening_accumulated: Mapping[str, float] | None = None,
    pool_share: float = 0.003,
    frame_period: int = 1,
) -> BudgetProcess:
    """The year-end practice of the study (Rosvall 2023, line numbers of the thesis text):

    * the deficits of the ``written_off`` committees are written off (IFO, l.460; SON after
      negotiation, l.492); other committees carry theirs forward and recover them the next year
      (an assumption);
    * committees that keep to budget hand their surplus back (l.468); the ``ratchet`` committees
      get that share of a surplus less next time (l.493-494; the share is an assumption);
    * the ``saving`` committees keep their surplus as an accumulated result and may spend that share
      of it each year on temporary initiatives only (l.482; the share is an assumption);
    * an action plan is required when a deficit is forecast (l.464-466): a deficit beyond 1 % of the
      frame cuts the cost level 1 % from the next year (an assumption);
    * committees without volume compensation request money (l.418), and the guardian grants from
      a pool of ``pool_share`` of frames pro rata to requests (an assumption).

    >>> study_practice(written_off=("IFO",)).year_end["IFO"].deficit_write_off
    1.0
    """
    plan: dict[str, Any] = {"action_plan_threshold": 0.01, "action_plan_cut": 0.01, "action_plan_lag": 1}
    ratchet, saving = dict(ratchet or {}), dict(saving or {})
    year_end: dict[str, YearEndRule | tuple[YearEndStep, ...]] = {"*": YearEndRule(surplus_claw_back=1.0, **plan)}
    for committee in dict.fromkeys([*written_off, *ratchet, *saving]):
        keeps = committee in saving
        year_end[committee] = YearEndRule(
            deficit_write_off=1.0 if committee in written_off else 0.0,
            surplus_claw_back=0.0 if keeps else 1.0,
            accumulated_draw=saving.get(committee, 0.0),
            ratchet=ratchet.get(committee, 0.0),
            **plan,
        )
    return BudgetProcess(
        year_end=year_end,
        requests=Requests(pool_share=pool_share),
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
