"""Reading tables a person wrote: CSV files in a folder, or the sheets of one Excel workbook, with
every problem reported at once as ``file:row:column: what is wrong and what is expected``.

The schema is data (:data:`TABLES`): each table's columns with their type, unit, whether they are
required, and what they mean. The loader, the template ``budgetsim init`` writes and the
documentation all read it.

Files are read defensively: a CSV file larger than :data:`MAX_BYTES`, not text (UTF-8, UTF-16 with
a byte-order mark or Windows-1252, the encoding noted when it is not UTF-8) or not CSV, a workbook that is not one or unpacks to more than
:data:`MAX_UNPACKED` bytes, a table of more than :data:`MAX_ROWS` rows, values beyond the header's
columns and formulas without a computed value are each a problem naming the file and the row.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from budgetsim.core.text import install_hint
from budgetsim.formats.documents import MAX_BYTES, decode_table, readable, reading
from budgetsim.scenario.base import MAX_AGE, MAX_AMOUNT, MAX_YEAR, MIN_YEAR
from budgetsim.writing import write_text

EXTRA_HINT = install_hint("report", "an Excel workbook needs openpyxl")
#: Most rows a table may have.
MAX_ROWS = 1_000_000
#: Columns of a sheet read (the widest table has a dozen; a sheet may claim 16,384).
MAX_COLUMNS = 100
#: Most bytes a workbook may unpack to (a small file can unpack to gigabytes).
MAX_UNPACKED = 500 * 2**20


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


#: How many problems a message lists; the rest are counted ("... and 999 more").
SHOWN_PROBLEMS = 100


def listed(lines: list[str], indent: str = "  ") -> str:
    """The first :data:`SHOWN_PROBLEMS` lines, one a line, and how many more there are.

    >>> listed([f"p{i}" for i in range(102)]).splitlines()[-1]
    '  ... and 2 more'
    """
    shown = [f"{indent}{line}" for line in lines[:SHOWN_PROBLEMS]]
    if len(lines) > SHOWN_PROBLEMS:
        shown.append(f"{indent}... and {len(lines) - SHOWN_PROBLEMS:,} more")
    return "\n".join(shown)


class MunicipalityError(ValueError):
    """The input has problems: ``problems`` lists every one, each naming file, row and column;
    ``source`` is the folder or workbook they are in. The message lists the first
    :data:`SHOWN_PROBLEMS` errors."""

    def __init__(self, problems: list[Problem], source: str | Path | None = None) -> None:
        self.problems = problems
        errors = [str(p) for p in problems if p.severity == "error"]
        where = f"{source}: " if source is not None else ""
        super().__init__(f"{where}{len(errors)} problem(s):\n" + listed(errors))


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
    #: The columns that name a row: two rows with the same values there are an error.
    key: tuple[str, ...] = ()

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
                "spending_adaptation": _c(
                    "fraction", "share of frame minus need-driven cost that committees spend (default 0)"
                ),
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
            key=("committee", "min_age", "max_age"),
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
            key=("committee", "min_age", "max_age", "year"),
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
            key=("kind", "published", "year", "age", "band", "sex"),
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
                "revenue": _c("amount", "tax revenue, general grants and equalisation", False, "SEK"),
                "tax_base": _c(
                    "amount", "tax base (skatteunderlag); revenue = tax base x tax rate + grants", False, "SEK"
                ),
                "tax_rate": _c("number", "municipal tax rate, share of the tax base", False, "fraction"),
                "general_grants": _c("amount", "general state grants and equalisation", False, "SEK"),
                "realisation_gains": _c(
                    "amount", "realisation gains (left out of the balanced-budget result)", False, "SEK"
                ),
                "total_available": _c("amount", "total for committees (overrides revenue)", False, "SEK"),
            },
            required=True,
            key=("year",),
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
                    "population_sd, population_drift, care_intensity_sd, wage_sd, price_sd, internal_price_sd, "
                    "revenue_sd, spending_adaptation_sd, legislation_probability, legislation_size_low, "
                    "legislation_size_high",
                    True,
                ),
                "key": _c(
                    "text",
                    "band label or committee id (population_sd, population_drift, care_intensity_sd); * for the others",
                ),
                "value": _c("number", "yearly standard deviation, yearly mean (drift), probability or size", True),
            },
            key=("parameter", "key"),
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


#: Where a column's value lives in the scenario model when that is not the column's own name:
#: committee columns below ``committees.<id>``, municipality columns from the top. Sweep and
#: policy-test paths accept the column names too (:func:`budgetsim.io.overrides.override`).
MODEL_PATHS: dict[tuple[str, str], str] = {
    ("committees", "wage_share"): "cost_mix.wages",
    ("committees", "internal_services_share"): "cost_mix.internal_services",
    ("committees", "price_basis"): "price_list.basis",
    ("need_weights", "need_index"): "need.need_index",
    ("need_weights", "care_intensity_growth"): "need.care_intensity_growth",
    ("municipality", "result_target"): "economy.result_target",
    ("municipality", "other_net_costs_share"): "economy.other_net_costs_share",
    ("municipality", "spending_adaptation"): "economy.spending_adaptation",
}


@dataclass
class Row:
    """One row as read: its location, and each non-empty cell parsed by its column's type."""

    file: str
    line: int
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, column: str, default: Any = None) -> Any:
        return self.values.get(column, default)


def _unique(table: Table, where: str, rows: list[Row], problems: list[Problem]) -> None:
    """A problem for each row whose key (:attr:`Table.key`) an earlier row has, naming both rows:
    the key's values as the scenario reads them (``2025`` and ``2025.0`` are one year; text in one
    Unicode form, without regard to case), since the last would otherwise silently win."""
    if not table.key:
        return
    first: dict[tuple[Any, ...], Row] = {}
    unread = {p.row for p in problems if p.file == where}  # a cell that did not parse is not empty
    for row in rows:
        values = tuple(row.get(c) for c in table.key)
        if row.line in unread or any(v is None and table.columns[c].required for c, v in zip(table.key, values)):
            continue  # a missing required cell is a problem of its own
        same = tuple(unicodedata.normalize("NFC", v).casefold() if isinstance(v, str) else v for v in values)
        earlier = first.setdefault(same, row)
        if earlier is not row:
            given = [(c, v) for c, v in zip(table.key, values, strict=True) if v is not None]
            named = ", ".join(f"{c} {_shown(v)}" for c, v in given) or f"a row without {table.key[0]}"
            column = given[-1][0] if given else table.key[0]  # the finest key column: age, year
            problems.append(
                Problem(where, row.line, column, f"{named} is given twice (rows {earlier.line} and {row.line})")
            )


def _shown(value: Any) -> str:
    if isinstance(value, tuple):  # an age: (first, last or None for open-ended)
        return f"{value[0]}+" if value[1] is None else str(value[0])
    return str(value)


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
        if kind == "year" and not MIN_YEAR <= value <= MAX_YEAR:
            raise ValueError(f"{text!r} is not a year ({MIN_YEAR}-{MAX_YEAR})")
        if value < 0:
            raise ValueError(f"{text!r} is negative; give 0 or more")
        if kind == "int" and value > MAX_AGE:  # the whole numbers of the tables are ages
            raise ValueError(f"{text!r} is not an age (0-{MAX_AGE})")
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
    if (kind == "amount" or column.unit == "SEK") and abs(number) > MAX_AMOUNT:  # money and inhabitants
        raise ValueError(f"{text!r} is more than any budget holds (at most {MAX_AMOUNT:g})")
    return number


class Formula(str):
    """The text of a formula cell whose value the workbook does not hold (it was never computed)."""


def _open_workbook(path: Path, data_only: bool) -> Any:
    """The workbook at ``path``, read only; a ``ValueError`` naming the file when it is not one or
    unpacks to more than :data:`MAX_UNPACKED` bytes."""
    try:
        import openpyxl
    except ImportError:
        raise ImportError(EXTRA_HINT) from None
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
        if unpacked > MAX_UNPACKED:
            raise ValueError(f"unpacks to {unpacked:,} bytes, more than the {MAX_UNPACKED // 2**20} MB allowed")
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as err:  # noqa: BLE001  (zipfile and openpyxl raise many kinds; name the file)
        raise ValueError(f"{path}: not a readable Excel workbook (.xlsx): {err}") from None


class Source:
    """The tables of a municipality: a folder of CSV files or one Excel workbook (:meth:`close` it
    when done)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.workbook: Any = None
        self.formulas: Any = None
        self.notes: list[Problem] = []  # how files were read (an encoding other than UTF-8)
        if self.path.is_dir():
            self.kind = "folder"
        elif self.path.suffix.lower() in (".xlsx", ".xlsm"):
            self.kind = "workbook"
            readable(self.path)
            self.workbook = _open_workbook(self.path, data_only=True)
            self.formulas = _open_workbook(self.path, data_only=False)
        else:
            raise ValueError(f"{self.path}: not a folder of CSV files or an Excel workbook (.xlsx)")

    def close(self) -> None:
        """Close a workbook's file."""
        for book in (self.workbook, self.formulas):
            if book is not None:
                book.close()

    def where(self, table: Table) -> str:
        return table.file if self.kind == "folder" else f"{self.path.name}:{table.name}"

    def exists(self, table: Table) -> bool:
        if self.kind == "folder":
            return (self.path / table.file).exists()
        return table.name in self.workbook.sheetnames

    def strays(self) -> list[Problem]:
        """Warnings for what looks like a table but is not read: a CSV file (or sheet) whose name is
        not a table's (``Additions.CSV``, ``comittees.csv``), and a table's sheet hidden in Excel
        (read like any other, though a reader of the workbook does not see it)."""
        files = {t.file: t for t in TABLES.values()} if self.kind == "folder" else {t.name: t for t in TABLES.values()}
        if self.kind == "folder":
            found = sorted(p.name for p in self.path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        else:
            found = list(self.workbook.sheetnames)
        problems = []
        for name in found:
            if name in files:
                state = "visible" if self.kind == "folder" else self.workbook[name].sheet_state
                hidden = [] if self.kind == "folder" else self._hidden_rows(name)
                if hidden:
                    shown = ", ".join(map(str, hidden[:5])) + (" ..." if len(hidden) > 5 else "")
                    problems.append(
                        Problem(
                            self.where(files[name]),
                            hidden[0],
                            None,
                            f"{len(hidden)} row(s) hidden in Excel ({shown}); they are read all the same",
                            "warning",
                        )
                    )
                if state != "visible":
                    problems.append(
                        Problem(
                            self.where(files[name]),
                            None,
                            None,
                            "the sheet is hidden in Excel; it is read all the same",
                            "warning",
                        )
                    )
                continue
            stems = {Path(k).stem: k for k in files}
            typo = difflib.get_close_matches(Path(name).stem.strip().lower(), stems, n=1, cutoff=0.8)
            close = [k for k in files if k.lower() == name.strip().lower()] or [stems[t] for t in typo]
            if close:
                where = name if self.kind == "folder" else f"{self.path.name}:{name}"
                problems.append(
                    Problem(where, None, None, f"not read: not a table's name; did you mean {close[0]}?", "warning")
                )
            elif self.kind == "folder":
                known = ", ".join(files)
                problems.append(
                    Problem(name, None, None, f"not read: not a table's name (the tables: {known})", "warning")
                )
        return problems

    def _hidden_rows(self, sheet: str) -> list[int]:
        """The numbers of the rows of ``sheet`` hidden in Excel (read from the sheet's XML, which
        openpyxl's read-only mode does not parse for row formats)."""
        part = getattr(self.workbook[sheet], "_worksheet_path", None)
        if part is None:  # pragma: no cover - an openpyxl without it: no warning, the rows are read
            return []
        with zipfile.ZipFile(self.path) as archive:
            xml = archive.read(part.lstrip("/"))
        rows = re.findall(rb'<row\b[^>]*?\br="(\d+)"[^>]*?\bhidden="(?:1|true)"', xml)
        rows += re.findall(rb'<row\b[^>]*?\bhidden="(?:1|true)"[^>]*?\br="(\d+)"', xml)
        return sorted({int(r) for r in rows})

    def _lines(self, table: Table) -> Iterator[tuple[int, list[str]]]:
        """The rows of ``table`` as text cells; a ``ValueError`` or ``csv.Error`` when the file
        cannot be read as a table (a formula cell without a value comes as a :class:`Formula`)."""
        if self.kind == "folder":
            path = readable(self.path / table.file, limit=MAX_BYTES)
            with reading(path):
                text, encoding = decode_table(path.read_bytes())
            if encoding != "UTF-8":
                self.notes.append(Problem(table.file, None, None, f"read as {encoding} text", "note"))
            header = next((line for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
            delimiter = max((",", ";", "\t"), key=header.count)
            yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
            return
        sheet = self.workbook[table.name]
        if (sheet.max_row or 0) > MAX_ROWS or (sheet.max_column or 0) > MAX_COLUMNS:  # as the sheet declares it
            raise ValueError(
                f"the sheet reaches cell {sheet.calculate_dimension().split(':')[-1]}; a table has at most "
                f"{MAX_ROWS:,} rows and {MAX_COLUMNS} columns (delete what is beyond the table)"
            )
        values = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        formulas = self.formulas[table.name].iter_rows(values_only=True, max_col=MAX_COLUMNS)
        try:
            for number, (cells, sources) in enumerate(zip(values, formulas, strict=False), start=1):
                yield number, [_text(c, f) for c, f in zip(cells, sources, strict=False)]
        except Exception as err:  # noqa: BLE001  (a damaged sheet fails while it is read)
            raise ValueError(f"not a readable sheet: {err}") from None

    def read(self, table: Table, problems: list[Problem], required: bool | None = None) -> list[Row]:
        """The rows of ``table`` (comment lines starting with # skipped), each cell parsed; every
        problem found is added to ``problems``. ``required`` overrides the table's own (a folder
        with SCB files needs no population.csv)."""
        where = self.where(table)
        required = table.required if required is None else required
        if not self.exists(table):
            if required:
                problems.append(Problem(where, None, None, f"missing: the table of {table.description} is required"))
            return []
        header: list[str] | None = None
        rows: list[Row] = []
        number = None
        try:
            for number, cells in self._lines(table):
                if number > MAX_ROWS:
                    problems.append(
                        Problem(where, number, None, f"more than {MAX_ROWS:,} rows; is it the right table?")
                    )
                    break
                if not any(c.strip() for c in cells) or cells[0].strip().startswith("#"):
                    continue
                if header is None:
                    header = self._header(table, where, number, cells, problems)
                else:
                    rows.append(self._row(table, where, number, header, cells, problems))
        except (ValueError, csv.Error) as err:
            message = str(err).removeprefix(f"{self.path / table.file}: ")
            if message.startswith("cannot be read ("):  # the system's refusal (no permission): the file, not a row
                problems.append(Problem(where, None, None, message))
            else:
                problems.append(Problem(where, (number or 0) + 1, None, f"cannot be read as a table: {message}"))
            return []
        _unique(table, where, rows, problems)
        if required and not rows:
            empty = "empty: give a header line and" if header is None else "no rows under the header: give"
            problems.append(Problem(where, None, None, f"{empty} at least one row"))
        return rows

    @staticmethod
    def _header(table: Table, where: str, number: int, cells: list[str], problems: list[Problem]) -> list[str]:
        """The column names of the header line, with a problem for each unknown, repeated or missing one."""
        header = [c.strip() for c in cells]
        for i, name in enumerate(header):
            if name and name not in table.columns:
                problems.append(Problem(where, number, name, f"unknown column; known: {', '.join(table.columns)}"))
            if name and name in header[:i]:
                problems.append(Problem(where, number, name, "column given twice"))
        for name, column in table.columns.items():
            if column.required and name not in header:
                problems.append(Problem(where, number, name, f"missing column: {column.description}"))
        return header

    @staticmethod
    def _row(
        table: Table, where: str, number: int, header: list[str], cells: list[str], problems: list[Problem]
    ) -> Row:
        """One data line parsed by its columns, with a problem for each cell that is wrong or missing,
        and for values outside the header's columns."""
        row = Row(where, number)
        failed: set[str] = set()
        for name, text in zip(header, cells, strict=False):
            if name not in table.columns or not text.strip():
                continue
            if isinstance(text, Formula):
                problems.append(
                    Problem(
                        where,
                        number,
                        name,
                        f"the formula {text} has no computed value; open and save the workbook in Excel, "
                        "or type the value",
                    )
                )
                failed.add(name)
                continue
            try:
                row.values[name] = _parse(table.columns[name], text)
            except ValueError as err:
                problems.append(Problem(where, number, name, f"{err}; expected {_expected(table.columns[name])}"))
                failed.add(name)
        stray = [c for c in cells[len(header) :] if c.strip()] + [
            c for name, c in zip(header, cells, strict=False) if not name and c.strip()
        ]
        if stray:
            problems.append(
                Problem(
                    where,
                    number,
                    None,
                    f"{len(stray)} value(s) outside the header's columns ({', '.join(map(repr, stray[:3]))}); "
                    "is a decimal comma splitting a number? Separate columns with ; or write 0.7",
                )
            )
        for name, column in table.columns.items():
            if column.required and name in header and name not in row.values and name not in failed:
                problems.append(Problem(where, number, name, f"empty; give {_expected(column)}"))
        return row


def _text(value: Any, source: Any) -> str:
    """A workbook cell as text: its value, or (none, but a formula) the formula as a :class:`Formula`."""
    if value is None:
        return "" if source is None else Formula(getattr(source, "text", source))
    return repr(value) if isinstance(value, float) else str(value)


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
    """Write rows as a CSV file of ``table`` (columns in schema order, only those used or required),
    whole or not at all; with ``comment`` the file starts with lines describing each column."""
    used = [c for c, spec in table.columns.items() if spec.required or any(r.get(c) is not None for r in rows)]
    handle = io.StringIO()
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
    text = handle.getvalue()
    write_text(path, text, newline="")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)
