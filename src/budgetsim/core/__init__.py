"""The bottom layer every rule builds on: the scenario compiled to arrays, the budget context a
strategy sees and the allocation it returns, the need arithmetic and the cost side, the numeric
helpers (apportioning, bisection, damping, water-filling), reproducible random numbers, component
names and labels, the sv/en text helpers, and the registry through which rules declare
themselves. It imports only the scenario models."""

from budgetsim.core import money
from budgetsim.core.arrays import ScenarioArrays, band_mask, compile_scenario
from budgetsim.core.components import Component
from budgetsim.core.context import Allocation, AllocationLike, BudgetContext, StrategyLike
from budgetsim.core.costs import NeedAndCost, need_and_cost
from budgetsim.core.money import apportion
from budgetsim.core.numeric import UnaffordableError
from budgetsim.core.registry import Example, Rule, StrategyRef, registered
from budgetsim.core.strategy import Combined, Strategy, combine, describe_rule

__all__ = [
    "Allocation",
    "AllocationLike",
    "BudgetContext",
    "Combined",
    "Component",
    "Example",
    "NeedAndCost",
    "Rule",
    "ScenarioArrays",
    "Strategy",
    "StrategyLike",
    "StrategyRef",
    "UnaffordableError",
    "apportion",
    "band_mask",
    "combine",
    "compile_scenario",
    "describe_rule",
    "money",
    "need_and_cost",
    "registered",
]
