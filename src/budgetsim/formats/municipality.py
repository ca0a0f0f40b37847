"""Your own municipality as a folder of CSV files or one Excel workbook (one sheet per table, the
same columns), the form a finance office already keeps its figures in. The tables and their columns
are documented in :data:`budgetsim.formats.tables.TABLES`; ``budgetsim init DIR`` writes a commented
template with a small worked example.

Population may be given by single year of age: it is added up to the bands the committees' volume
drivers, need weights and price lists need. Every problem is reported at once, each as
``file:row:column: what is wrong and what is expected``, in one :class:`MunicipalityError`;
likely mistakes that are not errors come back as warnings (:func:`check_scenario`).

>>> import budgetsim as bs, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "boras"
>>> _ = save_municipality(bs.default_scenario(), folder)
>>> load_municipality(folder) == bs.default_scenario()
True
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from budgetsim.formats.scb import SUFFIXES, ScbError, read_scb
from budgetsim.formats.tables import EXTRA_HINT, TABLES, MunicipalityError, Problem, Row, Source, Table, write_table
from budgetsim.scenario import AgeBand, Scenario
from budgetsim.scenario.base import check_id, invisible
from budgetsim.writing import make_folder, write_file

RATES = [c for c in TABLES["economy"].columns if c != "year"]
MIN_FRAME = 100_000  # SEK: a committee frame below this is almost certainly MSEK or tkr typed as SEK


class MunicipalityWarning(UserWarning):
    """A likely mistake in a municipality's data that does not stop it from loading."""


def load_municipality(path: str | Path, warn: bool = True) -> Scenario:
    """The scenario of a municipality folder (CSV files) or workbook (.xlsx). Raises
    :class:`MunicipalityError` listing every problem; issues :class:`MunicipalityWarning` for
    likely mistakes (``warn=False`` leaves them to :func:`check_scenario`)."""
    scenario, problems = read_municipality(path)
    errors = [p for p in problems if p.severity == "error"]
    if errors or scenario is None:
        raise MunicipalityError(problems, path)
    if warn:
        for p in problems:
            if p.severity == "note":
                continue
            warnings.warn(str(p), MunicipalityWarning, stacklevel=2)
    return scenario


def read_municipality(path: str | Path) -> tuple[Scenario | None, list[Problem]]:
    """The scenario (None if it has errors) and every problem, errors and warnings.

    Every table's problems come in one pass; the checks across tables (the scenario models'
    validators, then :func:`check_scenario`) run once the tables are clean: on a scenario built
    from tables with errors they mostly repeat those errors in other words."""
    problems: list[Problem] = []
    source = Source(path)
    try:
        scb = _scb_rows(source, problems)  # with SCB files, population.csv is optional
        rows = {
            name: source.read(table, problems, table.required and not (scb and name == "population"))
            for name, table in TABLES.items()
        }
        problems += source.notes + source.strays()
    finally:
        source.close()
    rows["population"] = _combined(rows["population"], scb, problems)
    builder = _Builder(source, rows, problems)
    data = builder.scenario_data()
    if any(p.severity == "error" for p in problems) or data is None:
        return None, problems
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        problems.extend(builder.located(e) for e in err.errors())
        return None, problems
    return scenario, problems + check_scenario(scenario, builder.where("committees"))


def _scb_rows(source: Source, problems: list[Problem]) -> list[Row]:
    """Population rows from the SCB files in a folder's ``scb/`` subfolder (see :mod:`budgetsim.formats.scb`)."""
    folder = source.path / "scb"
    if source.kind != "folder" or not folder.is_dir():
        return []
    rows = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES):
        try:
            table = read_scb(path)
        except (ScbError, ImportError) as err:
            problems.append(Problem(f"scb/{path.name}", None, None, str(err).removeprefix(f"{path}: ")))
            continue
        for i, record in enumerate(table.to_dict("records"), start=1):
            values = {str(k): v for k, v in record.items() if v is not None and not pd.isna(v)}
            if "age" in values:
                text = str(values["age"])
                values["age"] = (int(text.rstrip("+")), None if text.endswith("+") else int(text))
            rows.append(Row(f"scb/{path.name}", i, values))
    return rows


def _combined(own: list[Row], scb: list[Row], problems: list[Problem]) -> list[Row]:
    """The population rows of ``population.csv`` and of the SCB files in ``scb/``: where both give
    a year (of the outcomes, or of one forecast), the municipality's own rows are used and SCB's
    left out, and a note says which came from where (``validate`` shows it)."""
    if not own or not scb:
        return own + scb

    def group(row: Row) -> tuple[str, int | None, int]:
        return row.get("kind"), row.get("published"), row.get("year")

    mine = {group(r) for r in own}
    kept = [r for r in scb if group(r) not in mine]
    replaced = {group(r) for r in scb} & mine
    said = f"{_groups({group(r) for r in kept}) or 'nothing'} from scb/, {_groups(mine)} from population.csv"
    if replaced:
        said += f" (given in both, population.csv's used: {_groups(replaced)})"
    problems.append(Problem("population", None, None, said, "note"))
    return own + kept


def _groups(groups: set[tuple[str, int | None, int]]) -> str:
    """``outcome 2020-2022, forecast 2023 for 2023-2027``: years run together."""
    by: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for kind, published, year in groups:
        by[kind, published].append(year)
    parts = []
    vintages = sorted(published or 0 for kind, published in by if kind == "forecast")
    for (kind, published), years in sorted(by.items(), key=lambda item: (item[0][0] != "outcome", item[0][1] or 0)):
        span = f"{min(years)}-{max(years)}" if len(years) > 1 else str(years[0])
        if kind == "outcome":
            parts.append(f"outcome {span}")
        elif len(vintages) <= 3:
            parts.append(f"forecast {published} for {span}")
    if len(vintages) > 3:
        parts.append(f"{len(vintages)} forecasts published {vintages[0]}-{vintages[-1]}")
    return ", ".join(parts)


def _ages(row: Row) -> tuple[int, int | None]:
    return row.get("min_age", 0), row.get("max_age")


def _band_label(lo: int, hi: int | None) -> str:
    return f"{lo}+" if hi is None else f"{lo}-{hi}"


def _parse_band(text: str) -> tuple[int, int | None]:
    if text.endswith("+") and text[:-1].isdigit():
        return int(text[:-1]), None
    lo, sep, hi = text.partition("-")
    if sep and lo.strip().isdigit() and hi.strip().isdigit() and int(lo) <= int(hi):
        return int(lo), int(hi)
    if text.isdigit():
        return int(text), int(text)
    raise ValueError(f"{text!r} is not an age band; give 65-79, 80+ or 7")


class _Builder:
    """Turns the rows of every table into the data of a Scenario, checking what crosses tables."""

    def __init__(self, source: Source, rows: dict[str, list[Row]], problems: list[Problem]) -> None:
        self.source, self.rows, self.problems = source, rows, problems
        self.committee_rows: dict[str, Row] = {}
        #: The rows behind each list of the scenario data, by its path (("committees", "FSK",
        #: "price_list", "prices"), ("additions",)), so that an error is put back on its row.
        self.item_rows: dict[tuple[str, ...], list[Row]] = defaultdict(list)
        self.assumed: list[dict[str, Any]] = []  # notes on what the loader itself assumed

    def where(self, table: str) -> str:
        return self.source.where(TABLES[table])

    def error(self, row: Row | None, column: str | None, message: str, table: str = "") -> None:
        file = row.file if row is not None else self.where(table)
        self.problems.append(Problem(file, row.line if row is not None else None, column, message))

    def scenario_data(self) -> dict[str, Any] | None:
        head = self.rows["municipality"]
        if len(head) != 1:
            if head:
                self.error(head[1], None, "give exactly one row")
            return None
        m = head[0]
        base, end = m.get("base_year"), m.get("end_year")
        if base is None or end is None:
            return None
        if end <= base:
            self.error(m, "end_year", f"{end} is not after base_year {base}")
            return None
        committees = self.committees()
        years = range(base + 1, end + 1)
        population = self.population(base, end, committees)
        economy = self.economy(years, m)
        data: dict[str, Any] = {
            "name": m.get("name"),
            "base_year": base,
            "end_year": end,
            "committees": list(committees.values()),
            "population": population,
            "economy": economy,
            "additions": self.dated("additions", "amount", years),
            "cost_steps": self.dated("cost_steps", "share", years),
            "notes": [dict(r.values) for r in self.rows["sources"]] + self.assumed,
        }
        if self.source.exists(TABLES["uncertainty"]):
            data["uncertainty"] = self.uncertainty()
        return data if population is not None else None

    # --- committees and what hangs on them -------------------------------------------------
    def committees(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for r in self.rows["committees"]:
            cid = r.get("id")
            if cid is None:
                continue
            try:
                cid = check_id(cid)
            except ValueError as err:
                self.error(r, "id", str(err))
                continue
            earlier = next((row for key, row in self.committee_rows.items() if key.casefold() == cid.casefold()), None)
            if earlier is not None:
                same = "" if earlier.get("id") == cid else f" as {earlier.get('id')!r} (ids differ not only in case)"
                self.error(r, "id", f"{cid!r} is used by row {earlier.line}{same}; ids must differ")
                continue
            frame = r.get("base_frame")
            if frame is not None and frame <= 0:
                self.error(r, "base_frame", f"{frame:g} is not a frame: give the base year's frame in SEK, more than 0")
            elif frame is not None and frame < MIN_FRAME:
                unit = "MSEK" if frame < 10_000 else "tkr"
                self.error(r, "base_frame", f"{frame:g} looks like {unit}; give SEK (e.g. {frame * 1e6:,.0f})")
            wages, internal = r.get("wage_share", 0.0), r.get("internal_services_share", 0.0)
            if wages + internal > 1:
                self.error(r, "internal_services_share", f"wage share {wages} + internal services {internal} exceed 1")
            self.committee_rows[cid] = r
            out[cid] = {
                "id": cid,
                "name": r.get("name"),
                "sector": r.get("sector"),
                "base_frame": frame,
                "base_cost": r.get("base_cost"),
                "cost_mix": {"wages": wages, "internal_services": internal},
                "mandated_share": r.get("mandated_share"),
            }
        for r in self.rows["volume_drivers"]:
            if (c := self._committee(r)) is not None:
                lo, hi = _ages(r)
                out[c].setdefault("volume_drivers", []).append({"min_age": lo, "max_age": hi, "price": r.get("price")})
                self.item_rows[("committees", c, "volume_drivers")].append(r)
        self._need(out)
        self._prices(out)
        return out

    def _committee(self, row: Row) -> str | None:
        cid = row.get("committee")
        if cid is None:
            return None
        if cid not in self.committee_rows:
            known = ", ".join(self.committee_rows) or "none"
            self.error(row, "committee", f"unknown committee {cid!r}; the committees table has {known}")
            return None
        return str(cid)

    def _need(self, out: dict[str, dict[str, Any]]) -> None:
        for cid, committee in out.items():
            rows = [r for r in self.rows["need_weights"] if r.get("committee") == cid]
            if not rows:
                continue
            profile: dict[str, Any] = {"weights": []}
            for column, default in (("need_index", 1.0), ("care_intensity_growth", 0.0)):
                given = [(r, r.get(column)) for r in rows if r.get(column) is not None]
                for r, value in given[1:]:
                    if value != given[0][1]:
                        self.error(r, column, f"differs between the rows of {cid}; give one value per committee")
                profile[column] = given[0][1] if given else default
            for r in rows:
                lo, hi = _ages(r)
                profile["weights"].append({"min_age": lo, "max_age": hi, "weight": r.get("weight")})
                self.item_rows[("committees", cid, "need", "weights")].append(r)
            committee["need"] = profile
        for r in self.rows["need_weights"]:
            self._committee(r)

    def _prices(self, out: dict[str, dict[str, Any]]) -> None:
        for r in self.rows["price_lists"]:
            if (c := self._committee(r)) is not None:
                lo, hi = _ages(r)
                entry = {"min_age": lo, "max_age": hi, "year": r.get("year"), "price": r.get("price")}
                out[c].setdefault("price_list", {"prices": []})["prices"].append(entry)
                self.item_rows[("committees", c, "price_list", "prices")].append(r)
        for cid, r in self.committee_rows.items():
            if r.get("price_basis") is not None:
                out[cid].setdefault("price_list", {"prices": []})["basis"] = r.get("price_basis")

    # --- population ------------------------------------------------------------------------
    def population(self, base: int, end: int, committees: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
        rows = self.rows["population"]
        if not rows:
            return None
        by_age = [r for r in rows if r.get("age") is not None]
        by_band = [r for r in rows if r.get("band") is not None]
        for r in rows:
            if (r.get("age") is None) == (r.get("band") is None):
                self.error(
                    r, "band" if r.get("band") is not None else "age", "give either age or band (not both, not neither)"
                )
            if r.get("kind") == "forecast" and r.get("published") is None:
                self.error(r, "published", "a forecast row needs the year the forecast was published")
        cells: list[tuple[Row, tuple[int, int | None] | None]] = []
        bands: list[tuple[int, int | None]] = []
        for r in by_band:
            try:
                band = _parse_band(r.get("band"))
            except ValueError as err:
                self.error(r, "band", str(err))
                continue
            if band not in bands:
                bands.append(band)
            cells.append((r, band))
        bands.sort(key=lambda b: b[0])
        self._complete(cells, bands)
        if by_age:
            last = max(r.get("age")[0] for r in by_age)
            if not any(r.get("age")[1] is None for r in by_age):
                self.error(by_age[-1], "age", f"the last age {last} must be open-ended ({last}+), to count everyone")
                return None
            seen: dict[tuple[Any, ...], set[int]] = defaultdict(set)
            for r in by_age:
                group = (r.get("kind"), r.get("published"), r.get("year"), r.get("sex"))
                seen[group].add(r.get("age")[0])
            for group, ages in seen.items():
                gaps = sorted(set(range(last + 1)) - ages)
                if gaps:
                    row = next(
                        r for r in by_age if (r.get("kind"), r.get("published"), r.get("year"), r.get("sex")) == group
                    )
                    self.error(
                        row,
                        "age",
                        f"{group[0]} {group[2]}: no count for age(s) {gaps[:5]}{' ...' if len(gaps) > 5 else ''}",
                    )
            if not bands:  # single ages only: added up to the bands the committees need
                bands = self._bands(sorted(self._cuts(committees) | {0}), last)
            cells += [(r, self._band_of(r, bands)) for r in by_age]
        index = {b: i for i, b in enumerate(bands)}
        outcomes: dict[int, list[float]] = defaultdict(lambda: [0.0] * len(bands))
        forecasts: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0] * len(bands)))
        for r, cell in cells:
            if cell is None or r.get("kind") not in ("outcome", "forecast") or r.get("year") is None:
                continue
            counts = (
                outcomes[r.get("year")] if r.get("kind") == "outcome" else forecasts[r.get("published")][r.get("year")]
            )
            counts[index[cell]] += r.get("count", 0.0)
        fractions = [r for r, _ in cells if 0 < r.get("count", 0.0) < 1]
        if fractions:
            first = fractions[0]
            self.problems.append(
                Problem(
                    first.file,
                    first.line,
                    "count",
                    f"{first.get('count'):g}: {len(fractions)} count(s) below 1 person; counts are people, not shares",
                    "warning",
                )
            )
        missing = [y for y in range(base, end + 1) if y not in outcomes]
        if missing and not forecasts:
            self.error(
                None, None, f"no outcome counts for year(s) {missing}; give outcomes (or a forecast)", "population"
            )
        elif missing:
            latest = max(forecasts)
            unknown = [y for y in missing if y not in forecasts[latest]]
            if unknown:
                self.error(
                    None,
                    None,
                    f"no outcome counts for {unknown}, and the latest forecast ({latest}) has none either",
                    "population",
                )
            for y in missing:  # years not yet lived: the latest forecast is the central outcome path
                outcomes[y] = list(forecasts[latest].get(y, outcomes[y]))
            self.assumed.append(
                {
                    "item": f"population.outcomes.{missing[0]}-",
                    "status": "assumption",
                    "method": f"the forecast published {latest} (no outcome given for these years)",
                }
            )
        return {
            "bands": [AgeBand(label=_band_label(lo, hi), min_age=lo, max_age=hi) for lo, hi in bands],
            "outcomes": {y: tuple(v) for y, v in sorted(outcomes.items())},
            "forecasts": [
                {"published": p, "counts": {y: tuple(v) for y, v in sorted(years.items())}}
                for p, years in sorted(forecasts.items())
            ],
        }

    def _band_of(self, row: Row, bands: list[tuple[int, int | None]]) -> tuple[int, int | None] | None:
        """The band a single age's row is added to (rows by band elsewhere give the bands); an
        error when its open age (``90+``) reaches into a band it does not cover whole."""
        age, top = row.get("age")
        band = next((b for b in bands if b[0] <= age and (b[1] is None or age <= b[1])), None)
        if band is not None and top is None and band[1] is not None:
            self.error(
                row,
                "age",
                f"the open age {age}+ cannot be split between the bands {_band_label(*band)} and above; "
                f"give single ages up to {bands[-1][0]}+",
            )
            return None
        return band

    def _complete(self, cells: list[tuple[Row, tuple[int, int | None] | None]], bands: list[Any]) -> None:
        """An error for each year (of the outcomes, and of each forecast) that lacks a band the
        others give: a missing row would otherwise count as 0 inhabitants."""
        given: dict[tuple[Any, ...], dict[Any, Row]] = defaultdict(dict)
        for r, band in cells:
            given[(r.get("kind"), r.get("published"), r.get("year"), r.get("sex"))][band] = r
        for (kind, published, year, sex), found in given.items():
            missing = [_band_label(*b) for b in bands if b not in found]
            if missing:
                what = f"{kind} {year}" if published is None else f"forecast {published}, year {year}"
                what += f", sex {sex}" if sex is not None else ""
                shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
                self.error(next(iter(found.values())), "band", f"{what}: no count for band(s) {shown}")

    def _cuts(self, committees: dict[str, dict[str, Any]]) -> set[int]:
        """Ages where a band must start: the ends of every age range a committee uses."""
        cuts: set[int] = set()
        for c in committees.values():
            spans = [*c.get("volume_drivers", []), *c.get("need", {}).get("weights", [])]
            spans += c.get("price_list", {}).get("prices", [])
            for s in spans:
                cuts.add(s["min_age"])
                if s["max_age"] is not None:
                    cuts.add(s["max_age"] + 1)
        return cuts

    @staticmethod
    def _bands(starts: list[int], last: int) -> list[tuple[int, int | None]]:
        starts = [s for s in starts if s <= last]
        return [(lo, hi - 1) for lo, hi in pairwise(starts)] + [(starts[-1], None)]

    # --- economy and the rest ----------------------------------------------------------------
    def economy(self, years: range, m: Row) -> dict[str, Any]:
        every: dict[str, float] = {}
        paths: dict[str, dict[int, float]] = defaultdict(dict)
        later = [r for r in self.rows["economy"] if r.get("year") is not None and r.get("year") > years[-1]]
        for r in self.rows["economy"]:
            year = r.get("year")
            if year is None:
                every.update({k: v for k, v in r.values.items() if k != "year"})
            elif year < years[0]:
                self.error(
                    r, "year", f"{year} is not a budget year ({years[0]}-{years[-1]}, or later for a longer run)"
                )
            else:  # a year after the end year is kept for a run with a later end year
                for k, v in r.values.items():
                    if k != "year":
                        paths[k][year] = v
        span = sorted({*years, *(y for path in paths.values() for y in path)})
        economy: dict[str, Any] = {}
        for name in RATES:
            given = {**dict.fromkeys(span, every[name]), **paths[name]} if name in every else dict(paths[name])
            if given:
                missing = [y for y in years if y not in given]
                if missing and later and name != "realisation_gains":  # a mistyped year, most likely
                    year = later[0].get("year")
                    self.error(
                        later[0],
                        "year",
                        f"{year} is after the end year {years[-1]} (kept for a longer run), and {name} has "
                        f"no value for budget year(s) {missing}",
                    )
                elif missing and name != "realisation_gains":  # a year without gains has none
                    self.error(
                        None,
                        name,
                        f"no value for budget year(s) {missing}; give them or one row without year",
                        "economy",
                    )
                economy[name] = given
        for name in ("wage_uplift", "price_uplift", "efficiency"):
            if name not in economy:
                self.error(None, name, "required: give a value per budget year, or one row without year", "economy")
        for name in ("result_target", "other_net_costs_share", "spending_adaptation"):
            if m.get(name) is not None:
                economy[name] = m.get(name)
        return economy

    def dated(self, table: str, value: str, years: range) -> list[dict[str, Any]]:
        out = []
        for r in self.rows[table]:
            if self._committee(r) is None:
                continue
            if r.get("year") not in years:
                self.error(r, "year", f"{r.get('year')} is not a budget year ({years[0]}-{years[-1]})")
                continue
            entry = {"year": r.get("year"), "committee": r.get("committee"), value: r.get(value)}
            if r.get("label"):
                entry["label"] = r.get("label")
            out.append(entry)
            self.item_rows[(table,)].append(r)
        return out

    def uncertainty(self) -> dict[str, Any]:
        by_key = ("population_sd", "population_drift", "care_intensity_sd")
        scalars = {
            "wage_sd": "economy",
            "price_sd": "economy",
            "internal_price_sd": "economy",
            "revenue_sd": "economy",
            "spending_adaptation_sd": "economy",
            "legislation_probability": "costs",
        }
        data: dict[str, dict[str, Any]] = {"population": {}, "economy": {}, "costs": {}}
        size = [0.0, 0.0]
        for r in self.rows["uncertainty"]:
            name, key, value = r.get("parameter"), r.get("key"), r.get("value")
            if name in by_key:
                section, field = {
                    "population_sd": ("population", "sd"),
                    "population_drift": ("population", "drift"),
                    "care_intensity_sd": ("costs", "care_intensity_sd"),
                }[name]
                if key is None:
                    data[section][field] = value
                else:
                    current = data[section].get(field)
                    data[section][field] = {**(current if isinstance(current, dict) else {}), key: value}
            elif name in scalars:
                data[scalars[name]][name] = value
            elif name in ("legislation_size_low", "legislation_size_high"):
                size[name.endswith("high")] = value
                data["costs"]["legislation_size"] = tuple(size)
            else:
                known = ", ".join([*by_key, *scalars, "legislation_size_low", "legislation_size_high"])
                self.error(r, "parameter", f"unknown parameter {name!r}; known: {known}")
        return data

    # --- errors of the whole scenario, put back where they came from ------------------------
    def located(self, error: Any) -> Problem:
        loc = [str(part) for part in error["loc"]]
        message = str(error["msg"]).removeprefix("Value error, ")
        if message.startswith("committees[") and "]" in message:
            cid = message[len("committees[") : message.index("]")]
            row = self.committee_rows.get(cid)
            if row is not None:
                return Problem(row.file, row.line, _column(message), message)
        if loc[:1] == ["committees"] and len(loc) > 1 and loc[1].isdigit():
            loc[1] = list(self.committee_rows)[int(loc[1])]
        for path, rows in self.item_rows.items():  # an item of a list: the row it was read from
            n = len(path)
            if tuple(loc[:n]) == path and len(loc) > n and loc[n].isdigit() and int(loc[n]) < len(rows):
                row = rows[int(loc[n])]
                column = next((part for part in loc[n + 1 :] if not part.isdigit()), None)
                return Problem(row.file, row.line, column, message)
        if loc[:1] == ["committees"] and len(loc) > 1 and loc[1] in self.committee_rows:
            row = self.committee_rows[loc[1]]
            return Problem(row.file, row.line, next((p for p in reversed(loc[2:]) if not p.isdigit()), None), message)
        table = {"notes": "sources"}.get(loc[0], loc[0]) if loc else "municipality"
        table = table if table in TABLES else "municipality"
        return Problem(self.where(table), None, ".".join(loc[1:]) or None, message)


def _column(message: str) -> str | None:
    for part, column in (
        ("volume_drivers", "price"),
        ("need", "weight"),
        ("price_list", "price"),
        ("base_frame", "base_frame"),
    ):
        if part in message:
            return column
    return None


def check_scenario(scenario: Scenario, file: str = "scenario") -> list[Problem]:
    """Likely mistakes in a valid scenario, as warnings: a committee without need weights (its need
    then ignores the population), a frame out of scale with the population, a total available that
    cannot fund the frames, a forecast that shares no year with the outcomes.

    >>> import budgetsim as bs
    >>> [str(p) for p in check_scenario(bs.default_scenario())]
    []
    """
    found = []
    people = sum(scenario.population.outcomes[scenario.base_year])
    for c in scenario.committees:
        for field, text in (("name", c.name), ("sector", c.sector)):
            if (hidden := invisible(text)) is not None:
                found.append(f"{c.id}: its {field} holds an invisible character, {hidden}; it may not show as it reads")
        if c.need is None:
            found.append(
                f"{c.id}: no need weights; its need then follows its base cost uplifted by prices and "
                "ignores the population (give need_weights rows)"
            )
        per_inhabitant = c.base_frame / max(people, 1.0)
        if per_inhabitant < 10 or per_inhabitant > 1_000_000:
            found.append(
                f"{c.id}: base frame {c.base_frame:,.0f} SEK is {per_inhabitant:,.2f} SEK per inhabitant; is it in SEK?"
            )
    first = scenario.years[0]
    available = scenario.economy.available(first)
    frames = sum(c.base_frame for c in scenario.committees)
    if available is not None and available < 0.8 * frames:
        found.append(
            f"economy: the total available in {first} ({available:,.0f} SEK) cannot fund the frames "
            f"({frames:,.0f} SEK); is revenue in SEK?"
        )
    outcome_years = set(scenario.population.outcomes)
    for f in scenario.population.forecasts:
        if not outcome_years & set(f.counts) and not any(y <= f.published - 1 for y in outcome_years):
            found.append(f"population: the forecast published {f.published} shares no year with the outcomes")
    tables = [("outcomes", scenario.population.outcomes)]
    tables += [(f"forecast {f.published}", f.counts) for f in scenario.population.forecasts]
    fractions = [(what, year, n) for what, counts in tables for year, row in counts.items() for n in row if 0 < n < 1]
    if fractions:
        what, year, n = fractions[0]
        found.append(
            f"population: {len(fractions)} count(s) below 1 person (the first: {n:g} in the {what}, {year}); "
            "counts are people, not shares"
        )
    return [Problem(file, None, None, message, "warning") for message in found]


# --- writing --------------------------------------------------------------------------------
def municipality_rows(scenario: Scenario) -> dict[str, list[dict[str, Any]]]:
    """Every table of ``scenario`` as rows (population by band)."""
    e = scenario.economy
    rows: dict[str, list[dict[str, Any]]] = {
        "municipality": [
            {
                "name": scenario.name,
                "base_year": scenario.base_year,
                "end_year": scenario.end_year,
                "result_target": e.result_target,
                "other_net_costs_share": e.other_net_costs_share,
                "spending_adaptation": e.spending_adaptation,
            }
        ],
        "committees": [],
        "volume_drivers": [],
        "need_weights": [],
        "price_lists": [],
    }
    for c in scenario.committees:
        rows["committees"].append(
            {
                "id": c.id,
                "name": c.name,
                "sector": c.sector,
                "base_frame": c.base_frame,
                "base_cost": c.base_cost,
                "wage_share": c.cost_mix.wages,
                "internal_services_share": c.cost_mix.internal_services,
                "mandated_share": c.mandated_share,
                "price_basis": c.price_list.basis if c.price_list is not None else None,
            }
        )
        for d in c.volume_drivers:
            rows["volume_drivers"].append(
                {"committee": c.id, "min_age": d.min_age, "max_age": d.max_age, "price": d.price}
            )
        for w in c.need.weights if c.need is not None else ():
            rows["need_weights"].append(
                {
                    "committee": c.id,
                    "min_age": w.min_age,
                    "max_age": w.max_age,
                    "weight": w.weight,
                    "need_index": c.need.need_index if c.need is not None else None,
                    "care_intensity_growth": c.need.care_intensity_growth if c.need is not None else None,
                }
            )
        for p in c.price_list.prices if c.price_list is not None else ():
            rows["price_lists"].append(
                {"committee": c.id, "min_age": p.min_age, "max_age": p.max_age, "year": p.year, "price": p.price}
            )
    labels = scenario.population.labels
    rows["population"] = [
        {"kind": "outcome", "year": y, "band": label, "count": n}
        for y, counts in scenario.population.outcomes.items()
        for label, n in zip(labels, counts, strict=True)
    ] + [
        {"kind": "forecast", "published": f.published, "year": y, "band": label, "count": n}
        for f in scenario.population.forecasts
        for y, counts in f.counts.items()
        for label, n in zip(labels, counts, strict=True)
    ]
    lines = e.revenue_lines()
    derived = (  # revenue that the tax lines give is not written again: editing a line then changes it
        lines is not None
        and e.revenue is not None
        and all(abs(e.revenue[y] - sum(lines[y])) <= 1.0 for y in e.revenue if y in lines)
    )
    written = [name for name in RATES if not (derived and name == "revenue")]
    paths = [(name, path) for name in written if isinstance(path := getattr(e, name), dict)]
    rows["economy"] = [  # the budget years, and any later years the scenario holds data for
        {"year": y, **{name: path[y] for name, path in paths if y in path}}
        for y in sorted({*scenario.years, *(y for _, path in paths for y in path if y > scenario.base_year)})
    ]
    rows["additions"] = [a.model_dump() for a in scenario.additions]
    rows["cost_steps"] = [s.model_dump() for s in scenario.cost_steps]
    rows["sources"] = [n.model_dump() for n in scenario.notes]
    if scenario.uncertainty is not None:
        u = scenario.uncertainty
        rows["uncertainty"] = [
            *_keyed("population_sd", u.population.sd),
            *_keyed("population_drift", u.population.drift),
            *_keyed("care_intensity_sd", u.costs.care_intensity_sd),
            *(
                {"parameter": name, "value": getattr(u.economy, name)}
                for name in ("wage_sd", "price_sd", "internal_price_sd", "revenue_sd", "spending_adaptation_sd")
            ),
            {"parameter": "legislation_probability", "value": u.costs.legislation_probability},
            {"parameter": "legislation_size_low", "value": u.costs.legislation_size[0]},
            {"parameter": "legislation_size_high", "value": u.costs.legislation_size[1]},
        ]
    return rows


def _keyed(name: str, value: float | dict[str, float]) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [{"parameter": name, "key": k, "value": v} for k, v in value.items()]
    return [{"parameter": name, "value": value}]


def save_municipality(scenario: Scenario, path: str | Path, comment: bool = False) -> Path:
    """Write ``scenario`` as a municipality folder of CSV files, or as one workbook when ``path``
    ends in .xlsx; loading it gives an equal scenario. ``comment`` starts each CSV file with
    lines that describe its columns."""
    path = Path(path)
    tables = municipality_rows(scenario)
    if path.suffix.lower() == ".xlsx":
        return write_workbook(tables, path)
    make_folder(path)
    for name, rows in tables.items():
        write_table(path / TABLES[name].file, TABLES[name], rows, comment)
    return path


def write_workbook(tables: dict[str, list[dict[str, Any]]], path: Path) -> Path:
    """Write rows of the municipality tables as one workbook, a sheet per table."""
    try:
        import openpyxl
    except ImportError:
        raise ImportError(EXTRA_HINT) from None
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        table: Table = TABLES[name]
        used = [c for c, spec in table.columns.items() if spec.required or any(r.get(c) is not None for r in rows)]
        sheet = book.create_sheet(name)
        sheet.append(used)
        for line, r in enumerate(rows, start=2):  # (sheet.max_row scans every cell: quadratic)
            sheet.append([r.get(c) for c in used])
            for column in range(1, len(used) + 1):
                cell = sheet.cell(row=line, column=column)
                if cell.data_type == "f":  # text that looks like a formula stays text
                    cell.data_type = "s"
    make_folder(path.parent)
    with _exact_numbers():
        return write_file(path, book.save)


@contextmanager
def _exact_numbers() -> Iterator[None]:
    """openpyxl writes numbers with 16 significant digits, which does not always give the same
    float back; while saving, write them with the 17 that do (Excel reads both)."""
    from openpyxl.cell import _writer

    original = _writer.safe_string

    def exact(value: Any) -> str:
        if isinstance(value, float) and math.isfinite(value):
            return repr(value)
        return str(original(value))

    _writer.safe_string = exact
    try:
        yield
    finally:
        _writer.safe_string = original
