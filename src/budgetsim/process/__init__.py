"""The budget process around an allocation strategy: year-end steps, requests and budget roles,
grant rules, municipal balance, multi-year frames and the budget calendar. Pass a
:class:`BudgetProcess` to ``simulate`` or ``compare``; its effects appear as named components of
every frame."""

from budgetsim.process.grants import ByAdvocacy, ByLastDeficit, ByNeed, GrantRule, ProRata
from budgetsim.process.presets import kept_surpluses, study_practice
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

__all__ = [
    "ActionPlan",
    "Balance",
    "BudgetProcess",
    "ByAdvocacy",
    "ByLastDeficit",
    "ByNeed",
    "CarryAndRecover",
    "ClawBack",
    "CoverFromSavings",
    "DrawAccumulated",
    "GrantRule",
    "KeepSurplus",
    "NegotiatedWriteOff",
    "November",
    "ProRata",
    "Ratchet",
    "Requests",
    "WriteOff",
    "YearEndRule",
    "YearEndStep",
    "kept_surpluses",
    "study_practice",
]
