"""Reading tables a person wrote: CSV files in a folder, or the sheets of one Excel workbook, with
every problem reported at once as ``file:row:column: what is wrong and what is expected``.

The schema is data (:data:`TABLES`): each table's columns with their type, unit, whether they are
required, and what they mean. The loader, the template ``budgetsim init`` writes and the
documentation all read it.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from budgetsim.core.text import install_hint

EXTRA_HINT = install_hint("report", "an Excel workbook needs openpyxl")


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious, ``severity="warning"``) in the input, where it is."""

    file: str
    row: int | None
    column: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.row, self.column) if p not in (None, ""))
        return f"{where}: {self.message}" if where else self.message


class MunicipalityError(ValueError):
    """The input has problems: ``problems`` lists every one, each naming file, row and column."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} problem(s):\n" + "\n".join(f"  {p}" for p in errors))


@dataclass(frozen=True)
class Column:
    """A column of a table: its parser, whether it must be given, its unit and meaning."""

    kind: str  # text, int, number, amount (a number >= 0), fraction, age, year
    description: str
    required: bool = False
    unit: str = ""
    choices: tuple[str, ...] = ()  #: the values a text column may take


@dataclass(frozen=True)
class Table:
    """A table of the municipality format (one CSV file or one sheet)."""

    name: str
    description: str
    columns: dict[str, Column]
    required: bool = False

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


def _c(kind: str, description: str, required: bool = False, unit: str = "", choices: tuple[str, ...] = ()) -> Column:
    return Column(kind, description, required, unit, choices)


AGES = {
    "min_age": _c("int", "first age of the range", True, "years"),
    "max_age": _c("int", "last age of the range, empty for open-ended (80+)", False, "years"),
}

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "municipality",
            "one row: the municipality and the years simulated",
            {
                "name": _c("text", "name of the municipality", True),
                "base_year": _c("year", "the last year with known frames", True),
                "end_year": _c("year", "the last budget year simulated", True),
                "result_target": _c("fraction", "result target, share of revenue (default 0.02)"),
                "other_net_costs_share": _c("number", "depreciation and net financial items, share of revenue"),
            },
            required=True,
        ),
        Table(
            "committees",
            "one row per committee (nämnd)",
            {
                "id": _c("text", "short id without spaces, e.g. SKOL", True),
                "name": _c("text", "the committee's name", True),
                "sector": _c("text", "what it does, e.g. school", True),
                "base_frame": _c("amount", "frame in the base year", True, "SEK"),
                "base_cost": _c("amount", "net cost in the base year (default: the frame)", False, "SEK"),
                "wage_share": _c("fraction", "wage share of net cost", True),
                "internal_services_share": _c("fraction", "share bought from other committees (default 0)"),
                "mandated_share": _c("fraction", "share of the budget mandated by law, if known"),
                "price_basis": _c(
                    "text",
                    "population a price list is paid on: forecast, mean (default) or outcome",
                    choices=("forecast", "mean", "outcome"),
                ),
            },
            required=True,
        ),
        Table(
            "volume_drivers",
            "age ranges whose population drives a volume uplift, with the base-year price per inhabitant",
            {
                "committee": _c("text", "committee id", True),
                **AGES,
                "price": _c("amount", "price", True, "SEK per inhabitant"),
            },
        ),
        Table(
            "need_weights",
            "what a committee's need follows: standard cost per inhabitant of age ranges",
            {
                "committee": _c("text", "committee id", True),
                **AGES,
                "weight": _c("amount", "standard cost per inhabitant, base-year prices", True, "SEK per inhabitant"),
                "need_index": _c("number", "socioeconomic need index, 1 = average (one value per committee)"),
                "care_intensity_growth": _c("number", "yearly growth of care intensity (one value per committee)"),
            },
        ),
        Table(
            "price_lists",
            "prices per inhabitant (à-pris) decided for each year",
            {
                "committee": _c("text", "committee id", True),
                **AGES,
                "year": _c("year", "the year the price applies to", True),
                "price": _c("amount", "price at that year's prices", True, "SEK per inhabitant"),
            },
        ),
        Table(
            "population",
            "population outcomes (31 December) and forecast vintages, by single year of age or by band",
            {
                "kind": _c("text", "outcome or forecast", True, choices=("outcome", "forecast")),
                "published": _c("year", "year a forecast was published (forecasts only)"),
                "year": _c("year", "the year the count is for", True),
                "age": _c("age", "single year of age, or N+ for the open last age"),
                "band": _c("text", "an age band such as 65-79 or 80+ (instead of age)"),
                "sex": _c("text", "optional; counts of all sexes are added"),
                "count": _c("amount", "number of inhabitants", True, "inhabitants"),
            },
            required=True,
        ),
        Table(
            "economy",
            "uplift rates, outcomes and revenue by year; a row without year applies to every year",
            {
                "year": _c("year", "the budget year (empty: every year)"),
                "wage_uplift": _c("number", "wage index frames are built on", False, "fraction"),
                "price_uplift": _c("number", "price index frames are built on", False, "fraction"),
                "efficiency": _c("number", "efficiency requirement", False, "fraction"),
                "wage_outcome": _c("number", "actual wage growth (default: as assumed)", False, "fraction"),
                "price_outcome": _c("number", "actual price growth (default: as assumed)", False, "fraction"),
                "internal_price_outcome": _c("number", "actual growth of internal prices", False, "fraction"),
                "realised_efficiency": _c("number", "productivity actually realised", False, "fraction"),
                "preliminary_wage_uplift": _c("number", "wage index assumed in June", False, "fraction"),
                "preliminary_price_uplift": _c("number", "price index assumed in June", False, "fraction"),
                "revenue": _c("amount", "tax revenue and general grants", False, "SEK"),
                "total_available": _c("amount", "total for committees (overrides revenue)", False, "SEK"),
            },
            required=True,
        ),
        Table(
            "additions",
            "political additions (satsningar) to one committee in one year",
            {
                "year": _c("year", "budget year", True),
                "committee": _c("text", "committee id", True),
                "amount": _c("number", "amount", True, "SEK"),
                "label": _c("text", "what it is for"),
            },
        ),
        Table(
            "cost_steps",
            "permanent cost changes the allocation does not see, e.g. a new law",
            {
                "year": _c("year", "first year", True),
                "committee": _c("text", "committee id", True),
                "share": _c("number", "change of the cost level, 0.02 = +2 %", True, "fraction"),
                "label": _c("text", "what it is"),
            },
        ),
        Table(
            "uncertainty",
            "for Monte Carlo runs: parameter, key (a band label or committee id, * for the others), value",
            {
                "parameter": _c(
                    "text",
                    "population_sd, care_intensity_sd, wage_sd, price_sd, internal_price_sd, revenue_sd, "
                    "legislation_probability, legislation_size_low, legislation_size_high",
                    True,
                ),
                "key": _c("text", "band label or committee id (population_sd, care_intensity_sd); * for the others"),
                "value": _c("number", "yearly standard deviation, probability or size", True),
            },
        ),
        Table(
            "sources",
            "where each value comes from",
            {
                "item": _c("text", "what the note is about, e.g. committees.SKOL.base_frame", True),
                "status": _c(
                    "text", "published, estimate or assumption", True, choices=("published", "estimate", "assumption")
                ),
                "value": _c("text", "the value as published"),
                "unit": _c("text", "its unit"),
                "source": _c("text", "where it is published"),
                "method": _c("text", "how an estimate was made"),
            },
        ),
    )
}


@dataclass
class Row:
    """One row as read: its location, and each non-empty cell parsed by its column's type."""

    file: str
    line: int
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, column: str, default: Any = None) -> Any:
        return self.values.get(column, default)


def _parse(column: Column, text: str) -> Any:
    """A cell by its column type; ValueError says what was expected."""
    text, kind = text.strip(), column.kind
    if kind == "text":
        if column.choices and text not in column.choices:
            raise ValueError(f"{text!r} is not one of {', '.join(column.choices)}")
        return text
    if kind in ("int", "year"):
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
        if not value.is_integer():
            raise ValueError(f"{text!r} is not a whole number")
        if kind == "year" and not 1900 <= value <= 2200:
            raise ValueError(f"{text!r} is not a year (1900-2200)")
        if value < 0:
            raise ValueError(f"{text!r} is negative; give 0 or more")
        return int(value)
    if kind == "age":
        open_ended = text.endswith("+")
        value = _parse(Column("int", column.description), text.rstrip("+"))
        return (value, None) if open_ended else (value, value)
    digits = text.replace(" ", "").replace("\u00a0", "")
    if "," in digits and "." not in digits:  # a Swedish decimal comma: 1,5
        digits = digits.replace(",", ".")
    try:
        number = float(digits)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is not a finite number")
    if kind == "fraction" and not 0 <= number <= 1:
        raise ValueError(f"{text!r} is not a share between 0 and 1 (give 0.7 for 70 %)")
    if kind == "amount" and number < 0:
        raise ValueError(f"{text!r} is negative")
    return number


class Source:
    """The tables of a municipality: a folder of CSV files or one Excel workbook."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.workbook: Any = None
        if self.path.is_dir():
            self.kind = "folder"
        elif self.path.suffix.lower() in (".xlsx", ".xlsm"):
            self.kind = "workbook"
            try:
                import openpyxl
            except ImportError:
                raise ImportError(EXTRA_HINT) from None
            self.workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        else:
            raise ValueError(f"{self.path}: not a folder of CSV files or an Excel workbook (.xlsx)")

    def where(self, table: Table) -> str:
        return table.file if self.kind == "folder" else f"{self.path.name}:{table.name}"

    def exists(self, table: Table) -> bool:
        if self.kind == "folder":
            return (self.path / table.file).is_file()
        return table.name in self.workbook.sheetnames

    def _lines(self, table: Table) -> Iterator[tuple[int, list[str]]]:
        if self.kind == "folder":
            with (self.path / table.file).open(encoding="utf-8-sig", newline="") as handle:
                sample = handle.read(4096)
                handle.seek(0)
                delimiter = ";" if sample.count(";") > sample.count(",") else ","
                for number, cells in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
                    yield number, cells
        else:
            sheet = self.workbook[table.name]
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, ["" if c is None else repr(c) if isinstance(c, float) else str(c) for c in cells]

    def read(self, table: Table, problems: list[Problem]) -> list[Row]:
        """The rows of ``table`` (comment lines starting with # skipped), each cell parsed; every
        problem found is added to ``problems``."""
        where = self.where(table)
        if not self.exists(table):
            if table.required:
                problems.append(Problem(where, None, None, f"missing: the table of {table.description} is required"))
            return []
        header: list[str] | None = None
        rows = []
        for number, cells in self._lines(table):
            if not any(c.strip() for c in cells) or cells[0].strip().startswith("#"):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                for i, name in enumerate(header):
                    if name and name not in table.columns:
                        problems.append(
                            Problem(where, number, name, f"unknown column; known: {', '.join(table.columns)}")
                        )
                    if name and name in header[:i]:
                        problems.append(Problem(where, number, name, "column given twice"))
                for name, column in table.columns.items():
                    if column.required and name not in header:
                        problems.append(Problem(where, number, name, f"missing column: {column.description}"))
                continue
            row = Row(where, number)
            for name, text in zip(header, cells, strict=False):
                if name not in table.columns or not text.strip():
                    continue
                try:
                    row.values[name] = _parse(table.columns[name], text)
                except ValueError as err:
                    problems.append(Problem(where, number, name, f"{err}; expected {_expected(table.columns[name])}"))
            for name, column in table.columns.items():
                if column.required and name in header and name not in row.values:
                    problems.append(Problem(where, number, name, f"empty; give {_expected(column)}"))
            rows.append(row)
        if header is None and table.required:
            problems.append(Problem(where, None, None, "empty: give a header line and at least one row"))
        return rows


def _expected(column: Column) -> str:
    kinds = {
        "text": "text",
        "int": "a whole number",
        "year": "a year such as 2024",
        "number": "a number",
        "amount": "a number of 0 or more",
        "fraction": "a share between 0 and 1",
        "age": "an age such as 7, or 100+",
    }
    unit = f" ({column.unit})" if column.unit else ""
    if column.choices:
        return f"one of {', '.join(column.choices)}: {column.description}"
    return f"{kinds[column.kind]}{unit}: {column.description}"


def write_table(path: Path, table: Table, rows: list[dict[str, Any]], comment: bool = False) -> None:
    """Write rows as a CSV file of ``table`` (columns in schema order, only those used or required);
    with ``comment`` the file starts with lines describing each column."""
    used = [c for c, spec in table.columns.items() if spec.required or any(r.get(c) is not None for r in rows)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        if comment:
            handle.write(f"# {table.name}: {table.description}\n")
            for name in used:
                spec = table.columns[name]
                unit = f" [{spec.unit}]" if spec.unit else ""
                handle.write(f"# {name}{unit}: {spec.description}{' (required)' if spec.required else ''}\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(used)
        for r in rows:
            writer.writerow(["" if r.get(c) is None else _cell(r[c]) for c in used])


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)
