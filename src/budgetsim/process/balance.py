"""The municipality's own result, the result equalisation reserve (RUR), the balanced-budget
requirement and the result target, year by year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.process.rules import Balance

COLUMNS = [
    "year",
    "revenue",
    "tax_revenue",
    "general_grants",
    "committee_cost",
    "other_net_costs",
    "realisation_gains",
    "result",
    "reserve_deposit",
    "reserve_draw",
    "reserve",
    "balance_result",
    "to_restore",
    "target_result",
    "requirement_met",
    "target_met",
]


RESTORE_YEARS = 3  # Kommunallagen 11:12: a negative balance result is restored within three years


def municipal_balance(arrays: ScenarioArrays, cost: np.ndarray, balance: Balance) -> pd.DataFrame:
    """One row per year (first draw): revenue (split into tax revenue and general grants and
    equalisation where the economy gives the lines), result = revenue - other net costs - committees' net cost +
    realisation gains; the balanced-budget result (balanskravsresultat) leaves the realisation gains
    out and counts the reserve's moves: the reserve takes what exceeds ``reserve_threshold`` of
    revenue (up to its cap) and, where ``balance.draw_rule`` allows, covers a negative balanced-budget
    result. A negative one must be restored by positive ones within three years: ``to_restore`` is
    what is still owed at year end, and the balanced-budget requirement is met while nothing owed is
    older than that. The target is met when the result is at least ``result_target`` of revenue.
    Empty without a revenue path."""
    if arrays.revenue is None:
        return pd.DataFrame(columns=COLUMNS)
    economy = arrays.scenario.economy
    lines = economy.revenue_lines() or {}
    gains_path = economy.realisation_gains or {}
    rows = []
    reserve = balance.opening_reserve
    owed: list[list[float]] = []  # [year the deficit arose, amount still to restore], oldest first
    revenues = arrays.revenue[0]
    for t, year in enumerate(int(y) for y in arrays.years):
        revenue = float(revenues[t])
        tax, grants = lines.get(year, (revenue, 0.0))
        tax_share = tax / (tax + grants) if tax + grants else 1.0  # a drawn revenue keeps the lines' mix
        other = revenue * arrays.other_net_costs_share
        gains = float(gains_path.get(year, 0.0))
        committee_cost = float(cost[0, t].sum())
        result = revenue - other - committee_cost + gains
        before_reserve = result - gains
        room = max(balance.reserve_cap * revenue - reserve, 0.0)
        deposit = min(max(before_reserve - balance.reserve_threshold * revenue, 0.0), room)
        before = float(revenues[t - 1]) if t else balance.opening_revenue
        draw = min(reserve, max(-before_reserve, 0.0)) if _may_draw(balance, revenue, before) else 0.0
        reserve += deposit - draw
        balance_result = before_reserve - deposit + draw
        if balance_result < 0:
            owed.append([year, -balance_result])
        else:
            left = balance_result
            for item in owed:
                paid = min(left, item[1])
                item[1] -= paid
                left -= paid
            owed = [item for item in owed if item[1] > 1e-9]
        to_restore = sum(amount for _, amount in owed)
        overdue = any(year - arose >= RESTORE_YEARS for arose, _ in owed)
        target = arrays.result_target * revenue
        rows.append(
            (
                year,
                revenue,
                revenue * tax_share,
                revenue * (1 - tax_share),
                committee_cost,
                other,
                gains,
                result,
                deposit,
                draw,
                reserve,
                balance_result,
                to_restore,
                target,
                not overdue,
                result >= target,
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _may_draw(balance: Balance, revenue: float, before: float | None) -> bool:
    """Whether the reserve may be drawn in a year with ``revenue`` (``before`` the year before)
    under the balance's draw rule."""
    if balance.draw_rule == "negative_result":
        return True
    if not before or balance.growth_trend is None:
        return False
    return revenue / before - 1 < balance.growth_trend
