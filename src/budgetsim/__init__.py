"""budgetsim: simulate how a municipality splits its budget between committees, and compare
allocation principles.

>>> import budgetsim as bs
>>> result = bs.simulate(bs.default_scenario(), bs.strategies.boras_current())
>>> list(result.frames.columns)
['year', 'committee', 'frame']
"""

from importlib.metadata import version

from budgetsim import core, datasets, engine, formats, io, metrics, process, reporting, strategies, transitions
from budgetsim.compare import Comparison, MonteCarloComparison, compare, compare_monte_carlo
from budgetsim.core import Allocation, BudgetContext, StrategyLike, money
from budgetsim.datasets.boras import boras
from budgetsim.datasets.boras_backtest import backtest
from budgetsim.datasets.registry import DEFAULT, dataset
from budgetsim.engine import NegativeFrameError, NegativeFrameWarning
from budgetsim.io import MunicipalityError, load_municipality, save_municipality
from budgetsim.reporting.describe import describe
from budgetsim.result import MonteCarloResult, Result, monte_carlo, simulate
from budgetsim.scenario import (
    Addition,
    AgeBand,
    Committee,
    CostMix,
    CostStep,
    CostUncertainty,
    Economy,
    EconomyUncertainty,
    Investment,
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

__version__ = version("budgetsim")


def default_scenario() -> Scenario:
    """The default dataset's scenario (the built-in Borås Stad: base year 2023, budget years 2024-2030)."""
    return dataset(DEFAULT).scenario()


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
    "Investment",
    "MonteCarloComparison",
    "MonteCarloResult",
    "MunicipalityError",
    "NeedProfile",
    "NeedWeight",
    "NegativeFrameError",
    "NegativeFrameWarning",
    "Population",
    "PopulationForecast",
    "PopulationUncertainty",
    "Result",
    "Scenario",
    "SourceNote",
    "StrategyLike",
    "Uncertainty",
    "VolumeDriver",
    "backtest",
    "boras",
    "compare",
    "compare_monte_carlo",
    "core",
    "datasets",
    "default_scenario",
    "describe",
    "engine",
    "formats",
    "io",
    "load_municipality",
    "metrics",
    "money",
    "monte_carlo",
    "process",
    "reporting",
    "save_municipality",
    "simulate",
    "strategies",
    "transitions",
]
