"""The ``budgetsim`` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from budgetsim.compare import Comparison, compare
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


def write_tables(cmp: Comparison, out: Path, extra: dict[str, pd.DataFrame] | None = None) -> list[Path]:
    """Write the comparison's tidy tables as CSV files into ``out``; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "frames": cmp.frames,
        "components": cmp.components,
        "outcomes": cmp.outcomes,
        "diagnostics": cmp.diagnostics,
        "metrics": cmp.metrics,
        "committee_metrics": cmp.committee_metrics,
        "yearly_metrics": cmp.yearly_metrics,
        **(extra or {}),
    }
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
) -> None:
    """Compare Borås's current model, incremental frames and needs-based allocation on the built-in
    Borås data; print a summary (MSEK) and write the tidy tables as CSV."""
    try:
        scenario = boras(end_year=end_year, forecast_bias=forecast_bias)
        cmp = compare(scenario, standard_strategies())
    except ValueError as err:  # pydantic's ValidationError is a ValueError
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"{scenario.name}: budget years {scenario.years[0]}-{scenario.years[-1]}, {len(scenario.committees)} committees\n"
    )
    typer.echo(format_comparison(cmp))
    paths = write_tables(cmp, out, {"provenance": scenario.provenance()})
    typer.echo(f"\nWrote {len(paths)} tables to {out}/: {', '.join(p.name for p in paths)}")


@app.command("sources")
def sources_command() -> None:
    """List where every value of the built-in Borås data comes from (published, estimate, assumption)."""
    table = boras().provenance()[["item", "status", "value", "unit", "source"]]
    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        typer.echo(table.to_string(index=False))


def main() -> None:
    app()
