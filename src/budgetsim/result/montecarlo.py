"""The result of a Monte Carlo run: streaming summaries over all draws, and optionally every draw."""

from __future__ import annotations

import pandas as pd

from budgetsim.engine.montecarlo import StreamingSummary
from budgetsim.result.result import Result


class MonteCarloResult:
    """A strategy over many draws: ``summary`` (year, committee, quantity, mean, sd, quantiles) and
    ``risk`` (year, committee, prob_deficit, expected_deficit, expected_coverage) tables (see
    :class:`~budgetsim.engine.montecarlo.StreamingSummary`), and with ``keep_draws=True`` the full
    per-draw ``result``."""

    def __init__(self, strategy: str, draws: int, seed: int, stream: StreamingSummary, result: Result | None) -> None:
        self.strategy, self.draws, self.seed = strategy, draws, seed
        self.summary: pd.DataFrame = stream.summary()
        self.risk: pd.DataFrame = stream.risk()
        self.result = result

    def __repr__(self) -> str:
        return f"<MonteCarloResult {self.strategy!r}: {self.draws:,} draws, seed {self.seed}>"
