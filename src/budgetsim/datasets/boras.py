"""The built-in Borås Stad dataset: a municipality folder like any other, the study's process
presets with Borås's committees in their roles, and the comparison the command line runs by
default. Every value carries a note: published, estimate or assumption.

The folder is the package's ``_data/boras`` (the repository's ``data/boras``): the tables that
:func:`budgetsim.io.load_municipality` reads, with the budget process in ``process.yaml``, and in
``published/`` the published figures the tables are derived from. :func:`derive` does that
derivation and :func:`write_folder` writes its result;
a test keeps the shipped tables equal to it. :func:`boras` loads the folder.

What is real: the population by five-year band at 2022-12-31 and Borås's forecast of May 2023 for
2023-2027; the 2023 total population; two older forecast vintages (2019 and 2020 facts); the
2024 uplift rates; the ten-year summary 2005-2014; the 2016 frame level and the frame growth
2017-2020; the results of 2015, 2017 and 2020; the committees' aggregate results of 2011, 2012 and
2020-2022; the tax rate; national unit costs 2017.

What is derived, and how:

* **Population outcomes** after 2023 follow the 2023 forecast's band growth (extended past 2027
  by each band's mean growth 2022-2027). The *historical forecast bias* (the yearly rate by which
  the 2019- and 2020-based forecasts over-shot the 2023 forecast, per ten-year band; children
  about 2.4 % a year) is drawn in Monte Carlo as the population error's drift;
  ``boras(forecast_bias=True)`` puts it in the central path instead (:func:`with_forecast_bias`).
* **Forecast vintages** after 2023 repeat Borås's method: the latest year-end count grown by the
  2023 forecast's band growth.
* **Committee frames**: the published 2016 level grown by the published 2017-2020 growth, the base
  year's total set to meet the result target; split by national unit costs x Borås population x
  take-up x net share (``frame_lines.csv``).
* **Revenue**: 2015's grown at the rate that fits the booked results of 2017 and 2020
  (:func:`revenue_growth`) to the base year; then tax base x tax rate + general grants and
  equalisation, each on its own assumed growth. Net financial items keep their 2005-2014 share.
* **Spending adaptation**: calibrated to the committees' published aggregate results
  (:func:`budgetsim.datasets.boras_backtest.calibrate_spending_adaptation`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from budgetsim.datasets.registry import Dataset, data_folder
from budgetsim.formats.documents import save_document
from budgetsim.formats.municipality import load_municipality, save_municipality
from budgetsim.process import Balance, BudgetProcess, November, presets
from budgetsim.scenario import (
    AgeBand,
    Committee,
    CostMix,
    CostStep,
    CostUncertainty,
    Economy,
    EconomyUncertainty,
    NeedProfile,
    NeedWeight,
    Population,
    PopulationForecast,
    PopulationUncertainty,
    Scenario,
    SourceNote,
    Uncertainty,
    VolumeDriver,
)
from budgetsim.strategies.presets import standard_comparison

MSEK = 1e6
NOVEMBER_REFERENCE = 2017  # the year whose November additions Borås published whole
LATEST_FACTS = 2022  # the 2023 forecast stands on the population at 2022-12-31
RESULT_SHARE_2015 = 0.029  # the 2015 result was 2.9 % of tax revenue and general grants (boras_facts.md)
STUDY = "study = Rosvall 2023, thesis on Borås Stad (shared/seed), line numbers of the text"


def folder() -> Path:
    """The Borås municipality folder (its published sources in ``published/``).

    >>> (folder() / "committees.csv").is_file(), (folder() / "published" / "history.csv").is_file()
    (True, True)
    """
    return Path(str(data_folder("budgetsim", "boras")))


def read(name: str) -> pd.DataFrame:
    """One of the published data files the Borås tables are derived from, comments stripped.

    >>> read("committees.csv").id.tolist()[:3]
    ['FSN', 'GSN', 'GVN']
    """
    with (folder() / "published" / name).open(encoding="utf-8") as handle:
        return pd.read_csv(handle, comment="#", keep_default_na=False, na_values=[""])


def table_rows(frame: pd.DataFrame) -> list[Any]:
    """The rows of a data file as named tuples (cells by column name)."""
    return list(frame.itertuples())


@cache
def _assumptions() -> dict[str, dict[str, Any]]:
    return {
        str(k): {str(c): v for c, v in row.items()} for k, row in read("assumptions.csv").set_index("name").iterrows()
    }


def _value(name: str) -> float:
    return float(_assumptions()[name]["value"])


def _note(name: str, item: str | None = None, **extra: str) -> SourceNote:
    row = _assumptions()[name]
    fields: dict[str, Any] = {k: _optional(row[k], str) or "" for k in ("value", "unit", "status", "source")}
    fields["method"] = _optional(row["note"], str) or ""
    return SourceNote(item=item or name, **{**fields, **extra})


def _rate(value: Any) -> float:
    """A cell that is a number, or the name of a row of ``assumptions.csv``."""
    try:
        return float(value)
    except ValueError:
        return _value(value)


def frames_total(year: int) -> float:
    """All committees' frames in ``year`` (SEK): the published 2016 level (271 MSEK = 4.8 % in 2017)
    grown by the published total frame growth 2017-2020; in the base year the frames that leave the
    result at the target (``base_year_balanced``) given revenue, net financial items and the
    committees' base-year results; the years between at the constant rate that joins the two.

    >>> round(frames_total(2016) / 1e6), round(frames_total(2020) / 1e6)
    (5646, 6720)
    """
    growth = read("history.csv").set_index("year").frame_growth.dropna()
    base_year = int(_value("base_year"))
    if year > base_year:
        raise ValueError(f"frames_total: {year} is after the base year {base_year}")
    last = int(growth.index.max())
    if year > last:
        share = 1 - _value("base_year_balanced") + financial_share()
        results = sum(_value(r) for r in read("committees.csv").base_result.dropna())
        base = revenue_total(base_year) * share + results  # cost = frame - result
        return frames_total(last) * (base / frames_total(last)) ** ((year - last) / (base_year - last))
    total = _value("frames_2016")
    for y in range(2017, year + 1):
        total *= 1 + float(growth[y])
    return total


def financial_share() -> float:
    """Net financial items (an income) as a share of tax revenue and general grants, mean 2005-2014.

    >>> round(financial_share(), 4)
    0.0059
    """
    totals = read("totals_2005_2014.csv").set_index("year")
    return float((totals.net_financial / totals.tax_and_general_grants).mean())


@cache
def revenue_growth() -> float:
    """Yearly growth of tax revenue and general grants from 2015 (159.9 MSEK = 2.9 % of it), fitted by
    least squares to the booked results of 2017 and 2020 as revenue + net financial items - frames
    + the committees' published result (2020: -43 MSEK; 0 where none is published). One parameter
    fitted to two results: a calibration, not a prediction (see :func:`budgetsim.backtest`). 2018's
    result is published only without capital gains, another definition, and is left out.

    >>> round(revenue_growth(), 4)
    0.0489
    """
    history = read("history.csv").set_index("year")
    committees = read("committee_results.csv").set_index("year").result
    years = np.array([int(y) for y in history.result.dropna().index if y > 2015])
    # result = revenue x (1 + net financial share) - frames + committees' result, for each fitted year
    rest = np.array(
        [float(history.result[y]) * MSEK + frames_total(y) - float(committees.get(y, 0.0)) * MSEK for y in years]
    )
    grid = np.arange(0.0, 0.1, 0.0001)
    revenue = revenue_2015() * (1 + financial_share()) * (1 + grid[:, None]) ** (years - 2015)
    return float(grid[int(np.argmin(((revenue - rest) ** 2).sum(axis=1)))])


def revenue_total(year: int) -> float:
    """Tax revenue, general grants and equalisation in ``year`` up to the base year (SEK): the 2015
    figure (159.9 MSEK = 2.9 % of it) grown at :func:`revenue_growth`.

    >>> round(revenue_total(2015) / 1e6)
    5514
    """
    return revenue_2015() * (1 + revenue_growth()) ** (year - 2015)


def revenue_2015() -> float:
    """Tax revenue and general grants of 2015 (SEK), from its published result of 159.9 MSEK = 2.9 %."""
    return float(read("history.csv").set_index("year").result[2015]) * MSEK / RESULT_SHARE_2015


def november_cap() -> float:
    """The scale of Borås's November additions as a share of the frames: the 2017 budget's targeted
    priorities, 82 MSEK on the 2016 frames (1.45 %), the one year the whole sum is published. 2018's
    30 MSEK names only two items, and 2020's 57 MSEK was a state grant split in March, not a
    November decision, so neither measures the November step.

    >>> round(november_cap(), 4)
    0.0145
    """
    additions = read("history_additions.csv").groupby("year").amount.sum() * MSEK
    return float(additions[NOVEMBER_REFERENCE] / frames_total(NOVEMBER_REFERENCE - 1))


def _cagr(first: float, last: float, years: int) -> float:
    return (last / first) ** (1 / years) - 1


def _decade(min_age: int) -> str:
    """Label of the ten-year band of the vintages file that holds a five-year band."""
    return "100+" if min_age >= 100 else f"{min_age // 10 * 10}-{min_age // 10 * 10 + 9}"


def forecast_bias(bands: pd.DataFrame, forecast: pd.DataFrame) -> pd.Series:
    """Yearly over-forecast per five-year band: for each older vintage, (its forecast / the 2023
    forecast for the same year) ** (1 / the years of facts between them) - 1 by ten-year band,
    averaged over the vintages. The 2023 forecast stands on the facts of 2022-12-31, the older ones
    on those of 2019 and 2020: what separates them is three and two years of outcomes.

    >>> b = forecast_bias(read("population_forecast_2023.csv"), read("population_vintages.csv"))
    >>> round(float(b["0-4"]), 4)
    0.0244
    """
    f23 = bands.set_index("age_band")
    decade = bands.set_index("age_band").age_min.map(_decade)
    rates = []
    for _, row in forecast[forecast.kind == "forecast"].iterrows():
        year, horizon = int(row.year), LATEST_FACTS - (int(row.vintage) - 1)
        new = f23[str(year)].groupby(decade).sum()
        old = row[new.index].astype(float)
        rates.append((old / new) ** (1 / horizon) - 1)
    by_decade = pd.concat(rates, axis=1).mean(axis=1)
    return decade.map(by_decade)


def _population(end_year: int) -> tuple[Population, list[SourceNote]]:
    raw = read("population_forecast_2023.csv")
    bands = [AgeBand(label=r.age_band, min_age=int(r.age_min), max_age=_optional(r.age_max)) for r in table_rows(raw)]
    official = {int(y): raw[y].to_numpy(float) for y in raw.columns if y.isdigit()}  # 2022..2027
    growth = (official[2027] / official[2022]) ** (1 / 5)
    for year in range(2028, end_year + 1):
        official[year] = official[year - 1] * growth
    level = _value("population_2023_total") / official[2023].sum()
    outcomes = {2022: official[2022], 2023: official[2023] * level}
    for year in range(2024, end_year + 1):
        outcomes[year] = outcomes[2023] * official[year] / official[2023]
    forecasts = [PopulationForecast(published=2023, counts={y: tuple(v) for y, v in official.items()})]
    for published in range(2024, end_year):
        facts = published - 1
        counts = {y: tuple(outcomes[y]) for y in (facts - 1, facts)}
        counts |= {y: tuple(outcomes[facts] * official[y] / official[facts]) for y in range(facts + 1, end_year + 1)}
        forecasts.append(PopulationForecast(published=published, counts=counts))
    population = Population(
        bands=tuple(bands), outcomes={y: tuple(v) for y, v in outcomes.items()}, forecasts=tuple(forecasts)
    )
    source = "Borås Stad befolkningsprognos, 10 May 2023 (shared/reference/boras_population_forecast_2023.csv)"
    notes = [
        SourceNote(item="population.outcomes.2022", status="published", unit="inhabitants", source=source),
        _note(
            "population_2023_total",
            "population.outcomes.2023",
            status="estimate",
            method="2023 forecast bands scaled to the published total 114,592",
        ),
        SourceNote(
            item="population.outcomes.2024-",
            status="assumption",
            unit="inhabitants",
            method=f"2023 outcome x growth of the 2023 forecast (past 2027: mean band growth 2022-2027), {NO_BIAS}",
        ),
        SourceNote(
            item="population.forecasts.2023",
            status="published",
            unit="inhabitants",
            source=source,
            method="extended past 2027 by mean band growth 2022-2027 (assumption)",
        ),
        SourceNote(
            item="population.forecasts.2024-",
            status="assumption",
            unit="inhabitants",
            method="Borås's method repeated: latest year-end outcome x growth of the 2023 forecast",
        ),
    ]
    return population, notes


def _optional(value: Any, kind: type = int) -> Any:
    """A CSV cell that may be empty: None, else the value as ``kind``."""
    return None if value is None or pd.isna(value) else kind(value)


def _ages(population: Population, min_age: int, max_age: float | None) -> list[int]:
    return population.band_indices(int(min_age), _optional(max_age))


def frame_lines(population: Population, year: int) -> pd.DataFrame:
    """``frame_lines.csv`` with each line's ``per_inhabitant`` cost (national gross cost 2017 x take-up
    x the committee's net share, at ``year``'s prices by the assumed cost growth) and its ``amount``
    for the population of ``year``: the bottom-up estimate of each committee's frame, before it is
    scaled to the municipality's total.

    >>> print(round(frame_lines(boras().population, 2023).amount.sum() / 1e9, 1))
    7.4
    """
    costs = read("national_costs_2017.csv").set_index("measure").riket.astype(float)
    table = read("committees.csv").set_index("id")
    lines = read("frame_lines.csv")
    growth = (1 + _value("cost_growth_2017_2023")) ** (year - 2017)
    counts = np.array(population.outcomes[year])
    lines["per_inhabitant"] = (
        [costs[m] for m in lines.measure] * lines.take_up * growth * lines.committee.map(table.net_share)
    )
    lines["amount"] = [
        row.per_inhabitant * counts[_ages(population, row.min_age, row.max_age)].sum() for row in table_rows(lines)
    ]
    return lines


def _committees(population: Population, base_year: int) -> tuple[list[Committee], list[SourceNote], float]:
    table = read("committees.csv").set_index("id")
    graded = read("need_weights.csv")
    growth = (1 + _value("cost_growth_2017_2023")) ** (base_year - 2017)
    base_pop = np.array(population.outcomes[base_year])
    lines = frame_lines(population, base_year)
    committee_total = frames_total(base_year)
    scale = committee_total / lines.amount.sum()

    committees, notes = [], []
    for cid, row in zip(table.index.astype(str), table_rows(table), strict=True):
        own = lines[lines.committee == cid]
        frame = float(own.amount.sum() * scale)
        drivers = tuple(
            VolumeDriver(
                min_age=int(r.min_age),
                max_age=_optional(r.max_age),
                price=float(r.per_inhabitant * scale),
            )
            for r in table_rows(own[own.volume_driver])
        )
        override = graded[graded.committee == cid]
        if len(override):  # relative weights, scaled so they cost what the frame lines cost in the base year
            people = np.array([base_pop[_ages(population, r.min_age, r.max_age)].sum() for r in table_rows(override)])
            override = override.assign(weight=override.weight * frame / (override.weight.to_numpy() * people).sum())
        weight_rows = table_rows(override if len(override) else own.assign(weight=own.per_inhabitant * scale))
        weights = tuple(
            NeedWeight(min_age=int(r.min_age), max_age=_optional(r.max_age), weight=float(r.weight))
            for r in weight_rows
        )
        committees.append(
            Committee(
                id=cid,
                name=row.name,
                sector=row.sector,
                base_frame=frame,
                base_cost=frame - _value(row.base_result) if pd.notna(row.base_result) else None,
                cost_mix=CostMix(wages=row.wage_share, internal_services=row.internal_share),
                volume_drivers=drivers,
                need=NeedProfile(
                    weights=weights, need_index=row.need_index, care_intensity_growth=_rate(row.care_intensity_growth)
                ),
                mandated_share=_optional(row.mandated_share, float),
            )
        )
        method = " + ".join(
            f"{r.measure} x ages {int(r.min_age)}-{_optional(r.max_age) or ''} x take-up {r.take_up}"
            for r in table_rows(own)
        )
        notes.append(
            SourceNote(
                item=f"committees.{cid}.base_frame",
                status="estimate",
                value=f"{frame:.0f}",
                unit="SEK",
                source="national_costs_2017.csv (Kolada via Stockholms stad); frames_2016 (boras.se 2017)",
                method=(
                    f"({method}) x cost growth {growth:.4f} (2017->{base_year}) x net share {row.net_share}, "
                    f"scaled by {scale:.4f} so all committees sum to the published 2016 frames grown to {base_year} "
                    f"({committee_total / 1e6:,.0f} MSEK, committees.*.base_frame.total)"
                ),
            )
        )
        for i, d in enumerate(drivers):
            notes.append(
                SourceNote(
                    item=f"committees.{cid}.volume_drivers.{i}.price",
                    status="estimate",
                    value=f"{d.price:.0f}",
                    unit="SEK per inhabitant",
                    method=f"frame line for ages {d.label} divided by its population",
                )
            )
        need_method = (
            "relative age-graded weights (need_weights.csv) scaled to the base frame"
            if len(override)
            else "standard cost per inhabitant = frame line per inhabitant"
        )
        notes += [
            SourceNote(item=f"committees.{cid}.{field}", status="assumption", value=f"{value:g}", unit=unit, method=how)
            for field, value, unit, how in (
                ("need.need_index", row.need_index, "index", need_method),
                (
                    "need.care_intensity_growth",
                    _rate(row.care_intensity_growth),
                    "per year",
                    _assumptions()[row.care_intensity_growth]["note"]
                    if row.care_intensity_growth in _assumptions()
                    else "committees.csv",
                ),
                ("cost_mix.wages", row.wage_share, "share of cost", "committees.csv"),
                ("cost_mix.internal_services", row.internal_share, "share of cost", "committees.csv"),
            )
        ]
    for c, row in zip(committees, table_rows(table), strict=True):
        if pd.notna(row.base_result):
            result = _value(row.base_result)
            method = _assumptions()[row.base_result]["note"]
            notes.append(
                _note(
                    row.base_result,
                    f"committees.{c.id}.base_cost",
                    value=f"{c.base_net_cost:.0f}",
                    method=f"base frame less the base-year result of {result / 1e6:+.0f} MSEK ({method})",
                )
            )
    notes.append(
        SourceNote(
            item="committees.IFN.mandated_share",
            status="estimate",
            value="0.90",
            source="study l.514 (interview): about 90 % of the committee's budget is mandated by law",
            method="an interviewee's approximation",
        )
    )
    return committees, notes, committee_total


def _uncertainty(totals: pd.DataFrame) -> tuple[Uncertainty, list[SourceNote]]:
    """Default uncertainty: population errors as large as the historical forecast errors, and
    biased as they were, per year of horizon; revenue as volatile as in 2005-2014; the spending
    adaptation around its calibrated value; the rest assumptions."""
    bias = forecast_bias(read("population_forecast_2023.csv"), read("population_vintages.csv"))
    population_sd = {str(band): max(abs(float(b)), 0.002) for band, b in bias.items()}
    population_drift = {str(band): -float(np.log1p(b)) for band, b in bias.items()}
    revenue = totals.tax_and_general_grants.astype(float)
    revenue_sd = float(np.diff(np.log(revenue.to_numpy())).std(ddof=1))
    uncertainty = Uncertainty(
        population=PopulationUncertainty(sd=population_sd, drift=population_drift),
        economy=EconomyUncertainty(
            wage_sd=_value("wage_sd"),
            price_sd=_value("price_sd"),
            internal_price_sd=_value("internal_price_sd"),
            revenue_sd=revenue_sd,
            spending_adaptation_sd=_value("spending_adaptation_sd"),
        ),
        costs=CostUncertainty(
            care_intensity_sd={"SON": _value("care_intensity_sd"), "VÄN": _value("care_intensity_sd")},
            legislation_probability=_value("legislation_probability"),
            legislation_size=(0.0, _value("legislation_size_max")),
        ),
    )
    notes = [
        SourceNote(
            item="uncertainty.population.sd",
            status="estimate",
            value=f"{min(population_sd.values()):.4f}-{max(population_sd.values()):.4f}",
            unit="per year (log)",
            source="population_vintages.csv, population_forecast_2023.csv",
            method="yearly sd of each band's error = the size of its historical forecast bias (at least 0.002)",
        ),
        SourceNote(
            item="uncertainty.population.drift",
            status="estimate",
            value=f"{min(population_drift.values()):.4f}-{max(population_drift.values()):.4f}",
            unit="per year (log)",
            source="population_vintages.csv, population_forecast_2023.csv",
            method=(
                "yearly mean of each band's error = -log(1 + its historical over-forecast per year of horizon) "
                "(budgetsim.datasets.boras.forecast_bias); children's outcomes drift about 1 % a year below the forecast"
            ),
        ),
        SourceNote(
            item="uncertainty.economy.revenue_sd",
            status="estimate",
            value=f"{revenue_sd:.4f}",
            unit="per year (log)",
            source="Borås Stad Årsredovisning 2014 (totals_2005_2014.csv)",
            method="sd of the yearly log growth of tax revenue and general grants 2005-2014",
        ),
        *(
            _note(name, f"uncertainty.{section}.{name}")
            for section, name in (
                ("economy", "spending_adaptation_sd"),
                ("economy", "wage_sd"),
                ("economy", "price_sd"),
                ("economy", "internal_price_sd"),
                ("costs", "care_intensity_sd"),
                ("costs", "legislation_probability"),
                ("costs", "legislation_size_max"),
            )
        ),
    ]
    return uncertainty, notes


def derive(end_year: int = 2030) -> Scenario:
    """The Borås scenario derived from the published figures in ``published/`` (the module's
    docstring says how), with data up to ``end_year``: what :func:`write_folder` writes.

    >>> derive(2026).population.outcomes[2026][0] > 0
    True
    """
    base_year = int(_value("base_year"))
    if not base_year < end_year <= base_year + MAX_HORIZON:
        raise ValueError(
            f"end_year ({end_year}) must be after base_year ({base_year}) and at most {MAX_HORIZON} years later"
        )
    years = range(base_year + 1, end_year + 1)
    population, population_notes = _population(end_year)
    committees, committee_notes, committee_total = _committees(population, base_year)
    totals = read("totals_2005_2014.csv").set_index("year")
    revenue_base = revenue_total(base_year)
    tax_rate = _value("tax_rate")
    grants_base = revenue_base * _value("general_grants_share")
    tax_base_base = (revenue_base - grants_base) / tax_rate
    tax_base = {y: tax_base_base * (1 + _value("tax_base_growth")) ** (y - base_year) for y in years}
    grants = {y: grants_base * (1 + _value("general_grants_growth")) ** (y - base_year) for y in years}
    other_share = -financial_share()

    def flat(name: str) -> dict[int, float]:
        return dict.fromkeys(years, _value(name))

    price = flat("price_uplift")
    economy = Economy(
        wage_uplift=flat("wage_uplift"),
        price_uplift=price,
        efficiency=flat("efficiency"),
        internal_price_outcome={y: p + _value("internal_price_premium") for y, p in price.items()},
        realised_efficiency=flat("realised_efficiency"),
        tax_base=tax_base,
        tax_rate=flat("tax_rate"),
        general_grants=grants,
        result_target=_value("result_target"),
        other_net_costs_share=other_share,
        spending_adaptation=_value("spending_adaptation"),
    )
    step = CostStep(year=2025, committee="IFN", share=_value("ifn_legislation_step"), label="new Social Services Act")
    uncertainty, uncertainty_notes = _uncertainty(totals)
    aar = "Borås Stad Årsredovisning 2014, Tio år i sammandrag (totals_2005_2014.csv)"
    notes = [
        *population_notes,
        *committee_notes,
        _note("base_year"),
        *(_note(n, f"economy.{n}.{base_year + 1}") for n in ("wage_uplift", "price_uplift", "efficiency")),
        *(
            SourceNote(
                item=f"economy.{n}.{base_year + 2}-",
                status="assumption",
                value=str(_value(n)),
                unit="per year",
                method=f"the {base_year + 1} rate held for the later years",
            )
            for n in ("wage_uplift", "price_uplift", "efficiency")
        ),
        *(_note(n, f"economy.{n}") for n in ("realised_efficiency", "result_target", "spending_adaptation")),
        _note(
            "internal_price_premium",
            "economy.internal_price_outcome",
            value=f"{_value('price_uplift') + _value('internal_price_premium'):g}",
            method=(
                f"the price index plus a premium of {_value('internal_price_premium'):g} a year "
                "(internal services grow faster than the price index)"
            ),
        ),
        _note("ifn_legislation_step", "cost_steps.IFN.2025"),
        _note("cost_growth_2017_2023", "committees.*.base_frame.cost_growth"),
        SourceNote(
            item=f"economy.revenue.{base_year}",
            status="estimate",
            value=f"{revenue_base:.0f}",
            unit="SEK",
            source="history.csv, committee_results.csv (boras_facts.md)",
            method=(
                f"the 2015 revenue (159.9 MSEK / 2.9 %) grown {revenue_growth():.2%} a year, the rate that fits the "
                "booked results of 2017 and 2020 (budgetsim.datasets.boras.revenue_growth)"
            ),
        ),
        _note("tax_rate", "economy.tax_rate"),
        _note(
            "general_grants_share",
            f"economy.general_grants.{base_year}",
            value=f"{grants_base:.0f}",
            unit="SEK",
            method=f"{_value('general_grants_share'):g} of the {base_year} revenue ({revenue_base / MSEK:,.0f} MSEK)",
        ),
        _note(
            "tax_base_growth",
            "economy.tax_base",
            method=(
                f"the {base_year} tax base = (revenue - general grants) / tax rate = {tax_base_base / MSEK:,.0f} MSEK, "
                f"grown {_value('tax_base_growth'):.1%} a year (SKR-style assumption)"
            ),
        ),
        _note("general_grants_growth", "economy.general_grants"),
        SourceNote(
            item="economy.revenue",
            status="estimate",
            unit="SEK",
            value=f"{tax_base[base_year + 1] * tax_rate + grants[base_year + 1]:.0f}",
            method=(
                f"{base_year + 1}: tax base x tax rate + general grants and equalisation; the lines grow "
                f"{(tax_base[base_year + 1] * tax_rate + grants[base_year + 1]) / revenue_base - 1:.2%} in "
                f"{base_year + 1}, below the {revenue_growth():.1%} a year of 2015-{base_year} "
                "(forward revenue follows the tax base forecast, not a past rate)"
            ),
        ),
        SourceNote(
            item="economy.other_net_costs_share",
            status="estimate",
            source=aar,
            value=f"{other_share:.4f}",
            method=(
                "net financial items (an income) as a share of tax revenue and general grants, mean 2005-2014; "
                "depreciation is in the committees' frames through internal rents and capital costs (assumption)"
            ),
        ),
        SourceNote(
            item="balance.equity_ratio",
            status="assumption",
            source="boras_facts.md: equity ratio target about 80 %; totals_2005_2014.csv: equity 2014",
            method="not modelled: total assets are not in the data, so the equity ratio (soliditet) cannot be computed",
        ),
        SourceNote(
            item="committees.*.base_frame.total",
            status="estimate",
            unit="SEK",
            source="boras.se news 2017-2020 (history.csv, boras_facts.md)",
            value=f"{committee_total:.0f}",
            method=(
                "frames_2016 (5,646 MSEK, published) x published total frame growth 2017-2020; in "
                f"{base_year} the frames that meet the result target (base_year_balanced): "
                f"{(committee_total / frames_total(2020)) ** (1 / (base_year - 2020)) - 1:.1%} a year 2021-{base_year}"
            ),
        ),
    ]
    return Scenario(
        name="Borås Stad",
        base_year=base_year,
        end_year=end_year,
        committees=tuple(committees),
        population=population,
        economy=economy,
        cost_steps=(step,),
        uncertainty=uncertainty,
        notes=(*notes, *uncertainty_notes),
    )


#: The longest horizon the data support: the forecast's band growth extended beyond that is fiction.
MAX_HORIZON = 30
#: The budget years the dataset runs by default end in this year.
END_YEAR = 2030
#: How the headline's population outcomes treat the historical forecast bias.
NO_BIAS = "no forecast bias (the bias is drawn in Monte Carlo; boras(forecast_bias=True) puts it here)"


def write_folder(target: str | Path) -> Path:
    """Write the Borås tables derived from the published figures, with data for the longest
    horizon (:data:`MAX_HORIZON`) and budget years to :data:`END_YEAR`, and ``process.yaml`` (the
    fields of :func:`boras_practice`), into the folder ``target`` (created; CSV files there are
    replaced). The repository's ``data/boras`` is this, regenerated after a change to the
    published figures or to :func:`derive` by
    ``python -c "import budgetsim.datasets.boras as b; b.write_folder(b.folder())"``.
    """
    target = Path(target)
    base_year = int(_value("base_year"))
    save_municipality(derive(base_year + MAX_HORIZON).replace(end_year=END_YEAR), target, comment=True)
    save_document(boras_practice().model_dump(mode="json", exclude_defaults=True), target / "process.yaml")
    return target


@cache
def _loaded() -> Scenario:
    return load_municipality(folder())


def boras(end_year: int = END_YEAR, forecast_bias: bool = False) -> Scenario:
    """The Borås Stad scenario, loaded from its municipality folder (:func:`folder`): base year
    2023, budget years 2024..``end_year``.

    ``forecast_bias=True`` puts the historical over-forecast of the population into the central
    path (:func:`with_forecast_bias`); by default it is not assumed there but drawn in Monte Carlo
    (``uncertainty.population.drift``), where it belongs: a past pattern, not a fact about the
    coming years.

    >>> s = boras()
    >>> s.committee_ids
    ('FSN', 'GSN', 'GVN', 'IFN', 'SON', 'VÄN', 'ÖVR')
    >>> s.provenance().status.value_counts().to_dict()["published"] >= 5
    True
    """
    scenario = _loaded()
    if not scenario.base_year < end_year <= scenario.base_year + MAX_HORIZON:
        raise ValueError(
            f"end_year ({end_year}) must be after base_year ({scenario.base_year}) and at most {MAX_HORIZON} years later"
        )
    if end_year != scenario.end_year:
        scenario = scenario.replace(end_year=end_year)
    return with_forecast_bias(scenario) if forecast_bias else scenario


def with_forecast_bias(scenario: Scenario) -> Scenario:
    """``scenario`` with the population's drift (``uncertainty.population.drift``, the yearly log
    error of each band) moved into the central path and out of Monte Carlo: an outcome of year
    ``y`` after the base year is multiplied by ``exp(drift x (y - base_year))``, and a forecast
    vintage, which stands on the outcomes up to the year before it was published (Borås's method),
    by the factor of its last year of facts.

    >>> s = boras()
    >>> b = with_forecast_bias(s)
    >>> child = s.population.labels.index("0-4")
    >>> round(float(b.population.outcomes[2026][child] / s.population.outcomes[2026][child]), 4)
    0.9301
    >>> b.uncertainty.population.drift
    0.0
    """
    pop, base, uncertain = scenario.population, scenario.base_year, scenario.uncertainty
    if uncertain is None:
        raise ValueError(f"{scenario.name}: no uncertainty, so no population drift to move into the central path")
    drift = uncertain.population.drift
    rate = np.array(
        [drift.get(label, 0.0) for label in pop.labels] if isinstance(drift, dict) else [drift] * len(pop.labels)
    )

    def moved(counts: dict[int, tuple[float, ...]], facts: float) -> dict[int, tuple[float, ...]]:
        return {y: tuple(np.asarray(c) * np.exp(rate * max(0.0, min(y, facts) - base))) for y, c in counts.items()}

    population = pop.model_copy(
        update={
            "outcomes": moved(pop.outcomes, np.inf),
            "forecasts": tuple(
                f.model_copy(update={"counts": moved(f.counts, f.published - 1)}) for f in pop.forecasts
            ),
        }
    )
    uncertainty = uncertain.model_copy(update={"population": uncertain.population.model_copy(update={"drift": 0.0})})
    notes = tuple(n.model_copy(update=_BIASED[n.item]) if n.item in _BIASED else n for n in scenario.notes)
    return scenario.replace(
        name=f"{scenario.name} (forecast bias in the central path)",
        population=population,
        uncertainty=uncertainty,
        notes=notes,
    )


#: The notes :func:`with_forecast_bias` changes.
_BIASED = {
    "population.outcomes.2024-": {
        "method": (
            "2023 outcome x growth of the 2023 forecast (past 2027: mean band growth 2022-2027), x exp(drift x "
            "(year - 2023)), the drift = -log(1 + historical over-forecast rate of the band), the rates from the "
            "2019- and 2020-based vintages against the 2023 forecast (budgetsim.datasets.boras.forecast_bias)"
        )
    },
    "uncertainty.population.drift": {"value": "0 (the bias is in the central path)"},
}
#: VÄN has built an accumulated surplus of 170 MSEK (study l.474).
OPENING_ACCUMULATED = {"VÄN": 170 * MSEK}
#: The result equalisation reserve held 201.4 MSEK in 2013 (Borås AR 2013, boras_facts.md).
OPENING_RESERVE = 201.4 * MSEK


def boras_practice(frame_period: int = 1) -> BudgetProcess:
    """Borås as the study describes it (:func:`budgetsim.process.study_practice`): IFN's deficits
    are always written off (l.460), the others' after negotiation, four times in five (l.468, l.492;
    the probability is an assumption); surpluses are handed back, SON gets half a surplus less next
    time (l.493-494), GSN keeps its surplus (up to a tenth of its frame, an assumption) and may draw a
    fifth of it a year on request for temporary initiatives (l.482); VÄN starts with 170 MSEK saved
    (l.474), the reserve (RUR) with the 201.4 MSEK of 2013 (an assumption that it stood since), drawn
    only in a year when revenue grows less than its 2005-2014 average (SKR's criterion looks at the
    tax base; revenue stands in for it). In November the council hands out additions at
    the published scale (:func:`november_cap`: 1.45 % of frames, as in 2017) to all committees in
    proportion to their frames, half of them level-raising (an assumption); the rest of the room
    stays in the result (l.298).

    >>> boras_practice().year_end["IFN"][0].share
    1.0
    >>> round(boras_practice().november.cap, 4)
    0.0145
    """
    totals = read("totals_2005_2014.csv").set_index("year").tax_and_general_grants
    trend = _cagr(float(totals[2005]), float(totals[2014]), 9)
    return presets.study_practice(
        written_off=("IFN",),
        negotiated=0.8,
        ratchet={"SON": 0.5},
        saving={"GSN": 0.2},
        opening_accumulated=OPENING_ACCUMULATED,
        november=November(cap=november_cap(), to="all", level_raising=_value("november_level_raising")),
        frame_period=frame_period,
        accumulated_cap=_value("accumulated_cap"),
        draw_on_request=True,
        balance=Balance(
            opening_reserve=OPENING_RESERVE,
            draw_rule="weak_growth",
            growth_trend=trend,
            opening_revenue=revenue_total(int(_value("base_year"))),
        ),
    )


def kept_surpluses(frame_period: int = 1) -> BudgetProcess:
    """No write-offs, surpluses kept (:func:`budgetsim.process.kept_surpluses`), VÄN starting
    with its 170 MSEK."""
    return presets.kept_surpluses(OPENING_ACCUMULATED, frame_period)


DATASET = Dataset(
    name="boras",
    title="Borås Stad",
    build=boras,
    strategies=standard_comparison,
    processes={"boras_practice": boras_practice, "kept_surpluses": kept_surpluses},
    default_process="boras_practice",
)
