"""Population by age band: outcomes (what happened) and forecast vintages (what was expected).

A volume uplift is computed from the population *known when the budget is set*: the latest
forecast published by the autumn before the budget year. Need and cost follow the *outcome*.
Keeping both lets the simulator show what a forecast error does to a committee.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

from pydantic import Field, field_validator, model_validator

from budgetsim.scenario.base import MAX_AGE, MAX_COUNT, Model, Text


class AgeRange(Model):
    """Ages ``min_age``..``max_age`` inclusive; ``max_age=None`` means open-ended."""

    min_age: int = Field(ge=0, le=MAX_AGE)
    max_age: int | None = Field(default=None, ge=0, le=MAX_AGE)

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.max_age is not None and self.max_age < self.min_age:
            raise ValueError(f"max_age {self.max_age} < min_age {self.min_age}")
        return self


class AgeBand(AgeRange):
    """One age band of the population data, e.g. ``AgeBand(label="65-69", min_age=65, max_age=69)``.

    >>> AgeBand(label="80+", min_age=80).max_age is None
    True
    """

    label: Text = Field(min_length=1)


class AgeSpan(AgeRange):
    """An age range that must coincide with whole bands of the population data (a volume driver
    or a need weight)."""

    @property
    def label(self) -> str:
        return f"{self.min_age}+" if self.max_age is None else f"{self.min_age}-{self.max_age}"


Counts = dict[int, tuple[float, ...]]


def band_indices(bands: Sequence[AgeBand], min_age: int, max_age: int | None) -> list[int]:
    """Indices of the ``bands`` that make up ages ``min_age``..``max_age`` exactly, or a
    ``ValueError`` naming the bands when the range does not start and end on their boundaries."""
    starts = [b.min_age for b in bands]
    ends = [b.max_age for b in bands]
    span = f"{min_age}+" if max_age is None else f"{min_age}-{max_age}"
    if min_age not in starts or max_age not in ends or ends.index(max_age) < starts.index(min_age):
        labels = ", ".join(b.label for b in bands)
        raise ValueError(f"ages {span} do not coincide with whole population bands ({labels})")
    return list(range(starts.index(min_age), ends.index(max_age) + 1))


def _check_counts(counts: Counts, what: str) -> Counts:
    for year, row in counts.items():
        for value in row:
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{what}, year {year}: counts must be finite and >= 0, got {value}")
            if value > MAX_COUNT:
                raise ValueError(f"{what}, year {year}: {value:g} inhabitants in one band; give at most {MAX_COUNT:g}")
    return counts


class PopulationForecast(Model):
    """A forecast vintage: counts by band per year, as published in ``published`` (the spring of
    that year). It is what the budget for ``published + 1`` is based on."""

    published: int
    counts: Counts

    @field_validator("counts")
    @classmethod
    def _finite(cls, counts: Counts) -> Counts:
        return _check_counts(counts, "forecast counts")


class Population(Model):
    """Population by age band: ``outcomes`` (31 December counts) and forecast vintages.

    The bands must start at age 0, follow each other without gap or overlap, and only the last
    may be open-ended. Without forecasts, the budget uses the outcomes (perfect foresight).

    >>> p = Population(bands=[AgeBand(label="0-64", min_age=0, max_age=64),
    ...                       AgeBand(label="65+", min_age=65)],
    ...                outcomes={2023: (900.0, 100.0), 2024: (905.0, 104.0)})
    >>> p.band_indices(65, None)
    [1]
    """

    bands: tuple[AgeBand, ...] = Field(min_length=1)
    outcomes: Counts
    forecasts: tuple[PopulationForecast, ...] = ()

    @field_validator("bands")
    @classmethod
    def _contiguous(cls, bands: tuple[AgeBand, ...]) -> tuple[AgeBand, ...]:
        if bands[0].min_age != 0:
            raise ValueError(f"the first band must start at age 0, {bands[0].label!r} starts at {bands[0].min_age}")
        labels = [b.label for b in bands]
        if len(set(labels)) != len(labels):
            raise ValueError(f"band labels must be unique, got {labels}")
        for prev, band in pairwise(bands):
            if prev.max_age is None:
                raise ValueError(f"only the last band may be open-ended, {prev.label!r} is not last")
            if band.min_age <= prev.max_age:
                raise ValueError(f"bands {prev.label!r} and {band.label!r} overlap")
            if band.min_age > prev.max_age + 1:
                raise ValueError(
                    f"gap between bands {prev.label!r} and {band.label!r}: ages {prev.max_age + 1}-{band.min_age - 1} are missing"
                )
        return bands

    @field_validator("outcomes")
    @classmethod
    def _finite(cls, counts: Counts) -> Counts:
        return _check_counts(counts, "outcome counts")

    @model_validator(mode="after")
    def _shapes(self) -> Population:
        n = len(self.bands)
        for year, row in self.outcomes.items():
            if len(row) != n:
                raise ValueError(f"outcomes, year {year}: {len(row)} counts for {n} bands")
        published = [f.published for f in self.forecasts]
        if len(set(published)) != len(published):
            raise ValueError(f"forecasts: two vintages published in the same year ({sorted(published)})")
        for f in self.forecasts:
            for year, row in f.counts.items():
                if len(row) != n:
                    raise ValueError(f"forecast published {f.published}, year {year}: {len(row)} counts for {n} bands")
        return self

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(b.label for b in self.bands)

    def band_indices(self, min_age: int, max_age: int | None) -> list[int]:
        """Indices of the bands that make up ages ``min_age``..``max_age`` exactly.

        Raises ``ValueError`` when the range does not start and end on band boundaries.
        """
        return band_indices(self.bands, min_age, max_age)

    def vintage_for_budget(self, budget_year: int) -> PopulationForecast | None:
        """The forecast known when the budget for ``budget_year`` is set (autumn before): the latest
        vintage published no later than ``budget_year - 1``; ``None`` without forecasts."""
        known = [f for f in self.forecasts if f.published <= budget_year - 1]
        if not self.forecasts:
            return None
        if not known:
            raise ValueError(f"no population forecast published by {budget_year - 1} for budget year {budget_year}")
        return max(known, key=lambda f: f.published)

    def known(self, budget_year: int, year: int) -> tuple[float, ...]:
        """Counts for ``year`` as known when the budget for ``budget_year`` was set.

        The vintage's own figure if it has the year; otherwise the outcome if the year had ended
        by the time the vintage was published (year <= published - 1); otherwise an error.
        """
        vintage = self.vintage_for_budget(budget_year)
        if vintage is None:
            if year not in self.outcomes:
                raise ValueError(f"population outcomes: year {year} is missing (needed for budget year {budget_year})")
            return self.outcomes[year]
        if year in vintage.counts:
            return vintage.counts[year]
        if year <= vintage.published - 1 and year in self.outcomes:
            return self.outcomes[year]
        raise ValueError(
            f"forecast published {vintage.published} has no figure for {year} (needed for budget year {budget_year})"
        )
