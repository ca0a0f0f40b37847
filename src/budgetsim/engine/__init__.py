"""The engine: the year loop over budget years on arrays with a leading draws axis, the draws of
a scenario's uncertainty, and Monte Carlo in chunks with streaming summaries. It returns raw
arrays; :mod:`budgetsim.result` turns them into tidy tables."""

from budgetsim.core.arrays import ScenarioArrays, compile_scenario
from budgetsim.engine.montecarlo import StreamingSummary, run_monte_carlo
from budgetsim.engine.run import NegativeFrameError, NegativeFrameWarning, ProcessRecords, RunArrays, run_years
from budgetsim.engine.sampling import sample

__all__ = [
    "NegativeFrameError",
    "NegativeFrameWarning",
    "ProcessRecords",
    "RunArrays",
    "ScenarioArrays",
    "StreamingSummary",
    "compile_scenario",
    "run_monte_carlo",
    "run_years",
    "sample",
]
