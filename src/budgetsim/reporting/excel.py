"""The Excel pack of a comparison, formatted for a committee meeting: a summary sheet, one sheet
per committee, the bridges, the metrics and scorecard, and the model's description. No cell is a
formula: a name such as ``=HYPERLINK(...)`` is written as the text it is."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from budgetsim.compare import Comparison
from budgetsim.core.components import label
from budgetsim.core.money import MSEK
from budgetsim.core.text import term, tr
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


#: The pack's own sheets, in each language.
SHEETS = {
    "Summary": "Sammanfattning",
    "Bridges": "Bryggor",
    "Metrics": "Nyckeltal",
    "Model": "Modell",
}


#: Names a committee's sheet may not take: the pack's own, in either language.
RESERVED_SHEETS = (*SHEETS, *SHEETS.values())
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
    language: str = "en",
) -> int:
    """Write ``table`` under a bold title from row ``start``, each column headed by its label in
    ``language`` (money columns with their unit, MSEK or mnkr); returns the next free row."""
    _, Alignment, Font, PatternFill, get_column_letter = _workbook_tools()
    put(sheet, start, 1, title).font = Font(bold=True, size=12)
    header = start + 1
    for j, column in enumerate(table.columns, start=1):
        label, unit = term(str(column), language), term("MSEK", language)
        label += f" ({unit})" if column in money and unit not in label else ""
        cell = put(sheet, header, j, label)
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


def write_excel(
    cmp: Comparison, path: str | Path, descriptions: dict[str, str] | None = None, language: str = "en"
) -> Path:
    """Write the comparison's Excel pack to ``path`` (written whole, then moved in place), every
    sheet name, title, header and label in ``language``.

    Sheets: Summary (strategy metrics and scorecard, money in MSEK), one per committee (frame,
    need, cost, result and coverage per year and strategy), Bridges (every committee-year, MSEK),
    Metrics (per committee), Model (each strategy's description, as plain text in cells)."""
    openpyxl, _, Font, _, _ = _workbook_tools()
    path = Path(path)
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = _sheet("Summary", language)
    metrics = cmp.metrics.copy()
    money_cols = tuple(c for c in MONEY_METRICS if c in metrics)
    metrics[list(money_cols)] = metrics[list(money_cols)] / MSEK
    ratio_cols = tuple(c for c in metrics.columns if c != "strategy" and c not in money_cols)
    row = _write(
        summary,
        metrics,
        tr(language, "Strategies", "Strategier"),
        money=money_cols,
        ratios=ratio_cols,
        language=language,
    )
    card = cmp.scorecard.assign(description=[term(f"def:{m}", language) for m in cmp.scorecard.metric])
    card = card.assign(
        **{c: [term(v, language) for v in card[c]] for c in ("principle", "cornerstone", "metric", "better")}
    )
    title = tr(
        language,
        "Principles scorecard (lower/higher is better as marked)",
        "Principkort (lägre/högre är bättre enligt markering)",
    )
    _write(summary, card, title, start=row, ratios=tuple(cmp.results), language=language)
    summary.freeze_panes = "B3"

    outcomes = cmp.outcomes.copy()
    for column in ("frame", "need", "cost", "result"):
        outcomes[column] = outcomes[column] / MSEK
    for committee in dict.fromkeys(outcomes.committee):
        sheet = book.create_sheet(sheet_name(str(committee), taken=set(book.sheetnames)))
        table = outcomes[outcomes.committee == committee].drop(columns="committee")
        title = tr(
            language,
            f"{committee}: frame, need, cost and result (MSEK), coverage",
            f"{committee}: ram, behov, kostnad och resultat (mnkr), behovstäckning",
        )
        _write(sheet, table, title, money=("frame", "need", "cost", "result"), ratios=("coverage",), language=language)
        sheet.freeze_panes = "A3"

    bridges = cmp.components.copy()
    bridges["amount"] = bridges["amount"] / MSEK
    bridges["component"] = [label(c, language) for c in bridges.component]
    bridge_sheet = book.create_sheet(_sheet("Bridges", language))
    title = tr(
        language,
        "Bridges: last year's frame plus each component = this year's frame",
        "Bryggor: förra årets ram plus varje komponent = årets ram",
    )
    _write(bridge_sheet, bridges, title, money=("amount",), language=language)
    bridge_sheet.freeze_panes = "A3"

    committee_metrics = cmp.committee_metrics.copy()
    for column in ("deficits", "surpluses"):
        committee_metrics[column] = committee_metrics[column] / MSEK
    _write(
        book.create_sheet(_sheet("Metrics", language)),
        committee_metrics,
        tr(language, "Metrics per committee", "Nyckeltal per nämnd"),
        money=("deficits", "surpluses"),
        ratios=("mean_coverage", "min_coverage", "volatility"),
        language=language,
    )

    model = book.create_sheet(_sheet("Model", language))
    row = 1
    for name, text in (descriptions or {}).items():
        put(model, row, 1, name).font = Font(bold=True, size=14)
        row += 2
        for style, cells in plain(text):
            for j, value in enumerate(cells, start=1):
                put(model, row, j, value).font = Font(
                    bold=style in ("heading", "header"), size=12 if style == "heading" else 11
                )
            row += 1
        row += 1
    model.column_dimensions["A"].width = 60
    return write_file(path, book.save)


def _sheet(name: str, language: str) -> str:
    return tr(language, name, SHEETS[name])


def plain(markdown: str) -> list[tuple[str, list[str]]]:
    r"""The lines of a Markdown description as cells for a sheet, without markup: (style, cells),
    style one of heading, header (a table's first row), row, text; a table's cells side by side.

    >>> plain("# Model\n\n| id | frame |\n|---|---:|\n| FSN | **9** |\n\n- one *rule*")
    [('heading', ['Model']), ('header', ['id', 'frame']), ('row', ['FSN', '9']), ('text', ['• one rule'])]
    """
    out: list[tuple[str, list[str]]] = []
    previous = ""
    for line in markdown.splitlines():
        text = line.strip()
        if not text or re.fullmatch(r"\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?", text):
            previous = text
            continue
        if text.startswith("|"):
            cells = [_unmarked(c.strip()) for c in text.strip("|").split("|")]
            out.append(("row" if previous.startswith("|") else "header", cells))
        elif text.startswith("#"):
            out.append(("heading", [_unmarked(text.lstrip("#").strip())]))
        elif text.startswith(("- ", "* ")):
            out.append(("text", ["• " + _unmarked(text[2:])]))
        else:
            out.append(("text", [_unmarked(text)]))
        previous = text
    return out


def _unmarked(text: str) -> str:
    """Text without Markdown's emphasis, code and link markup (the link's text kept)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])", r"\1", text)
    return text.replace("`", "").replace("\\|", "|")
