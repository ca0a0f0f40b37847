"""Reporting: the model's description of itself, plots, the Excel pack and the HTML report."""

from budgetsim.reporting import describe, excel, html, plots, report

__all__ = ["describe", "excel", "html", "plots", "report"]
