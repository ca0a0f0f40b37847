"""The scenario: a municipality's committees, population, economy and decisions over the budget
years. Validated once, here, at the boundary; the engine never re-checks it."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd
from pydantic import Field, model_validator

from budgetsim.scenario.base import MAX_NAME, MAX_YEAR, MIN_YEAR, Model, Text, years_text
from budgetsim.scenario.committee import Committee, VolumeDriver
from budgetsim.scenario.economy import Addition, CostStep, Economy, Investment
from budgetsim.scenario.notes import SourceNote
from budgetsim.scenario.population import Population
from budgetsim.scenario.uncertainty import Uncertainty


class Scenario(Model):
    """Everything a simulation needs. Budget years run from ``base_year + 1`` to ``end_year``;
    the base year holds the last known frames.

    >>> import budgetsim as bs
    >>> s = bs.default_scenario()
    >>> s.years[0], s.years[-1], s.committee("GSN").name
    (2024, 2030, 'Grundskolenämnden')
    """

    name: Text = Field("scenario", max_length=MAX_NAME)
    base_year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    end_year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    committees: tuple[Committee, ...] = Field(min_length=1)
    population: Population
    economy: Economy
    additions: tuple[Addition, ...] = ()
    cost_steps: tuple[CostStep, ...] = ()
    investments: tuple[Investment, ...] = ()
    uncertainty: Uncertainty | None = None
    notes: tuple[SourceNote, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _constant_rates(cls, data: Any) -> Any:
        """A rate or amount of the economy given once (``wage_uplift: 0.035``) applies to every
        budget year (when the years are valid; else their own errors say what is wrong)."""
        if not isinstance(data, dict) or not isinstance(data.get("economy"), dict):
            return data
        base, end = data.get("base_year"), data.get("end_year")
        if not (
            isinstance(base, int) and isinstance(end, int) and MIN_YEAR <= min(base, end) <= max(base, end) <= MAX_YEAR
        ):
            return data
        paths = {name for name, f in Economy.model_fields.items() if "dict" in str(f.annotation)}
        economy = {
            name: dict.fromkeys(range(base + 1, end + 1), value)
            if name in paths and isinstance(value, int | float) and not isinstance(value, bool)
            else value
            for name, value in data["economy"].items()
        }
        return {**data, "economy": economy}

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.end_year <= self.base_year:
            raise ValueError(f"end_year ({self.end_year}) must be after base_year ({self.base_year})")
        first: dict[str, str] = {}
        for c in self.committees:
            other = first.get(c.id.casefold())
            if other is not None:
                same = "is used more than once" if other == c.id else f"and {other} differ only in case"
                raise ValueError(f"committees: id {c.id} {same}; ids must differ (without regard to case)")
            first[c.id.casefold()] = c.id
        self._check_paths()
        self._check_population()
        self._check_committees()
        self._check_uncertainty()
        dated: tuple[tuple[str, Sequence[Addition | CostStep | Investment]], ...] = (
            ("additions", self.additions),
            ("cost_steps", self.cost_steps),
            ("investments", self.investments),
        )
        for field, items in dated:
            for i, item in enumerate(items):
                if item.committee not in first.values():
                    raise ValueError(f"{field}[{i}]: unknown committee {item.committee!r}")
                if item.year not in self.years:
                    raise ValueError(
                        f"{field}[{i}]: year {item.year} is not a budget year ({self.years[0]}-{self.end_year})"
                    )
        for i, a in enumerate(self.additions):
            frame = self.committee(a.committee).base_frame
            if abs(a.amount) > 10 * frame:
                raise ValueError(
                    f"additions[{i}]: {a.amount:,.0f} SEK is more than ten times {a.committee}'s base frame "
                    f"({frame:,.0f} SEK); is it in SEK?"
                )
        return self

    def _check_paths(self) -> None:
        years = set(self.years)
        e = self.economy
        for name in type(e).model_fields:
            path = getattr(e, name)
            if isinstance(path, dict) and name != "realisation_gains":  # gains: a year not given has none
                missing = sorted(years - set(path))
                if missing:
                    raise ValueError(f"economy.{name}: no value for budget year(s) {years_text(missing)}")

    def _check_population(self) -> None:
        pop = self.population
        missing = [y for y in range(self.base_year, self.end_year + 1) if y not in pop.outcomes]
        if missing:
            raise ValueError(f"population.outcomes: no counts for year(s) {years_text(missing)}")
        for year in self.years:
            for known_year in (year - 1, year):
                try:
                    pop.known(year, known_year)
                except ValueError as err:
                    raise ValueError(f"population: {err}") from None

    def _check_uncertainty(self) -> None:
        u = self.uncertainty
        if u is None:
            return
        for field, value, known in (
            ("population.sd", u.population.sd, self.population.labels),
            ("population.drift", u.population.drift, self.population.labels),
            ("costs.care_intensity_sd", u.costs.care_intensity_sd, self.committee_ids),
        ):
            if isinstance(value, dict):
                unknown = sorted(set(value) - set(known) - {"*"})
                if unknown:
                    raise ValueError(f"uncertainty.{field}: unknown key(s) {unknown}; known: {', '.join(known)}")

    def _check_committees(self) -> None:
        pop = self.population
        base = self.population.outcomes[self.base_year]
        for c in self.committees:
            covered: set[int] = set()
            for i, d in enumerate(c.volume_drivers):
                try:
                    idx = pop.band_indices(d.min_age, d.max_age)
                except ValueError as err:
                    raise ValueError(f"committees[{c.id}].volume_drivers[{i}]: {err}") from None
                if covered & set(idx):
                    raise ValueError(f"committees[{c.id}].volume_drivers[{i}]: ages {d.label} overlap another driver")
                covered |= set(idx)
            if c.volume_drivers:
                funded = sum(
                    d.price * sum(base[j] for j in pop.band_indices(d.min_age, d.max_age)) for d in c.volume_drivers
                )
                if funded > c.base_frame * (1 + 1e-9):
                    raise ValueError(
                        f"committees[{c.id}].volume_drivers: prices x base-year population (outcome) = {funded:,.0f} SEK, "
                        f"more than the base frame {c.base_frame:,.0f} SEK"
                    )
            if c.need is not None:
                units = 0.0
                for i, w in enumerate(c.need.weights):
                    try:
                        idx = pop.band_indices(w.min_age, w.max_age)
                    except ValueError as err:
                        raise ValueError(f"committees[{c.id}].need.weights[{i}]: {err}") from None
                    units += w.weight * sum(base[j] for j in idx)
                if units <= 0:
                    raise ValueError(
                        f"committees[{c.id}].need: the weights give zero need in the base year {self.base_year}"
                    )
            if c.price_list is not None:
                listed: set[tuple[int, int]] = set()
                for i, p in enumerate(c.price_list.prices):
                    where = f"committees[{c.id}].price_list.prices[{i}]"
                    try:
                        idx = pop.band_indices(p.min_age, p.max_age)
                    except ValueError as err:
                        raise ValueError(f"{where}: {err}") from None
                    if not self.base_year <= p.year <= self.end_year:
                        raise ValueError(f"{where}: year {p.year} is outside {self.base_year}-{self.end_year}")
                    if listed & {(p.year, j) for j in idx}:
                        raise ValueError(f"{where}: ages {p.label} in {p.year} are priced twice")
                    listed |= {(p.year, j) for j in idx}

    # --- showing ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        ids = ", ".join(self.committee_ids)
        return (
            f"<Scenario {self.name!r}: base year {self.base_year}, budget years {self.years[0]}-{self.end_year}, "
            f"{len(self.committees)} committees ({ids}), {len(self.population.bands)} age bands, "
            f"{len(self.population.forecasts)} forecast vintage(s), uncertainty: {'yes' if self.uncertainty else 'no'}>"
        )

    __str__ = __repr__

    def _repr_html_(self) -> str:
        table = pd.DataFrame(
            {
                "id": [c.id for c in self.committees],
                "name": [c.name for c in self.committees],
                "sector": [c.sector for c in self.committees],
                "base frame, MSEK": [round(c.base_frame / 1e6, 1) for c in self.committees],
                "volume drivers": [", ".join(d.label for d in c.volume_drivers) for c in self.committees],
            }
        )
        return f"<p>{html.escape(repr(self))}</p>" + table.to_html(index=False)

    # --- reading ---------------------------------------------------------------------------
    @property
    def years(self) -> tuple[int, ...]:
        """The budget years simulated: ``base_year + 1`` .. ``end_year``."""
        return tuple(range(self.base_year + 1, self.end_year + 1))

    @property
    def committee_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.committees)

    def committee(self, committee_id: str) -> Committee:
        """The committee with this id (``KeyError`` naming the known ids if there is none)."""
        for c in self.committees:
            if c.id == committee_id:
                return c
        raise KeyError(f"no committee {committee_id!r}; known: {', '.join(self.committee_ids)}")

    def provenance(self) -> pd.DataFrame:
        """Where each value comes from: columns item, status, value, unit, source, method."""
        columns = list(SourceNote.model_fields)
        return pd.DataFrame([n.model_dump() for n in self.notes], columns=columns)

    # --- deriving new scenarios (always re-validated) --------------------------------------
    def replace(self, **changes: Any) -> Scenario:
        """A validated copy with top-level fields replaced (``model_copy`` would skip validation)."""
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        return type(self).model_validate(data)

    def replace_committee(self, committee_id: str, **changes: Any) -> Scenario:
        """A validated copy with fields of one committee replaced."""
        self.committee(committee_id)
        committees = tuple(
            Committee.model_validate({**c.model_dump(), **changes}) if c.id == committee_id else c
            for c in self.committees
        )
        return self.replace(committees=committees)

    def with_volume_driver(
        self, committee_id: str, min_age: int, max_age: int | None = None, price: float | None = None
    ) -> Scenario:
        """Drive a committee's volume uplift by one age range instead of its current drivers.

        Without ``price`` the price per inhabitant is set so that the base-year volume funding
        is unchanged: only the *growth* of the new range then drives the uplift.

        >>> import budgetsim as bs
        >>> s80 = bs.default_scenario().with_volume_driver("VÄN", min_age=80)
        >>> s80.committee("VÄN").volume_drivers[0].label
        '80+'
        """
        committee = self.committee(committee_id)
        if price is None:
            known = self.population.known(self.base_year + 1, self.base_year)

            def people(lo: int, hi: int | None) -> float:
                return sum(known[j] for j in self.population.band_indices(lo, hi))

            funded = sum(d.price * people(d.min_age, d.max_age) for d in committee.volume_drivers)
            if funded == 0:
                raise ValueError(f"committee {committee_id} has no volume funding to carry over; give a price")
            price = funded / people(min_age, max_age)
        driver = VolumeDriver(min_age=min_age, max_age=max_age, price=price)
        return self.replace_committee(committee_id, volume_drivers=(driver,))
