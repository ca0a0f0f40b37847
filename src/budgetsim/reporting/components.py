"""Names of frame components for people: what each is called in English and Swedish, the group it
belongs to in a bridge, and the order bridges show them in. Unknown (user-defined) components keep
their own name and come last, in the order they appear."""

from __future__ import annotations

# component: (group, English, Swedish)
COMPONENTS: dict[str, tuple[str, str, str]] = {
    "base": ("start", "last year's frame", "föregående års ram"),
    "one_off_reversal": ("year-end effects", "last year's one-offs reversed", "fjolårets engångsposter återförda"),
    "wages": ("price and wage uplift", "wage uplift", "lönekompensation"),
    "prices": ("price and wage uplift", "price uplift", "priskompensation"),
    "efficiency": ("efficiency requirement", "efficiency requirement", "effektiviseringskrav"),
    "volume": ("volume", "volume uplift", "volymuppräkning"),
    "volume_correction": ("volume", "forecast correction", "korrigering av prognosfel"),
    "needs": ("needs", "needs-based allocation", "behovsbaserad fördelning"),
    "zero_based": ("needs", "zero-based rebuild", "nollbasbudgetering"),
    "affordability": ("needs", "scaled to what is affordable", "anpassning till ekonomiskt utrymme"),
    "activity": ("needs", "activity-based payment", "prestationsersättning"),
    "voucher": ("needs", "pupil voucher", "elevpeng"),
    "floor": ("transition rules", "floor with damping", "golv med dämpning"),
    "cap": ("transition rules", "cap", "tak"),
    "pace_of_change": ("transition rules", "pace of change", "takt mot målnivå"),
    "loss_cap": ("transition rules", "loss cap per inhabitant", "förlustbegränsning per invånare"),
    "additions": ("additions", "political additions", "politiska satsningar"),
    "request_granted": ("requests", "requests granted", "beviljade äskanden"),
    "ratchet": ("year-end effects", "ratchet after a surplus", "sänkt ram efter överskott"),
    "deficit_recovery": ("year-end effects", "deficit recovered", "återställt underskott"),
    "accumulated_draw": ("year-end effects", "drawn from accumulated result", "ianspråktaget eget kapital"),
}
ORDER = list(COMPONENTS)


def label(component: str, language: str = "en") -> str:
    """A readable name: ``label("wages", "sv")`` is ``'lönekompensation'``."""
    if component not in COMPONENTS:
        return component
    _, english, swedish = COMPONENTS[component]
    return swedish if language == "sv" else english


def group(component: str) -> str:
    """The bridge group of a component (user-defined components are their own group)."""
    return COMPONENTS[component][0] if component in COMPONENTS else component


def ordered(components: list[str]) -> list[str]:
    """Known components in bridge order, then the others as given."""
    known = [c for c in ORDER if c in components]
    return known + [c for c in components if c not in COMPONENTS]
