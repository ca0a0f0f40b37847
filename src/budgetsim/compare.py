"""Run several strategies on the same scenario and put the results side by side."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

import pandas as pd

from budgetsim.core.arrays import ScenarioArrays, compile_scenario
from budgetsim.core.context import StrategyLike, strategy_name
from budgetsim.engine.run import NegativeFrames
from budgetsim.metrics import committee_metrics, scorecard, strategy_metrics, yearly_metrics
from budgetsim.process import BudgetProcess
from budgetsim.result import MonteCarloResult, Result, monte_carlo, simulate
from budgetsim.scenario import Scenario

Strategies = Mapping[str, StrategyLike | tuple[StrategyLike, BudgetProcess | None]] | Sequence[StrategyLike]


class Comparison:
    """Results of several strategies on one scenario. Every table is the matching
    :class:`~budgetsim.result.Result` table with a ``strategy`` column in front."""

    def __init__(self, results: Mapping[str, Result]) -> None:
        self.results = dict(results)

    def __repr__(self) -> str:
        return f"<Comparison of {', '.join(map(repr, self.results))}>"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + self.metrics.set_index("strategy").T.round(3).to_html()

    def _stack(self, table: Callable[[Result], pd.DataFrame]) -> pd.DataFrame:
        frames = [table(r).assign(strategy=name) for name, r in self.results.items()]
        out = pd.concat(frames, ignore_index=True)
        return out[["strategy", *[c for c in out.columns if c != "strategy"]]]

    @cached_property
    def frames(self) -> pd.DataFrame:
        return self._stack(lambda r: r.frames)

    @cached_property
    def components(self) -> pd.DataFrame:
        return self._stack(lambda r: r.components)

    @cached_property
    def outcomes(self) -> pd.DataFrame:
        return self._stack(lambda r: r.outcomes)

    @cached_property
    def diagnostics(self) -> pd.DataFrame:
        return self._stack(lambda r: r.diagnostics)

    @cached_property
    def metrics(self) -> pd.DataFrame:
        """One row per strategy (columns: see :mod:`budgetsim.metrics.summary`)."""
        rows = [{"strategy": name, **strategy_metrics(r)} for name, r in self.results.items()]
        return pd.DataFrame(rows)

    @cached_property
    def committee_metrics(self) -> pd.DataFrame:
        """One row per strategy and committee."""
        return self._stack(committee_metrics)

    @cached_property
    def scorecard(self) -> pd.DataFrame:
        """The principles scorecard: one row per metric, one column per strategy (see
        :mod:`budgetsim.metrics.scorecard`)."""
        return scorecard(self.results)

    @cached_property
    def yearly_metrics(self) -> pd.DataFrame:
        """One row per strategy and year."""
        return self._stack(yearly_metrics)


class MonteCarloComparison:
    """Several strategies over the same draws (same seed): ``summary`` and ``risk`` stacked with a
    ``strategy`` column, and ``metrics`` with one row per strategy:

    * ``mean_prob_deficit``: probability of a deficit, mean over committee-years
    * ``max_prob_deficit``: the highest probability of any committee-year
    * ``expected_deficits``: expected total of deficits over all years, SEK
    * ``mean_expected_coverage``: expected coverage, mean over committee-years
    """

    def __init__(self, results: Mapping[str, MonteCarloResult]) -> None:
        self.results = dict(results)

    def __repr__(self) -> str:
        return f"<MonteCarloComparison of {', '.join(map(repr, self.results))}>"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + self.metrics.set_index("strategy").T.round(3).to_html()

    def _stack(self, table: Callable[[MonteCarloResult], pd.DataFrame]) -> pd.DataFrame:
        out = pd.concat([table(r).assign(strategy=name) for name, r in self.results.items()], ignore_index=True)
        return out[["strategy", *[c for c in out.columns if c != "strategy"]]]

    @cached_property
    def summary(self) -> pd.DataFrame:
        return self._stack(lambda r: r.summary)

    @cached_property
    def risk(self) -> pd.DataFrame:
        return self._stack(lambda r: r.risk)

    @cached_property
    def metrics(self) -> pd.DataFrame:
        rows = []
        for name, r in self.results.items():
            risk = r.risk
            rows.append(
                {
                    "strategy": name,
                    "draws": r.draws,
                    "mean_prob_deficit": risk.prob_deficit.mean(),
                    "max_prob_deficit": risk.prob_deficit.max(),
                    "expected_deficits": risk.expected_deficit.sum(),
                    "mean_expected_coverage": risk.expected_coverage.mean(),
                }
            )
        return pd.DataFrame(rows)


def _named(
    strategies: Strategies, process: BudgetProcess | None
) -> dict[str, tuple[StrategyLike, BudgetProcess | None]]:
    """{name: (strategy, process)}: a dict's values may be pairs (strategy, its own process)."""
    if isinstance(strategies, Mapping):
        named = dict(strategies)
    else:
        named = {strategy_name(s): s for s in strategies}
        if len(named) != len(strategies):
            raise ValueError("two strategies have the same name; pass a dict {name: strategy}")
    if not named:
        raise ValueError("compare needs at least one strategy")
    return {name: value if isinstance(value, tuple) else (value, process) for name, value in named.items()}


def compare(
    scenario: Scenario | ScenarioArrays,
    strategies: Strategies,
    process: BudgetProcess | None = None,
    *,
    negative_frames: NegativeFrames = "raise",
) -> Comparison:
    """Simulate each strategy on the same scenario, inside ``process`` if given. A value of the
    ``strategies`` dict may also be a pair ``(strategy, process)``, to compare budget processes.
    ``negative_frames`` as in :func:`~budgetsim.simulate`.

    >>> import budgetsim as bs
    >>> cmp = bs.compare(bs.default_scenario(), {"current": bs.strategies.boras_current(),
    ...                                          "needs based": bs.strategies.needs_based()})
    >>> cmp.metrics.strategy.tolist()
    ['current', 'needs based']
    """
    named = _named(strategies, process)
    arrays = scenario if isinstance(scenario, ScenarioArrays) else compile_scenario(scenario)
    return Comparison(
        {
            name: simulate(arrays, s, name=name, process=p, negative_frames=negative_frames)
            for name, (s, p) in named.items()
        }
    )


def compare_monte_carlo(
    scenario: Scenario,
    strategies: Strategies,
    process: BudgetProcess | None = None,
    *,
    draws: int,
    seed: int = 0,
    **options: Any,
) -> MonteCarloComparison:
    """Every strategy over the same ``draws`` draws of the scenario's uncertainty (same ``seed``);
    further keywords (``chunk_size``, ``quantiles``, ``progress``, ``negative_frames``) go to
    :func:`~budgetsim.monte_carlo`.

    >>> import budgetsim as bs
    >>> mc = bs.compare_monte_carlo(bs.default_scenario(), [bs.strategies.incremental()], draws=50)
    >>> mc.metrics.strategy.tolist()
    ['incremental']
    """
    named = _named(strategies, process)
    return MonteCarloComparison(
        {
            name: monte_carlo(scenario, s, name=name, process=p, draws=draws, seed=seed, **options)
            for name, (s, p) in named.items()
        }
    )
