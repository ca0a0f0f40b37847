"""Which axioms each built-in strategy and transition rule satisfies, and why the others do not.
The test suite checks every entry with :func:`budgetsim.testing.verify`; the README prints this
table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from budgetsim.core.context import StrategyLike
from budgetsim.core.registry import registered
from budgetsim.testing.axioms import AXIOMS


@dataclass(frozen=True)
class Entry:
    """A built-in configuration, the total it distributes (for ``sums_to_total``), and the
    axioms it deliberately does not satisfy, with the reason. Axioms that do not apply (the kit
    says so itself) are listed as such in :func:`table`."""

    make: Callable[[], StrategyLike]
    fails: dict[str, str] = field(default_factory=dict)
    total: Callable[[], StrategyLike] | None = None


def _catalogue() -> dict[str, Entry]:
    """The axiom examples of every registered strategy and transition rule, in registration order."""
    out: dict[str, Entry] = {}
    for cls in registered("strategy").values():
        for example in cls.examples:
            if not example.axioms:
                continue
            if example.name in out:
                raise ValueError(f"two axiom examples are called {example.name!r}")
            out[example.name] = Entry(
                make=partial(example.make, None),
                fails=dict(example.fails),
                total=None if example.total is None else partial(example.total, None),
            )
    return out


CATALOGUE: dict[str, Entry] = _catalogue()


def table() -> list[tuple[str, str, str]]:
    """(configuration, axioms it satisfies, axioms it does not and why) for documentation.

    >>> table()[0][0]
    'incremental'
    """
    rows = []
    for name, entry in CATALOGUE.items():
        holds = ", ".join(a for a in AXIOMS if expected(entry)[a])
        fails = [f"{a}: {why}" for a, why in entry.fails.items()]
        if entry.total is not None:
            fails.append(f"{NOT_APPLICABLE}: not applicable, it distributes another strategy's total")
        rows.append((name, holds, "; ".join(fails) or "-"))
    return rows


NOT_APPLICABLE = "no_alabama_paradox"


def expected(entry: Entry) -> dict[str, bool | None]:
    """What :func:`budgetsim.testing.verify` should report for an entry: True, False, or None
    (not applicable)."""
    out: dict[str, bool | None] = {a: a not in entry.fails for a in AXIOMS}
    if entry.total is not None:
        out[NOT_APPLICABLE] = None
    return out
