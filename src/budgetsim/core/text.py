"""Small helpers for the plain-language descriptions (English and Swedish)."""

from __future__ import annotations

LANGUAGES = ("en", "sv")


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


def msek(value: float, language: str = "en") -> str:
    text = f"{value / 1e6:,.1f}"
    return (text.replace(",", " ").replace(".", ",") if language == "sv" else text) + " MSEK"
