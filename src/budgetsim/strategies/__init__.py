"""Allocation strategies. A strategy is a callable ``(ctx) -> Allocation | dict``; the built-ins
below are small dataclasses of array code and combine with ``+``."""

from budgetsim.strategies.activity import ActivityBased
from budgetsim.strategies.base import Combined, Strategy, combine, strategy_name
from budgetsim.strategies.incremental import Incremental
from budgetsim.strategies.needs import NeedsBased
from budgetsim.strategies.presets import boras_current, incremental, needs_based
from budgetsim.strategies.routing import PerCommittee, Unchanged
from budgetsim.strategies.volume import VolumeUplift
from budgetsim.strategies.voucher import PupilVoucher, School
from budgetsim.strategies.zero_based import Activity, ZeroBased

__all__ = [
    "Activity",
    "ActivityBased",
    "Combined",
    "Incremental",
    "NeedsBased",
    "PerCommittee",
    "PupilVoucher",
    "School",
    "Strategy",
    "Unchanged",
    "VolumeUplift",
    "ZeroBased",
    "boras_current",
    "combine",
    "incremental",
    "needs_based",
    "strategy_name",
]
