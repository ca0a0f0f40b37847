"""One call for the formats municipal staff use: the Excel pack and the HTML report of a comparison."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from budgetsim.compare import compare, compare_monte_carlo
from budgetsim.core.text import term
from budgetsim.process.rules import BudgetProcess
from budgetsim.reporting.describe import describe
from budgetsim.reporting.excel import write_excel
from budgetsim.reporting.html import write_html
from budgetsim.scenario import Scenario
from budgetsim.writing import make_folder


def report(
    scenario: Scenario,
    strategies: Mapping[str, Callable[..., Any]],
    out: str | Path,
    process: BudgetProcess | None = None,
    draws: int | None = None,
    seed: int = 0,
    language: str = "en",
    title: str | None = None,
    progress: bool = False,
) -> dict[str, Path]:
    """Compare ``strategies`` and write ``comparison.xlsx`` and ``report.html`` into ``out``; with
    ``draws`` the report adds the Monte Carlo risks (``progress=True``: with a progress bar).
    Returns {"excel": path, "html": path}."""
    out = Path(out)
    strategies = {term(name, language): strategy for name, strategy in strategies.items()}
    cmp = compare(scenario, strategies, process=process)
    descriptions = {name: describe(scenario, strategy, process, language) for name, strategy in strategies.items()}
    monte_carlo = (
        compare_monte_carlo(scenario, strategies, process=process, draws=draws, seed=seed, progress=progress)
        if draws
        else None
    )
    heading = title or f"{scenario.name}: {'; '.join(strategies)} ({scenario.years[0]}–{scenario.years[-1]})"
    make_folder(out)
    return {
        "excel": write_excel(cmp, out / "comparison.xlsx", descriptions, language),
        "html": write_html(
            cmp,
            out / "report.html",
            heading,
            scenario=scenario,
            strategies=dict(strategies),
            process=process,
            monte_carlo=monte_carlo,
            language=language,
        ),
    }
