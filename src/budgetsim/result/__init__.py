"""What a run gives back: :class:`Result` (tidy tables, the bridge that explains each frame) and
:class:`MonteCarloResult`, and the functions that produce them, :func:`simulate` and
:func:`monte_carlo`."""

from budgetsim.result.api import monte_carlo, simulate
from budgetsim.result.bridge import Bridge, bridge
from budgetsim.result.montecarlo import MonteCarloResult
from budgetsim.result.result import Result

__all__ = ["Bridge", "MonteCarloResult", "Result", "bridge", "monte_carlo", "simulate"]
