"""The template ``budgetsim init`` writes: every table of the municipality format with comment lines
describing its columns, filled with a small made-up town (four committees, population by single
year of age with one forecast vintage, a price list for two committees) that runs as it is.

>>> import tempfile, pathlib
>>> from budgetsim.formats.municipality import load_municipality
>>> folder = write_template(pathlib.Path(tempfile.mkdtemp()) / "town")
>>> [c.id for c in load_municipality(folder).committees]
['FSK', 'SKOL', 'OMS', 'KULT']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from budgetsim.formats.municipality import write_workbook
from budgetsim.formats.tables import TABLES, write_table
from budgetsim.writing import make_folder

BASE_YEAR, END_YEAR, FORECAST = 2024, 2028, 2024
MADE_UP = "made-up example: replace with your own figures"


def _people(age: int, year: int) -> float:
    """A made-up town of about 20,000: births falling a little, more people over 80 each year."""
    if age < 20:
        born = year - age
        return 200.0 + 3.0 * (born % 5) - (2.0 * (year - BASE_YEAR) if age < 6 and year > BASE_YEAR else 0.0)
    if age < 65:
        return 260.0
    if age < 80:
        return 210.0
    if age < 100:
        return round(max(10.0, 150.0 - 7.0 * (age - 80)) * (1 + 0.03 * (year - BASE_YEAR)))
    return 8.0


def town() -> dict[str, list[dict[str, Any]]]:
    """The rows of every table of the example town."""
    ages = [*map(str, range(100)), "100+"]

    def counts(kind: str, year: int, published: int | None = None) -> list[dict[str, Any]]:
        return [
            {"kind": kind, "published": published, "year": year, "age": a, "count": _people(int(a.rstrip("+")), year)}
            for a in ages
        ]

    population = [row for y in (2022, 2023, 2024) for row in counts("outcome", y)]
    population += [row for y in range(FORECAST - 1, END_YEAR + 1) for row in counts("forecast", y, FORECAST)]
    return {
        "municipality": [
            {
                "name": "Exempelby",
                "base_year": BASE_YEAR,
                "end_year": END_YEAR,
                "result_target": 0.02,
                "other_net_costs_share": 0.04,
                "spending_adaptation": 0.9,
            }
        ],
        "committees": [
            {
                "id": "FSK",
                "name": "Förskolenämnden",
                "sector": "preschool",
                "base_frame": 155e6,
                "wage_share": 0.75,
                "internal_services_share": 0.15,
                "price_basis": "mean",
            },
            {
                "id": "SKOL",
                "name": "Skolnämnden",
                "sector": "primary school",
                "base_frame": 225e6,
                "wage_share": 0.7,
                "internal_services_share": 0.2,
                "price_basis": "mean",
            },
            {
                "id": "OMS",
                "name": "Omsorgsnämnden",
                "sector": "elderly care",
                "base_frame": 420e6,
                "wage_share": 0.8,
                "internal_services_share": 0.1,
            },
            {
                "id": "KULT",
                "name": "Kultur- och fritidsnämnden",
                "sector": "culture and leisure",
                "base_frame": 60e6,
                "wage_share": 0.5,
                "internal_services_share": 0.25,
            },
        ],
        "volume_drivers": [{"committee": "OMS", "min_age": 80, "max_age": None, "price": 180_000.0}],
        "need_weights": [
            {"committee": "FSK", "min_age": 1, "max_age": 5, "weight": 150_000.0},
            {"committee": "SKOL", "min_age": 6, "max_age": 15, "weight": 110_000.0},
            {"committee": "OMS", "min_age": 65, "max_age": 79, "weight": 20_000.0, "care_intensity_growth": 0.005},
            {"committee": "OMS", "min_age": 80, "max_age": None, "weight": 210_000.0, "care_intensity_growth": 0.005},
            {"committee": "KULT", "min_age": 0, "max_age": None, "weight": 3_000.0},
        ],
        "price_lists": [
            {"committee": "FSK", "min_age": 1, "max_age": 5, "year": 2025, "price": 152_000.0},
            {"committee": "FSK", "min_age": 1, "max_age": 5, "year": 2026, "price": 157_000.0},
            {"committee": "SKOL", "min_age": 6, "max_age": 15, "year": 2025, "price": 112_000.0},
            {"committee": "SKOL", "min_age": 6, "max_age": 15, "year": 2026, "price": 115_500.0},
        ],
        "population": population,
        "economy": [
            {"wage_uplift": 0.035, "price_uplift": 0.02, "efficiency": 0.01, "internal_price_outcome": 0.04},
            {"year": 2025, "revenue": 0.95e9},
            {"year": 2026, "revenue": 0.98e9},
            {"year": 2027, "revenue": 1.01e9},
            {"year": 2028, "revenue": 1.04e9},
        ],
        "additions": [{"year": 2026, "committee": "KULT", "amount": 2e6, "label": "new library hours"}],
        "cost_steps": [{"year": 2026, "committee": "OMS", "share": 0.01, "label": "new care standards"}],
        "uncertainty": [
            {"parameter": "population_sd", "key": "*", "value": 0.004},
            {"parameter": "wage_sd", "value": 0.005},
            {"parameter": "price_sd", "value": 0.005},
            {"parameter": "revenue_sd", "value": 0.015},
        ],
        "sources": [
            {"item": "committees", "status": "assumption", "source": MADE_UP},
            {"item": "population", "status": "assumption", "source": MADE_UP},
            {"item": "economy", "status": "assumption", "source": MADE_UP},
        ],
    }


def write_template(path: str | Path, xlsx: bool = False) -> Path:
    """Write the template: a new folder of commented CSV files (or an empty one), or with ``xlsx``
    a new workbook; what exists is never overwritten."""
    path = Path(path)
    tables = town()
    if xlsx:
        book = path if path.suffix.lower() == ".xlsx" else path.with_suffix(".xlsx")
        if book.exists():
            raise ValueError(f"{book} exists; give a new workbook")
        return write_workbook(tables, book)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path} is a file; give a new folder")
    if path.exists() and any(path.iterdir()):
        raise ValueError(f"{path} is not empty; give a new folder")
    make_folder(path)
    for name, rows in tables.items():
        write_table(path / TABLES[name].file, TABLES[name], rows, comment=True)
    return path
