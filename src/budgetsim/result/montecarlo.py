"""The result of a Monte Carlo run: streaming summaries over all draws, and optionally every draw."""

from __future__ import annotations

import html

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

    def _repr_html_(self) -> str:
        last = self.risk.year.max()
        table = self.risk[self.risk.year == last].set_index("committee").drop(columns="year")
        table["expected_deficit"] = (table["expected_deficit"] / 1e6).round(1)
        table = table.rename(columns={"expected_deficit": "expected deficit, MSEK"})
        return f"<p>{html.escape(repr(self))}, risks in {last}</p>" + table.round(3).to_html()
