"""What a policy test expects of a comparison: a value (a frame, need, cost, result, coverage,
component or diagnostic for a committee and year; a strategy's metric; a Monte Carlo risk) within a
margin or a bound, in an explicit unit; or an invariant by name.

An expectation is data (the entries under ``expect:`` of a policy-test file, see
:mod:`budgetsim.policy.files`) or a dict in Python (:func:`assert_comparison`)::

    {"quantity": "frame", "strategy": "current", "committee": "VÄN", "year": 2026,
     "equals": 2_345.6, "unit": "MSEK", "margin": 0.1}
    {"metric": "coverage_gini", "strategy": "needs based", "less_than": {"strategy": "current"}}
    {"risk": "prob_deficit", "strategy": "current", "committee": "IFN", "year": 2030, "at_most": 0.5}
    {"invariant": "components_sum_to_frames"}

>>> import budgetsim as bs
>>> s = bs.boras()
>>> c = bs.compare(s, {"current": bs.strategies.boras_current(), "needs based": bs.strategies.needs_based()})
>>> assert_comparison(c, {"metric": "coverage_gini", "strategy": "needs based", "less_than": {"strategy": "current"}})
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from pydantic import Field, model_validator

from budgetsim.compare import Comparison, MonteCarloComparison
from budgetsim.core.text import LANGUAGES, number, short, tr
from budgetsim.metrics import MONEY_METRICS
from budgetsim.scenario.base import Model, Text

#: What an expectation can look at (one of these fields of :class:`Expectation`).
KINDS = ("quantity", "component", "diagnostic", "metric", "risk", "invariant")
#: Money quantities (compared in SEK, tkr or MSEK); the rest are shares or plain numbers.
MONEY = {"frame", "need", "cost", "result", "expected_deficit", "expected_deficits", *MONEY_METRICS}
UNITS = {"SEK": 1.0, "tkr": 1e3, "MSEK": 1e6, "share": 1.0}


class Other(Model):
    """The same value for another strategy (``less_than: {strategy: current}``)."""

    strategy: Text


Bound = float | Other


class Expectation(Model):
    """One expectation: exactly one of ``quantity``, ``component``, ``diagnostic``, ``metric``,
    ``risk`` or ``invariant``; where it is (strategy, committee, year); and at least one check
    (``equals`` with ``margin`` or ``relative``, ``at_most``, ``at_least``, ``less_than``,
    ``greater_than``). Amounts need a ``unit``; ``note`` is free text for the reader of the file."""

    quantity: Literal["frame", "need", "cost", "result", "coverage"] | None = None
    component: Text | None = None
    diagnostic: Text | None = None
    metric: Text | None = None
    risk: Literal["prob_deficit", "expected_deficit", "expected_coverage"] | None = None
    invariant: Literal["components_sum_to_frames", "budget_neutral"] | None = None
    strategy: Text | None = None
    strategies: tuple[Text, ...] | None = Field(default=None, description="budget_neutral: the strategies compared")
    committee: Text | None = Field(default=None, description="empty: the whole municipality")
    year: int | None = None
    equals: float | None = None
    margin: float | None = Field(default=None, ge=0, description="absolute, in the unit")
    relative: float | None = Field(default=None, ge=0, description="relative to the expected value")
    at_most: Bound | None = None
    at_least: Bound | None = None
    less_than: Bound | None = None
    greater_than: Bound | None = None
    unit: Literal["SEK", "tkr", "MSEK", "share"] | None = None
    note: Text = ""

    @model_validator(mode="after")
    def _complete(self) -> Expectation:
        kinds = [k for k in KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"give exactly one of {', '.join(KINDS)} (got {', '.join(kinds) or 'none'})")
        kind = kinds[0]
        checks = self.checks()
        if kind == "invariant":
            if checks and set(checks) != {"equals"}:
                raise ValueError("an invariant takes no check other than its margin")
            return self
        if self.strategy is None:
            raise ValueError(f"strategy: give the strategy whose {kind} is checked")
        if kind == "metric" and self.year is not None:
            raise ValueError("year: a metric is over all budget years; check a quantity for one year")
        if kind in ("quantity", "component", "diagnostic", "risk") and self.year is None:
            raise ValueError(f"year: give the budget year of the {kind}")
        if kind == "risk" and self.committee is None:
            raise ValueError("committee: give the committee whose risk is checked")
        if not checks:
            raise ValueError(
                "give a check: equals (with margin or relative), at_most, at_least, less_than or greater_than"
            )
        if self.equals is not None and self.margin is None and self.relative is None:
            raise ValueError("equals: give its margin (absolute, in the unit) or relative (a share of the value)")
        if (self.margin is not None or self.relative is not None) and self.equals is None:
            raise ValueError("margin and relative go with equals")
        numbers = any(isinstance(v, float) for v in checks.values())
        if self.money and numbers and self.unit not in ("SEK", "tkr", "MSEK"):
            raise ValueError(f"unit: give SEK, tkr or MSEK: {self.name} is an amount")
        if not self.money and self.unit not in (None, "share"):
            raise ValueError(f"unit: {self.name} is not an amount; give share or no unit")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in KINDS if getattr(self, k) is not None)

    @property
    def name(self) -> str:
        return str(getattr(self, self.kind))

    @property
    def money(self) -> bool:
        """Whether the value is an amount (a component or diagnostic always is)."""
        return self.kind in ("component", "diagnostic") or self.name in MONEY

    def checks(self) -> dict[str, Any]:
        return {
            c: getattr(self, c)
            for c in ("equals", "at_most", "at_least", "less_than", "greater_than")
            if getattr(self, c) is not None
        }


@dataclass
class Outcome:
    """An expectation checked: passed or not, the value found, and what was expected, in words."""

    expectation: Expectation
    passed: bool
    what: str
    expected: str
    got: str

    def message(self, language: str = "en") -> str:
        return tr(
            language,
            f"{self.what}: expected {self.expected}, got {self.got}",
            f"{self.what}: väntat {self.expected}, fick {self.got}",
        )


class ExpectationError(ValueError):
    """An expectation that names something the comparison does not have (a committee, a strategy,
    a component), with what it has."""


@dataclass
class Runs:
    """The results an expectation is checked against: a deterministic comparison and a Monte Carlo
    comparison, each made when first asked for (``None`` maker: not available, with why)."""

    comparison: Callable[[], Comparison]
    monte_carlo: Callable[[], MonteCarloComparison] | None = None
    no_monte_carlo: str = "give draws for Monte Carlo"


def check(expectation: Expectation | Mapping[str, Any], runs: Runs | Comparison, language: str = "en") -> Outcome:
    """Check one expectation against ``runs`` (or one comparison)."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    e = expectation if isinstance(expectation, Expectation) else Expectation.model_validate(expectation)
    if isinstance(runs, Comparison):
        made = runs
        runs = Runs(lambda: made)
    if e.kind == "invariant":
        return _invariant(e, runs.comparison(), language)
    value = _value(e, e.strategy or "", runs)
    money = e.unit if e.money and e.unit in ("SEK", "tkr", "MSEK") else None
    unit = UNITS[money] if money else 1.0
    passed, expected = True, []
    for name, bound in e.checks().items():
        if isinstance(bound, Other):
            target = _value(e, bound.strategy, runs)
            said = f"{_shown(target, money, language)} ({e.name} {tr(language, 'of', 'för')} {bound.strategy})"
        else:
            target = bound * unit
            said = _shown(target, money, language)
        if name == "equals":
            margin = (e.margin or 0.0) * unit + (e.relative or 0.0) * abs(target)
            ok = abs(value - target) <= margin * (1 + 1e-12) + 1e-9
            expected.append(f"{said} ± {_shown(margin, money, language)}")
        else:
            ok = {
                "at_most": value <= target,
                "at_least": value >= target,
                "less_than": value < target,
                "greater_than": value > target,
            }[name]
            sign = {"at_most": "≤", "at_least": "≥", "less_than": "<", "greater_than": ">"}[name]
            expected.append(f"{sign} {said}")
        passed = passed and bool(ok) and not math.isnan(value)
    joined = tr(language, " and ", " och ").join(expected)
    return Outcome(e, passed, _what(e, language), joined, _shown(value, money, language))


def assert_comparison(comparison: Comparison, *expectations: Mapping[str, Any], language: str = "en") -> None:
    """Assert each expectation (dicts in the policy-test grammar) of ``comparison``; an
    ``AssertionError`` lists every one that fails, with expected and got."""
    failed = [o for o in (check(e, comparison, language) for e in expectations) if not o.passed]
    if failed:
        raise AssertionError("\n".join(o.message(language) for o in failed))


# --- finding the value ----------------------------------------------------------------------------
def _value(e: Expectation, strategy: str, runs: Runs) -> float:
    c = runs.comparison()
    if e.kind == "metric" and e.committee is not None:  # a committee's metric over the years
        table = c.committee_metrics
        names = [str(n) for n in table.columns if n not in ("strategy", "committee")]
        if e.name not in names:
            raise ExpectationError(f"metric {e.name!r} of a committee: unknown; known: {', '.join(names)}")
        return float(_rows(table, strategy, e.committee, None)[e.name].iloc[0])
    deterministic = [str(n) for n in c.metrics.columns if n != "strategy"]
    if e.kind == "risk" or (e.kind == "metric" and e.name not in deterministic):
        if runs.monte_carlo is None:
            known = "" if e.kind == "risk" else f" (the metrics without Monte Carlo: {', '.join(deterministic)})"
            raise ExpectationError(f"{e.kind} {e.name!r}: a Monte Carlo value; {runs.no_monte_carlo}{known}")
        mc = runs.monte_carlo()
        if e.kind == "metric":
            return _metric(mc.metrics, e.name, strategy, deterministic)
        return float(_rows(mc.risk, strategy, e.committee, e.year)[e.name].sum())
    if e.kind == "metric":
        return _metric(c.metrics, e.name, strategy, [])
    if e.kind == "quantity":
        table = c.outcomes
        if e.committee is None and e.name == "coverage":
            rows = _rows(table, strategy, None, e.year)
            return float(rows.frame.sum() / rows.need.sum())
        return float(_rows(table, strategy, e.committee, e.year)[e.name].sum())
    column = "component" if e.kind == "component" else "name"
    table = c.components if e.kind == "component" else c.diagnostics
    present = sorted(map(str, table[column].unique()))
    if e.name not in present:
        raise ExpectationError(f"{e.kind} {e.name!r}: unknown; the comparison has {', '.join(present)}")
    rows = _rows(table[table[column] == e.name], strategy, e.committee, e.year)
    return float(rows["amount" if e.kind == "component" else "value"].sum())


def _metric(table: pd.DataFrame, name: str, strategy: str, also: Sequence[str]) -> float:
    known = [c for c in table.columns if c != "strategy"]
    if name not in known:
        raise ExpectationError(f"metric {name!r}: unknown; known: {', '.join([*also, *known])}")
    return float(_strategy_rows(table, strategy)[name].iloc[0])


def _strategy_rows(table: pd.DataFrame, strategy: str) -> pd.DataFrame:
    rows = table[table.strategy == strategy]
    if rows.empty:
        raise ExpectationError(
            f"strategy {strategy!r}: not in the comparison; it has {', '.join(table.strategy.unique())}"
        )
    return rows


def _rows(table: pd.DataFrame, strategy: str, committee: str | None, year: int | None) -> pd.DataFrame:
    rows = _strategy_rows(table, strategy)
    if year is not None:
        years = sorted(rows.year.unique())
        if year not in years:
            raise ExpectationError(f"year {year}: not a budget year of the comparison ({years[0]}-{years[-1]})")
        rows = rows[rows.year == year]
    if committee is not None:
        known = list(dict.fromkeys(rows.committee))
        if committee not in known:
            raise ExpectationError(f"committee {committee!r}: not in the scenario; it has {', '.join(known)}")
        rows = rows[rows.committee == committee]
    return rows


# --- invariants -------------------------------------------------------------------------------------
def _invariant(e: Expectation, c: Comparison, language: str) -> Outcome:
    margin = (e.margin if e.margin is not None else 0.01) * (UNITS[e.unit] if e.unit else 1.0)
    strategies = list(e.strategies or dict.fromkeys(c.frames.strategy))
    for s in strategies:
        _strategy_rows(c.frames, s)
    frames = c.frames[c.frames.strategy.isin(strategies)]
    if e.invariant == "components_sum_to_frames":
        keys = ["strategy", "year", "committee"]
        parts = c.components[c.components.strategy.isin(strategies)].groupby(keys).amount.sum()
        worst = float((parts - frames.set_index(keys).frame).abs().max())
    else:
        totals = frames.groupby(["year", "strategy"]).frame.sum().unstack()[strategies]
        worst = float(totals.sub(totals[strategies[0]], axis=0).abs().max().max())
    unit = e.unit if e.unit in ("tkr", "MSEK") else "SEK"
    bound = _shown(margin, unit, language)
    expected = tr(language, f"largest difference ≤ {bound}", f"största skillnad ≤ {bound}")
    return Outcome(
        e, worst <= margin, f"{e.invariant} ({', '.join(strategies)})", expected, _shown(worst, unit, language)
    )


# --- words ------------------------------------------------------------------------------------------
def _what(e: Expectation, language: str) -> str:
    where = [e.strategy or ""]
    if e.committee is not None:
        where.append(e.committee)
    elif e.kind in ("quantity", "component", "diagnostic"):
        where.append(tr(language, "the municipality", "kommunen"))
    if e.year is not None:
        where.append(str(e.year))
    return f"{e.name} ({', '.join(where)})"


def _shown(value: float, money: str | None, language: str) -> str:
    """A value in its unit (``money``: SEK, tkr or MSEK; None: a share or number), with enough
    digits to see a difference."""
    if math.isnan(value):
        return tr(language, "undefined", "odefinierat")
    if money is not None:
        name = {"SEK": ("SEK", "kr"), "tkr": ("tkr", "tkr"), "MSEK": ("MSEK", "mnkr")}[money]
        return f"{number(value / UNITS[money], 2, language)} {name[language == 'sv']}"
    return short(value, language)
