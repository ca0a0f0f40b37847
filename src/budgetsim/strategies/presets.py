"""Ready-made strategies for the allocation principles the study compares."""

from __future__ import annotations

from budgetsim.core.context import StrategyLike
from budgetsim.core.registry import preset
from budgetsim.core.strategy import Combined, combine
from budgetsim.scenario import Scenario
from budgetsim.strategies.current import CurrentModel
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


def current_model(scenario: Scenario) -> StrategyLike:
    """The model a municipality most likely runs today, read from its data: committees with a
    price list are paid per inhabitant, the others get incremental frames plus volume uplift where
    they have volume drivers (:class:`CurrentModel`, the rule ``current_model`` of run files);
    without price lists, :func:`boras_current` itself (which Monte Carlo runs on its fused loop)."""
    if not any(c.price_list is not None for c in scenario.committees):
        return boras_current()
    return CurrentModel()


def standard_comparison(scenario: Scenario) -> dict[str, StrategyLike]:
    """The comparison the command line runs when no strategies are named: the current model,
    incremental frames only, and, when the scenario gives a total (revenue), needs-based allocation
    of that total and of the current model's total.

    >>> import budgetsim as bs
    >>> list(standard_comparison(bs.default_scenario()))
    ['current', 'incremental only', 'needs based', 'needs based, current total']
    """
    current = current_model(scenario)
    out: dict[str, StrategyLike] = {"current": current, "incremental only": incremental()}
    if scenario.economy.revenue is not None or scenario.economy.total_available is not None:
        out["needs based"] = needs_based()
        out["needs based, current total"] = needs_based(total=current, round_to=0.01)
    return out
