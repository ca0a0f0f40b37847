"""The engine: scenario compiled to arrays, the year loop, the cost side."""

from budgetsim.engine.arrays import ScenarioArrays, compile_scenario
from budgetsim.engine.context import Allocation, BudgetContext
from budgetsim.engine.costs import need_and_cost
from budgetsim.engine.simulate import simulate

__all__ = ["Allocation", "BudgetContext", "ScenarioArrays", "compile_scenario", "need_and_cost", "simulate"]
