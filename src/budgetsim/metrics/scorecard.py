"""A scorecard of allocation principles: which measurable outcome speaks to which principle of
trust-based governance (TBSL, the principles Borås adopted) and to which of Bokenstrand's four
cornerstones of needs-based allocation. It is a table, not a single score: principles pull in
different directions and the reader weighs them.

The mapping is this project's reading of the study (DOMAIN.md section 5), written down so it can be
argued with.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from budgetsim.metrics.fairness import coverage, mean_defined
from budgetsim.metrics.shape import change_l_kurtosis, negotiated_share
from budgetsim.metrics.summary import strategy_metrics
from budgetsim.result.result import Result

# metric, better, TBSL principle, Bokenstrand cornerstone, what it measures
MAPPING: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "coverage_gap",
        "lower",
        "citizen focus",
        "objectivity",
        "mean |frame / need - 1|: how far frames are from what meeting citizens' need costs",
    ),
    (
        "coverage_gini",
        "lower",
        "holistic view",
        "fairness",
        "Gini of need coverage between committees: are all parts of the organisation treated alike",
    ),
    ("min_coverage", "higher", "citizen focus", "fairness", "the worst coverage of any committee-year"),
    ("volatility", "lower", "long-term perspective", "-", "spread of year-on-year frame changes"),
    ("planning_gap", "lower", "long-term perspective", "-", "mean |final - planned| / final for the years ahead"),
    (
        "calendar_gap",
        "lower",
        "room for action",
        "roles",
        "mean |November - June| / November: how much the preliminary frame could be relied on",
    ),
    (
        "negotiated_share",
        "lower",
        "openness",
        "transparency",
        "share of frame movement from requests and political additions rather than stated rules",
    ),
    (
        "request_need_departure",
        "lower",
        "knowledge",
        "roles",
        "share of granted requests a need-based guardian would have placed elsewhere",
    ),
    ("deficit_share", "lower", "trust", "-", "share of committee-years in deficit"),
    ("kept_share", "higher", "room for action", "-", "share of surpluses committees keep (not clawed back)"),
    (
        "target_met_share",
        "higher",
        "long-term perspective",
        "-",
        "share of years the municipality met its result target",
    ),
    (
        "change_l_kurtosis",
        "lower",
        "long-term perspective",
        "-",
        "L-kurtosis of year-on-year changes: 0.12 normal (incremental), 0.24 Laplace (punctuated)",
    ),
)


def scorecard_values(result: Result) -> dict[str, float]:
    """The scorecard's metrics for one result (NaN where the run has no budget process)."""
    m = strategy_metrics(result)  # includes the process metrics when the run has a process
    values = {
        "coverage_gap": float(mean_defined(np.abs(coverage(result) - 1))),
        "negotiated_share": negotiated_share(result),
        "change_l_kurtosis": change_l_kurtosis(result),
        "kept_share": 1 - m["clawed_back"] / m["surpluses"] if "clawed_back" in m and m["surpluses"] > 0 else np.nan,
    }
    for name in ("coverage_gini", "min_coverage", "volatility", "deficit_share"):
        values[name] = m[name]
    for name in ("planning_gap", "calendar_gap", "request_need_departure", "target_met_share"):
        values[name] = m.get(name, np.nan)
    return values


def scorecard(results: dict[str, Result]) -> pd.DataFrame:
    """principle, cornerstone, metric, better, description, then one column per strategy.

    >>> import budgetsim as bs
    >>> card = scorecard({"current": bs.simulate(bs.default_scenario(), bs.strategies.boras_current())})
    >>> card.set_index("metric").loc["coverage_gini", "principle"]
    'holistic view'
    """
    values = {name: scorecard_values(r) for name, r in results.items()}
    rows = []
    for metric, better, principle, cornerstone, description in MAPPING:
        rows.append(
            {
                "principle": principle,
                "cornerstone": cornerstone,
                "metric": metric,
                "better": better,
                "description": description,
                **{name: v[metric] for name, v in values.items()},
            }
        )
    return pd.DataFrame(rows)
