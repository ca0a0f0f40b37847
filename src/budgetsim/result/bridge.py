"""The bridge (waterfall) from last year's frame to this year's, for one committee or the whole
municipality: every component that moved the frame, summing exactly to the change."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.components import BASE, group, label, ordered
from budgetsim.core.money import MSEK
from budgetsim.core.text import LANGUAGES, number, term
from budgetsim.engine.run import RunArrays
from budgetsim.result.figures import waterfall

HALF_ORE = 0.005  # components smaller than this (float noise of exact rules) are not shown


@dataclass(frozen=True)
class Bridge:
    """``table``: step, component, group, label, amount (SEK), cumulative (SEK); the first row is
    last year's frame, the last row this year's frame.

    >>> import budgetsim as bs
    >>> b = bs.simulate(bs.default_scenario(), bs.strategies.boras_current()).explain("IFN", 2026)
    >>> b.table.component.tolist()[:3], b.check()
    (['base', 'wages', 'prices'], True)
    """

    strategy: str
    committee: str | None
    year: int
    table: pd.DataFrame
    hidden: int = 0  #: components left out as float noise (each smaller than half an öre)
    language: str = "en"

    @property
    def title(self) -> str:
        who = self.committee or term("all_committees", self.language)
        return term("bridge_title", self.language).format(who=who, year=self.year, strategy=self.strategy)

    def check(self) -> bool:
        """True when the shown changes add up to the frame (to a hundredth of a krona per hidden
        component)."""
        steps = self.table[self.table.component.ne("frame")]
        return bool(abs(steps.amount.sum() - self.table.amount.iloc[-1]) < 0.01 * (self.hidden + 1) + 1e-3)

    def _shown(self) -> pd.DataFrame:
        amounts = [number(v / MSEK, 2, self.language) for v in self.table.amount]
        return pd.DataFrame({term("label", self.language): self.table.label, term("MSEK", self.language): amounts})

    def __str__(self) -> str:
        return f"{self.title}\n" + self._shown().to_string(index=False)

    def _repr_html_(self) -> str:
        return f"<b>{html.escape(self.title)}</b>" + self._shown().to_html(index=False)

    def plot(self, ax: Any = None) -> Any:
        """A waterfall chart in MSEK (needs matplotlib, ``budgetsim[report]``)."""
        return waterfall(self.table, self.title, ax=ax, language=self.language)


def bridge(
    s: ScenarioArrays,
    raw: RunArrays,
    strategy: str,
    committee: str | None = None,
    year: int | None = None,
    draw: int = 0,
    language: str = "en",
) -> Bridge:
    """The bridge of ``committee`` (None: all committees together) in ``year`` (default: the last)
    of the run ``raw`` of ``strategy`` on the scenario arrays ``s``."""
    if language not in LANGUAGES:
        raise ValueError(f"explain: language must be one of {LANGUAGES}, got {language!r}")
    year = int(s.years[-1]) if year is None else year
    if year not in s.years:
        raise ValueError(f"explain: {year} is not a budget year ({int(s.years[0])}-{int(s.years[-1])})")
    if committee is not None and committee not in s.committees:
        raise ValueError(f"explain: unknown committee {committee!r}; known: {', '.join(s.committees)}")
    if not 0 <= draw < raw.frame.shape[0]:
        raise ValueError(f"explain: draw {draw} is not in this result ({raw.frame.shape[0]} draws)")
    t = int(np.flatnonzero(s.years == year)[0])
    pick = slice(None) if committee is None else s.committees.index(committee)

    def amount(values: np.ndarray) -> float:
        return float(np.sum(values[draw, t, pick]))

    names = ordered(list(raw.components))
    every = [(name, amount(raw.components[name])) for name in names]
    rows = [(n, a) for n, a in every if n == BASE or abs(a) >= HALF_ORE]
    hidden = len(every) - len(rows)
    rows.append(("frame", amount(raw.frame)))
    table = pd.DataFrame(rows, columns=["component", "amount"])
    table.insert(0, "step", range(len(table)))
    table["group"] = [("end" if c == "frame" else group(c)) for c in table.component]
    table["label"] = [
        term("this_years_frame", language) if c == "frame" else label(c, language) for c in table.component
    ]
    table["cumulative"] = table.amount.where(table.component.ne("frame"), 0).cumsum()
    table.loc[table.component.eq("frame"), "cumulative"] = table.amount.iloc[-1]
    columns = ["step", "component", "group", "label", "amount", "cumulative"]
    return Bridge(strategy, committee, year, table[columns], hidden, language)
