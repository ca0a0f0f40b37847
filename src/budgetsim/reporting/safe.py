"""Text that a spreadsheet opens as text. A CSV cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return is read by Excel and LibreOffice as a formula (``=HYPERLINK(...)``,
``=cmd|' /C calc'!A0``): such a text gets a leading ``'``, which spreadsheets read as "this is
text". Numbers, and texts that are numbers, stay as they are."""

from __future__ import annotations

from typing import Any

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def safe_text(value: Any) -> Any:
    """``value``, with a ``'`` before a text a spreadsheet would read as a formula.

    >>> safe_text('=HYPERLINK("http://x","click")'), safe_text("@SUM(A1)"), safe_text("-1+1")
    ('\\'=HYPERLINK("http://x","click")', "'@SUM(A1)", "'-1+1")
    >>> safe_text(-4.5), safe_text("-4.5"), safe_text("-"), safe_text("Vård- och äldrenämnden")
    (-4.5, '-4.5', '-', 'Vård- och äldrenämnden')
    """
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def safe_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells and column names pass :func:`safe_text`; numeric
    columns are left alone.

    >>> table = pd.DataFrame({"strategy": ["=1+1", "needs"], "result": [-4.5, 2.0]})
    >>> safe_frame(table).to_dict("list")
    {'strategy': ["'=1+1", 'needs'], 'result': [-4.5, 2.0]}
    """
    table = table.rename(columns=safe_text)
    for column in table.columns:
        if pd.api.types.is_object_dtype(table[column]) or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(safe_text)
    return table
