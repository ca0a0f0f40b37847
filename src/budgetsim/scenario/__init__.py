"""Scenario objects: validated, immutable descriptions of a municipality and its budget years."""

from budgetsim.scenario.committee import (
    Committee,
    CostMix,
    ListPrice,
    NeedProfile,
    NeedWeight,
    PriceBasis,
    PriceList,
    VolumeDriver,
)
from budgetsim.scenario.economy import Addition, CostStep, Economy, Investment
from budgetsim.scenario.notes import SourceNote
from budgetsim.scenario.population import AgeBand, Population, PopulationForecast
from budgetsim.scenario.scenario import Scenario
from budgetsim.scenario.uncertainty import CostUncertainty, EconomyUncertainty, PopulationUncertainty, Uncertainty

__all__ = [
    "Addition",
    "AgeBand",
    "Committee",
    "CostMix",
    "CostStep",
    "CostUncertainty",
    "Economy",
    "EconomyUncertainty",
    "Investment",
    "ListPrice",
    "NeedProfile",
    "NeedWeight",
    "Population",
    "PopulationForecast",
    "PopulationUncertainty",
    "PriceBasis",
    "PriceList",
    "Scenario",
    "SourceNote",
    "Uncertainty",
    "VolumeDriver",
]
