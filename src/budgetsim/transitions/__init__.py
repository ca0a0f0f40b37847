"""Transition rules: wrappers that take a strategy and return a strategy, so they stack and pass
through ``simulate`` and ``compare``. Each adds a component with its name to the explanation."""

from budgetsim.transitions.adjust import UnaffordableError
from budgetsim.transitions.base import Transition
from budgetsim.transitions.blend import Blend
from budgetsim.transitions.cap import Cap
from budgetsim.transitions.floor import FloorWithDamping
from budgetsim.transitions.loss_cap import LossCap
from budgetsim.transitions.pace import PaceOfChange

__all__ = ["Blend", "Cap", "FloorWithDamping", "LossCap", "PaceOfChange", "Transition", "UnaffordableError"]
