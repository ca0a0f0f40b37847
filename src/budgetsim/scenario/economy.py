"""Year paths of the municipal economy: uplift rates assumed when frames are set, what actually
happened to wages and prices, revenue and the result target, political additions and cost steps."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from budgetsim.scenario.base import Amount, CommitteeRef, Model, Text, check_amount

YearPath = dict[int, float]


class Economy(Model):
    """Rates are fractions per year (0.033 = 3.3 %). ``*_uplift`` and ``efficiency`` are what the
    frames are built on; ``*_outcome`` are what costs actually do (default: as assumed).

    The total available to committees is ``total_available`` if given, else
    ``revenue x (1 - result_target - other_net_costs_share)`` if a revenue path is given.

    ``spending_adaptation`` (λ) is one spending behaviour for every strategy: a committee's net
    cost is its need-driven cost plus λ x (frame - need-driven cost). Activity adapts to the frame
    (verksamheten anpassas efter ramen): money above need is mostly spent, a frame below need
    becomes both cuts and a deficit, whichever rule set the frame.

    >>> e = Economy(wage_uplift={2024: 0.033}, price_uplift={2024: 0.018}, efficiency={2024: 0.01})
    >>> e.outcome("wage", 2024)
    0.033
    """

    wage_uplift: YearPath = Field(description="wage index used for frames, per year")
    price_uplift: YearPath = Field(description="price index used for frames, per year")
    efficiency: YearPath = Field(description="efficiency requirement deducted from frames, per year")
    wage_outcome: YearPath | None = Field(default=None, description="actual wage growth (default: wage_uplift)")
    price_outcome: YearPath | None = Field(default=None, description="actual price growth (default: price_uplift)")
    internal_price_outcome: YearPath | None = Field(
        default=None, description="actual price growth of internal services (default: price outcome)"
    )
    realised_efficiency: YearPath | None = Field(
        default=None, description="productivity gain committees actually realise (default: efficiency)"
    )
    preliminary_wage_uplift: YearPath | None = Field(
        default=None, description="wage index assumed for the preliminary (June) frames (default: wage_uplift)"
    )
    preliminary_price_uplift: YearPath | None = Field(
        default=None, description="price index assumed for the preliminary (June) frames (default: price_uplift)"
    )
    revenue: YearPath | None = Field(
        default=None,
        description=(
            "tax revenue, general grants and equalisation, SEK (default: tax_base x tax_rate + general_grants "
            "when those are given)"
        ),
    )
    tax_base: YearPath | None = Field(default=None, description="tax base (skatteunderlag) of the municipality, SEK")
    tax_rate: YearPath | None = Field(default=None, description="municipal tax rate, share of the tax base (0.2131)")
    general_grants: YearPath | None = Field(
        default=None, description="general state grants and equalisation (generella statsbidrag och utjämning), SEK"
    )
    realisation_gains: YearPath | None = Field(
        default=None,
        description="realisation gains in the result, SEK; left out of the balanced-budget result (balanskravsresultat)",
    )
    result_target: float = Field(default=0.02, ge=0, lt=1, description="result target, share of revenue")
    other_net_costs_share: float = Field(
        default=0.0, ge=-1, lt=1, description="depreciation and net financial items, share of revenue"
    )
    total_available: YearPath | None = Field(default=None, description="total for committees, SEK (overrides revenue)")
    spending_adaptation: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description=(
            "how far committees' activity adapts to their frame: cost = need-driven cost + this x (frame - "
            "need-driven cost), the same for every strategy (0: cost follows need alone; 1: every frame is spent)"
        ),
    )

    @field_validator(
        "wage_uplift",
        "price_uplift",
        "wage_outcome",
        "price_outcome",
        "internal_price_outcome",
        "preliminary_wage_uplift",
        "preliminary_price_uplift",
    )
    @classmethod
    def _rate(cls, path: YearPath | None) -> YearPath | None:
        for year, value in (path or {}).items():
            if not -0.5 < value < 1:
                raise ValueError(f"year {year}: rate {value} is outside (-0.5, 1); give fractions, 0.033 for 3.3 %")
        return path

    @field_validator("efficiency", "realised_efficiency")
    @classmethod
    def _efficiency(cls, path: YearPath | None) -> YearPath | None:
        for year, value in (path or {}).items():
            if not 0 <= value < 0.5:
                raise ValueError(f"year {year}: efficiency {value} is outside [0, 0.5); give fractions, 0.01 for 1 %")
        return path

    @field_validator("revenue", "total_available", "tax_base", "general_grants", "realisation_gains")
    @classmethod
    def _money(cls, path: YearPath | None) -> YearPath | None:
        for year, value in (path or {}).items():
            if value < 0:
                raise ValueError(f"year {year}: amount {value} is negative")
            try:
                check_amount(value)
            except ValueError as err:
                raise ValueError(f"year {year}: {err}") from None
        return path

    @field_validator("tax_rate")
    @classmethod
    def _tax_rate(cls, path: YearPath | None) -> YearPath | None:
        for year, value in (path or {}).items():
            if not 0 < value < 0.5:
                raise ValueError(f"year {year}: tax rate {value} is outside (0, 0.5); give a share, 0.2131 for 21.31 %")
        return path

    @model_validator(mode="before")
    @classmethod
    def _revenue_from_lines(cls, data: Any) -> Any:
        """Revenue = tax base x tax rate + general grants and equalisation, year by year, when the
        lines are given; a revenue given beside them must agree to the krona."""
        if not isinstance(data, dict) or data.get("tax_base") is None:
            return data
        base, rate, grants = data.get("tax_base"), data.get("tax_rate"), data.get("general_grants") or {}
        if not isinstance(base, dict) or not isinstance(rate, dict) or not isinstance(grants, dict):
            if rate is None:
                raise ValueError("economy.tax_base needs economy.tax_rate (revenue = tax base x tax rate + grants)")
            return data  # the fields' own validation says what is wrong
        try:
            lines = {y: float(base[y]) * float(rate[y]) + float(grants.get(y, 0.0)) for y in base}
        except KeyError as err:
            raise ValueError(f"economy.tax_rate: no rate for year {err.args[0]}, which has a tax base") from None
        except (TypeError, ValueError):
            return data
        given = data.get("revenue")
        if given is None:
            return {**data, "revenue": lines}
        if isinstance(given, dict):
            for year, value in lines.items():
                if year in given and abs(float(given[year]) - value) > 1.0:
                    raise ValueError(
                        f"economy.revenue in {year} ({float(given[year]):,.0f} SEK) disagrees with tax base x tax rate "
                        f"+ general grants ({value:,.0f} SEK); give one or the other"
                    )
        return data

    @model_validator(mode="after")
    def _shares(self) -> Economy:
        if self.result_target + self.other_net_costs_share >= 1:
            raise ValueError(
                f"result_target ({self.result_target}) + other_net_costs_share ({self.other_net_costs_share}) "
                "leave nothing for committees; they must sum to less than 1"
            )
        return self

    def outcome(self, kind: str, year: int) -> float:
        """Rate of ``kind`` in ``year``: actual ('wage', 'price', 'internal_price', 'efficiency') or
        assumed in June ('preliminary_wage', 'preliminary_price'), with their defaults."""
        paths = {
            "wage": (self.wage_outcome, self.wage_uplift),
            "price": (self.price_outcome, self.price_uplift),
            "preliminary_wage": (self.preliminary_wage_uplift, self.wage_uplift),
            "preliminary_price": (self.preliminary_price_uplift, self.price_uplift),
            "internal_price": (self.internal_price_outcome, None),
            "efficiency": (self.realised_efficiency, self.efficiency),
        }
        actual, fallback = paths[kind]
        if actual is not None:
            return actual[year]
        if kind == "internal_price" or fallback is None:
            return self.outcome("price", year)
        return fallback[year]

    def revenue_lines(self) -> dict[int, tuple[float, float]] | None:
        """(tax revenue, general grants and equalisation) per year from the tax base, tax rate and
        grants, or None without a tax base.

        >>> e = Economy(wage_uplift={2024: 0.03}, price_uplift={2024: 0.02}, efficiency={2024: 0.0},
        ...             tax_base={2024: 1e9}, tax_rate={2024: 0.2}, general_grants={2024: 5e7})
        >>> e.revenue_lines(), e.revenue
        ({2024: (200000000.0, 50000000.0)}, {2024: 250000000.0})
        """
        if self.tax_base is None or self.tax_rate is None:
            return None
        grants = self.general_grants or {}
        return {y: (base * self.tax_rate[y], grants.get(y, 0.0)) for y, base in self.tax_base.items()}

    def available(self, year: int) -> float | None:
        """Total available to committees in ``year``, or None if neither path is given."""
        if self.total_available is not None:
            return self.total_available[year]
        if self.revenue is not None:
            return self.revenue[year] * (1 - self.result_target - self.other_net_costs_share)
        return None


class Addition(Model):
    """A political addition (satsning) to one committee's frame in one year, SEK. It enters the
    frame that year and, like every frame, is carried and uplifted from then on."""

    year: int
    committee: CommitteeRef
    amount: Amount
    label: Text = "political addition"


class Investment(Model):
    """A new investment (a school, a care home) whose running costs (drift: premises, staff) start
    in ``year``: ``running_cost`` SEK a year at base-year prices, on the committee's cost from then on.
    Frames do not compensate them unless a rule says so (study l.508)."""

    year: int
    committee: CommitteeRef
    running_cost: Amount = Field(ge=0, description="SEK a year, base-year prices")
    label: Text = "investment"


class CostStep(Model):
    """A permanent change in a committee's cost level from ``year`` on that the allocation model
    does not see, e.g. a new law raising standards: ``share=0.02`` raises cost by 2 %."""

    year: int
    committee: CommitteeRef
    share: float = Field(gt=-1, le=1, description="change of the cost level; a step above +100 % is a typo")
    label: Text = "cost step"
