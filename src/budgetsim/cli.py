"""The ``budgetsim`` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from budgetsim.compare import Comparison, MonteCarloComparison, compare
from budgetsim.datasets import boras
from budgetsim.money import MSEK
from budgetsim.strategies import boras_current, incremental, needs_based

app = typer.Typer(
    help="Simulate how a municipality splits its budget between committees, and compare allocation principles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def standard_strategies() -> dict:
    """The comparison the ``compare`` command runs."""
    current = boras_current()
    return {
        "current": current,
        "incremental only": incremental(),
        "needs based": needs_based(),
        "needs based, current total": needs_based(total=current),
    }


RATIOS = ["mean_coverage", "min_coverage", "coverage_gini", "volatility", "deficit_share"]
AMOUNTS = {"deficits": "deficits MSEK", "surpluses": "surpluses MSEK", "total_frame_last_year": "last-year frames MSEK"}


def format_comparison(cmp: Comparison) -> str:
    """The readable report ``compare`` prints: strategy metrics, last-year frames, mean need
    coverage per committee, and the hidden windfall of uncorrected forecasts. Money in MSEK."""
    metrics = cmp.metrics.set_index("strategy")
    metrics[list(AMOUNTS)] = metrics[list(AMOUNTS)] / MSEK
    metrics = metrics.rename(columns=AMOUNTS)
    formatters = {c: "{:.3f}".format for c in RATIOS} | {c: "{:,.1f}".format for c in AMOUNTS.values()}
    last_year = int(cmp.frames.year.max())
    frames = (
        cmp.frames[cmp.frames.year == last_year].pivot(index="committee", columns="strategy", values="frame") / MSEK
    )
    coverage = cmp.committee_metrics.pivot(index="committee", columns="strategy", values="mean_coverage")
    order = list(cmp.results)
    committees = list(next(iter(cmp.results.values())).scenario.committees)
    parts = [
        "Strategies (deficits and surpluses summed over all years)",
        metrics.to_string(formatters=formatters),
        "",
        f"Frames {last_year}, MSEK",
        frames.loc[committees, order].to_string(float_format="{:,.1f}".format),
        "",
        "Mean need coverage (frame / need) over the budget years",
        coverage.loc[committees, order].to_string(float_format="{:.3f}".format),
    ]
    hidden = cmp.diagnostics[cmp.diagnostics.name == "volume_uncorrected_error"]
    if len(hidden):
        first = hidden.strategy.iloc[0]
        table = hidden[hidden.strategy == first].pivot(index="year", columns="committee", values="value") / MSEK
        table = table.loc[:, (table != 0).any()]
        parts += [
            "",
            f"Volume uplift on uncorrected forecasts ({first}): windfall (+) or hidden saving (-) in the frame, MSEK",
            table.to_string(float_format="{:,.1f}".format),
        ]
    return "\n".join(parts)


def format_monte_carlo(cmp: MonteCarloComparison) -> str:
    """The readable report of a Monte Carlo comparison: strategy metrics, and per committee the
    probability of a deficit in the last year and the expected coverage."""
    metrics = cmp.metrics.set_index("strategy")
    metrics["expected_deficits"] = metrics["expected_deficits"] / MSEK
    metrics = metrics.rename(columns={"expected_deficits": "expected deficits MSEK"})
    last_year = int(cmp.risk.year.max())
    last = cmp.risk[cmp.risk.year == last_year]
    order = list(cmp.results)
    committees = list(dict.fromkeys(cmp.risk.committee))
    prob = last.pivot(index="committee", columns="strategy", values="prob_deficit").loc[committees, order]
    coverage = cmp.risk.groupby(["committee", "strategy"]).expected_coverage.mean().unstack().loc[committees, order]
    return "\n".join(
        [
            "Strategies (expected deficits summed over all years)",
            metrics.to_string(float_format="{:,.3f}".format),
            "",
            f"Probability of a deficit in {last_year}",
            prob.to_string(float_format="{:.3f}".format),
            "",
            "Expected need coverage, mean over the budget years",
            coverage.to_string(float_format="{:.3f}".format),
        ]
    )


def write_tables(tables: dict[str, pd.DataFrame], out: Path) -> list[Path]:
    """Write tidy tables as CSV files into ``out`` (each written whole, then moved in place)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        path = out / f"{name}.csv"
        tmp = path.with_suffix(".csv.tmp")
        table.to_csv(tmp, index=False)
        tmp.replace(path)
        paths.append(path)
    return paths


@app.command("compare")
def compare_command(
    out: Annotated[Path, typer.Option(help="Folder for the CSV tables.")] = Path("budgetsim-output"),
    end_year: Annotated[int, typer.Option(help="Last budget year (the base year is 2023).")] = 2030,
    forecast_bias: Annotated[
        bool, typer.Option(help="Let population forecasts err as Borås's did in the past.")
    ] = True,
    draws: Annotated[
        int | None, typer.Option(help="Monte Carlo: run this many draws of the scenario's uncertainty.", min=1)
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the Monte Carlo draws (same seed, same numbers).")] = 0,
) -> None:
    """Compare Borås's current model, incremental frames and needs-based allocation on the built-in
    Borås data; print a summary (MSEK) and write the tidy tables as CSV. With --draws, compare the
    risks over that many draws of the scenario's uncertainty."""
    try:
        scenario = boras(end_year=end_year, forecast_bias=forecast_bias)
        cmp = compare(scenario, standard_strategies(), draws=draws, seed=seed)
    except ValueError as err:  # pydantic's ValidationError is a ValueError
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    runs = f", {draws:,} draws (seed {seed})" if draws else ""
    committees = len(scenario.committees)
    typer.echo(
        f"{scenario.name}: budget years {scenario.years[0]}-{scenario.years[-1]}, {committees} committees{runs}\n"
    )
    if isinstance(cmp, MonteCarloComparison):
        typer.echo(format_monte_carlo(cmp))
        tables = {"summary": cmp.summary, "risk": cmp.risk, "metrics": cmp.metrics}
    else:
        typer.echo(format_comparison(cmp))
        tables = {
            "frames": cmp.frames,
            "components": cmp.components,
            "outcomes": cmp.outcomes,
            "diagnostics": cmp.diagnostics,
            "metrics": cmp.metrics,
            "committee_metrics": cmp.committee_metrics,
            "yearly_metrics": cmp.yearly_metrics,
        }
    paths = write_tables({**tables, "provenance": scenario.provenance()}, out)
    typer.echo(f"\nWrote {len(paths)} tables to {out}/: {', '.join(p.name for p in paths)}")


@app.command("sources")
def sources_command() -> None:
    """List where every value of the built-in Borås data comes from (published, estimate, assumption)."""
    table = boras().provenance()[["item", "status", "value", "unit", "source"]]
    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        typer.echo(table.to_string(index=False))


def main() -> None:
    app()
