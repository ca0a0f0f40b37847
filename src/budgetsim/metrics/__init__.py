"""Metrics: pure functions of a result's arrays, and tables built from them."""

from budgetsim.metrics.balance import deficits, results, surpluses
from budgetsim.metrics.fairness import coverage, coverage_gini, gini
from budgetsim.metrics.process import process_metrics
from budgetsim.metrics.scorecard import scorecard
from budgetsim.metrics.shape import change_l_kurtosis, l_kurtosis, negotiated_share
from budgetsim.metrics.stability import frame_changes, volatility
from budgetsim.metrics.summary import MONEY_METRICS, committee_metrics, strategy_metrics, yearly_metrics

__all__ = [
    "MONEY_METRICS",
    "change_l_kurtosis",
    "committee_metrics",
    "coverage",
    "coverage_gini",
    "deficits",
    "frame_changes",
    "gini",
    "l_kurtosis",
    "negotiated_share",
    "process_metrics",
    "results",
    "scorecard",
    "strategy_metrics",
    "surpluses",
    "volatility",
    "yearly_metrics",
]
