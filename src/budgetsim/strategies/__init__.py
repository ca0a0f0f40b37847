"""Allocation strategies. A strategy is a callable ``(ctx) -> Allocation | dict``; the built-ins
below are registered rules (small pydantic models of array code) and combine with ``+``. They are
imported in the order the axiom catalogue lists them."""

# ruff: noqa: I001  (the import order is the registration order, which the axiom catalogue follows)
from budgetsim.core.context import StrategyLike, strategy_name
from budgetsim.core.strategy import Combined, Strategy, combine, merge
from budgetsim.strategies.incremental import Incremental
from budgetsim.strategies.volume import VolumeUplift
from budgetsim.strategies.needs import NeedsBased
from budgetsim.strategies.zero_based import Activity, ZeroBased
from budgetsim.strategies.activity import ActivityBased
from budgetsim.strategies.per_capita import PerCapita
from budgetsim.strategies.routing import PerCommittee, Unchanged
from budgetsim.strategies.voucher import PupilVoucher, School
from budgetsim.strategies.compensation import InternalPrices, InvestmentCosts
from budgetsim.strategies.current import CurrentModel
from budgetsim.strategies.presets import boras_current, incremental, needs_based

__all__ = [
    "Activity",
    "ActivityBased",
    "Combined",
    "CurrentModel",
    "Incremental",
    "InternalPrices",
    "InvestmentCosts",
    "NeedsBased",
    "PerCapita",
    "PerCommittee",
    "PupilVoucher",
    "School",
    "Strategy",
    "StrategyLike",
    "Unchanged",
    "VolumeUplift",
    "ZeroBased",
    "boras_current",
    "combine",
    "incremental",
    "merge",
    "needs_based",
    "strategy_name",
]
