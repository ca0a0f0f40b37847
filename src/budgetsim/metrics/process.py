"""Metrics of the budget process: what year-end rules moved, how much of the frames came from
requests and how far that departs from need, how far plans and June frames were from the final."""

from __future__ import annotations

import numpy as np

from budgetsim.core.money import NOISE
from budgetsim.metrics.fairness import mean_defined
from budgetsim.result.result import Result


def process_metrics(result: Result) -> dict[str, float]:
    """For a result simulated with a process (money in SEK, summed over years, mean over draws):

    * ``written_off``, ``clawed_back``: year-end amounts
    * ``debt_end``: deficits carried and not yet recovered after the last year
    * ``accumulated_end``: committees' accumulated results after the last year
    * ``request_share``: requests granted / frames (all years)
    * ``request_need_departure``: share of granted money that a need-based guardian would have
      placed elsewhere (sum |granted - granted_by_need| / 2 / sum granted; 0 without grants)
    * ``planning_gap``: mean |final - planned| / final over the plans for later years
    * ``calendar_gap``: mean |november - preliminary| / november
    * ``requirement_met_share``, ``target_met_share``: share of years the municipality met the
      balanced-budget requirement and its result target (NaN without a revenue path)
    """
    p = result.process
    if p is None:
        return {}
    ye = p.year_end
    frame = result.raw.frame
    out = {name: float(ye[name].sum(axis=(1, 2)).mean()) for name in ("written_off", "clawed_back")}
    out["debt_end"] = float(ye["debt"][:, -1].sum(axis=-1).mean())
    out["accumulated_end"] = float(ye["accumulated"][:, -1].sum(axis=-1).mean())
    granted = p.requests.get("granted", np.zeros_like(frame))
    by_need = p.requests.get("granted_by_need", np.zeros_like(frame))
    out["request_share"] = float(mean_defined(_relative(granted.sum(axis=(1, 2)), frame.sum(axis=(1, 2)))))
    total = granted.sum(axis=(1, 2))
    moved = np.abs(granted - by_need).sum(axis=(1, 2)) / 2
    out["request_need_departure"] = float(np.divide(moved, total, out=np.zeros_like(total), where=total > 0).mean())
    gaps = [_relative(np.abs(frame[:, t] - planned), frame[:, t]) for t0, t, planned in p.plans if t > t0]
    out["planning_gap"] = float(mean_defined(np.stack(gaps))) if gaps else 0.0
    out["calendar_gap"] = float(mean_defined(_relative(np.abs(p.november - p.preliminary), p.november)))
    balance = p.balance
    out["requirement_met_share"] = float(balance.requirement_met.mean()) if len(balance) else float("nan")
    out["target_met_share"] = float(balance.target_met.mean()) if len(balance) else float("nan")
    return out


def _relative(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """part / whole, undefined (NaN) where the whole is within half an öre of 0 (as every metric takes
    such a frame); the same numbers otherwise."""
    defined = np.abs(whole) > NOISE
    if np.all(defined):
        return part / whole
    return np.divide(part, whole, out=np.full(np.shape(part), np.nan), where=defined)
