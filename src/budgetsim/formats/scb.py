"""Population files as a Swedish analyst downloads them from Statistics Sweden (SCB): the population
by region, age, sex and year (table BE0101N1) and population forecasts (BE0401, or a municipality's
own forecast in the same layout), as PC-Axis ``.px`` files (read with ``pyaxis``) or as PX-Web
exports in CSV, JSON or JSON-stat2. Each becomes rows of the municipality format's ``population``
table: kind, published, year, age or band, sex, count.

A file of a forecast (its matrix, title or contents say BE0401 or "prognos") gives forecast rows,
published in its first year; any other gives outcomes. Ages may be single years ("7 år", "100+
år") or bands ("65-69 år", "-4" for 0-4). Put such files in a municipality folder's ``scb/``
subfolder, or convert one with ``budgetsim scb FILE``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd

from budgetsim.core.text import install_hint
from budgetsim.formats.documents import read_text, readable
from budgetsim.scenario.base import MAX_YEAR, MIN_YEAR

AGE = re.compile(r"^\s*(-?\d+)(?:\s*-\s*(\d+))?\s*(\+)?")
SUFFIXES = (".px", ".csv", ".json")
#: Most inhabitants one cell (an age, a year) may count: more than any municipality has.
MAX_PEOPLE = 1e7


class ScbError(ValueError):
    """An SCB file that cannot be read as population; the message names the file and the cell."""


def read_scb(path: str | Path, region: str | None = None) -> pd.DataFrame:
    r"""The population rows of one SCB file (columns kind, published, year, age or band, sex, count).
    ``region`` picks one region (code or name, e.g. '1490' or 'Borås') when the file has several.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "BE0101N1.csv"
    >>> _ = path.write_text('"Folkmängd efter region, ålder och år"\n\n"region","ålder","2022"\n'
    ...                     '"1490 Borås","0-4 år",6304\n"1490 Borås","5-9 år",7012\n', encoding="utf-8")
    >>> read_scb(path).iloc[0].to_dict()
    {'kind': 'outcome', 'published': None, 'year': 2022, 'band': '0-4', 'sex': 'total', 'count': 6304.0}
    """
    path = Path(path)
    readers: dict[str, Callable[[Path], tuple[pd.DataFrame, str]]] = {".px": _px, ".json": _json, ".csv": _csv}
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise ScbError(f"{path}: give a PC-Axis (.px) file or a PX-Web export (.csv or .json)")
    try:
        readable(path)
    except ValueError as err:
        raise ScbError(str(err)) from None
    table, title = reader(path)
    return _population(path, table, title, region)


def _text(path: Path) -> str:
    """The text of an SCB file (UTF-8, or UTF-16 with a byte-order mark)."""
    try:
        return read_text(path)
    except ValueError as err:
        raise ScbError(str(err)) from None


def _px(path: Path) -> tuple[pd.DataFrame, str]:
    try:
        from pyaxis import pyaxis
    except ImportError:
        raise ImportError(install_hint("scb", "PC-Axis files need pyaxis")) from None

    raw = path.read_bytes()
    encoding = "cp1252" if re.search(rb'CHARSET\s*=\s*"ANSI"', raw) and not _utf8(raw) else "utf-8"
    try:  # before pyaxis, which leaves the file open when it cannot decode it
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        raise ScbError(f"{path}: not a readable PC-Axis file (not {encoding} text at byte {err.start})") from None
    _check_px(path, text)
    log = logging.getLogger("pyaxis")
    level = log.level
    log.setLevel(logging.CRITICAL + 1)  # pyaxis logs a traceback for every file it cannot parse
    try:
        parsed = pyaxis.parse(str(path), encoding=encoding)
        meta = parsed["METADATA"]
        title = " ".join(" ".join(meta.get(k, [])) for k in ("MATRIX", "TITLE", "CONTENTS"))
        table = parsed["DATA"].rename(columns={"DATA": "value"})
    except Exception as err:  # noqa: BLE001  (pyaxis raises whatever its parser meets; name the file)
        raise ScbError(f"{path}: not a readable PC-Axis file ({err})") from None
    finally:
        log.setLevel(level)
    return table, title


def _utf8(raw: bytes) -> bool:
    """Whether ``raw`` is UTF-8 with some letter beyond ASCII: a file that says ``CHARSET="ANSI"``
    but was saved again as UTF-8 (by an editor), read as what it is."""
    try:
        return raw.decode("utf-8") != raw.decode("ascii", errors="replace")
    except UnicodeDecodeError:
        return False


def _check_px(path: Path, text: str) -> None:
    """The shape of a PC-Axis file, checked before it is parsed, so that a damaged one is named by
    what is wrong: no ``DATA=``, a quote left open, or fewer or more numbers than its ``VALUES``
    lists make cells."""
    found = re.search(r"(?m)^\s*DATA\s*=", text)
    if found is None:
        raise ScbError(f"{path}: not a PC-Axis file: no DATA= (the keyword before the numbers)")
    keywords, data = text[: found.start()], text[found.end() :]
    for line, words in enumerate(keywords.splitlines(), start=1):
        if words.count('"') % 2:
            raise ScbError(f'{path}: line {line}: a quote (") is opened and not closed')
    sizes = [
        (name, len(re.findall(r'"[^"]*"', values)))
        for name, values in re.findall(r'VALUES\("([^"]*)"\)\s*=\s*(.*?);', keywords, re.DOTALL)
    ]
    cells = math.prod(n for _, n in sizes)
    numbers = len(re.findall(r'"[^"]*"|[^\s;"]+', data.split(";", 1)[0]))
    if sizes and numbers != cells:
        shape = " x ".join(f"{n} {name}" for name, n in sizes)
        raise ScbError(f"{path}: DATA holds {numbers:,} values; VALUES say {cells:,} ({shape})")


def _json(path: Path) -> tuple[pd.DataFrame, str]:
    text = _text(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ScbError(f"{path}: not valid JSON ({err.msg}, line {err.lineno})") from None
    except (ValueError, RecursionError) as err:  # a number too long, or nested too deep
        raise ScbError(f"{path}: not valid JSON ({err})") from None
    try:
        return _json_table(doc)
    except (KeyError, TypeError, IndexError, AttributeError, ValueError) as err:
        what = f"no {err}" if isinstance(err, KeyError) else str(err)
        raise ScbError(f"{path}: not a PX-Web JSON export or JSON-stat2 as SCB writes them ({what})") from None


def _json_table(doc: Any) -> tuple[pd.DataFrame, str]:
    """The table and title of a JSON-stat2 or PX-Web API document (an error of the lookup, or a
    ``ValueError``, when it is neither)."""
    if isinstance(doc, dict) and doc.get("class") == "dataset":  # JSON-stat2
        ids, dims = doc["id"], doc["dimension"]
        categories = []
        for dim in ids:
            index = dims[dim]["category"]["index"]
            order = sorted(index, key=lambda code: index[code]) if isinstance(index, dict) else list(index)
            labels = dims[dim]["category"].get("label", {})
            categories.append([labels.get(code, code) for code in order])
        rows = pd.MultiIndex.from_product(categories, names=[dims[d].get("label", d) for d in ids]).to_frame(
            index=False
        )
        values = doc["value"]
        if len(values) != len(rows):
            raise ValueError(f"{len(values)} values for {len(rows)} cells of the dimensions")
        rows["value"] = values
        return rows, f"{doc.get('label', '')} {' '.join(ids)}"
    if isinstance(doc, dict) and "columns" in doc and "data" in doc:  # PX-Web API json
        columns = doc["columns"]
        keys = [c for c in columns if c.get("type") != "c"]
        records = [
            {**{c["text"]: k for c, k in zip(keys, d["key"], strict=True)}, "value": d["values"][0]}
            for d in doc["data"]
        ]
        title = " ".join(str(m.get("label", "")) + " " + str(m.get("infofile", "")) for m in doc.get("metadata", []))
        title += " " + " ".join(c.get("code", "") for c in columns if c.get("type") == "c")
        return pd.DataFrame(records), title
    raise ValueError("it has neither 'columns' and 'data' nor 'class': 'dataset'")


def _csv(path: Path) -> tuple[pd.DataFrame, str]:
    text = _text(path)
    lines = text.splitlines()
    delimiter = ";" if text.count(";") > text.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as err:
        raise ScbError(f"{path}: line {reader.line_num + 1}: not CSV ({err})") from None
    start = next((i for i, r in enumerate(rows) if len(r) >= 2 and any(c.strip() for c in r)), None)
    if start is None:
        raise ScbError(f"{path}: no table found (a header line with two or more columns)")
    title = " ".join(lines[:start])
    header = [h.strip() for h in rows[start]]
    body = [r for r in rows[start + 1 :] if any(c.strip() for c in r)]
    for i, r in enumerate(body, start=1):
        if len(r) != len(header):
            raise ScbError(f"{path}: row {i} has {len(r)} cells, the header {len(header)}")
    table = pd.DataFrame(body, columns=header)
    years = [h for h in header if re.fullmatch(r"\d{4}", h.split()[0] if h else "")]
    if years:  # wide: one column per year
        table = table.melt(id_vars=[h for h in header if h not in years], var_name="år", value_name="value")
    else:
        table = table.rename(columns={header[-1]: "value"})
    return table, title + " " + " ".join(header)


def _column(table: pd.DataFrame, path: Path, *names: str, required: bool = True) -> str | None:
    for column in table.columns:
        if any(n in str(column).lower() for n in names):
            return str(column)
    if required:
        raise ScbError(f"{path}: no column for {names[0]}; the file has {', '.join(map(str, table.columns))}")
    return None


def _population(path: Path, table: pd.DataFrame, title: str, region: str | None) -> pd.DataFrame:
    age_col = _column(table, path, "ålder", "alder", "age")
    year_col = _column(table, path, "år", "tid", "year")
    sex_col = _column(table, path, "kön", "kon", "sex", required=False)
    region_col = _column(table, path, "region", required=False)
    assert age_col is not None and year_col is not None
    if region_col is not None:
        regions = list(dict.fromkeys(table[region_col].astype(str)))
        if region is not None:
            table = table[table[region_col].astype(str).str.contains(region, regex=False)]
            if table.empty:
                raise ScbError(f"{path}: no region {region!r}; the file has {', '.join(regions)}")
        elif len(regions) > 1:
            raise ScbError(
                f"{path}: {len(regions)} regions ({', '.join(regions[:4])}, ...); name one with --region (region= in Python)"
            )
    forecast = re.search(r"BE0401|prognos|forecast", title, re.IGNORECASE) is not None
    parsed = []
    for i, row in enumerate(table.itertuples(index=False)):
        cells = dict(zip(table.columns, row, strict=True))
        age_text = str(cells[age_col])
        if age_text.strip().lower().startswith(("tot", "samtliga", "all")):
            continue
        match = AGE.match(age_text)
        if match is None:
            raise ScbError(f"{path}: row {i + 1}, {age_col} {age_text!r} is not an age or an age band")
        lo, hi, plus = int(match.group(1)), match.group(2), match.group(3) is not None
        if lo < 0:  # SCB's code -4 is the band 0-4
            lo, hi = 0, str(-lo)
        year_text = str(cells[year_col]).strip()
        if not re.fullmatch(r"\d{4}", year_text):
            raise ScbError(f"{path}: row {i + 1}, {year_col} {year_text!r} is not a year")
        if not MIN_YEAR <= int(year_text) <= MAX_YEAR:
            raise ScbError(f"{path}: row {i + 1}, year {year_text} is not between {MIN_YEAR} and {MAX_YEAR}")
        value = str(cells["value"]).strip().replace(" ", "").replace(",", ".")
        try:
            count = float(value)
        except ValueError:
            raise ScbError(
                f"{path}: row {i + 1}, count {value!r} is not a number (SCB marks missing values '..')"
            ) from None
        if not (math.isfinite(count) and 0 <= count <= MAX_PEOPLE):
            raise ScbError(
                f"{path}: row {i + 1}, count {value!r} is not a number of inhabitants (0 to {MAX_PEOPLE:,.0f})"
            )
        sex = str(cells[sex_col]) if sex_col is not None else "total"
        parsed.append((lo, None if hi is None else int(hi), plus, int(year_text), sex, count))
    if not parsed:
        raise ScbError(f"{path}: no population counts")
    bands = any(hi is not None and hi != lo for lo, hi, _, _, _, _ in parsed)
    _check_bands(path, {(lo, None if plus else lo if hi is None else hi) for lo, hi, plus, _, _, _ in parsed})
    out = []
    for lo, hi, plus, year, sex, count in parsed:
        label = f"{lo}+" if plus else f"{lo}-{hi if hi is not None else lo}" if bands else str(lo)
        entry: dict[str, Any] = {"kind": "forecast" if forecast else "outcome", "published": None, "year": year}
        entry["band" if bands else "age"] = label
        out.append({**entry, "sex": sex, "count": count})
    rows = pd.DataFrame(out)
    if forecast:
        rows["published"] = int(rows.year.min())
    return rows


def _check_bands(path: Path, bands: set[tuple[int, int | None]]) -> None:
    """Ages or age bands that do not overlap (``0-4`` beside ``0-9`` would count children twice)."""
    ordered = sorted(bands, key=lambda band: (band[0], math.inf if band[1] is None else band[1]))
    for (lo, hi), (next_lo, next_hi) in pairwise(ordered):
        if hi is None or next_lo <= hi:
            first, second = (f"{a}+" if b is None else f"{a}-{b}" for a, b in ((lo, hi), (next_lo, next_hi)))
            raise ScbError(f"{path}: the ages {first} and {second} overlap; give each age in one band")
