"""What a built-in strategy is, and how strategies combine.

A strategy is any callable ``(ctx: BudgetContext) -> Allocation | dict[str, array]`` returning
changes from last year's frame by component (:data:`~budgetsim.core.context.StrategyLike`). It may
have a ``check(arrays)`` method, called once before the first year, that raises if the scenario
does not suit it, a ``name``, and a ``describe(scenario, language)`` method. The built-ins derive
from :class:`Strategy`: registered, serialisable rules that combine with ``+``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.context import Allocation, BudgetContext, StrategyLike, as_allocation, check_strategy, strategy_name
from budgetsim.core.registry import Rule, StrategyRef
from budgetsim.core.text import term, tr
from budgetsim.scenario import Scenario


class Strategy(Rule, kind="strategy"):
    """Base of the built-in strategies and transition rules: ``a + b`` combines them, ``check``
    refuses a scenario that does not suit them, ``describe`` says what they do."""

    def check(self, arrays: ScenarioArrays) -> None:
        """Raise ``ValueError`` if the scenario does not suit the rule (default: it always does)."""

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        """The rule in plain words (Markdown; default: the first line of its docstring)."""
        return describe_function(self, language)

    def __call__(self, ctx: BudgetContext) -> Allocation:
        raise TypeError(f"{type(self).__name__} does not set frames; give it a __call__(ctx)")

    def __add__(self, other: StrategyLike) -> Combined:
        return combine(self, other)


def display_name(strategy: StrategyLike, language: str = "en") -> str:
    """A strategy's name for people: its own name, or for a built-in that keeps its default name,
    the rule's name in ``language`` (combinations and transition rules name their parts; a rule
    whose name is built from its parts gives it in a language by its ``name_in(language)``).

    >>> from budgetsim.strategies import boras_current
    >>> display_name(boras_current(), "sv")
    'anslagsfinansiering + volymuppräkning'
    """
    name = strategy_name(strategy)
    if language == "en" or not isinstance(strategy, Rule) or not strategy.tag:
        return name
    name_in = getattr(strategy, "name_in", None)
    if callable(name_in):  # a rule whose name is made of its parts' names
        return str(name_in(language))
    if isinstance(strategy, Combined):
        return " + ".join(display_name(p, language) for p in strategy.parts)
    inner = getattr(strategy, "inner", None)
    if inner is not None and name == f"{strategy.tag}({strategy_name(inner)})":
        return f"{term('rule:' + strategy.tag, language)} ({display_name(inner, language)})"
    default = type(strategy).model_fields.get("name")
    if default is not None and name == default.default:
        return term(f"rule:{strategy.tag}", language)
    return name


def describe_function(strategy: Any, language: str) -> str:
    """A strategy without its own ``describe`` method, from its docstring."""
    doc = inspect.getdoc(strategy) or tr(language, "(no description given)", "(ingen beskrivning angiven)")
    return f"**{strategy_name(strategy)}** ({tr(language, 'user-defined rule', 'egen regel')}). {doc.splitlines()[0]}"


def describe_rule(strategy: StrategyLike, scenario: Scenario, language: str = "en") -> str:
    """One rule (or a combination) in plain words: its ``describe`` method, or for a plain function
    the first line of its docstring."""
    describe = getattr(strategy, "describe", None)
    if callable(describe):
        return str(describe(scenario, language))
    return describe_function(strategy, language)


def merge(parts: Iterable[tuple[Allocation, Any]], info: Literal["weighted", "first"] = "weighted") -> Allocation:
    """Add allocations, each scaled by its weight (a number, or a (C,) array such as a committee
    mask): changes with the same name add up. Diagnostics are scaled and added the same way, or
    with ``info="first"`` passed on unscaled, the first part's where two share a name.

    >>> a = Allocation({"x": np.array([1.0, 2.0])}, {"d": np.array([5.0, 5.0])})
    >>> m = merge([(a, 0.5), (a, np.array([0.0, 1.0]))])
    >>> m.changes["x"].tolist(), m.info["d"].tolist()
    ([0.5, 3.0], [2.5, 7.5])
    """
    changes: dict[str, np.ndarray] = {}
    diagnostics: dict[str, np.ndarray] = {}
    for allocation, weight in parts:
        for key, value in allocation.changes.items():
            changes[key] = changes.get(key, 0.0) + weight * value
        for key, value in allocation.info.items():
            if info == "first":
                diagnostics.setdefault(key, value)
            else:
                diagnostics[key] = diagnostics.get(key, 0.0) + weight * value
    return Allocation(changes, diagnostics)


class Combined(Strategy, tag="combine"):
    """Several strategies applied to the same context; changes and info with the same name add up.

    >>> from budgetsim.strategies import Incremental, VolumeUplift
    >>> Combined((Incremental(), VolumeUplift())).spec()
    {'rule': 'combine', 'parts': [{'rule': 'incremental'}, {'rule': 'volume'}]}
    """

    parts: tuple[StrategyRef, ...]

    @property
    def name(self) -> str:
        return " + ".join(strategy_name(p) for p in self.parts)

    def check(self, arrays: ScenarioArrays) -> None:
        for part in self.parts:
            check_strategy(part, arrays)

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        """Each part that applies to some committee (a part describing itself as "" applies to none)."""
        return "\n\n".join(text for p in self.parts if (text := describe_rule(p, scenario, language)))

    def __call__(self, ctx: BudgetContext) -> Allocation:
        return merge((as_allocation(part(ctx)), 1.0) for part in self.parts)


def combine(*strategies: StrategyLike) -> Combined:
    """Combine strategies: the frame change is the sum of their changes.

    >>> import budgetsim as bs
    >>> s = bs.strategies.combine(bs.strategies.Incremental(), bs.strategies.VolumeUplift())
    >>> s.name
    'incremental + volume uplift'
    """
    parts: list[StrategyLike] = []
    for s in strategies:
        parts.extend(s.parts if isinstance(s, Combined) else (s,))
    return Combined(tuple(parts))
