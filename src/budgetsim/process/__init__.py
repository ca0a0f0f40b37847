"""The budget process around an allocation strategy: year-end rules, requests and budget roles,
municipal balance, multi-year frames and the budget calendar. Pass a :class:`BudgetProcess` to
``simulate`` or ``compare``; its effects appear as named components of every frame."""

from budgetsim.process.presets import boras_practice, kept_surpluses
from budgetsim.process.rules import Balance, BudgetProcess, Requests, YearEndRule

__all__ = ["Balance", "BudgetProcess", "Requests", "YearEndRule", "boras_practice", "kept_surpluses"]
