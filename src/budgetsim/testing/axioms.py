"""Axioms an allocation strategy may satisfy, as plain check functions.

Each ``check(strategy, scenario, total=None)`` simulates the strategy on the scenario (and on a
changed copy of it) and raises :class:`AxiomViolation`, saying what went wrong, when the axiom
does not hold there. ``total`` names the total a top-down strategy distributes when that is not
the scenario's total available (a strategy whose yearly sum is the total).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from budgetsim.core.context import StrategyLike
from budgetsim.result import simulate
from budgetsim.scenario import Scenario

RTOL = 1e-9


class AxiomViolation(AssertionError):
    """An axiom does not hold for a strategy on a scenario."""


class AxiomNotApplicable(Exception):
    """An axiom has no meaning for a strategy (e.g. it distributes another strategy's total)."""


def _frames(strategy: StrategyLike, scenario: Scenario) -> np.ndarray:
    return simulate(scenario, strategy).raw.frame


def _fail(axiom: str, message: str) -> None:
    raise AxiomViolation(f"{axiom}: {message}")


def scale_money(scenario: Scenario, factor: float) -> Scenario:
    """The scenario with every amount of money multiplied by ``factor``: frames, costs, prices per
    inhabitant, need weights (standard costs), totals, revenue and additions."""
    committees = []
    for c in scenario.committees:
        need = None if c.need is None else c.need.scaled(factor)
        committees.append(
            c.model_copy(
                update={
                    "base_frame": c.base_frame * factor,
                    "base_cost": None if c.base_cost is None else c.base_cost * factor,
                    "volume_drivers": tuple(d.model_copy(update={"price": d.price * factor}) for d in c.volume_drivers),
                    "need": need,
                }
            )
        )
    e = scenario.economy
    economy = e.model_copy(
        update={
            name: {y: v * factor for y, v in getattr(e, name).items()}
            for name in ("total_available", "revenue")
            if getattr(e, name) is not None
        }
    )
    additions = [a.model_copy(update={"amount": a.amount * factor}) for a in scenario.additions]
    return scenario.replace(committees=committees, economy=economy, additions=additions)


def sums_to_total(strategy: StrategyLike, scenario: Scenario, total: StrategyLike | None = None) -> None:
    """Top-down: the frames of every year sum to the total distributed: the total available, or
    what another strategy gives on its own path (``total``), every year."""
    frames = _frames(strategy, scenario).sum(axis=-1)
    if total is None:
        if scenario.economy.total_available is None and scenario.economy.revenue is None:
            _fail("sums_to_total", "the scenario has no total available")
        expected = np.array([scenario.economy.available(y) for y in scenario.years])
    else:
        expected = _frames(total, scenario).sum(axis=-1)
    if not np.allclose(frames, expected, rtol=1e-12, atol=0.01):
        worst = int(np.abs(frames - expected).max())
        _fail("sums_to_total", f"frames differ from the total by up to {worst:,} SEK")


def no_alabama_paradox(strategy: StrategyLike, scenario: Scenario, total: StrategyLike | None = None) -> None:
    """A larger total never gives any committee less (in the first budget year). Not applicable to
    a strategy that distributes another strategy's total (``total`` given)."""
    if total is not None:
        raise AxiomNotApplicable("no_alabama_paradox: the total distributed is another strategy's")
    e = scenario.economy
    paths = {n: getattr(e, n) for n in ("total_available", "revenue") if getattr(e, n) is not None}
    if not paths:
        _fail("no_alabama_paradox", "the scenario has no total available or revenue to raise")
    more = scenario.replace(
        economy=e.model_copy(update={n: {y: v * 1.05 for y, v in p.items()} for n, p in paths.items()})
    )
    before, after = _frames(strategy, scenario)[:, 0], _frames(strategy, more)[:, 0]
    lost = after < before * (1 - RTOL) - 1e-6
    if lost.any():
        who = [scenario.committee_ids[i] for i in np.flatnonzero(lost.any(axis=0))]
        _fail("no_alabama_paradox", f"5 % more in total gives {who} less in {scenario.years[0]}")


def _raise_need(strategy: StrategyLike, scenario: Scenario) -> list[tuple[str, np.ndarray, np.ndarray]]:
    out = []
    before = _frames(strategy, scenario)[:, 0]
    for k, c in enumerate(scenario.committees):
        if c.need is None:
            continue
        more = scenario.replace_committee(c.id, need=c.need.model_copy(update={"need_index": c.need.need_index * 1.5}))
        out.append((c.id, before[:, k], _frames(strategy, more)[:, 0, k]))
    return out


def need_monotone(strategy: StrategyLike, scenario: Scenario, total: StrategyLike | None = None) -> None:
    """More need (a 50 % higher need index) never gives that committee less (first budget year)."""
    for committee, before, after in _raise_need(strategy, scenario):
        if np.any(after < before * (1 - RTOL) - 1e-6):
            _fail("need_monotone", f"more need gives {committee} less in {scenario.years[0]}")


def need_responsive(strategy: StrategyLike, scenario: Scenario, total: StrategyLike | None = None) -> None:
    """More need (a 50 % higher need index) gives that committee strictly more (first budget year;
    checked where there are at least two committees, since a lone committee of a top-down rule
    gets the whole total whatever its need)."""
    if len(scenario.committees) < 2:
        return
    for committee, before, after in _raise_need(strategy, scenario):
        if np.any(after <= before * (1 + RTOL)):
            _fail("need_responsive", f"more need does not give {committee} more in {scenario.years[0]}")


def symmetric(strategy: StrategyLike, scenario: Scenario, total: StrategyLike | None = None) -> None:
    """Two identical committees get identical frames every year."""
    first = scenario.committees[0]
    twin = first.model_copy(update={"id": "TWIN", "name": f"{first.name} (twin)"})
    additions = [
        *scenario.additions,
        *(a.model_copy(update={"committee": "TWIN"}) for a in scenario.additions if a.committee == first.id),
    ]
    steps = [
        *scenario.cost_steps,
        *(s.model_copy(update={"committee": "TWIN"}) for s in scenario.cost_steps if s.committee == first.id),
    ]
    doubled = scenario.replace(committees=[*scenario.committees, twin], additions=additions, cost_steps=steps)
    frames = _frames(strategy, doubled)
    if not np.allclose(frames[..., 0], frames[..., -1], rtol=RTOL, atol=1e-6):
        _fail("symmetric", f"{first.id} and its identical twin get different frames")


def scale_invariant(strategy: StrategyLike, scenario: Scenario, total: StrategyLike | None = None) -> None:
    """Multiplying all money by 3 multiplies all frames by 3."""
    before, after = _frames(strategy, scenario), _frames(strategy, scale_money(scenario, 3.0))
    if not np.allclose(after, 3.0 * before, rtol=1e-9, atol=1e-6):
        _fail("scale_invariant", "tripling all money does not triple the frames")


def non_negative(strategy: StrategyLike, scenario: Scenario, total: StrategyLike | None = None) -> None:
    """No negative frame from valid inputs."""
    frames = _frames(strategy, scenario)
    if np.any(frames < 0):
        _fail("non_negative", f"a frame of {frames.min():,.0f} SEK")


def deterministic(strategy: StrategyLike, scenario: Scenario, total: StrategyLike | None = None) -> None:
    """The same inputs give the same outputs, to the bit."""
    if not np.array_equal(_frames(strategy, scenario), _frames(strategy, scenario)):
        _fail("deterministic", "two runs on the same scenario differ")


AXIOMS: dict[str, Callable[..., None]] = {
    "sums_to_total": sums_to_total,
    "no_alabama_paradox": no_alabama_paradox,
    "need_monotone": need_monotone,
    "need_responsive": need_responsive,
    "symmetric": symmetric,
    "scale_invariant": scale_invariant,
    "non_negative": non_negative,
    "deterministic": deterministic,
}
