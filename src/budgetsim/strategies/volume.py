"""Volume uplift (volymuppräkning): the frame changes with the driver population times a price
per inhabitant (à-pris), the price itself uplifted each year by the committee's cost mix.

The population is the one known when the budget is set. Let ``X_s(y)`` be the basis population
of year ``y`` as known at the budget of year ``s`` (``basis="forecast"``: the year-end count;
``basis="mean"``: the mean of the year-end counts of ``y - 1`` and ``y``). Then

* uplift_t = price_t x (X_t(t) - X_t(t-1)): the growth the current forecast expects. Past
  forecasts are never revisited, so the population the frame pays for drifts from the best
  estimate by the sum of all forecast revisions: a hidden windfall (+) or saving (-), reported
  every year as the diagnostic ``volume_uncorrected_error``
  = price_t x (X_1(0) + sum_{s<=t}(X_s(s) - X_s(s-1)) - X_t(t)).
* with ``correct_forecast_errors=True`` the component ``volume_correction``
  = price_t x (X_t(t-1) - X_{t-1}(t-1)) adds each year's revision of last year's figure, so
  the frame pays for the best estimate ``X_t(t)`` and the error does not accumulate.
* against what actually happened: the diagnostic ``volume_outcome_error`` = price_t x (P_t - O(t)),
  the population the frame pays for (P_t) less the outcome O(t) on the same basis, known only
  after the year: a windfall (+) or a hidden saving (-). With ``settle_on_outcome=True``
  (avräkning) the component ``volume_settlement`` = price_t x (O(t-1) - P_{t-1}) corrects the
  frame the following year on actual counts, so the frame pays for what happened plus the growth
  expected since.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import field_validator, model_validator

from budgetsim.core.arrays import KNOWN_OFFSETS, ScenarioArrays
from budgetsim.core.components import Component
from budgetsim.core.context import Allocation, BudgetContext
from budgetsim.core.registry import Example
from budgetsim.core.strategy import Strategy, combine
from budgetsim.core.text import sek, tr
from budgetsim.scenario import Scenario
from budgetsim.strategies.incremental import NOT_TOP_DOWN, Incremental

Basis = Literal["forecast", "mean"]


class VolumeUplift(Strategy, tag="volume"):
    """Volume uplift for the committees with volume drivers (or the ones named).

    >>> import budgetsim as bs
    >>> VolumeUplift(committees=("GSN", "VÄN"), basis="mean").basis
    'mean'
    """

    committees: tuple[str, ...] | None = None  #: covered committees; None = all with volume drivers
    basis: Basis = "forecast"
    correct_forecast_errors: bool = False
    settle_on_outcome: bool = False  #: avräkning: correct next year's frame on actual counts
    name: str = "volume uplift"

    components: ClassVar = {
        "volume": Component("volume", "volume uplift", "volymuppräkning", 30),
        "volume_correction": Component("volume", "forecast correction", "korrigering av prognosfel", 31),
        "volume_settlement": Component("volume", "settlement on actual counts", "avräkning mot utfall", 31.5),
    }
    examples: ClassVar = (
        Example(
            "boras current",
            lambda _: combine(Incremental(), VolumeUplift()),
            {
                "sums_to_total": NOT_TOP_DOWN,
                "need_responsive": "follows driver populations, not need (weights, care intensity, need index)",
            },
        ),
        Example(
            "volume on the mean population, corrected",
            lambda s: VolumeUplift(
                (next(c.id for c in s.committees if c.volume_drivers),), basis="mean", correct_forecast_errors=True
            ),
            axioms=False,
        ),
    )

    @field_validator("committees", mode="before")
    @classmethod
    def _one_committee(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_correction(self) -> VolumeUplift:
        if self.correct_forecast_errors and self.settle_on_outcome:
            raise ValueError(
                "volume uplift: correct_forecast_errors and settle_on_outcome both correct the level; choose one"
            )
        return self

    def check(self, arrays: ScenarioArrays) -> None:
        for c in self.committees or ():
            if c not in arrays.committees:
                raise ValueError(f"volume uplift: unknown committee {c!r}; known: {', '.join(arrays.committees)}")
            if not arrays.driver_price[arrays.committees.index(c)].any():
                raise ValueError(f"volume uplift: committee {c!r} has no volume drivers in the scenario")
        if self.basis == "mean":
            missing = np.isnan(arrays.known_population[:, :, KNOWN_OFFSETS.index(-2)]).any(axis=(0, 2))
            if missing.any():
                years = arrays.years[missing].tolist()
                raise ValueError(
                    f"volume uplift with basis='mean' needs the population two years before each budget year; "
                    f"not known for budget year(s) {years}"
                )

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        """The rule and the committees it covers with their drivers; "" when it covers none (a
        description lists only the rules that apply)."""
        covered = [
            c for c in scenario.committees if c.volume_drivers and (self.committees is None or c.id in self.committees)
        ]
        if not covered:
            return ""
        drivers = "; ".join(
            f"{c.id} ({c.name}): "
            + ", ".join(f"{d.label} {tr(language, 'at', 'à')} {sek(d.price, language)}" for d in c.volume_drivers)
            for c in covered
        )
        others = [c.id for c in scenario.committees if c not in covered]
        basis = {
            "forecast": tr(language, "the forecast for the budget year", "prognosen för budgetåret"),
            "mean": tr(
                language,
                "the mean of the two year-end counts around the budget year",
                "medelvärdet av folkmängden vid årsskiftena kring budgetåret",
            ),
        }[self.basis]
        correction = (
            tr(
                language,
                "Past forecast errors are corrected each year.",
                "Tidigare års prognosfel korrigeras varje år.",
            )
            if self.correct_forecast_errors
            else tr(
                language,
                "Past forecast errors are not corrected.",
                "Tidigare års prognosfel korrigeras inte i efterhand.",
            )
        )
        return (
            tr(
                language,
                "**Volume uplift.** The frame changes with the population of the driver ages times a price per inhabitant (base-year prices, uplifted each year), using ",
                "**Volymuppräkning.** Ramen ändras med antalet invånare i de styrande åldrarna gånger ett à-pris (basårets priser, uppräknat varje år), utifrån ",
            )
            + f"{basis}. {correction} {tr(language, 'Covered', 'Omfattas')}: {drivers or '-'}. "
            + f"{tr(language, 'Not covered', 'Omfattas inte')}: {', '.join(others) or '-'}."
        )

    def covered(self, arrays: ScenarioArrays) -> np.ndarray:
        """(C,) which committees the rule pays a volume uplift to."""
        if self.committees is None:
            return np.ones(len(arrays.committees), dtype=bool)
        return np.isin(np.array(arrays.committees), list(self.committees))

    def __call__(self, ctx: BudgetContext) -> Allocation:
        a = ctx.arrays
        known = a.known_population[:, : ctx.t + 1]  # (D|1, t+1, 3, B): years s-2, s-1, s at each budget s<=t
        if self.basis == "forecast":
            current, previous = known[:, :, 2], known[:, :, 1]
        else:
            current, previous = (known[:, :, 1] + known[:, :, 2]) / 2, (known[:, :, 0] + known[:, :, 1]) / 2
        prices = (a.driver_price * self.covered(a)[:, None]).T  # (B, C) base-year SEK
        level = ctx.price_level  # (D|1, C)

        def value(population: np.ndarray) -> np.ndarray:  # (D|1, B) -> (D|1, C) SEK at this year's prices
            return (population @ prices) * level

        uncorrected_level = previous[:, 0] + (current - previous).sum(axis=1)
        changes = {"volume": value(current[:, -1] - previous[:, -1])}
        outcome = self.outcome(a, ctx.t)
        paid = uncorrected_level
        if self.correct_forecast_errors:
            revision = previous[:, -1] - current[:, -2] if ctx.t > 0 else np.zeros_like(previous[:, -1])
            changes["volume_correction"] = value(revision)
            paid = current[:, -1]
        if self.settle_on_outcome:
            growth = current[:, -1] - previous[:, -1]
            if ctx.t > 0:
                before = (
                    self.outcome(a, ctx.t - 2) + current[:, -2] - previous[:, -2]
                    if ctx.t > 1
                    else previous[:, 0] + current[:, 0] - previous[:, 0]
                )
                changes["volume_settlement"] = value(self.outcome(a, ctx.t - 1) - before)
            paid = (self.outcome(a, ctx.t - 1) if ctx.t > 0 else previous[:, 0]) + growth
        info = {
            "volume_uncorrected_error": value(uncorrected_level - current[:, -1]),
            "volume_outcome_error": value(paid - outcome),
        }
        return Allocation(changes, info)

    def outcome(self, a: ScenarioArrays, t: int) -> np.ndarray:
        """(D|1, B) the outcome population of budget year index ``t`` on this rule's basis."""
        if self.basis == "forecast":
            return a.outcome_population[:, t + 1]
        return (a.outcome_population[:, t] + a.outcome_population[:, t + 1]) / 2
