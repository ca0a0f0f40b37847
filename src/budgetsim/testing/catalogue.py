"""Which axioms each built-in strategy and transition rule satisfies, and why the others do not.
The test suite checks every entry with :func:`budgetsim.testing.verify`; the README prints this
table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from budgetsim.engine.context import StrategyLike
from budgetsim.strategies import (
    ActivityBased,
    Unchanged,
    ZeroBased,
    boras_current,
    incremental,
    needs_based,
)
from budgetsim.testing.axioms import AXIOMS
from budgetsim.transitions import Blend, Cap, FloorWithDamping, LossCap, PaceOfChange


@dataclass(frozen=True)
class Entry:
    """A built-in configuration, the total it distributes (for ``sums_to_total``), and the
    axioms it deliberately does not satisfy, with the reason. Axioms that do not apply (the kit
    says so itself) are listed as such in :func:`table`."""

    make: Callable[[], StrategyLike]
    fails: dict[str, str] = field(default_factory=dict)
    total: Callable[[], StrategyLike] | None = None


NOT_TOP_DOWN = "builds frames bottom-up from last year's; no total is distributed"
IGNORES_NEED = "frames do not depend on need (weights, care intensity, need index)"
HELD = "a committee held at its {} does not respond to more need until its share clears it"

CATALOGUE: dict[str, Entry] = {
    "incremental": Entry(incremental, {"sums_to_total": NOT_TOP_DOWN, "need_responsive": IGNORES_NEED}),
    "boras current": Entry(
        boras_current,
        {
            "sums_to_total": NOT_TOP_DOWN,
            "need_responsive": "follows driver populations, not need (weights, care intensity, need index)",
        },
    ),
    "needs based": Entry(needs_based),
    "zero based": Entry(ZeroBased, {"sums_to_total": "the sum of justified costs, not a given total"}),
    "zero based, scaled": Entry(lambda: ZeroBased(scale=True)),
    "activity based": Entry(ActivityBased, {"sums_to_total": "pays for delivered units, whatever they add up to"}),
    "floor -1 % (needs based)": Entry(
        lambda: FloorWithDamping(needs_based(), floor=-0.01), {"need_responsive": HELD.format("floor")}
    ),
    "cap +5 %/-2 % (needs based)": Entry(
        lambda: Cap(needs_based(), max_gain=0.05, max_loss=0.02), {"need_responsive": HELD.format("cap")}
    ),
    "pace of change (current -> needs)": Entry(
        lambda: PaceOfChange(boras_current(), target=needs_based(), min_uplift=-0.15, hold_harmless=False),
        {"need_responsive": HELD.format("minimum uplift")},
        total=boras_current,
    ),
    "blend 70 % needs / 30 % last frame": Entry(
        lambda: Blend(((needs_based(), 0.7), (Unchanged(), 0.3))),
        {"sums_to_total": "30 % of the frame is last year's, whatever the total"},
    ),
    "loss cap 250 SEK (needs vs current)": Entry(
        lambda: LossCap(needs_based(), reference=boras_current(), per_inhabitant=250),
        {
            "need_responsive": HELD.format("loss cap"),
            "scale_invariant": "the cap is a fixed amount of SEK per inhabitant, not scaled with the money",
        },
    ),
}


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
