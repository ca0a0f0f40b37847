"""Per-capita price lists (à-pris, "peng"): the model most Swedish municipalities use. Each
committee's frame is the sum over its age bands of the price per inhabitant of the band in the
budget year times the band's budget population:

frame_c(y) = sum over bands b of price_cb(y) x X_cb(y)

The budget population X is chosen per committee (its price list's ``basis``, or ``basis=`` for
all): the forecast for the budget year (``"forecast"``), the mean of the two year-end counts
around it (``"mean"``), both as known when the budget is set, or the outcome year-end count,
settled after the year (``"outcome"``). Prices come from the price list; a band or year the list
does not give is priced from the last listed year, or else from the volume driver's base-year
price, uplifted by the committee's cost mix with the rates frames are built on.

The bridge shows which ages moved the money: one component per band, ``per_capita:<band>`` =
price(y) x X(y) - price(y-1) x X(y-1) (last year's figures as known now), and ``per_capita`` =
what last year's population at last year's prices comes to, less last year's frame (a forecast
revised since, or what another rule had added).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from budgetsim.core.arrays import KNOWN_OFFSETS, ScenarioArrays, compile_scenario
from budgetsim.core.components import Component
from budgetsim.core.context import Allocation, BudgetContext
from budgetsim.core.need import mix_rate
from budgetsim.core.registry import Example
from budgetsim.core.strategy import Strategy
from budgetsim.core.text import sek, tr
from budgetsim.scenario import PriceBasis, Scenario
from budgetsim.strategies.base import ADDITIONS

PREFIX = "per_capita"
BASES: tuple[PriceBasis, ...] = ("forecast", "mean", "outcome")


def band_prices(arrays: ScenarioArrays, t: int) -> np.ndarray:
    """(D|1, C, B) price per inhabitant of each band in year index ``t`` (0 = base year), at that
    year's prices: the price list's, uplifted from the last listed year by the committee's cost mix
    with the rates frames are built on, or else the volume driver's base-year price, uplifted."""
    a = arrays
    rates = mix_rate(a, a.wage_uplift[:, :, None], a.price_uplift[:, :, None])
    levels = np.concatenate([np.ones_like(rates[:, :1]), np.cumprod(1 + rates, axis=1)], axis=1)  # (D|1, T+1, C)
    listed = a.list_from[t]  # (C, B)
    since = np.stack([levels[:, np.maximum(listed[c], 0), c] for c in range(len(a.committees))], axis=1)
    uplift = levels[:, t, :, None] / since  # from the listed year to year t
    from_list = a.list_price[t] * uplift
    from_driver = a.driver_price * levels[:, t, :, None]
    return np.where(listed >= 0, from_list, from_driver)


class PerCapita(Strategy, tag="per_capita"):
    """Pay each committee its price per inhabitant of each age band times the band's budget
    population. Covered: the committees with a price list or volume drivers (or those named);
    the others keep their frame (route them with :class:`~budgetsim.strategies.PerCommittee`).

    >>> PerCapita(basis="mean").spec()
    {'rule': 'per_capita', 'basis': 'mean'}
    """

    committees: tuple[str, ...] | None = None  #: covered committees; None = all with prices
    basis: PriceBasis | None = None  #: one basis for all; None = each price list's own ("mean" without)
    additions: bool = True  #: political additions on top (a rebuilt frame does not carry them)
    name: str = "per capita"

    components: ClassVar = {
        PREFIX: Component("volume", "per-capita payment, last year revised", "à-prisersättning, fjolåret omräknat", 32),
        f"{PREFIX}:": Component("volume", "per-capita payment", "à-prisersättning", 33),
        "additions": ADDITIONS,
    }
    examples: ClassVar = (
        Example(
            "per capita, mean population",
            lambda _: PerCapita(basis="mean"),
            {
                "sums_to_total": "the sum of prices times populations, not a given total",
                "need_responsive": "follows the population of the priced ages, not need (weights, care intensity, need index)",
            },
        ),
        Example("per capita, outcome", lambda _: PerCapita(basis="outcome"), axioms=False),
    )

    def _covered(self, arrays: ScenarioArrays) -> np.ndarray:
        priced = ~np.isnan(arrays.list_price).all(axis=(0, 2)) | arrays.driver_price.any(axis=1)
        if self.committees is None:
            return np.asarray(priced)
        return np.isin(np.array(arrays.committees), list(self.committees))

    def _bases(self, arrays: ScenarioArrays) -> list[str]:
        return [self.basis or b or "mean" for b in arrays.price_basis]

    def check(self, arrays: ScenarioArrays) -> None:
        for c in self.committees or ():
            if c not in arrays.committees:
                raise ValueError(f"per capita: unknown committee {c!r}; known: {', '.join(arrays.committees)}")
            i = arrays.committees.index(c)
            if np.isnan(arrays.list_price[:, i]).all() and not arrays.driver_price[i].any():
                raise ValueError(f"per capita: committee {c!r} has neither a price list nor volume drivers")
        mean = np.array([b == "mean" for b in self._bases(arrays)]) & self._covered(arrays)
        unknown = np.isnan(arrays.known_population[:, :, KNOWN_OFFSETS.index(-2)]).any(axis=(0, 2))
        if mean.any() and unknown.any():
            raise ValueError(
                "per capita with basis 'mean' needs the population two years before each budget year; "
                f"not known for budget year(s) {arrays.years[unknown].tolist()}"
            )

    def population(self, ctx: BudgetContext, basis: str, offset: int) -> np.ndarray:
        """(D|1, B) the budget population of year ``year + offset`` (offset 0 or -1) on ``basis``,
        as known at this budget (``"outcome"``: the outcome year-end count, known after the year)."""
        if basis == "outcome":
            return ctx.arrays.outcome_population[:, ctx.t + 1 + offset]
        if basis == "forecast":
            return ctx.population(offset)
        return (ctx.population(offset - 1) + ctx.population(offset)) / 2

    def __call__(self, ctx: BudgetContext) -> Allocation:
        a = ctx.arrays
        covered = self._covered(a)
        bases = self._bases(a)
        now, before = band_prices(a, ctx.t + 1), band_prices(a, ctx.t)
        D = max(now.shape[0], ctx.last_frame.shape[0])
        amount_now = np.zeros((D, len(a.committees), len(a.bands)))
        amount_before = np.zeros_like(amount_now)
        for basis in set(bases):
            cols = np.flatnonzero(np.array([b == basis for b in bases]) & covered)
            if not len(cols):
                continue
            amount_now[:, cols] = np.nan_to_num(now[:, cols]) * self.population(ctx, basis, 0)[:, None, :]
            amount_before[:, cols] = np.nan_to_num(before[:, cols]) * self.population(ctx, basis, -1)[:, None, :]
        changes: dict[str, np.ndarray] = {}
        for b, band in enumerate(a.bands):
            change = amount_now[:, :, b] - amount_before[:, :, b]
            if change.any():
                changes[f"{PREFIX}:{band.label}"] = change
        changes[PREFIX] = np.where(covered, amount_before.sum(axis=-1) - ctx.last_frame, 0.0)
        additions = ctx.additions if self.additions else np.zeros_like(ctx.additions)
        if additions.any():
            changes["additions"] = np.broadcast_to(additions * covered, ctx.last_frame.shape)
        return Allocation(changes)

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        """The rule and, for each committee it covers, the price of each band in each budget year
        as the run uses it (``*``: uplifted from the last listed price by the cost mix)."""
        bases = {
            "forecast": tr(language, "the forecast for the budget year", "prognosen för budgetåret"),
            "mean": tr(
                language,
                "the mean of the two year-end counts around the budget year",
                "medelvärdet av folkmängden vid årsskiftena kring budgetåret",
            ),
            "outcome": tr(language, "the outcome, settled after the year", "utfallet, avräknat efter året"),
        }
        a = compile_scenario(scenario)
        covered, basis = self._covered(a), self._bases(a)
        prices = [band_prices(a, t)[0] for t in range(1, len(a.years) + 1)]  # per budget year: (C, B)
        lines, uplifted = [], False
        for i, cid in enumerate(a.committees):
            bands = [b for b in range(len(a.bands)) if covered[i] and any(p[i, b] > 0 for p in prices)]
            if not bands:
                continue
            shown = []
            for b in bands:
                years = []
                for t, (year, p) in enumerate(zip(a.years, prices, strict=True), start=1):
                    mark = "" if a.list_from[t, i, b] == t else "*"
                    uplifted = uplifted or bool(mark)
                    years.append(f"{year} {sek(float(p[i, b]), language)}{mark}")
                shown.append(f"{a.bands[b].label}: {', '.join(years)}")
            name = scenario.committee(cid).name
            lines.append(f"- {cid} ({name}): {'; '.join(shown)}; {tr(language, 'on', 'på')} {bases[basis[i]]}.")
        head = tr(
            language,
            "**Per-capita price list.** Each committee gets the price per inhabitant of each age band times the band's budget population:",
            "**À-prislista.** Varje nämnd får à-priset för varje åldersgrupp gånger gruppens budgetbefolkning:",
        )
        note = tr(
            language,
            "\n\n\\* uplifted from the last listed price (or the volume driver's base-year price) by the committee's cost mix.",
            "\n\n\\* uppräknat från det senast beslutade à-priset (eller volymuppräkningens basårspris) med nämndens kostnadsmix.",
        )
        return head + "\n" + "\n".join(lines) + (note if uplifted else "")
