"""Ready-made strategies for the allocation principles the study compares."""

from __future__ import annotations

from budgetsim.core.context import StrategyLike
from budgetsim.core.registry import preset
from budgetsim.core.strategy import Combined, combine
from budgetsim.strategies.incremental import Incremental
from budgetsim.strategies.needs import NeedsBased
from budgetsim.strategies.volume import Basis, VolumeUplift


@preset("strategy", "boras_current")
def boras_current(basis: Basis = "forecast", correct_forecast_errors: bool = False) -> Combined:
    """Borås today: incremental frames for all committees plus volume uplift for those with
    volume drivers (in the built-in data: preschool, primary, upper-secondary, elderly care).

    >>> boras_current().name
    'incremental + volume uplift'
    """
    return combine(Incremental(), VolumeUplift(basis=basis, correct_forecast_errors=correct_forecast_errors))


def incremental() -> Incremental:
    """Incremental frames only: last frame, price/wage uplift, efficiency requirement, additions."""
    return Incremental()


def needs_based(total: StrategyLike | None = None, round_to: float | None = None) -> NeedsBased:
    """Needs-based allocation of the scenario's total available, or of what ``total`` (a
    strategy) would have given all committees together."""
    return NeedsBased(total=total, round_to=round_to)
