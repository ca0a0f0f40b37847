"""Need units and cost-mix rates: the arithmetic shared by the needs-based strategy (on the
population known at budget time) and the cost side (on the outcome population)."""

from __future__ import annotations

import numpy as np

from budgetsim.core.arrays import ScenarioArrays


def mix_rate(
    arrays: ScenarioArrays, wage: np.ndarray, price: np.ndarray, internal: np.ndarray | None = None
) -> np.ndarray:
    """Yearly rate of each committee's cost mix: wage share x wage rate + the rest x price rate;
    with ``internal``, the internal-services share grows at that rate instead of ``price``.
    Rates broadcast against the trailing committee axis."""
    ws = arrays.wage_share
    if internal is None:
        return ws * wage + (1 - ws) * price
    share = arrays.internal_share
    return ws * wage + share * internal + (1 - ws - share) * price


def need_units(arrays: ScenarioArrays, population: np.ndarray, care_years: int | np.ndarray) -> np.ndarray:
    """Need units per committee: population (D|1, ..., B) x need weights x need index x care
    intensity after ``care_years`` years (0 = base year) of drift and shocks. Committees without a
    need profile have one unit (their need follows prices only). Returns (D|1, ..., C).

    >>> import budgetsim as bs, numpy as np
    >>> a = bs.engine.compile_scenario(bs.default_scenario())
    >>> need_units(a, a.outcome_population[:, 0], 0).shape
    (1, 7)
    """
    units = population @ arrays.need_weight.T * arrays.need_index
    years = np.asarray(care_years)
    care = (1 + arrays.care_intensity_growth) ** years[..., None] * np.exp(arrays.care_shock[:, years])
    return np.where(arrays.has_need_profile, units * care, 1.0)


def standard_need(arrays: ScenarioArrays, units: np.ndarray, price_level: np.ndarray) -> np.ndarray:
    """Need in SEK at this year's prices: need units (SEK at base-year standard costs) x price
    level; a committee without a need profile counts its base-year cost."""
    return np.where(arrays.has_need_profile, units, arrays.base_cost) * price_level
