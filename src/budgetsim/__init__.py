"""budgetsim: simulate how a municipality splits its budget between committees, and compare
allocation principles.

>>> import budgetsim as bs
>>> result = bs.simulate(bs.default_scenario(), bs.strategies.boras_current())
>>> list(result.frames.columns)
['year', 'committee', 'frame']
"""

from budgetsim import datasets, engine, metrics, process, strategies, transitions
from budgetsim.compare import Comparison, MonteCarloComparison, compare
from budgetsim.datasets import boras
from budgetsim.engine import Allocation, BudgetContext, simulate
from budgetsim.engine.montecarlo import MonteCarloResult
from budgetsim.reporting.describe import describe
from budgetsim.result import Result
from budgetsim.scenario import (
    Addition,
    AgeBand,
    Committee,
    CostMix,
    CostStep,
    CostUncertainty,
    Economy,
    EconomyUncertainty,
    NeedProfile,
    NeedWeight,
    Population,
    PopulationForecast,
    PopulationUncertainty,
    Scenario,
    SourceNote,
    Uncertainty,
    VolumeDriver,
)

__version__ = "0.1.0"


def default_scenario() -> Scenario:
    """The built-in Borås Stad scenario: base year 2023, budget years 2024-2030."""
    return boras()


__all__ = [
    "Addition",
    "AgeBand",
    "Allocation",
    "BudgetContext",
    "Committee",
    "Comparison",
    "CostMix",
    "CostStep",
    "CostUncertainty",
    "Economy",
    "EconomyUncertainty",
    "MonteCarloComparison",
    "MonteCarloResult",
    "NeedProfile",
    "NeedWeight",
    "Population",
    "PopulationForecast",
    "PopulationUncertainty",
    "Result",
    "Scenario",
    "SourceNote",
    "Uncertainty",
    "VolumeDriver",
    "boras",
    "compare",
    "datasets",
    "default_scenario",
    "describe",
    "engine",
    "metrics",
    "process",
    "simulate",
    "strategies",
    "transitions",
]
