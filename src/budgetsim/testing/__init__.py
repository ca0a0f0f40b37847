"""The strategy axiom kit: check any strategy, built-in or your own, against allocation axioms
on random valid scenarios (hypothesis). Needs the test extra (``pip install '.[test]'`` in a clone).

>>> import budgetsim as bs
>>> from budgetsim.testing import verify
>>> report = verify(bs.strategies.needs_based(), ["sums_to_total", "symmetric"], max_examples=5)
>>> report.holds.tolist()
[True, True]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis.errors import Unsatisfiable

from budgetsim.core.context import StrategyLike
from budgetsim.core.numeric import UnaffordableError
from budgetsim.engine.run import progress_bar
from budgetsim.testing.axioms import AXIOMS, AxiomNotApplicable, AxiomViolation, scale_money
from budgetsim.testing.catalogue import CATALOGUE, Entry
from budgetsim.testing.scenarios import processes, scenarios

__all__ = [
    "AXIOMS",
    "CATALOGUE",
    "AxiomNotApplicable",
    "AxiomViolation",
    "Entry",
    "processes",
    "scale_money",
    "scenarios",
    "verify",
]


def verify(
    strategy: StrategyLike,
    axioms: Sequence[str] | None = None,
    max_examples: int = 25,
    total: StrategyLike | None = None,
    shrink: bool = True,
    progress: bool = False,
) -> pd.DataFrame:
    """Check ``strategy`` against ``axioms`` (default: all of :data:`AXIOMS`) on up to
    ``max_examples`` random scenarios each. Returns one row per axiom: axiom, holds (True; False;
    None when the axiom does not apply or no scenario tried was affordable), counterexample (the
    violation found, shrunk to a small case, the reason for None, or '').

    Scenarios where the strategy's own guarantees are unaffordable (an
    :class:`~budgetsim.transitions.UnaffordableError`) are skipped, not counted as violations.
    Runs are derandomised, so a report is reproducible; ``shrink=False`` reports the first
    violation found without simplifying it (faster); ``progress=True`` shows a bar over the axioms.
    """
    names = list(axioms or AXIOMS)
    unknown = sorted(set(names) - set(AXIOMS))
    if unknown:
        raise ValueError(f"unknown axiom(s) {unknown}; known: {', '.join(AXIOMS)}")
    rows = []
    with progress_bar(len(names), "axioms", progress, unit="axiom") as advance:
        for name in names:
            rows.append(_check_axiom(name, strategy, total, max_examples, shrink))
            if advance is not None:
                advance(1)
    return pd.DataFrame(rows, columns=["axiom", "holds", "counterexample"])


def _check_axiom(
    name: str, strategy: StrategyLike, total: StrategyLike | None, max_examples: int, shrink: bool
) -> dict[str, object]:
    """One row of :func:`verify`."""
    try:
        _hypothesis_run(AXIOMS[name], strategy, total, max_examples, shrink)()
    except AxiomViolation as err:
        return {"axiom": name, "holds": False, "counterexample": str(err)}
    except AxiomNotApplicable as err:
        return {"axiom": name, "holds": None, "counterexample": f"not applicable: {err}"}
    except Unsatisfiable:
        return {
            "axiom": name,
            "holds": None,
            "counterexample": "no affordable example: every scenario tried was unaffordable",
        }
    return {"axiom": name, "holds": True, "counterexample": ""}


def _hypothesis_run(
    check: Callable[..., None], strategy: StrategyLike, total: StrategyLike | None, max_examples: int, shrink: bool
) -> Callable[[], None]:
    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate, Phase.shrink] if shrink else [Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(scenario=scenarios())
    def run(scenario) -> None:
        try:
            check(strategy, scenario, total=total)
        except UnaffordableError:
            reject()

    return run
