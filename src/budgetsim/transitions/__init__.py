"""Transition rules: wrappers that take a strategy and return a strategy, so they stack and pass
through ``simulate`` and ``compare``. Each adds a component with its tag to the explanation. They
are imported in the order the axiom catalogue lists them."""

# ruff: noqa: I001  (the import order is the registration order, which the axiom catalogue follows)
from budgetsim.core.numeric import UnaffordableError
from budgetsim.transitions.base import Transition
from budgetsim.transitions.floor import FloorWithDamping
from budgetsim.transitions.cap import Cap
from budgetsim.transitions.pace import PaceOfChange
from budgetsim.transitions.blend import Blend, BlendPart
from budgetsim.transitions.loss_cap import LossCap
from budgetsim.transitions.same_total import SameTotal

__all__ = [
    "Blend",
    "BlendPart",
    "Cap",
    "FloorWithDamping",
    "LossCap",
    "PaceOfChange",
    "SameTotal",
    "Transition",
    "UnaffordableError",
]
