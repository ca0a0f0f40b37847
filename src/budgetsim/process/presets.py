"""Process presets: Borås's observed practice, and the alternatives the study's staff ask for."""

from __future__ import annotations

from budgetsim.process.rules import BudgetProcess, Requests, YearEndRule

MSEK = 1e6


def boras_practice(frame_period: int = 1) -> BudgetProcess:
    """Borås as the study describes it (line numbers of the thesis text):

    * IFN's deficits are always written off (l.460); SON's are usually restored after negotiation
      (l.492) - both modelled as written off;
    * committees that keep to budget hand their surplus back (l.468); SON that runs a surplus gets
      less next time (l.493-494: ratchet, half the surplus - the share is an assumption);
    * GSN keeps its surplus as an accumulated result that may fund temporary initiatives only
      (l.482); a fifth of it drawn each year is an assumption;
    * VÄN has built an accumulated surplus of 170 MSEK (l.474);
    * an action plan is required when a deficit is forecast (l.464-466): here a deficit beyond 1 %
      of the frame cuts the cost level 1 % from the next year (assumption);
    * other committees' deficits are carried forward and recovered the next year (assumption);
    * committees without volume compensation request money (IFN requested 15 MSEK, l.418), and
      the guardian grants from a pool of 0.3 % of frames pro rata to requests (assumption).

    >>> boras_practice().year_end["IFN"].deficit_write_off
    1.0
    """
    plan = {"action_plan_threshold": 0.01, "action_plan_cut": 0.01, "action_plan_lag": 1}
    return BudgetProcess(
        year_end={
            "*": YearEndRule(surplus_claw_back=1.0, **plan),
            "IFN": YearEndRule(deficit_write_off=1.0, surplus_claw_back=1.0, **plan),
            "SON": YearEndRule(deficit_write_off=1.0, surplus_claw_back=1.0, ratchet=0.5, **plan),
            "GSN": YearEndRule(surplus_claw_back=0.0, accumulated_draw=0.2, **plan),
        },
        requests=Requests(pool_share=0.003, rule="pro_rata"),
        opening_accumulated={"VÄN": 170 * MSEK},
        frame_period=frame_period,
        planning_horizon=max(3, frame_period),
    )


def kept_surpluses(frame_period: int = 1) -> BudgetProcess:
    """No write-offs, surpluses kept: every deficit is recovered from the next frame, every surplus
    stays with the committee, a fifth of what it has saved may be spent each year on temporary
    initiatives; no ratchet, no requests."""
    return BudgetProcess(
        year_end={"*": YearEndRule(deficit_write_off=0.0, surplus_claw_back=0.0, accumulated_draw=0.2)},
        opening_accumulated={"VÄN": 170 * MSEK},
        frame_period=frame_period,
        planning_horizon=max(3, frame_period),
    )
