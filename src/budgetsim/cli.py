"""The ``budgetsim`` command line. Every command works on a registered dataset (by default the
built-in Borås data; ``--dataset`` names another), or on a run file (YAML: scenario, strategies,
process, draws) given as its first argument."""

from __future__ import annotations

import json
import math
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from enum import Enum
from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from budgetsim.compare import Comparison, MonteCarloComparison, compare, compare_monte_carlo
from budgetsim.core.context import StrategyLike
from budgetsim.core.money import MSEK
from budgetsim.core.text import tr
from budgetsim.datasets.registry import DEFAULT, dataset
from budgetsim.design import design_transition
from budgetsim.engine.montecarlo import estimated_seconds
from budgetsim.formats.documents import check_writable, read_document
from budgetsim.formats.municipality import check_scenario, read_municipality
from budgetsim.formats.scb import read_scb
from budgetsim.formats.tables import TABLES, listed, write_table
from budgetsim.formats.template import write_template
from budgetsim.io import run_schema, scenario_schema
from budgetsim.io.inputs import Input, InputError, kind_of, load_input, process_problems
from budgetsim.io.overrides import variations
from budgetsim.io.runs import RunFolder, default_folder, differences, write_manifest
from budgetsim.policy.files import CaseResult, policy_schema, run_policy_files, write_junit
from budgetsim.reporting.console import format_comparison, format_monte_carlo, heading
from budgetsim.reporting.describe import describe
from budgetsim.reporting.html import write_html
from budgetsim.reporting.report import report
from budgetsim.reporting.safe import safe_frame
from budgetsim.result import Result, simulate
from budgetsim.strategies.presets import current_model, needs_based
from budgetsim.sweep import sweep
from budgetsim.writing import write_file, write_text

app = typer.Typer(
    help=(
        "Simulate how a municipality splits its budget between committees, and compare allocation principles. "
        "Without a RUN_FILE the commands use a registered dataset (default: the built-in Borås data) and "
        "the comparison it declares (for Borås: its current model, incremental frames and needs-based allocation)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Language(str, Enum):
    en = "en"
    sv = "sv"


def _path(value: str) -> Path:
    """A path given on the command line; an empty one is refused (it would be read as the current folder)."""
    if not value:
        raise typer.BadParameter('an empty path (""); give a file or folder')
    return Path(value)


PathArg = Annotated[
    Path | None,
    typer.Argument(
        parser=_path,
        help="A municipality folder, a workbook (.xlsx), a scenario file or a run file. Default: the dataset.",
    ),
]
DatasetOption = Annotated[str, typer.Option("--dataset", help="A registered dataset to run when no PATH is given.")]
OutOption = Annotated[Path, typer.Option(parser=_path, help="Folder for the output files.")]
RunOutOption = Annotated[
    Path | None,
    typer.Option(
        parser=_path,
        help="Folder for this run's files (default: a new folder under budgetsim-output/ named by command, "
        "input and time). An existing folder must be empty, or hold an earlier run and --force be given.",
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace the earlier run in --out.")]
FileForceOption = Annotated[bool, typer.Option("--force", help="Replace the file --out names if it exists.")]


class CsvDialect(str, Enum):
    standard = "standard"
    excel_sv = "excel-sv"


DialectOption = Annotated[
    CsvDialect,
    typer.Option(
        "--csv-dialect",
        help="standard: UTF-8, ',' and '.'; excel-sv: what Swedish Excel opens on a double click "
        "(UTF-8 with BOM, ';' between fields, ',' as decimal sign).",
    ),
]


def _load(
    path: Path | None, name: str = DEFAULT, end_year: int | None = None, forecast_bias: bool | None = None
) -> Input:
    options = {k: v for k, v in {"end_year": end_year, "forecast_bias": forecast_bias}.items() if v is not None}
    loaded = load_input(path, name, **options)
    if loaded.kind != "dataset":
        typer.echo(str(loaded), err=True)
    return loaded


def _fail(err: Exception) -> typer.Exit:
    typer.echo(f"error: {err}", err=True)
    return typer.Exit(2)


#: A run expected to take longer than this (CPU seconds) runs only with --yes.
LONG_RUN = 600.0
#: A sweep of more points than this runs only with --yes.
MAX_POINTS = 10_000
YesOption = Annotated[bool, typer.Option("--yes", help="Run even if the run is expected to take long.")]


def _duration(seconds: float) -> str:
    for unit, size in (("days", 86_400), ("hours", 3_600), ("minutes", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:,.0f} seconds"


def check_cost(run: Input, draws: int | None, yes: bool, points: int = 1) -> None:
    """Refuse, unless ``yes``, a Monte Carlo run expected to take longer than :data:`LONG_RUN` (or a
    sweep of more than :data:`MAX_POINTS` points), saying how long and why."""
    if points > MAX_POINTS and not yes:
        raise ValueError(f"the sweep has {points:,} points (more than {MAX_POINTS:,}); pass --yes to run them all")
    if not draws:
        return
    s = run.scenario
    runs = points * len(run.strategies)
    seconds = estimated_seconds(draws, len(s.committees), len(s.years), runs, run.process is not None)
    if seconds > LONG_RUN and not yes:
        raise ValueError(
            f"--draws: {draws:,} draws x {len(s.committees)} committees x {len(s.years)} years x {runs:,} run(s) "
            f"would take about {_duration(seconds)} of CPU; pass --yes to run it, or give fewer draws"
        )


def check_new(path: Path, force: bool) -> Path:
    """``path``, unless a file is there already and ``force`` was not given."""
    if path.exists() and not force:
        raise ValueError(f"{path} exists; pass --force to replace it")
    return path


@contextmanager
def _run_folder() -> Iterator[ExitStack]:
    """Where a run's folder lives while the command runs: released (and an unfinished run's staging
    folder removed) however the command ends; SIGTERM ends it as Ctrl-C does."""
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with ExitStack() as stack:
            yield stack
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def _writing() -> Iterator[None]:
    """Turn a failed write into one line of error and exit 2."""
    try:
        yield
    except ValueError as err:  # a WriteError
        raise _fail(err) from None


def _pick(run: Input, strategy: str | None) -> tuple[str, StrategyLike]:
    name = strategy or next(iter(run.strategies))
    if name not in run.strategies:
        raise ValueError(f"--strategy: no strategy {name!r}; the run has {', '.join(run.strategies)}")
    return name, run.strategies[name]


#: (encoding, field separator, decimal sign) of each CSV dialect
CSV_DIALECTS = {CsvDialect.standard: ("utf-8", ",", "."), CsvDialect.excel_sv: ("utf-8-sig", ";", ",")}


def write_tables(tables: dict[str, pd.DataFrame], out: Path, dialect: CsvDialect = CsvDialect.standard) -> list[Path]:
    """Write tidy tables as CSV files into the folder ``out`` (each whole or not at all). A text a
    spreadsheet would read as a formula (``=HYPERLINK(...)``) gets a leading ``'``; numbers stay.
    ``dialect`` excel-sv writes what Swedish Excel reads on a double click."""
    encoding, sep, decimal = CSV_DIALECTS[dialect]

    def writer(table: pd.DataFrame) -> Callable[[Path], object]:
        safe = safe_frame(table)
        return lambda tmp: safe.to_csv(tmp, index=False, encoding=encoding, sep=sep, decimal=decimal)

    return [write_file(out / f"{name}.csv", writer(table)) for name, table in tables.items()]


def _with_strategy(tables: dict[str, pd.DataFrame], name: str) -> dict[str, pd.DataFrame]:
    """Every table with its strategy as the first column (tables of one run carry it too)."""
    return {k: t if "strategy" in t else t.assign(strategy=name)[["strategy", *t.columns]] for k, t in tables.items()}


@app.command("compare")
def compare_command(
    path: PathArg = None,
    dataset_name: DatasetOption = DEFAULT,
    out: RunOutOption = None,
    force: ForceOption = False,
    csv_dialect: DialectOption = CsvDialect.standard,
    end_year: Annotated[
        int | None, typer.Option(help="Dataset option: last budget year (Borås: default 2030, base year 2023).")
    ] = None,
    forecast_bias: Annotated[
        bool | None,
        typer.Option(
            help="Dataset option: let population forecasts err as the municipality's did, in the central path (Borås: no; Monte Carlo draws the bias)."
        ),
    ] = None,
    draws: Annotated[
        int | None, typer.Option(help="Monte Carlo: this many draws of the scenario's uncertainty.", min=1)
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the Monte Carlo draws (same seed, same numbers).")] = None,
    yes: YesOption = False,
    language: Annotated[Language, typer.Option(help="Language of the printed summary.")] = Language.en,
) -> None:
    """Compare the strategies: print a summary (MSEK) and write the tidy tables as CSV. With --draws,
    compare their risks over that many draws of the scenario's uncertainty."""
    with _run_folder() as stack:
        try:
            run = _load(path, dataset_name, end_year, forecast_bias)
            check_cost(run, draws or run.draws, yes)
            folder = stack.enter_context(RunFolder(out or default_folder("compare", run.name), force))
        except ValueError as err:
            raise _fail(err) from None
        _compare(folder, run, path, csv_dialect, draws, seed, language.value)


def _compare(
    folder: RunFolder,
    run: Input,
    path: Path | None,
    csv_dialect: CsvDialect,
    draws: int | None,
    seed: int | None,
    language: str,
) -> None:
    try:
        draws = draws or run.draws
        seed = run.seed if seed is None else seed
        cmp: Comparison | MonteCarloComparison = (
            compare(run.scenario, run.strategies, process=run.process)
            if draws is None
            else compare_monte_carlo(
                run.scenario, run.strategies, process=run.process, draws=draws, seed=seed, progress=sys.stderr.isatty()
            )
        )
    except (ValueError, ImportError) as err:  # pydantic's ValidationError is a ValueError
        raise _fail(err) from None
    typer.echo(heading(run.scenario, draws, seed, language))
    if isinstance(cmp, MonteCarloComparison):
        typer.echo(format_monte_carlo(cmp, language))
        tables = {"summary": cmp.summary, "risk": cmp.risk, "metrics": cmp.metrics}
    else:
        typer.echo(format_comparison(cmp, language))
        tables = {
            "frames": cmp.frames,
            "components": cmp.components,
            "outcomes": cmp.outcomes,
            "diagnostics": cmp.diagnostics,
            "metrics": cmp.metrics,
            "committee_metrics": cmp.committee_metrics,
            "yearly_metrics": cmp.yearly_metrics,
            "scorecard": cmp.scorecard,
        }
    with _writing(), folder.writing():
        paths = write_tables({**tables, "provenance": run.scenario.provenance()}, folder.staging, csv_dialect)
        write_manifest(folder.staging, "compare", run, path, paths, draws, seed)
        folder.commit()
    shown = ", ".join(p.name for p in paths)
    typer.echo(
        tr(
            language,
            f"\nWrote {len(paths)} tables and manifest.json to {folder.target}/: {shown}",
            f"\nSkrev {len(paths)} tabeller och manifest.json till {folder.target}/: {shown}",
        )
    )


@app.command("run")
def run_command(
    path: PathArg = None,
    dataset_name: DatasetOption = DEFAULT,
    strategy: Annotated[str | None, typer.Option(help="Which strategy of the run (default: the first).")] = None,
    out: RunOutOption = None,
    force: ForceOption = False,
    csv_dialect: DialectOption = CsvDialect.standard,
) -> None:
    """Simulate one strategy: print its frames (MSEK, committee x year) and write its tables as CSV."""
    with _run_folder() as stack:
        try:
            run = _load(path, dataset_name)
            name, chosen = _pick(run, strategy)
            folder = stack.enter_context(RunFolder(out or default_folder("run", run.name), force))
            result = simulate(run.scenario, chosen, name=name, process=run.process)
        except ValueError as err:
            raise _fail(err) from None
        _write_run(folder, run, path, name, result, csv_dialect)


def _write_run(
    folder: RunFolder, run: Input, path: Path | None, name: str, result: Result, csv_dialect: CsvDialect
) -> None:
    typer.echo(heading(run.scenario, None, 0))
    table = (
        result.frames.pivot(index="committee", columns="year", values="frame").loc[list(run.scenario.committee_ids)]
        / MSEK
    )
    typer.echo(f"Frames, MSEK ({name})\n{table.to_string(float_format='{:,.1f}'.format)}")
    tables = {
        "frames": result.frames,
        "components": result.components,
        "outcomes": result.outcomes,
        "diagnostics": result.diagnostics,
    }
    with _writing(), folder.writing():
        paths = write_tables(_with_strategy(tables, name), folder.staging, csv_dialect)
        write_manifest(folder.staging, "run", run, path, paths)
        folder.commit()
    shown = ", ".join(p.name for p in paths)
    typer.echo(f"\nWrote {len(paths)} tables and manifest.json to {folder.target}/: {shown}")


@app.command("explain")
def explain_command(
    committee: Annotated[str, typer.Argument(help="Committee id, e.g. IFN, or ALL for the whole municipality.")],
    year: Annotated[
        str | None, typer.Argument(help="Budget year (default: the last); a PATH here stands for the PATH.")
    ] = None,
    path: PathArg = None,
    run_file: Annotated[
        Path | None, typer.Option("--run-file", parser=_path, help="The same as PATH (kept for earlier scripts).")
    ] = None,
    dataset_name: DatasetOption = DEFAULT,
    strategy: Annotated[str | None, typer.Option(help="Which strategy of the run (default: the first).")] = None,
    language: Annotated[Language, typer.Option(help="Language of the labels.")] = Language.en,
    plot: Annotated[
        Path | None, typer.Option(parser=_path, help="Also save the waterfall chart to this PNG, SVG or PDF file.")
    ] = None,
    force: FileForceOption = False,
) -> None:
    """Show how a committee's frame got from last year's to this year's, component by component:
    ``budgetsim explain VÄN 2027 my-town``."""
    try:
        if year is not None and not year.isdigit():  # explain VÄN my-town: the year left out
            path = path or _path(year)
            year = None
        if run_file is not None and path is not None and run_file != path:
            raise ValueError(f"give the input once: PATH {path} or --run-file {run_file}")
        path = path or run_file
        if plot is not None:
            check_new(check_writable(plot, (".png", ".svg", ".pdf")), force)
        run = _load(path, dataset_name)
        name, chosen = _pick(run, strategy)
        result = simulate(run.scenario, chosen, name=name, process=run.process)
        which = None if committee.upper() == "ALL" else committee
        bridge = result.explain(which, None if year is None else int(year), language=language.value)
    except ValueError as err:
        raise _fail(err) from None
    typer.echo(str(bridge))
    if plot is not None:
        figure = bridge.plot()
        try:
            write_file(plot, lambda tmp: figure.savefig(tmp, dpi=120, format=plot.suffix[1:].lower()))
        except (ValueError, OSError) as err:
            raise _fail(err) from None
        typer.echo(f"\nWrote {plot}")


@app.command("describe")
def describe_command(
    path: PathArg = None,
    dataset_name: DatasetOption = DEFAULT,
    strategy: Annotated[str | None, typer.Option(help="Which strategy of the run (default: the first).")] = None,
    language: Annotated[Language, typer.Option(help="Language of the labels.")] = Language.en,
    out: Annotated[
        Path | None, typer.Option(parser=_path, help="Write the Markdown to this file instead of printing it.")
    ] = None,
    force: FileForceOption = False,
) -> None:
    """Describe the model in force in plain words (Markdown), from the objects that compute it."""
    try:
        if out is not None:
            check_new(check_writable(out, (".md", ".markdown", ".txt")), force)
        run = _load(path, dataset_name)
        chosen = _pick(run, strategy)[1]
        text = describe(run.scenario, chosen, run.process, language.value)
    except ValueError as err:
        raise _fail(err) from None
    if out is None:
        typer.echo(text)
    else:
        try:
            write_text(out, text)
        except (ValueError, OSError) as err:
            raise _fail(err) from None
        typer.echo(f"Wrote {out}")


@app.command("report")
def report_command(
    path: PathArg = None,
    dataset_name: DatasetOption = DEFAULT,
    out: RunOutOption = None,
    force: ForceOption = False,
    draws: Annotated[int | None, typer.Option(help="Add Monte Carlo risks over this many draws.", min=1)] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the Monte Carlo draws.")] = None,
    language: Annotated[Language, typer.Option(help="Language of the model description.")] = Language.en,
    yes: YesOption = False,
) -> None:
    """Write the comparison as an Excel pack (comparison.xlsx) and a self-contained HTML report
    (report.html) that opens in any browser."""
    with _run_folder() as stack:
        try:
            run = _load(path, dataset_name)
            check_cost(run, draws or run.draws, yes)
            folder = stack.enter_context(RunFolder(out or default_folder("report", run.name), force))
            draws, seed = draws or run.draws, run.seed if seed is None else seed
            with folder.writing():
                paths = report(
                    run.scenario,
                    run.strategies,
                    folder.staging,
                    process=run.process,
                    draws=draws,
                    seed=seed,
                    language=language.value,
                    progress=sys.stderr.isatty(),
                )
                write_manifest(folder.staging, "report", run, path, list(paths.values()), draws, seed)
                folder.commit()
        except (ValueError, ImportError) as err:
            raise _fail(err) from None
    target = folder.target
    typer.echo(f"Wrote {target / 'comparison.xlsx'}, {target / 'report.html'} and {target / 'manifest.json'}")


@app.command("schema")
def schema_command(out: OutOption = Path("schemas"), force: FileForceOption = False) -> None:
    """Write the JSON Schemas of scenario files, run files and policy-test files, for editors (into
    the folder ``out``, made if its own folder exists; a folder holding other files only with --force)."""
    names = ("scenario.schema.json", "run.schema.json", "policy.schema.json")
    try:
        if out.exists() and not out.is_dir():
            raise ValueError(f"{out} is a file; give a folder")
        if not out.is_dir():
            check_writable(out).mkdir()
        others = sorted(p.name for p in out.iterdir() if p.name not in names)
        if others and not force:
            raise ValueError(
                f"--out: {out} holds other files ({', '.join(others[:3])}); choose a new folder or pass --force"
            )
        for name, schema in zip(names, (scenario_schema(), run_schema(), policy_schema()), strict=True):
            write_text(out / name, json.dumps(schema, indent=1, ensure_ascii=False))
    except (ValueError, OSError) as err:
        raise _fail(err) from None
    typer.echo(f"Wrote {out}/scenario.schema.json, {out}/run.schema.json and {out}/policy.schema.json")


@app.command("sources")
def sources_command(path: PathArg = None, dataset_name: DatasetOption = DEFAULT) -> None:
    """List where every value of the scenario comes from (published, estimate, assumption)."""
    try:
        run = _load(path, dataset_name)
    except ValueError as err:
        raise _fail(err) from None
    if not run.scenario.notes:
        typer.echo(f"{run.scenario.name}: the scenario gives no sources")
        return
    table = run.scenario.provenance()[["item", "status", "value", "unit", "source"]]
    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        typer.echo(table.to_string(index=False))


@app.command("init")
def init_command(
    folder: Annotated[
        Path, typer.Argument(parser=_path, help="A new folder (or, with --xlsx, a workbook) for the template.")
    ],
    xlsx: Annotated[bool, typer.Option("--xlsx", help="Write one Excel workbook instead of CSV files.")] = False,
) -> None:
    """Write a template of your own municipality: every table with comment lines that explain its
    columns, filled with a small made-up town that runs as it is."""
    try:
        written = write_template(folder, xlsx=xlsx)
    except (ValueError, ImportError) as err:
        raise _fail(err) from None
    typer.echo(f"Wrote {written}. Replace the example figures with yours, then: budgetsim validate {written}")


@app.command("validate")
def validate_command(
    path: Annotated[
        Path, typer.Argument(parser=_path, help="A municipality folder, a workbook (.xlsx) or a scenario file.")
    ],
) -> None:
    """Check a municipality's data and list its problems (file:row:column) and likely mistakes (the
    first 100, and how many more)."""
    try:
        kind = kind_of(path)
        if kind in ("municipality folder", "workbook"):
            scenario, problems = read_municipality(path)
            if scenario is not None and kind == "municipality folder":
                problems += process_problems(path, scenario)
        else:
            scenario, problems = load_input(path).scenario, []
            problems += check_scenario(scenario, str(path))
    except InputError as err:  # a file that does not validate: its problems, as for a folder
        scenario, problems = None, err.problems
    except (ValueError, ImportError) as err:
        raise _fail(err) from None
    errors = [p for p in problems if p.severity == "error"]
    notes = [p for p in problems if p.severity == "note"]
    if problems:
        typer.echo(listed([f"{p.severity}: {p}" for p in problems], indent=""))
    if errors:
        typer.echo(f"{len(errors)} error(s), {len(problems) - len(errors) - len(notes)} warning(s) in {path}")
        raise typer.Exit(1)
    assert scenario is not None
    typer.echo(
        f"{path}: {kind}, {scenario.name}, {len(scenario.committees)} committees, budget years "
        f"{scenario.years[0]}-{scenario.years[-1]}; no errors, {len(problems) - len(notes)} warning(s)"
    )


@app.command("scb")
def scb_command(
    file: Annotated[
        Path, typer.Argument(parser=_path, help="A population file from Statistics Sweden (.px, or PX-Web .csv/.json).")
    ],
    region: Annotated[
        str | None, typer.Option(help="The region to keep when the file has several (code or name).")
    ] = None,
    out: Annotated[Path, typer.Option(parser=_path, help="The population table to write (a .csv file).")] = Path(
        "population.csv"
    ),
    force: FileForceOption = False,
) -> None:
    """Turn an SCB population file (BE0101N1 or a forecast such as BE0401) into the population table
    of a municipality folder (or put the file in the folder's scb/ subfolder as it is)."""
    try:
        if out.suffix.lower() != ".csv":
            raise ValueError(f"--out: {out}: give a .csv file (the population table of a municipality folder)")
        rows = read_scb(file, region=region)
        if out.exists() and not force:
            raise ValueError(f"--out: {out} exists; give another --out, or pass --force to replace it")
        write_table(out, TABLES["population"], [{str(k): v for k, v in r.items()} for r in rows.to_dict("records")])
    except (ValueError, ImportError) as err:
        raise _fail(err) from None
    kinds = ", ".join(f"{n} {k}" for k, n in rows.kind.value_counts().items())
    typer.echo(f"Wrote {out}: {len(rows)} rows ({kinds}), years {rows.year.min()}-{rows.year.max()}")


class Executor(str, Enum):
    local = "local"
    processes = "processes"


@app.command("sweep")
def sweep_command(
    path: Annotated[
        Path,
        typer.Argument(
            parser=_path,
            help="A run file with a sweep: section, dotted paths to lists of values (economy.wage_uplift: [0.02, 0.03]).",
        ),
    ],
    store: Annotated[
        Path | None,
        typer.Option(
            parser=_path,
            help="Parquet store of the points (default: a new folder under budgetsim-output/). "
            "Run again with the same store to resume: points already there are not run again.",
        ),
    ] = None,
    executor: Annotated[Executor, typer.Option(help="local: this process; processes: a pool of workers.")] = (
        Executor.local
    ),
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: one per core).", min=1)] = None,
    draws: Annotated[
        int | None, typer.Option(help="Draws per point (default: the run file's, else 1000).", min=1)
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed, the same for every point.")] = None,
    yes: YesOption = False,
) -> None:
    """Run every combination of the run file's sweep values with each of its strategies, a Monte
    Carlo run per point, into a Parquet store (query it with budgetsim.store.query)."""
    try:
        document = read_document(path)
        grid = document.get("sweep") if isinstance(document, dict) else None
        if not grid or not isinstance(grid, dict):
            raise ValueError(
                f"{path}: no sweep: section; give dotted paths with lists of values, e.g. economy.wage_uplift: [0.02, 0.03]"
            )
        run = _load(path)
        varied = variations(grid)  # sweep() makes every variant, so checks every value, before a point runs
        folder = store or default_folder("sweep", run.name)
        draws = draws or run.draws or 1000
        check_cost(run, draws, yes, points=math.prod(len(values) for values in varied.values()))
        seed = run.seed if seed is None else seed
        result = sweep(
            run.scenario,
            varied,
            run.strategies,
            draws=draws,
            seed=seed,
            process=run.process,
            executor=executor.value,
            workers=workers,
            store=folder,
            progress=sys.stderr.isatty(),
        )
    except (ValueError, ImportError) as err:
        raise _fail(err) from None
    last = result.risk[result.risk.year == result.risk.year.max()]
    table = result.points.merge(last.groupby("point", as_index=False).prob_deficit.mean(), on="point")
    typer.echo(f"{len(result.points)} points x {draws:,} draws (seed {seed}) in {folder}/")
    typer.echo(
        f"Probability of a deficit in {int(last.year.max())}, mean over committees\n"
        + table.drop(columns="point").to_string(index=False, float_format="{:.3f}".format)
    )


@app.command("design")
def design_command(
    path: PathArg = None,
    dataset_name: DatasetOption = DEFAULT,
    max_loss: Annotated[
        float | None, typer.Option(help="No committee's frame may fall more than this share in a year (0.02: 2 %).")
    ] = None,
    min_coverage: Annotated[float | None, typer.Option(help="Every coverage (frame / need) at least this.")] = None,
    draws: Annotated[int | None, typer.Option(help="Monte Carlo draws for the deficit risk.", min=1)] = None,
    seed: Annotated[int, typer.Option(help="Seed of the Monte Carlo draws.")] = 0,
    out: RunOutOption = None,
    force: ForceOption = False,
    language: Annotated[Language, typer.Option(help="Language of the summary and the report.")] = Language.en,
    with_report: Annotated[
        bool, typer.Option("--report", help="Also write report.html with the transition plan (the report extra).")
    ] = False,
) -> None:
    """Design a transition from the current model to needs-based allocation of the same money:
    print the Pareto set and the recommended design, and write the candidates, the Pareto set and
    design.yaml (a run file: budgetsim compare design.yaml runs the design)."""
    with _run_folder() as stack:
        try:
            run = _load(path, dataset_name)
            current = run.strategies.get("current") or current_model(run.scenario)
            target = needs_based(total=current)
            found = design_transition(
                run.scenario,
                current,
                target,
                max_loss=max_loss,
                min_coverage=min_coverage,
                process=run.process,
                draws=draws,
                seed=seed,
            )
            folder = stack.enter_context(RunFolder(out or default_folder("design", run.name), force))
        except (ValueError, ImportError) as err:
            raise _fail(err) from None
        typer.echo(heading(run.scenario, draws, seed, language.value) + found.summary(language.value))
        with _writing(), folder.writing():
            paths = write_tables({"candidates": found.candidates, "pareto": found.pareto}, folder.staging)
            if with_report:
                title = tr(language.value, "Transition plan", "Övergångsplan") + f": {run.scenario.name}"
                shown = found.paths(language.value)
                rules = (current, target, found.strategies[found.recommended])
                page = folder.staging / "report.html"
                paths.append(
                    write_html(
                        shown, page, title, scenario=run.scenario, process=run.process, language=language.value,
                        strategies=dict(zip(shown.results, rules, strict=True)),
                        sections=[found.plan_html(language.value)],
                    )
                )  # fmt: skip
            scenario = run.name if run.kind == "dataset" else run.scenario  # a dataset by name, else itself
            preset = run.kind == "dataset" and run.process is not None
            process = dataset(run.name).default_process if preset else run.process
            written = found.save_run(folder.staging / "design.yaml", scenario, process)
            paths += [written, *([] if run.kind == "dataset" else [written.with_name("design.scenario.yaml")])]
            write_manifest(folder.staging, "design", run, path, paths, draws, seed)
            folder.commit()
    typer.echo(
        tr(
            language.value,
            f"\nWrote the candidates, the Pareto set and design.yaml to {folder.target}/",
            f"\nSkrev kandidaterna, Paretomängden och design.yaml till {folder.target}/",
        )
    )


@app.command("test")
def test_command(
    paths: Annotated[
        list[Path],
        typer.Argument(parser=_path, help="Policy-test files (YAML), or folders of test_*.yaml files."),
    ],
    junitxml: Annotated[
        Path | None,
        typer.Option(parser=_path, help="Also write a JUnit XML report (what CI systems read; replaced each run)."),
    ] = None,
    language: Annotated[Language, typer.Option(help="Language of the report.")] = Language.en,
) -> None:
    """Run policy tests: one line per case, and for each failure the file:line of the expectation,
    the quantity, expected and got. Exits 1 if any case fails."""
    results: list[CaseResult] = []
    try:
        if junitxml is not None:
            check_writable(junitxml, (".xml",))
        for result in run_policy_files(paths, language.value):
            typer.echo(result.report(language.value))
            results.append(result)
        if junitxml is not None:
            write_junit(results, junitxml, language.value)
    except (ValueError, ImportError) as err:
        raise _fail(err) from None
    failed = sum(not r.passed for r in results)
    typer.echo(
        tr(
            language.value,
            f"{len(results) - failed} passed, {failed} failed",
            f"{len(results) - failed} godkända, {failed} underkända",
        )
    )
    if failed:
        raise typer.Exit(1)


@app.command("diff")
def diff_command(
    a: Annotated[
        Path,
        typer.Argument(parser=_path, help="A run folder or manifest.json, a scenario or run file, a municipality."),
    ],
    b: Annotated[Path, typer.Argument(parser=_path, help="What to compare it with (the same kinds).")],
) -> None:
    """Show every parameter that differs between two runs, scenarios or run files, one per line:
    dotted path, value in A, value in B. Exits 1 when they differ (like diff)."""
    try:
        found = differences(a, b)
    except (ValueError, ImportError) as err:
        raise _fail(err) from None
    if not found:
        typer.echo(f"{a} and {b}: no differences")
        return

    def cell(value: object) -> str:
        text = "(none)" if value is None else str(value)
        return text if len(text) <= 36 else text[:35] + "…"

    rows = [("parameter", cell(str(a)), cell(str(b))), *((path, cell(x), cell(y)) for path, x, y in found)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        typer.echo("  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip())
    typer.echo(f"{len(found)} difference(s)")
    raise typer.Exit(1)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"budgetsim {version('budgetsim')}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Simulate how a municipality splits its budget between committees, and compare allocation
    principles. Without a RUN_FILE the commands use a registered dataset (default: the built-in
    Borås data) and the comparison it declares (for Borås: its current model, incremental frames
    and needs-based allocation)."""


def main() -> None:
    app()
