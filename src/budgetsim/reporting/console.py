"""What ``budgetsim compare`` prints: the comparison as plain-text tables, in English or Swedish
(labels from the glossary, strategy names translated, numbers in the language's format).

>>> import budgetsim as bs
>>> s = bs.boras()
>>> text = format_comparison(bs.compare(s, {"current": bs.strategies.boras_current()}), "sv")
>>> text.splitlines()[0]
'Strategier (underskott och överskott summerade över alla år)'
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from budgetsim.compare import Comparison, MonteCarloComparison
from budgetsim.core.money import MSEK
from budgetsim.core.text import number, term, tr
from budgetsim.metrics import MONEY_METRICS
from budgetsim.scenario import Scenario


def heading(scenario: Scenario, draws: int | None, seed: int, language: str = "en") -> str:
    """The first line: the scenario, its budget years and committees (and the draws)."""
    first, last, n = scenario.years[0], scenario.years[-1], len(scenario.committees)
    if language == "sv":
        runs = f", {number(draws, 0, 'sv')} dragningar (frö {seed})" if draws else ""
        return f"{scenario.name}: budgetår {first}–{last}, {n} nämnder{runs}\n"
    runs = f", {draws:,} draws (seed {seed})" if draws else ""
    return f"{scenario.name}: budget years {first}-{last}, {n} committees{runs}\n"


def format_comparison(cmp: Comparison, language: str = "en") -> str:
    """The readable report ``compare`` prints: strategy metrics, last-year frames, mean need
    coverage per committee, the municipal result, and the windfall or hidden saving of volume
    uplift against outcomes. Money in MSEK."""
    last_year = int(cmp.frames.year.max())
    frames = (
        cmp.frames[cmp.frames.year == last_year].pivot(index="committee", columns="strategy", values="frame") / MSEK
    )
    coverage = cmp.committee_metrics.pivot(index="committee", columns="strategy", values="mean_coverage")
    order = list(cmp.results)
    committees = list(next(iter(cmp.results.values())).arrays.committees)
    parts = [
        tr(
            language,
            "Strategies (deficits and surpluses summed over all years)",
            "Strategier (underskott och överskott summerade över alla år)",
        ),
        _text(_metrics_table(cmp.metrics, MONEY_METRICS, language)),
        "",
        f"{tr(language, 'Frames', 'Ramar')} {last_year}, {term('MSEK', language)}",
        _text(_named(frames.loc[committees, order], language), _amount(language)),
        "",
        tr(
            language,
            "Mean need coverage (frame / need) over the budget years",
            "Genomsnittlig behovstäckning (ram / behov) över budgetåren",
        ),
        _text(_named(coverage.loc[committees, order], language), _share(language)),
        *_results(cmp, language),
        *_windfalls(cmp, language),
    ]
    return "\n".join(parts)


def format_monte_carlo(cmp: MonteCarloComparison, language: str = "en") -> str:
    """The readable report of a Monte Carlo comparison: strategy metrics, and per committee the
    probability of a deficit in the last year and the expected coverage."""
    last_year = int(cmp.risk.year.max())
    last = cmp.risk[cmp.risk.year == last_year]
    order = list(cmp.results)
    committees = list(dict.fromkeys(cmp.risk.committee))
    prob = last.pivot(index="committee", columns="strategy", values="prob_deficit").loc[committees, order]
    coverage = cmp.risk.groupby(["committee", "strategy"]).expected_coverage.mean().unstack().loc[committees, order]
    return "\n".join(
        [
            tr(
                language,
                "Strategies (expected deficits summed over all years)",
                "Strategier (förväntade underskott summerade över alla år)",
            ),
            _text(_metrics_table(cmp.metrics, ("expected_deficits",), language)),
            "",
            tr(language, f"Probability of a deficit in {last_year}", f"Sannolikhet för underskott {last_year}"),
            _text(_named(prob, language), _share(language)),
            "",
            tr(
                language,
                "Expected need coverage, mean over the budget years",
                "Förväntad behovstäckning, medelvärde över budgetåren",
            ),
            _text(_named(coverage, language), _share(language)),
        ]
    )


def _metrics_table(metrics: pd.DataFrame, money: tuple[str, ...], language: str) -> pd.DataFrame:
    """Metrics as rows and strategies as columns, labelled from the glossary, money in MSEK, as text."""
    table = metrics.set_index("strategy").T
    shown = {}
    for name, row in table.iterrows():
        digits = 1 if name in money else 0 if name == "draws" else 3
        scale = MSEK if name in money else 1.0
        shown[term(str(name), language)] = [number(v / scale, digits, language) if pd.notna(v) else "" for v in row]
    columns = pd.Index([term(str(c), language) for c in table.columns], name=term("strategy", language))
    return pd.DataFrame(shown, index=columns).T


def _windfalls(cmp: Comparison, language: str) -> list[str]:
    """The volume uplift against outcomes, per year and summed, for the first strategy that has one."""
    outcome = cmp.diagnostics[cmp.diagnostics.name == "volume_outcome_error"]
    if not len(outcome):
        return []
    first = outcome.strategy.iloc[0]
    table = outcome[outcome.strategy == first].pivot(index="year", columns="committee", values="value") / MSEK
    table = table.loc[:, (table.abs() >= 0.05).any()]  # what shows as 0.0 MSEK everywhere is left out
    if table.empty:
        return []
    table.loc[tr(language, "sum", "summa")] = table.sum()
    table = table.rename_axis(index=term("year", language), columns=term("committee", language))
    name = term(str(first), language)
    return [
        "",
        tr(
            language,
            f"Volume uplift against outcomes ({name}): windfall (+) or hidden saving (-) in the frame, MSEK",
            f"Volymuppräkning mot utfall ({name}): överkompensation (+) eller dold besparing (-) i ramen, mnkr",
        ),
        _text(table, _amount(language)),
    ]


def _results(cmp: Comparison, language: str) -> list[str]:
    """The municipal result as a share of revenue, per year and strategy (runs with a process)."""
    shares = {}
    for name, result in cmp.results.items():
        if result.process is None or not len(result.balance):
            return []
        balance = result.balance.set_index("year")
        shares[term(name, language)] = balance.result / balance.revenue * 100
    table = pd.DataFrame(shares).rename_axis(index=term("year", language))
    title = tr(language, "Municipal result, % of revenue", "Kommunens resultat, % av intäkterna")
    return ["", title, _text(table, lambda v: number(v, 1, language))]


def _named(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """A committee x strategy table with its axes and strategies named in ``language``."""
    table = table.rename(columns=lambda c: term(str(c), language))
    return table.rename_axis(index=term("committee", language), columns=term("strategy", language))


def _amount(language: str) -> Callable[[float], str]:
    return (lambda v: f"{v:,.1f}") if language == "en" else (lambda v: number(v, 1, "sv"))


def _share(language: str) -> Callable[[float], str]:
    return (lambda v: f"{v:.3f}") if language == "en" else (lambda v: number(v, 3, "sv"))


def _text(table: pd.DataFrame, fmt: Callable[[float], str] | None = None) -> str:
    return table.to_string(float_format=fmt) if fmt is not None else table.to_string()
