"""Built-in datasets."""

from budgetsim.datasets.boras import boras

__all__ = ["boras"]
