"""The result of one simulation: arrays from the engine, and tidy tables built from them on demand.

Tidy tables (one row per observation) have these columns; a ``draw`` column comes first when the
run has more than one draw. Money is in SEK.

* ``frames``: year, committee, frame
* ``components``: year, committee, component, amount. Per committee-year the components sum to
  the frame exactly; ``base`` is last year's frame, the others are the changes from it (wages,
  prices, efficiency, additions, volume, volume_correction, needs, or a custom strategy's names).
* ``outcomes``: year, committee, frame, need, cost, result, coverage. ``need`` is what meeting the
  year's realised need costs at the base-year standard; ``cost`` is the actual net cost;
  ``result = frame - cost``; ``coverage = frame / need``.
* ``diagnostics``: year, committee, name, value. Numbers that explain a frame but are not part of
  it, e.g. ``volume_uncorrected_error`` (hidden windfall + / saving - of uncorrected forecasts).

With a budget process (``simulate(..., process=...)``) also:

* ``year_end``: year, committee, result (booked: frame - cost), recovered (deduction recovering
  an earlier deficit), operating_result (result + recovered), written_off, covered_by_savings
  (deficit paid from the accumulated result), carried_forward, debt
  (carried deficits not yet recovered, at year end), clawed_back, kept, drawn, accumulated (saved
  surpluses at year end), action_plan (1 if one was triggered).
* ``requests``: year, committee, requested, granted, granted_by_need (what the same pool would have
  given by evidence of need).
* ``calendar``: year, committee, preliminary (June), proposed (what the allocation rule proposed
  in the autumn, before the process's requests, November additions and year-end effects), november
  (decided frame), final (after the spring's year-end adjustments), gap (november - preliminary).
* ``plans``: planned_in, year, committee, planned, final, gap (final - planned): the frames
  committees planned on for the years ahead against what they finally got.
* ``balance``: the municipality per year (see :func:`budgetsim.process.balance.municipal_balance`).

Process components in the bridge: ``deficit_recovery`` and ``accumulated_draw`` (one-offs,
reversed next year by ``one_off_reversal``), ``ratchet`` and ``request_granted`` (permanent).
"""

from __future__ import annotations

import html
from functools import cached_property

import numpy as np
import pandas as pd

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.context import StrategyLike, strategy_name
from budgetsim.core.strategy import display_name
from budgetsim.core.text import term
from budgetsim.engine.run import ProcessRecords, RunArrays
from budgetsim.result.bridge import Bridge, bridge
from budgetsim.scenario import Scenario


class Result:
    """One strategy simulated on one scenario: ``scenario`` (the :class:`~budgetsim.Scenario`),
    ``arrays`` (its compiled form, with the draws run), ``strategy`` (its name), ``raw`` (the
    engine's arrays), ``process`` (what a budget process recorded) and ``rule`` (the strategy
    object, which names itself in a language, see :meth:`strategy_in`). See the module docstring
    for the tables."""

    def __init__(
        self,
        arrays: ScenarioArrays,
        strategy: str,
        raw: RunArrays,
        process: ProcessRecords | None = None,
        rule: StrategyLike | None = None,
    ) -> None:
        self.scenario: Scenario = arrays.scenario
        self.arrays = arrays
        self.strategy = strategy
        self.raw = raw
        self.process = process
        self.rule = rule

    def strategy_in(self, language: str = "en") -> str:
        """The strategy's name in ``language``: a rule run under its own name names itself
        (:func:`~budgetsim.core.strategy.display_name`); a name the user gave is translated when
        the glossary knows it (such as 'current')."""
        if self.rule is not None and self.strategy == strategy_name(self.rule):
            return display_name(self.rule, language)
        return term(self.strategy, language)

    def explain(
        self, committee: str | None = None, year: int | None = None, draw: int = 0, language: str = "en"
    ) -> Bridge:
        """The bridge from last year's frame to this year's for ``committee`` (None: all) in ``year``
        (default: the last budget year): a table, a plot (``.plot()``), and a check that it adds up."""
        return bridge(self.arrays, self.raw, self.strategy_in(language), committee, year, draw, language)

    def _records(self, table: str) -> ProcessRecords:
        if self.process is None:
            raise ValueError(
                f"{table}: this result was simulated without a budget process (simulate(..., process=...))"
            )
        return self.process

    def __repr__(self) -> str:
        s = self.arrays
        return (
            f"<Result {self.strategy!r}: {len(s.committees)} committees, "
            f"{int(s.years[0])}-{int(s.years[-1])}, {self.raw.frame.shape[0]} draw(s)>"
        )

    def _repr_html_(self) -> str:
        last = int(self.arrays.years[-1])
        table = self.outcomes[self.outcomes.year == last].groupby("committee", sort=False)[["frame", "coverage"]].mean()
        table["frame"] = (table["frame"] / 1e6).round(1)
        table = table.rename(columns={"frame": f"frame {last}, MSEK", "coverage": f"coverage {last}"})
        return f"<p>{html.escape(repr(self))}</p>" + table.round(3).to_html()

    def _index(self) -> dict[str, np.ndarray]:
        D, T, C = self.raw.frame.shape
        draw, t, c = np.meshgrid(np.arange(D), np.arange(T), np.arange(C), indexing="ij")
        columns = {
            "year": self.arrays.years[t.ravel()],
            "committee": np.array(self.arrays.committees, dtype=object)[c.ravel()],
        }
        return {"draw": draw.ravel(), **columns} if D > 1 else columns

    def _wide(self, values: dict[str, np.ndarray]) -> pd.DataFrame:
        return pd.DataFrame({**self._index(), **{k: v.ravel() for k, v in values.items()}})

    def _long(self, values: dict[str, np.ndarray], key: str, value: str) -> pd.DataFrame:
        wide = self._wide(values)
        ids = [c for c in wide.columns if c not in values]
        long = wide.melt(id_vars=ids, var_name=key, value_name=value)
        long[key] = pd.Categorical(long[key], categories=list(values))
        return long.sort_values([*ids, key], kind="stable").reset_index(drop=True).astype({key: str})

    @cached_property
    def frames(self) -> pd.DataFrame:
        """year, committee, frame (SEK)."""
        return self._wide({"frame": self.raw.frame})

    @cached_property
    def components(self) -> pd.DataFrame:
        """year, committee, component, amount (SEK); per committee-year they sum to the frame."""
        return self._long(self.raw.components, "component", "amount")

    @cached_property
    def outcomes(self) -> pd.DataFrame:
        """year, committee, frame, need, cost, result (= frame - cost), coverage (= frame / need)."""
        r = self.raw
        return self._wide(
            {"frame": r.frame, "need": r.need, "cost": r.cost, "result": r.frame - r.cost, "coverage": r.frame / r.need}
        )

    @cached_property
    def diagnostics(self) -> pd.DataFrame:
        """year, committee, name, value: explanatory numbers that are not part of the frame."""
        if not self.raw.info:
            return pd.DataFrame(columns=[*self._index(), "name", "value"])
        return self._long(self.raw.info, "name", "value")

    @cached_property
    def year_end(self) -> pd.DataFrame:
        """year, committee, result, recovered, operating_result, written_off, covered_by_savings, carried_forward, debt,
        clawed_back, kept, drawn, accumulated, action_plan."""
        return self._wide(self._records("year_end").year_end)

    @cached_property
    def requests(self) -> pd.DataFrame:
        """year, committee, requested, granted, granted_by_need (empty without request rules)."""
        records = self._records("requests").requests
        if not records:
            return pd.DataFrame(columns=[*self._index(), "requested", "granted", "granted_by_need"])
        return self._wide(records)

    @cached_property
    def calendar(self) -> pd.DataFrame:
        """year, committee, preliminary, proposed, november, final, gap (november - preliminary)."""
        p = self._records("calendar")
        return self._wide(
            {
                "preliminary": p.preliminary,
                "proposed": p.proposed,
                "november": p.november,
                "final": self.raw.frame,
                "gap": p.november - p.preliminary,
            }
        )

    @cached_property
    def plans(self) -> pd.DataFrame:
        """planned_in, year, committee, planned, final, gap (final - planned); ``planned_in`` is the
        budget year whose information the plan used."""
        by_start: dict[int, np.ndarray] = {}
        for t0, t, planned in self._records("plans").plans:
            by_start.setdefault(t0, np.full(self.raw.frame.shape, np.nan))[:, t] = planned
        tables = []
        for t0, planned in by_start.items():
            table = self._wide({"planned": planned, "final": self.raw.frame, "gap": self.raw.frame - planned})
            table.insert(0, "planned_in", int(self.arrays.years[t0]))
            tables.append(table[table.planned.notna()])
        return pd.concat(tables, ignore_index=True)

    @property
    def balance(self) -> pd.DataFrame:
        """The municipality per year: revenue, committee_cost, result, reserve moves, requirement and target met."""
        return self._records("balance").balance
