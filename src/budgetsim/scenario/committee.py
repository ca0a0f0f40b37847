"""A committee (nämnd): its base-year frame, cost mix, volume drivers and need profile."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from budgetsim.scenario.base import MAX_NAME, Amount, CommitteeId, Model, Text
from budgetsim.scenario.population import AgeSpan


class CostMix(Model):
    """Shares of a committee's net cost: wages, and internal services bought from other committees
    (premises, IT, meals). The frame's price/wage uplift compensates the wage share with the wage
    index and ``other`` (everything that is not wages, internal services included) with the price
    index; on the cost side internal services follow their own price.

    >>> CostMix(wages=0.7, internal_services=0.1).other
    0.3
    """

    wages: float = Field(ge=0, le=1, description="wage share of net cost")
    internal_services: float = Field(default=0.0, ge=0, le=1, description="share bought from other committees")

    @model_validator(mode="after")
    def _sum(self) -> CostMix:
        if self.wages + self.internal_services > 1 + 1e-12:
            raise ValueError(f"wages ({self.wages}) + internal_services ({self.internal_services}) exceed 1")
        return self

    @property
    def other(self) -> float:
        """Share compensated by the price index (everything that is not wages)."""
        return round(1.0 - self.wages, 12)


class VolumeDriver(AgeSpan):
    """An age range whose population drives a volume uplift, with the price per inhabitant
    (à-pris) in base-year SEK. The price is uplifted each year for wages and prices.

    >>> VolumeDriver(min_age=65, price=40_000).label
    '65+'
    """

    price: Amount = Field(ge=0, description="SEK per inhabitant of the range, base-year prices")


class NeedWeight(AgeSpan):
    """Cost weight of an age range: the standard cost per inhabitant in base-year SEK. Needs-based
    allocation compares weighted need across committees, so the scale matters between committees;
    the cost side uses only its changes over time."""

    weight: Amount = Field(ge=0, description="standard cost per inhabitant, base-year SEK")


class NeedProfile(Model):
    """What drives a committee's need: inhabitants of age ranges times cost weights, times a need
    index (socioeconomic structure, 1 = average) and a care intensity that drifts over time.

    >>> NeedProfile(weights=[NeedWeight(min_age=65, max_age=79, weight=1),
    ...                      NeedWeight(min_age=80, weight=9)]).need_index
    1.0
    """

    weights: tuple[NeedWeight, ...] = Field(min_length=1)
    need_index: float = Field(default=1.0, gt=0)
    care_intensity_growth: float = Field(
        default=0.0, gt=-1, description="yearly growth of care intensity (vårdtyngd) per client"
    )

    def scaled(self, factor: float) -> NeedProfile:
        """The profile with every standard cost multiplied by ``factor`` (money at another price level).

        >>> NeedProfile(weights=[NeedWeight(min_age=80, weight=10)]).scaled(1.5).weights[0].weight
        15.0
        """
        return self.model_copy(
            update={"weights": tuple(w.model_copy(update={"weight": w.weight * factor}) for w in self.weights)}
        )


PriceBasis = Literal["forecast", "mean", "outcome"]


class ListPrice(AgeSpan):
    """The price per inhabitant (à-pris, "peng") of an age range in one year, SEK at that year's
    prices, as the council's price list decides it.

    >>> ListPrice(min_age=1, max_age=5, year=2024, price=150_000).label
    '1-5'
    """

    year: int
    price: Amount = Field(ge=0, description="SEK per inhabitant of the ages, that year's prices")


class PriceList(Model):
    """A committee paid per inhabitant of its age bands: the price list, and the population the
    prices are paid on (``basis``): the forecast for the budget year, the mean of the two year-end
    counts around it, or the outcome, settled after the year. A band or year the list does not
    give is priced from the last listed year, or else from the volume driver's base-year price,
    uplifted by the committee's cost mix.

    >>> PriceList(prices=[ListPrice(min_age=1, max_age=5, year=2024, price=150_000)]).basis
    'mean'
    """

    basis: PriceBasis = "mean"
    prices: tuple[ListPrice, ...] = ()


class Committee(Model):
    """A committee with its base-year frame and everything that drives its allocation and cost."""

    id: CommitteeId
    name: Text = Field(min_length=1, max_length=MAX_NAME)
    sector: Text = Field(min_length=1, max_length=MAX_NAME)
    base_frame: Amount = Field(ge=1, description="frame in the base year, SEK (at least 1 SEK)")
    base_cost: Amount | None = Field(
        default=None, gt=0, description="net cost in the base year, SEK (default: the base frame)"
    )
    cost_mix: CostMix
    volume_drivers: tuple[VolumeDriver, ...] = ()
    need: NeedProfile | None = None
    price_list: PriceList | None = None
    mandated_share: float | None = Field(
        default=None, ge=0, le=1, description="share of the budget mandated by law, if known"
    )

    @property
    def base_net_cost(self) -> float:
        return self.base_frame if self.base_cost is None else self.base_cost
