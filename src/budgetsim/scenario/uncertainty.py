"""How uncertain a scenario is: distributions of population outcomes, wages and prices, costs and
revenue around the scenario's central paths. Used by Monte Carlo runs (``simulate(..., draws=N)``).

All standard deviations are of yearly shocks. Population, revenue and care intensity follow
random walks in logs, so their error grows with the horizon (sd x sqrt(years ahead)); wage, price
and internal-price outcomes get independent yearly shocks on the rate.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from budgetsim.scenario.base import Model

SdByKey = float | dict[str, float]
MAX_LOG_SD = 0.5  #: a yearly sd of a log error above this (about 65 % a year) is not a forecast error


def sd_for(value: SdByKey, key: str) -> float:
    """The sd for ``key`` (a band label or committee id): the dict's entry, its ``"*"`` default, or 0."""
    if isinstance(value, dict):
        return float(value.get(key, value.get("*", 0.0)))
    return float(value)


class PopulationUncertainty(Model):
    """Outcome population = central outcome x exp(random walk); ``sd`` per year, by band label
    (``"*"`` for the others) or one for all, and ``drift``, the walk's yearly mean (a historical
    forecast bias), likewise. Forecasts start from the perturbed facts."""

    sd: SdByKey = Field(default=0.0, description="yearly sd of the log population error")
    drift: SdByKey = Field(
        default=0.0,
        description=(
            "yearly mean of the log population error by band (a forecast bias per year of horizon: "
            "-0.01 = outcomes 1 % a year below the forecast)"
        ),
    )

    @model_validator(mode="after")
    def _non_negative(self) -> PopulationUncertainty:
        values = self.sd.values() if isinstance(self.sd, dict) else [self.sd]
        if any(not 0 <= v <= MAX_LOG_SD for v in values):
            raise ValueError(f"population sd must be in [0, {MAX_LOG_SD}] (a yearly sd of the log population)")
        drifts = self.drift.values() if isinstance(self.drift, dict) else [self.drift]
        if any(not -MAX_LOG_SD <= v <= MAX_LOG_SD for v in drifts):
            raise ValueError(
                f"population drift must be in [-{MAX_LOG_SD}, {MAX_LOG_SD}] (a yearly mean of the log error)"
            )
        return self


class EconomyUncertainty(Model):
    """Shocks to what actually happens to wages, prices and internal prices (the rates frames assume
    are decisions and stay), a random walk in the revenue (and so in the total available), and how
    far committees' activity adapts to their frames (one value per draw, for all its years)."""

    wage_sd: float = Field(default=0.0, ge=0, le=0.2)
    price_sd: float = Field(default=0.0, ge=0, le=0.2)
    internal_price_sd: float = Field(default=0.0, ge=0, le=0.5)
    revenue_sd: float = Field(default=0.0, ge=0, le=0.5)
    spending_adaptation_sd: float = Field(
        default=0.0,
        ge=0,
        le=3,
        description=(
            "sd of the logit of a draw's spending adaptation, whose median is the scenario's value "
            "(0.5 around 0.95: 90 % of draws between 0.89 and 0.98)"
        ),
    )


class CostUncertainty(Model):
    """Committee cost shocks: a random walk in care intensity (``care_intensity_sd`` per committee
    id, ``"*"`` for the others), and new legislation: each committee-year a permanent cost step
    occurs with ``legislation_probability``, its size uniform in ``legislation_size``."""

    care_intensity_sd: SdByKey = 0.0
    legislation_probability: float = Field(default=0.0, ge=0, le=1)
    legislation_size: tuple[float, float] = (0.0, 0.0)

    @model_validator(mode="after")
    def _ranges(self) -> CostUncertainty:
        lo, hi = self.legislation_size
        if not -0.5 < lo <= hi < 1:
            raise ValueError(
                f"legislation_size must be (low, high) with -0.5 < low <= high < 1, got {self.legislation_size}"
            )
        values = (
            self.care_intensity_sd.values() if isinstance(self.care_intensity_sd, dict) else [self.care_intensity_sd]
        )
        if any(v < 0 for v in values):
            raise ValueError("care_intensity_sd must be >= 0")
        return self


class Uncertainty(Model):
    """All uncertainty of a scenario.

    >>> Uncertainty(economy=EconomyUncertainty(price_sd=0.01)).economy.price_sd
    0.01
    """

    population: PopulationUncertainty = Field(default_factory=PopulationUncertainty)
    economy: EconomyUncertainty = Field(default_factory=EconomyUncertainty)
    costs: CostUncertainty = Field(default_factory=CostUncertainty)
