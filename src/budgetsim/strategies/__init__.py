"""Allocation strategies. A strategy is a callable ``(ctx) -> Allocation | dict``; the built-ins
below are small dataclasses of array code and combine with ``+``."""

from budgetsim.strategies.base import Combined, Strategy, combine, strategy_name
from budgetsim.strategies.incremental import Incremental
from budgetsim.strategies.needs import NeedsBased
from budgetsim.strategies.presets import boras_current, incremental, needs_based
from budgetsim.strategies.volume import VolumeUplift

__all__ = [
    "Combined",
    "Incremental",
    "NeedsBased",
    "Strategy",
    "VolumeUplift",
    "boras_current",
    "combine",
    "incremental",
    "needs_based",
    "strategy_name",
]
