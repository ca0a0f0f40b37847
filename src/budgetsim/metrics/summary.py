"""Metric tables for one result: one row per strategy, per committee, per year.

Columns (money in SEK; averages are over draws, and over years and committees where stated):

* ``mean_coverage``: mean of frame / need over committee-years
* ``min_coverage``: lowest frame / need of any committee-year (mean over draws)
* ``coverage_gini``: Gini of coverage between committees, mean over years
* ``volatility``: standard deviation of the yearly relative frame change, mean over committees
* ``deficits`` / ``surpluses``: total size of committee deficits / surpluses over all years
  (with a process, a deduction recovering an earlier deficit is added back: each deficit counts
  once, in the year it arose)
* ``deficit_share``: share of committee-years with a deficit
* ``total_frame_last_year``: sum of frames in the last budget year

With a budget process, the columns of :func:`budgetsim.metrics.process.process_metrics` follow.
"""

from __future__ import annotations

import pandas as pd

from budgetsim.metrics.balance import deficits, surpluses
from budgetsim.metrics.fairness import coverage, coverage_gini, mean_defined, min_defined
from budgetsim.metrics.process import process_metrics
from budgetsim.metrics.stability import volatility
from budgetsim.result.result import Result

#: Columns of :func:`strategy_metrics` that are amounts of money (SEK); the others are ratios.
MONEY_METRICS = (
    "deficits",
    "surpluses",
    "total_frame_last_year",
    "written_off",
    "clawed_back",
    "debt_end",
    "accumulated_end",
)


def strategy_metrics(result: Result) -> dict[str, float]:
    """The strategy-level metrics of one result (see the module docstring)."""
    cov = coverage(result)
    d = deficits(result)
    return {
        "mean_coverage": float(mean_defined(cov)),
        "min_coverage": float(mean_defined(min_defined(cov, axis=(1, 2)))),
        "coverage_gini": float(mean_defined(coverage_gini(result))),
        "volatility": float(mean_defined(volatility(result))),
        "deficits": float(d.sum(axis=(1, 2)).mean()),
        "surpluses": float(surpluses(result).sum(axis=(1, 2)).mean()),
        "deficit_share": float((d > 0).mean()),
        "total_frame_last_year": float(result.raw.frame[:, -1].sum(axis=-1).mean()),
        **process_metrics(result),
    }


def committee_metrics(result: Result) -> pd.DataFrame:
    """committee, mean_coverage, min_coverage, volatility, deficits, surpluses, deficit_years."""
    cov = coverage(result)
    d = deficits(result)
    return pd.DataFrame(
        {
            "committee": list(result.arrays.committees),
            "mean_coverage": mean_defined(cov, axis=(0, 1)),
            "min_coverage": mean_defined(min_defined(cov, axis=1), axis=0),
            "volatility": mean_defined(volatility(result), axis=0),
            "deficits": d.sum(axis=1).mean(axis=0),
            "surpluses": surpluses(result).sum(axis=1).mean(axis=0),
            "deficit_years": (d > 0).sum(axis=1).mean(axis=0),
        }
    )


def yearly_metrics(result: Result) -> pd.DataFrame:
    """year, total_frame, total_need, total_cost, coverage_gini, deficits, surpluses."""
    raw = result.raw
    return pd.DataFrame(
        {
            "year": result.arrays.years,
            "total_frame": raw.frame.sum(axis=-1).mean(axis=0),
            "total_need": raw.need.sum(axis=-1).mean(axis=0),
            "total_cost": raw.cost.sum(axis=-1).mean(axis=0),
            "coverage_gini": mean_defined(coverage_gini(result), axis=0),
            "deficits": deficits(result).sum(axis=-1).mean(axis=0),
            "surpluses": surpluses(result).sum(axis=-1).mean(axis=0),
        }
    )
