"""The Excel pack of a comparison, formatted for a committee meeting: a summary sheet, one sheet
per committee, the bridges, the metrics and scorecard, and the model's description. No cell is a
formula: a name such as ``=HYPERLINK(...)`` is written as the text it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from budgetsim.compare import Comparison
from budgetsim.core.money import MSEK
from budgetsim.metrics import MONEY_METRICS
from budgetsim.writing import write_file

HEADER_FILL = "DCE6F1"
MONEY = "#,##0.0"
RATIO = "0.000"


def _workbook_tools() -> Any:
    try:
        import openpyxl
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise ImportError('the Excel pack needs openpyxl: pip install "budgetsim[report]"') from None
    return openpyxl, Alignment, Font, PatternFill, get_column_letter


RESERVED_SHEETS = ("Summary", "Bridges", "Metrics", "Model")
#: Names Excel keeps for itself (case-insensitive).
EXCEL_RESERVED = ("history",)


def sheet_name(committee: str, taken: set[str]) -> str:
    """A valid, unused Excel sheet name for a committee id (no []:*?/\\, no apostrophe first or
    last, at most 31 characters, not Excel's own "History", never one of the pack's own sheets).

    >>> sheet_name("A/B", set()), sheet_name("Model", set()), sheet_name("'SKOL", set()), sheet_name("History", set())
    ('A_B', 'Model (committee)', '_SKOL', 'History (committee)')
    """
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in committee)[:31] or "committee"
    if name.startswith("'"):
        name = "_" + name[1:]
    if name.endswith("'"):
        name = name[:-1] + "_"
    lowered = {t.lower() for t in taken}
    if name in RESERVED_SHEETS or name.lower() in lowered or name.lower() in EXCEL_RESERVED:
        name = f"{name[:19]} (committee)"
    return name


def put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Set a cell to ``value`` as a value, never a formula (openpyxl makes a text starting with
    ``=`` one); returns the cell.

    >>> import openpyxl
    >>> put(openpyxl.Workbook().active, 1, 1, '=HYPERLINK("http://x","click")').data_type
    's'
    """
    cell = sheet.cell(row=row, column=column, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _write(
    sheet: Any,
    table: pd.DataFrame,
    title: str,
    start: int = 1,
    money: tuple[str, ...] = (),
    ratios: tuple[str, ...] = (),
) -> int:
    """Write ``table`` under a bold title from row ``start``; returns the next free row."""
    _, Alignment, Font, PatternFill, get_column_letter = _workbook_tools()
    put(sheet, start, 1, title).font = Font(bold=True, size=12)
    header = start + 1
    for j, column in enumerate(table.columns, start=1):
        cell = put(sheet, header, j, str(column))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(table.itertuples(index=False), start=header + 1):
        for j, (column, value) in enumerate(zip(table.columns, row, strict=True), start=1):
            value = None if isinstance(value, float) and pd.isna(value) else value
            cell = put(sheet, i, j, value.item() if hasattr(value, "item") else value)
            if column in money:
                cell.number_format = MONEY
            elif column in ratios:
                cell.number_format = RATIO
    for j, column in enumerate(table.columns, start=1):
        width = (
            max(len(str(column)), *(len(f"{v:,.1f}" if isinstance(v, float) else str(v)) for v in table[column]))
            if len(table)
            else len(str(column))
        )
        letter = get_column_letter(j)
        sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width or 0, min(width + 2, 60))
    return header + len(table) + 2


def write_excel(cmp: Comparison, path: str | Path, descriptions: dict[str, str] | None = None) -> Path:
    """Write the comparison's Excel pack to ``path`` (written whole, then moved in place).

    Sheets: Summary (strategy metrics and scorecard, money in MSEK), one per committee (frame,
    need, cost, result and coverage per year and strategy), Bridges (every committee-year, MSEK),
    Metrics (per committee), Model (each strategy's description)."""
    openpyxl, Alignment, Font, _, _ = _workbook_tools()
    path = Path(path)
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "Summary"
    metrics = cmp.metrics.copy()
    money_cols = [c for c in MONEY_METRICS if c in metrics]
    metrics[money_cols] = metrics[money_cols] / MSEK
    metrics = metrics.rename(columns={c: f"{c} (MSEK)" for c in money_cols})
    ratio_cols = tuple(c for c in metrics.columns if c != "strategy" and "(MSEK)" not in c)
    row = _write(summary, metrics, "Strategies", money=tuple(f"{c} (MSEK)" for c in money_cols), ratios=ratio_cols)
    card = cmp.scorecard
    _write(
        summary, card, "Principles scorecard (lower/higher is better as marked)", start=row, ratios=tuple(cmp.results)
    )
    summary.freeze_panes = "B3"

    outcomes = cmp.outcomes.copy()
    for column in ("frame", "need", "cost", "result"):
        outcomes[column] = outcomes[column] / MSEK
    for committee in dict.fromkeys(outcomes.committee):
        sheet = book.create_sheet(sheet_name(str(committee), taken=set(book.sheetnames)))
        table = outcomes[outcomes.committee == committee].drop(columns="committee")
        _write(
            sheet,
            table,
            f"{committee}: frame, need, cost and result (MSEK), coverage",
            money=("frame", "need", "cost", "result"),
            ratios=("coverage",),
        )
        sheet.freeze_panes = "A3"

    bridges = cmp.components.copy()
    bridges["amount"] = bridges["amount"] / MSEK
    bridge_sheet = book.create_sheet("Bridges")
    _write(
        bridge_sheet,
        bridges.rename(columns={"amount": "amount (MSEK)"}),
        "Bridges: last year's frame plus each component = this year's frame",
        money=("amount (MSEK)",),
    )
    bridge_sheet.freeze_panes = "A3"

    committee_metrics = cmp.committee_metrics.copy()
    for column in ("deficits", "surpluses"):
        committee_metrics[column] = committee_metrics[column] / MSEK
    _write(
        book.create_sheet("Metrics"),
        committee_metrics,
        "Metrics per committee (deficits and surpluses in MSEK)",
        money=("deficits", "surpluses"),
        ratios=("mean_coverage", "min_coverage", "volatility"),
    )

    model = book.create_sheet("Model")
    row = 1
    for name, text in (descriptions or {}).items():
        put(model, row, 1, name).font = Font(bold=True, size=12)
        row += 1
        for line in text.splitlines():
            put(model, row, 1, line).alignment = Alignment(wrap_text=False)
            row += 1
        row += 1
    model.column_dimensions["A"].width = 140
    return write_file(path, book.save)
