"""Running a strategy: one deterministic run (:func:`simulate`) or many draws of the scenario's
uncertainty (:func:`monte_carlo`). Each returns one type."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from budgetsim.core.arrays import ScenarioArrays, compile_scenario
from budgetsim.core.context import StrategyLike, check_strategy, strategy_name
from budgetsim.engine.montecarlo import DEFAULT_QUANTILES, run_monte_carlo
from budgetsim.engine.run import NegativeFrames, progress_bar, run_years
from budgetsim.process.rules import BudgetProcess
from budgetsim.result.montecarlo import MonteCarloResult
from budgetsim.result.result import Result
from budgetsim.scenario import Scenario


def simulate(
    scenario: Scenario | ScenarioArrays,
    strategy: StrategyLike,
    name: str | None = None,
    process: BudgetProcess | None = None,
    *,
    negative_frames: NegativeFrames = "raise",
) -> Result:
    """Run ``strategy`` over every budget year of ``scenario``, optionally inside a budget
    ``process``. ``scenario`` may also be compiled arrays holding several draws
    (:meth:`~budgetsim.core.ScenarioArrays.with_draws`); for draws of the scenario's uncertainty
    use :func:`monte_carlo`. A strategy that gives a committee a negative frame stops the run with
    an error naming it; ``negative_frames="warn"`` keeps such frames with a warning.

    >>> import budgetsim as bs
    >>> r = bs.simulate(bs.default_scenario(), bs.strategies.boras_current())
    >>> sorted(r.components.component.unique())[:3]
    ['base', 'efficiency', 'prices']
    """
    arrays = scenario if isinstance(scenario, ScenarioArrays) else compile_scenario(scenario)
    label = name or strategy_name(strategy)
    raw, records = run_years(arrays, strategy, label, process, negative_frames)
    return Result(arrays, label, raw, records, rule=strategy)


_COMPILED: OrderedDict[int, tuple[Scenario, ScenarioArrays]] = OrderedDict()
_COMPILED_LOCK = threading.Lock()
_COMPILED_KEEP = 8


def _compiled(scenario: Scenario) -> ScenarioArrays:
    """The scenario compiled once per scenario object (scenarios are immutable) among the last few
    run: the points of a sweep that share a variation and differ by strategy compile it once."""
    with _COMPILED_LOCK:
        entry = _COMPILED.get(id(scenario))
        if entry is not None and entry[0] is scenario:
            _COMPILED.move_to_end(id(scenario))
            return entry[1]
    arrays = compile_scenario(scenario)
    with _COMPILED_LOCK:
        _COMPILED[id(scenario)] = (scenario, arrays)
        while len(_COMPILED) > _COMPILED_KEEP:
            _COMPILED.popitem(last=False)
    return arrays


def monte_carlo(
    scenario: Scenario,
    strategy: StrategyLike,
    name: str | None = None,
    process: BudgetProcess | None = None,
    *,
    draws: int,
    seed: int = 0,
    chunk_size: int = 2048,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    keep_draws: bool = False,
    progress: bool = False,
    negative_frames: NegativeFrames = "raise",
) -> MonteCarloResult:
    """Run ``draws`` draws of the scenario's uncertainty in chunks of ``chunk_size``, with streaming
    summaries; the same ``seed`` gives the same numbers whatever the chunk size. Runs of the
    built-in incremental and volume-uplift rules without a process take a fused loop with the
    same numbers; drawn numbers of recent runs are reused (see :mod:`budgetsim.engine.sampling`).
    ``keep_draws=True`` also keeps the per-draw result (memory grows with the draws);
    ``progress=True`` shows a progress bar (needs ``budgetsim[scale]``); ``negative_frames`` as in
    :func:`simulate`.

    >>> import budgetsim as bs
    >>> mc = bs.monte_carlo(bs.default_scenario(), bs.strategies.incremental(), draws=50, seed=1)
    >>> list(mc.risk.columns)
    ['year', 'committee', 'prob_deficit', 'expected_deficit', 'expected_coverage']
    """
    if scenario.uncertainty is None:
        raise ValueError("draws: the scenario has no uncertainty to draw from; set Scenario.uncertainty")
    arrays = _compiled(scenario)
    label = name or strategy_name(strategy)
    check_strategy(strategy, arrays)
    with progress_bar(draws, label, progress) as advance:
        stream, kept = run_monte_carlo(
            arrays,
            scenario.uncertainty,
            strategy,
            draws=draws,
            seed=seed,
            label=label,
            process=process,
            chunk_size=chunk_size,
            quantiles=quantiles,
            keep_draws=keep_draws,
            progress=advance,
            negative_frames=negative_frames,
        )
    result = Result(arrays, label, kept, rule=strategy) if kept is not None else None
    return MonteCarloResult(label, draws, seed, stream, result)
