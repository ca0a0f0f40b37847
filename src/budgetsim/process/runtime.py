"""The budget process during a run: what each year's results do to later frames and costs, and how
requests are granted. Vectorised over (draws, committees); one :class:`ProcessRun` per simulation.

Timing: the frames for year t are decided in November of t-1 (strategy, requests). The result of
year t-1 is settled in the spring of t; its effects (deficit recovery, ratchet, drawing on the
accumulated result) enter the frame of year t as adjustments. Deficit recovery and draws are
one-offs: they are reversed the year after, so they never change the frame level.

Committees with the same sequence of year-end step types are settled together: each step runs once
per such group, on the group's columns, with its parameters stacked over the group's committees.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.components import Component, declare
from budgetsim.core.costs import NeedAndCost
from budgetsim.core.need import mix_rate
from budgetsim.core.numeric import water_fill
from budgetsim.core.random import block_random
from budgetsim.process.grants import GrantInputs, GrantRule
from budgetsim.process.rules import BudgetProcess, November, Requests, value_in
from budgetsim.process.year_end import Ledger, YearEndStep

#: Columns of the ``year_end`` table: those the runtime always writes, then the steps' own records.
BASE_RECORDS = ("result", "recovered", "operating_result", "debt", "drawn", "accumulated")
RECORD_ORDER = (
    "result",
    "recovered",
    "operating_result",
    "written_off",
    "covered_by_savings",
    "carried_forward",
    "debt",
    "clawed_back",
    "kept",
    "drawn",
    "accumulated",
    "action_plan",
)
REQUEST_RECORDS = ("requested", "granted", "granted_by_need")
REQUEST_GRANTED = "request_granted"
NOVEMBER = "november_additions"
SUPPLEMENTARY = "supplementary_appropriation"
declare(REQUEST_GRANTED, Component("requests", "requests granted", "beviljade äskanden", 70))
declare(NOVEMBER, Component("additions", "additions in November", "ramtillskott i KF:s budgetbeslut (november)", 61))
declare(
    SUPPLEMENTARY,
    Component(
        "additions", "supplementary appropriation within a multi-year frame", "tilläggsanslag inom flerårsramen", 62
    ),
)
#: Components decided in the autumn (in the November frame, not in June's)
AUTUMN = (REQUEST_GRANTED, NOVEMBER, SUPPLEMENTARY)


@dataclass(frozen=True, eq=False)
class StepGroup:
    """Committees (column indices) that share one sequence of year-end step types, with each
    step's parameters stacked over them."""

    cols: np.ndarray
    steps: tuple[YearEndStep, ...]  # the first committee's steps (their types are the group's)
    params: tuple[dict[str, np.ndarray], ...]


@dataclass(frozen=True, eq=False)
class CompiledProcess:
    """Year-end step groups, opening savings, and per-year request parameters (T, ...)."""

    groups: tuple[StepGroup, ...]
    records: tuple[str, ...]
    opening_accumulated: np.ndarray
    requests: Requests | None
    eligible: np.ndarray  # (C,) bool
    ambition: np.ndarray  # (T, C)
    pool_share: np.ndarray  # (T,)
    hoarding: np.ndarray  # (T,)
    pessimism: np.ndarray  # (T,)
    rules: tuple[GrantRule, ...]  # (T,)
    november: November | None
    november_to: np.ndarray  # (C,) bool: who gets the November additions


def _groups(process: BudgetProcess, ids: tuple[str, ...]) -> tuple[StepGroup, ...]:
    by_types: dict[tuple[type, ...], list[tuple[int, tuple[YearEndStep, ...]]]] = {}
    for c, cid in enumerate(ids):
        steps = process.steps_for(cid)
        by_types.setdefault(tuple(type(s) for s in steps), []).append((c, steps))
    groups = []
    for members in by_types.values():
        first = members[0][1]
        params = tuple(
            {name: np.array([getattr(m[1][k], name) for m in members]) for name in type(step).model_fields}
            for k, step in enumerate(first)
        )
        groups.append(StepGroup(np.array([c for c, _ in members]), first, params))
    return tuple(groups)


def compile_process(process: BudgetProcess, arrays: ScenarioArrays) -> CompiledProcess:
    """Check the process against the scenario's committees and years and turn it into arrays."""
    ids = arrays.committees
    years = [int(y) for y in arrays.years]

    def known(field: str, keys: object) -> None:
        unknown = sorted(set(keys) - set(ids) - {"*"})  # type: ignore[call-overload]
        if unknown:
            raise ValueError(f"process.{field}: unknown committee(s) {unknown}; known: {', '.join(ids)}")

    known("year_end", process.year_end)
    known("opening_accumulated", process.opening_accumulated)
    groups = _groups(process, ids)
    written = {name for g in groups for step in g.steps for name in step.records} | set(BASE_RECORDS)
    records = RECORD_ORDER + tuple(sorted(written - set(RECORD_ORDER)))  # a stable table: built-ins always
    r = process.requests
    T, C = len(years), len(ids)
    ambition, pool, hoarding, pessimism = np.ones((T, C)), np.zeros(T), np.zeros(T), np.zeros(T)
    grant_rules: tuple[GrantRule, ...] = ()
    eligible = np.zeros(C, dtype=bool)
    if r is not None:
        known("requests.ambition", r.ambition)
        known("requests.eligible", r.eligible or ())
        eligible = np.asarray(
            ~arrays.driver_price.any(axis=1) if r.eligible is None else np.isin(np.array(ids), list(r.eligible))
        )
        try:
            for t, year in enumerate(years):
                for c, cid in enumerate(ids):
                    if cid in r.ambition:
                        ambition[t, c] = value_in(r.ambition[cid], year)
                pool[t] = value_in(r.pool_share, year)
                hoarding[t] = value_in(r.hoarding, year)
                pessimism[t] = value_in(r.revenue_pessimism, year)
            grant_rules = tuple(r.rule_in(y) for y in years)
        except KeyError as err:
            raise ValueError(f"process.requests: a per-year value has no entry for budget year {err.args[0]}") from None
    return CompiledProcess(
        groups=groups,
        records=records,
        opening_accumulated=np.array([process.opening_accumulated.get(c, 0.0) for c in ids]),
        requests=r,
        eligible=eligible,
        ambition=ambition,
        pool_share=pool,
        hoarding=hoarding,
        pessimism=pessimism,
        rules=grant_rules,
        november=process.november,
        november_to=_november_to(process.november, arrays),
    )


def _november_to(november: November | None, arrays: ScenarioArrays) -> np.ndarray:
    ids = arrays.committees
    if november is None or november.to == "all":
        return np.ones(len(ids), dtype=bool)
    if november.to == "unfunded":
        return np.asarray(~arrays.driver_price.any(axis=1))
    unknown = sorted(set(november.to) - set(ids))
    if unknown:
        raise ValueError(f"process.november.to: unknown committee(s) {unknown}; known: {', '.join(ids)}")
    return np.isin(np.array(ids), list(november.to))


class ProcessRun:
    """The process state through one simulation, and its records (each (D, T, C))."""

    def __init__(self, process: CompiledProcess, arrays: ScenarioArrays, costs: NeedAndCost) -> None:
        self.p, self.arrays, self.costs = process, arrays, costs
        D, T, C = costs.cost.shape
        self.ledger = Ledger(
            D,
            T,
            C,
            process.opening_accumulated,
            process.records,
            self._uniform if arrays.stochastic else None,
            arrays.mandated_share,
        )
        self.cost = np.zeros((D, T, C))
        self.request_records = {k: np.zeros((D, T, C)) for k in (REQUEST_RECORDS if process.requests else ())}

    def _uniform(self, stream: int, t: int) -> np.ndarray:
        """(D, C) uniform numbers of ``stream`` for year index ``t``, reproducible per draw."""
        draws, committees = self.cost.shape[0], self.cost.shape[2]
        return block_random(
            self.arrays.seed,
            self.arrays.first_draw,
            draws,
            lambda generator, n: {"u": generator().random((n, committees))},
            stream=(stream, int(self.arrays.years[t])),
        )["u"]

    @property
    def records(self) -> dict[str, np.ndarray]:
        return {**self.ledger.records, **self.request_records}

    def with_pessimism(self) -> ScenarioArrays:
        """The scenario arrays with the total available lowered by the hoarders' revenue pessimism."""
        a = self.arrays
        if a.total_available is None or not self.p.pessimism.any():
            return a
        return replace(a, total_available=a.total_available * (1 - self.p.pessimism))

    def adjustments(
        self, t: int, proposed: np.ndarray, mid_period: bool = False
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Process changes to the frame of year ``t``: (recurring changes, one-offs). ``mid_period``:
        ``t`` is not the first year of a multi-year frame period (its frames were fixed earlier)."""
        ledger = self.ledger
        recurring: dict[str, np.ndarray] = {}
        one_offs: dict[str, np.ndarray] = {}
        ledger.proposed = proposed
        ledger.drawn = np.zeros_like(ledger.drawn)
        for group in self.p.groups:
            for step, params in zip(group.steps, group.params, strict=True):
                step.budget(ledger, t, group.cols, params)
        if ledger.schedule[:, t].any():
            one_offs["deficit_recovery"] = -ledger.schedule[:, t]
        if ledger.pending_ratchet.any():
            # a surplus as large as the frame (a committee that spent nothing) cuts it to zero, never below
            room = np.maximum(proposed - ledger.schedule[:, t], 0.0)
            recurring["ratchet"] = -np.minimum(ledger.pending_ratchet, room)
        if ledger.drawn.any():
            one_offs["accumulated_draw"] = ledger.drawn
        if self.p.requests is not None:
            frame = (
                proposed
                + sum(recurring.values(), np.zeros_like(proposed))
                + sum(one_offs.values(), np.zeros_like(proposed))
            )
            recurring[REQUEST_GRANTED] = self._grant(t, frame)
        if self.p.november is not None and self.arrays.revenue is not None:
            frame = (
                proposed
                + sum(recurring.values(), np.zeros_like(proposed))
                + sum(one_offs.values(), np.zeros_like(proposed))
            )
            additions = self._november(t, frame)
            if additions.any():
                lasting = self.p.november.level_raising * additions
                # inside a multi-year frame period the frame stays; what is added is a tilläggsanslag
                key = SUPPLEMENTARY if mid_period else NOVEMBER
                if self.p.november.level_raising > 0:
                    recurring[key] = lasting
                if self.p.november.level_raising < 1:
                    one_offs[key] = additions - lasting
        return recurring, one_offs

    def _november(self, t: int, frame: np.ndarray) -> np.ndarray:
        """(D, C) the November additions: ``share`` of the room above the result target, at most
        ``cap`` of the receivers' frames, split in proportion to their frames."""
        a, november = self.arrays, self.p.november
        assert november is not None and a.revenue is not None
        revenue = a.revenue[:, t] * (1 - self.p.pessimism[t])
        room = revenue * (1 - a.result_target - a.other_net_costs_share) - frame.sum(axis=-1)
        weights = np.where(self.p.november_to, frame, 0.0)
        total = weights.sum(axis=-1)
        handed = november.share * np.maximum(room, 0.0)
        if november.cap is not None:
            handed = np.minimum(handed, november.cap * total)
        share = np.divide(weights, total[:, None], out=np.zeros_like(weights), where=total[:, None] > 0)
        return handed[:, None] * share

    def _expected(self, t: int, series: np.ndarray, base: np.ndarray) -> np.ndarray:
        """Last year's value grown at last year's rate (the first year: at the assumed cost-mix rate)."""
        a = self.arrays
        if t == 0:
            rate = mix_rate(a, a.wage_uplift[:, 0, None], a.price_uplift[:, 0, None])
            return base * (1 + rate)
        before = series[:, t - 2] if t >= 2 else np.broadcast_to(base, series[:, 0].shape)
        last = series[:, t - 1]
        return np.divide(last**2, before, out=last.copy(), where=before > 0)  # no growth rate from zero

    def _grant(self, t: int, frame: np.ndarray) -> np.ndarray:
        p, r = self.p, self.p.requests
        assert r is not None
        year = int(self.arrays.years[t])
        spent_draws = self.arrays.spending_adaptation[:, None, None] * self.ledger.records["drawn"]
        operating_cost = self.cost - spent_draws  # one-offs paid from savings are not a gap
        gap = np.maximum(self._expected(t, operating_cost, self.arrays.base_cost) - frame, 0.0)
        draws, committees = frame.shape
        noise = block_random(
            (self.arrays.seed, r.seed),
            self.arrays.first_draw,
            draws,
            lambda generator, n: {"z": generator().standard_normal((n, committees))},
            stream=(year,),
        )["z"]
        request = np.where(p.eligible, p.ambition[t] * gap * np.maximum(1 + r.noise * noise, 0.0), 0.0)
        pool = p.pool_share[t] * frame.sum(axis=-1) * (1 - p.hoarding[t])
        evidence = np.maximum(self._expected(t, self.costs.need, self.arrays.base_cost) - frame, 0.0)
        before = (
            self.ledger.records["operating_result"][:, t - 1]
            if t > 0
            else self.arrays.base_frame - self.arrays.base_cost
        )
        last_deficit = np.broadcast_to(np.maximum(-before, 0.0), frame.shape)
        inputs = GrantInputs(request=request, evidence=evidence, ambition=p.ambition[t], last_deficit=last_deficit)
        granted = water_fill(request, p.rules[t].weights(inputs), pool)
        self.request_records["requested"][:, t] = request
        self.request_records["granted"][:, t] = granted
        self.request_records["granted_by_need"][:, t] = water_fill(request, evidence, pool)
        return granted

    def need_driven_cost(self, t: int) -> np.ndarray:
        """(D, C) need-driven net cost of year t: the cost path under action plans. What the frame adds
        beyond it (November additions, draws on the accumulated result, anything a rule gave) is
        spent by the scenario's one spending behaviour (:func:`budgetsim.core.costs.spend`)."""
        return self.costs.cost[:, t] * self.ledger.cost_level[:, t]

    def settle(self, t: int, frame: np.ndarray, cost: np.ndarray) -> None:
        """Year-end of year t: each committee's steps settle its booked result (frame - cost) in
        order. The operating result adds back this year's recovery deduction: what the year's own
        activity did."""
        ledger = self.ledger
        self.cost[:, t] = cost
        recovered = ledger.schedule[:, t].copy()
        ledger.frame = frame
        ledger.result = frame - cost
        ledger.deficit, ledger.surplus = np.maximum(-ledger.result, 0.0), np.maximum(ledger.result, 0.0)
        ledger.accumulated = ledger.accumulated - ledger.drawn
        ledger.pending_ratchet = np.zeros_like(ledger.pending_ratchet)
        for group in self.p.groups:
            for step, params in zip(group.steps, group.params, strict=True):
                step.settle(ledger, t, group.cols, params)
        for name, value in (
            ("result", ledger.result),
            ("recovered", recovered),
            ("operating_result", ledger.result + recovered),
            ("debt", ledger.schedule[:, t + 1 :].sum(axis=1)),
            ("drawn", ledger.drawn),
            ("accumulated", ledger.accumulated),
        ):
            ledger.records[name][:, t] = value
