"""Small helpers for everything a user reads, in English and Swedish: picking the language,
percentages, amounts, and the glossary (``glossary.csv`` beside this module: one file of terms that
the command line, the bridges, the descriptions and the reports share).

>>> term("deficits", "sv"), msek(1_380_370_000, "sv")
('underskott, mnkr', '1 380,4 mnkr')
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib.resources import files

LANGUAGES = ("en", "sv")


@cache
def glossary() -> dict[str, dict[str, str]]:
    """Every term of the glossary: key -> {"en": ..., "sv": ...}."""
    with files("budgetsim.core").joinpath("glossary.csv").open(encoding="utf-8") as handle:
        return {row["key"]: {"en": row["en"], "sv": row["sv"]} for row in csv.DictReader(handle)}


def install_hint(extra: str, what: str) -> str:
    """What to run when an optional dependency is missing, for a clone and for a package index.

    >>> install_hint("report", "plots need matplotlib")
    "plots need matplotlib: in a clone of budgetsim run pip install '.[report]' (from a package index: pip install 'budgetsim[report]')"
    """
    return f"{what}: in a clone of budgetsim run pip install '.[{extra}]' (from a package index: pip install 'budgetsim[{extra}]')"


def term(key: str, language: str = "en") -> str:
    """A term of the glossary in ``language``; an unknown key is returned as it is."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    known = glossary().get(key)
    return key if known is None else known[language]


_YEARS = re.compile(r"\d{4}(-(\d{4})?)?")


def item_label(item: str, language: str = "en") -> str:
    """A readable label for the path of a scenario value (a source note's item), with its
    committee and year; the path itself when the glossary has no label for it.

    >>> item_label("committees.FSN.cost_mix.wages", "sv"), item_label("economy.wage_uplift.2025-")
    ('FSN: lönekostnadsandel', 'wage index 2025–')
    """
    parts = item.split(".")
    who = parts[1] if parts[0] in ("committees", "cost_steps") and len(parts) > 1 else None
    years = [p for p in parts if _YEARS.fullmatch(p)]
    skeleton = ".".join(
        p for p in parts[:1] + parts[1 + (who is not None) :] if not (p.isdigit() or _YEARS.fullmatch(p))
    )
    known = glossary().get(f"item:{skeleton}")
    if known is None:
        return item
    text = known[language if language in LANGUAGES else "en"]
    if who is not None and who != "*" and not _YEARS.fullmatch(who):
        text = f"{who}: {text}"
    return f"{text} {years[0].replace('-', '–')}" if years else text


def tr(language: str, english: str, swedish: str) -> str:
    """The text in ``language`` ('en' or 'sv')."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return swedish if language == "sv" else english


def pct(value: float, language: str = "en") -> str:
    """0.033 -> '3.3 %' ('3,3 %' in Swedish)."""
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return (text.replace(".", ",") if language == "sv" else text) + " %"


def sek(value: float, language: str = "en") -> str:
    """An amount in SEK with thousands separators ('12 345 kr' in Swedish)."""
    if language == "sv":
        return f"{value:,.0f}".replace(",", " ") + " kr"
    return f"{value:,.0f} SEK"


def number(value: float, digits: int = 1, language: str = "en") -> str:
    """A number with thousands separators: '1,380.37', in Swedish '1 380,37'; never '-0.0'.

    >>> number(-0.001, 1), number(1380.372, 2, "sv")
    ('0.0', '1 380,37')
    """
    text = f"{value:,.{digits}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")
    return text.replace(",", " ").replace(".", ",") if language == "sv" else text


def short(value: float, language: str = "en") -> str:
    """A number in its shortest form, with the language's decimal sign: 1.02 -> '1,02' in Swedish.

    >>> short(1.02, "sv"), short(0.5), short(1e-05, "sv")
    ('1,02', '0.5', '1e-05')
    """
    text = f"{value:g}"
    return text.replace(".", ",") if language == "sv" else text


def msek(value: float, language: str = "en") -> str:
    """An amount in millions: '1,380.4 MSEK', in Swedish '1 380,4 mnkr'."""
    text = f"{value / 1e6:,.1f}"
    return text.replace(",", " ").replace(".", ",") + " mnkr" if language == "sv" else text + " MSEK"
