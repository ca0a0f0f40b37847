"""The built-in Borås Stad dataset: the scenario, built from the files in the package's
``_data/boras`` folder (the repository's ``data/boras``), the study's process presets with Borås's
committees in their roles, and the comparison the command line runs by default. Every value
carries a note: published, estimate or assumption.

What is real: the population by five-year band at 2022-12-31 and Borås's forecast of May 2023 for
2023-2027; the 2023 total population; two older forecast vintages (2019 and 2020 facts); the
2024 uplift rates; the ten-year summary 2005-2014; national unit costs 2017.

What is derived, and how:

* **Population outcomes** after 2023 follow the 2023 forecast's band growth (extended past 2027
  by each band's mean growth 2022-2027), reduced by the *historical forecast bias*: the yearly
  rate by which the 2019- and 2020-based forecasts over-shot the 2023 forecast for the same
  year, per ten-year band (children about 1 % a year). ``forecast_bias=False`` drops it.
* **Forecast vintages** after 2023 repeat Borås's method: the latest year-end count grown by the
  2023 forecast's band growth. With the bias, the forecast for each budget year over-shoots,
  as history did; a volume uplift then over-funds the child bands.
* **Committee frames** are estimates (see ``frame_lines.csv``): national unit costs 2017 x Borås
  population x take-up x cost growth x net share, scaled to the 2014 committee net cost grown at
  its 2005-2014 rate.
* **Revenue** grows from 2014 at its 2005-2014 rate; depreciation and net financial items take
  their 2014 share of it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from budgetsim.datasets.registry import Dataset, data_folder
from budgetsim.process import BudgetProcess, November, presets
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

STUDY = "study = Rosvall 2023, thesis on Borås Stad (shared/seed), line numbers of the text"


def read(name: str) -> pd.DataFrame:
    """One of the data files of the Borås dataset, comments stripped.

    >>> read("committees.csv").id.tolist()[:3]
    ['FSN', 'GSN', 'GVN']
    """
    with data_folder("budgetsim", "boras").joinpath(name).open(encoding="utf-8") as handle:
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


def _cagr(first: float, last: float, years: int) -> float:
    return (last / first) ** (1 / years) - 1


def _decade(min_age: int) -> str:
    """Label of the ten-year band of the vintages file that holds a five-year band."""
    return "100+" if min_age >= 100 else f"{min_age // 10 * 10}-{min_age // 10 * 10 + 9}"


def forecast_bias(bands: pd.DataFrame, forecast: pd.DataFrame) -> pd.Series:
    """Yearly over-forecast per five-year band: for each older vintage, (its forecast / the 2023
    forecast for the same year) ** (1 / years since its facts) - 1 by ten-year band, averaged
    over the vintages.

    >>> b = forecast_bias(read("population_forecast_2023.csv"), read("population_vintages.csv"))
    >>> round(float(b["0-4"]), 4)
    0.0119
    """
    f23 = bands.set_index("age_band")
    decade = bands.set_index("age_band").age_min.map(_decade)
    rates = []
    for _, row in forecast[forecast.kind == "forecast"].iterrows():
        year, horizon = int(row.year), int(row.year) - (int(row.vintage) - 1)
        new = f23[str(year)].groupby(decade).sum()
        old = row[new.index].astype(float)
        rates.append((old / new) ** (1 / horizon) - 1)
    by_decade = pd.concat(rates, axis=1).mean(axis=1)
    return decade.map(by_decade)


def _population(end_year: int, bias: bool) -> tuple[Population, list[SourceNote]]:
    raw = read("population_forecast_2023.csv")
    labels = raw.age_band.tolist()
    bands = [AgeBand(label=r.age_band, min_age=int(r.age_min), max_age=_optional(r.age_max)) for r in table_rows(raw)]
    official = {int(y): raw[y].to_numpy(float) for y in raw.columns if y.isdigit()}  # 2022..2027
    growth = (official[2027] / official[2022]) ** (1 / 5)
    for year in range(2028, end_year + 1):
        official[year] = official[year - 1] * growth
    level = _value("population_2023_total") / official[2023].sum()
    rates = forecast_bias(raw, read("population_vintages.csv")).to_numpy() if bias else np.zeros(len(labels))
    outcomes = {2022: official[2022], 2023: official[2023] * level}
    for year in range(2024, end_year + 1):
        outcomes[year] = outcomes[2023] * official[year] / official[2023] / (1 + rates) ** (year - 2023)
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
    bias_note = (
        "divided by (1 + historical over-forecast rate of the band) ** (year - 2023); rates from the 2019- and 2020-based "
        "vintages against the 2023 forecast (budgetsim.datasets.boras.forecast_bias)"
        if bias
        else "no forecast bias (forecast_bias=False)"
    )
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
            method=f"2023 outcome x growth of the 2023 forecast (past 2027: mean band growth 2022-2027), {bias_note}",
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


def _committees(population: Population, base_year: int) -> tuple[list[Committee], list[SourceNote], float]:
    costs = read("national_costs_2017.csv").set_index("measure").riket.astype(float)
    totals = read("totals_2005_2014.csv").set_index("year")
    table = read("committees.csv").set_index("id")
    lines = read("frame_lines.csv")
    graded = read("need_weights.csv")
    growth = (1 + _value("cost_growth_2017_2023")) ** (base_year - 2017)
    base_pop = np.array(population.outcomes[base_year])

    lines["per_inhabitant"] = (
        [costs[m] for m in lines.measure] * lines.take_up * growth * lines.committee.map(table.net_share)
    )
    lines["amount"] = [
        row.per_inhabitant * base_pop[_ages(population, row.min_age, row.max_age)].sum() for row in table_rows(lines)
    ]
    net_cost = totals.net_cost.abs() * 1e6  # MSEK -> SEK
    committee_total = net_cost[2014] * (1 + _cagr(net_cost[2005], net_cost[2014], 9)) ** (base_year - 2014)
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
                    weights=weights, need_index=row.need_index, care_intensity_growth=row.care_intensity_growth
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
                source="national_costs_2017.csv (Kolada via Stockholms stad); totals_2005_2014.csv (Borås AR 2014)",
                method=(
                    f"({method}) x cost growth {growth:.4f} (2017->{base_year}) x net share {row.net_share}, "
                    f"scaled by {scale:.4f} so all committees sum to the 2014 net cost grown at its 2005-2014 rate "
                    f"({committee_total / 1e6:,.0f} MSEK)"
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
                ("need.care_intensity_growth", row.care_intensity_growth, "per year", "committees.csv"),
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
    """Default uncertainty: population errors as large as the historical forecast errors, revenue
    as volatile as in 2005-2014, the rest assumptions."""
    bias = forecast_bias(read("population_forecast_2023.csv"), read("population_vintages.csv"))
    population_sd = {str(band): max(abs(float(b)), 0.002) for band, b in bias.items()}
    revenue = totals.tax_and_general_grants.astype(float)
    revenue_sd = float(np.diff(np.log(revenue.to_numpy())).std(ddof=1))
    uncertainty = Uncertainty(
        population=PopulationUncertainty(sd=population_sd),
        economy=EconomyUncertainty(
            wage_sd=_value("wage_sd"),
            price_sd=_value("price_sd"),
            internal_price_sd=_value("internal_price_sd"),
            revenue_sd=revenue_sd,
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


def boras(end_year: int = 2030, forecast_bias: bool = True) -> Scenario:
    """The Borås Stad scenario: base year 2023, budget years 2024..``end_year``.

    >>> s = boras()
    >>> s.committee_ids
    ('FSN', 'GSN', 'GVN', 'IFN', 'SON', 'VÄN', 'ÖVR')
    >>> s.provenance().status.value_counts().to_dict()["published"] >= 5
    True
    """
    base_year = int(_value("base_year"))
    if not base_year < end_year <= base_year + MAX_HORIZON:
        raise ValueError(
            f"end_year ({end_year}) must be after base_year ({base_year}) and at most {MAX_HORIZON} years later"
        )
    years = range(base_year + 1, end_year + 1)
    population, population_notes = _population(end_year, forecast_bias)
    committees, committee_notes, committee_total = _committees(population, base_year)
    totals = read("totals_2005_2014.csv").set_index("year")
    revenue_growth = _cagr(totals.tax_and_general_grants[2005], totals.tax_and_general_grants[2014], 9)
    revenue = {y: float(totals.tax_and_general_grants[2014] * 1e6 * (1 + revenue_growth) ** (y - 2014)) for y in years}
    other_share = float((-totals.depreciation[2014] - totals.net_financial[2014]) / totals.tax_and_general_grants[2014])

    def flat(name: str) -> dict[int, float]:
        return dict.fromkeys(years, _value(name))

    price = flat("price_uplift")
    economy = Economy(
        wage_uplift=flat("wage_uplift"),
        price_uplift=price,
        efficiency=flat("efficiency"),
        internal_price_outcome={y: p + _value("internal_price_premium") for y, p in price.items()},
        realised_efficiency=flat("realised_efficiency"),
        revenue=revenue,
        result_target=_value("result_target"),
        other_net_costs_share=other_share,
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
        *(_note(n, f"economy.{n}") for n in ("realised_efficiency", "result_target")),
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
            item=f"economy.revenue.{base_year + 1}",
            status="estimate",
            unit="SEK",
            source=aar,
            value=f"{revenue[base_year + 1]:.0f}",
            method=f"tax revenue and general grants 2014 grown at their 2005-2014 rate ({revenue_growth:.2%} a year)",
        ),
        SourceNote(
            item="economy.other_net_costs_share",
            status="estimate",
            source=aar,
            value=f"{other_share:.4f}",
            method="(depreciation - net financial items) / tax revenue and general grants, 2014",
        ),
        SourceNote(
            item="committees.*.base_frame.total",
            status="estimate",
            unit="SEK",
            source=aar,
            value=f"{committee_total:.0f}",
            method="net cost 2014 grown at its 2005-2014 rate to the base year",
        ),
    ]
    return Scenario(
        name="Borås Stad" + ("" if forecast_bias else " (no forecast bias)"),
        base_year=base_year,
        end_year=end_year,
        committees=tuple(committees),
        population=population,
        economy=economy,
        cost_steps=(step,),
        uncertainty=uncertainty,
        notes=(*notes, *uncertainty_notes),
    )


MSEK = 1e6
#: The longest horizon the data support: the forecast's band growth extended beyond that is fiction.
MAX_HORIZON = 30
#: VÄN has built an accumulated surplus of 170 MSEK (study l.474).
OPENING_ACCUMULATED = {"VÄN": 170 * MSEK}
#: The result equalisation reserve held 201.4 MSEK in 2013 (Borås AR 2013, boras_facts.md).
OPENING_RESERVE = 201.4 * MSEK


def boras_practice(frame_period: int = 1) -> BudgetProcess:
    """Borås as the study describes it (:func:`budgetsim.process.study_practice`): IFN's deficits
    are always written off (l.460), the others' after negotiation, four times in five (l.468, l.492;
    the probability is an assumption); surpluses are handed back, SON gets half a surplus less next
    time (l.493-494), GSN keeps its surplus and may spend a fifth of it a year on temporary
    initiatives (l.482); VÄN starts with 170 MSEK saved (l.474), the reserve (RUR) with the 201.4
    MSEK of 2013 (an assumption that it stood since); in November the room above the result target
    goes to the committees without volume compensation (l.298).

    >>> boras_practice().year_end["IFN"][0].share
    1.0
    """
    return presets.study_practice(
        written_off=("IFN",),
        negotiated=0.8,
        ratchet={"SON": 0.5},
        saving={"GSN": 0.2},
        opening_accumulated=OPENING_ACCUMULATED,
        opening_reserve=OPENING_RESERVE,
        november=November(to="unfunded"),
        frame_period=frame_period,
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
