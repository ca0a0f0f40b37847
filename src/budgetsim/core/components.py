"""Frame components for people: the bridge group each belongs to, its name in English and Swedish,
and the position bridges show it in. Each rule declares the components it adds (its
``components``); this module collects them. A name ending in ``:`` declares a family: ``per_capita:``
covers ``per_capita:1-5``, labelled "per-capita payment 1-5". A component nobody declared (a user's
own function's) keeps its own name, is its own group and comes last, in the order it appears."""

from __future__ import annotations

from dataclasses import dataclass

from budgetsim.core.text import LANGUAGES


@dataclass(frozen=True)
class Component:
    """How a frame component is shown: ``group`` in a bridge, labels ``en`` and ``sv``, and
    ``order`` (bridges sort by it).

    >>> Component("price and wage uplift", "wage uplift", "lönekompensation", 10).label("sv")
    'lönekompensation'
    """

    group: str
    en: str
    sv: str
    order: float

    def label(self, language: str = "en") -> str:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
        return self.sv if language == "sv" else self.en


BASE = "base"
ONE_OFF_REVERSAL = "one_off_reversal"

_COMPONENTS: dict[str, Component] = {
    BASE: Component("start", "last year's frame", "föregående års ram", 0),
    ONE_OFF_REVERSAL: Component(
        "year-end effects", "last year's one-offs reversed", "fjolårets engångsposter återförda", 5
    ),
}


def declare(name: str, component: Component) -> None:
    """Declare a component (rules do this when they are registered). Declaring a name twice with
    other labels is an error: a bridge must not show one amount under two names."""
    known = _COMPONENTS.get(name)
    if known is not None and known != component:
        raise ValueError(f"component {name!r} is already declared as {known}")
    _COMPONENTS[name] = component


def declared() -> dict[str, Component]:
    """Every declared component, in bridge order."""
    return dict(sorted(_COMPONENTS.items(), key=lambda item: item[1].order))


def _find(component: str) -> tuple[Component | None, str]:
    """The declaration of a component (its own, or its family's) and the member's suffix."""
    if component in _COMPONENTS:
        return _COMPONENTS[component], ""
    family, _, member = component.partition(":")
    return _COMPONENTS.get(f"{family}:") if member else None, member


def label(component: str, language: str = "en") -> str:
    """A readable name: ``label("wages", "sv")`` is ``'lönekompensation'`` (once the incremental
    rule is registered); an undeclared component keeps its own name."""
    known, member = _find(component)
    if known is None:
        return component
    return f"{known.label(language)} {member}" if member else known.label(language)


def group(component: str) -> str:
    """The bridge group of a component (an undeclared component is its own group)."""
    known, _ = _find(component)
    return component if known is None else known.group


def ordered(components: list[str]) -> list[str]:
    """Declared components in bridge order (members of a family in the order given), then the
    others as given.

    >>> ordered(["mine", "one_off_reversal", "base"])
    ['base', 'one_off_reversal', 'mine']
    """
    order = {c: known.order for c in components if (known := _find(c)[0]) is not None}
    return sorted(order, key=order.__getitem__) + [c for c in components if c not in order]
