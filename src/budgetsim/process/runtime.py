"""The budget process during a run: what each year's results do to later frames and costs, and how
requests are granted. Vectorised over (draws, committees); one :class:`ProcessRun` per simulation.

Timing: the frames for year t are decided in November of t-1 (strategy, requests). The result of
year t-1 is settled in the spring of t; its effects (deficit recovery, ratchet, drawing on the
accumulated result) enter the frame of year t as adjustments. Deficit recovery and draws are
one-offs: they are reversed the year after, so they never change the frame level.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from budgetsim.engine.arrays import ScenarioArrays
from budgetsim.engine.costs import NeedAndCost
from budgetsim.engine.need import mix_rate
from budgetsim.engine.sampling import block_random
from budgetsim.process.rules import BudgetProcess, Requests, YearEndRule, value_in
from budgetsim.transitions.adjust import solve_increasing

MAX_RECOVERY_YEARS = 10
MAX_ACTION_LAG = 5
YEAR_END_RECORDS = (
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
NEUTRAL = YearEndRule(deficit_write_off=1.0)  # committees without a rule: results change no frame


@dataclass(frozen=True, eq=False)
class CompiledProcess:
    """Per-committee rule parameters as arrays (C,) and per-year request parameters (T, ...)."""

    write_off: np.ndarray
    recovery_years: np.ndarray
    claw_back: np.ndarray
    draw: np.ndarray
    ratchet: np.ndarray
    plan_threshold: np.ndarray  # inf: no action plans
    plan_cut: np.ndarray
    plan_lag: np.ndarray
    opening_accumulated: np.ndarray
    requests: Requests | None
    eligible: np.ndarray  # (C,) bool
    ambition: np.ndarray  # (T, C)
    pool_share: np.ndarray  # (T,)
    hoarding: np.ndarray  # (T,)
    pessimism: np.ndarray  # (T,)
    rules: tuple[str, ...]  # (T,)


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
    default = process.year_end.get("*", NEUTRAL)
    rules = [process.year_end.get(c, default) for c in ids]

    def per_committee(attr: str) -> np.ndarray:
        return np.array([float(getattr(r, attr)) for r in rules])

    r = process.requests
    T, C = len(years), len(ids)
    ambition, pool, hoarding, pessimism, grant_rules = (
        np.ones((T, C)),
        np.zeros(T),
        np.zeros(T),
        np.zeros(T),
        ("pro_rata",) * T,
    )
    eligible = np.zeros(C, dtype=bool)
    if r is not None:
        known("requests.ambition", r.ambition)
        known("requests.eligible", r.eligible or ())
        eligible = ~arrays.driver_price.any(axis=1) if r.eligible is None else np.isin(np.array(ids), list(r.eligible))
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
        write_off=per_committee("deficit_write_off"),
        recovery_years=per_committee("recovery_years").astype(int),
        claw_back=per_committee("surplus_claw_back"),
        draw=per_committee("accumulated_draw"),
        ratchet=per_committee("ratchet"),
        plan_threshold=np.array(
            [np.inf if x.action_plan_threshold is None else x.action_plan_threshold for x in rules]
        ),
        plan_cut=per_committee("action_plan_cut"),
        plan_lag=per_committee("action_plan_lag").astype(int),
        opening_accumulated=np.array([process.opening_accumulated.get(c, 0.0) for c in ids]),
        requests=r,
        eligible=eligible,
        ambition=ambition,
        pool_share=pool,
        hoarding=hoarding,
        pessimism=pessimism,
        rules=grant_rules,
    )


class ProcessRun:
    """The process state through one simulation, and its records (each (D, T, C))."""

    def __init__(self, process: CompiledProcess, arrays: ScenarioArrays, costs: NeedAndCost) -> None:
        self.p, self.arrays, self.costs = process, arrays, costs
        D, T, C = costs.cost.shape
        self.schedule = np.zeros((D, T + MAX_RECOVERY_YEARS + 1, C))  # deficit recovery due per year
        self.cost_level = np.ones((D, T + MAX_ACTION_LAG + 1, C))  # action plans' effect on cost
        self.accumulated = np.broadcast_to(process.opening_accumulated, (D, C)).astype(float)
        self.pending_ratchet = np.zeros((D, C))
        self.plan_from = np.zeros((D, C), dtype=int)  # no new action plan before the last one takes effect
        self.drawn = np.zeros((D, C))
        self.cost = np.zeros((D, T, C))
        self.records = {
            k: np.zeros((D, T, C)) for k in (*YEAR_END_RECORDS, *(REQUEST_RECORDS if process.requests else ()))
        }

    def with_pessimism(self) -> ScenarioArrays:
        """The scenario arrays with the total available lowered by the hoarders' revenue pessimism."""
        a = self.arrays
        if a.total_available is None or not self.p.pessimism.any():
            return a
        return replace(a, total_available=a.total_available * (1 - self.p.pessimism))

    def adjustments(self, t: int, proposed: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Process changes to the frame of year ``t``: (recurring changes, one-offs)."""
        recurring: dict[str, np.ndarray] = {}
        one_offs: dict[str, np.ndarray] = {}
        if self.schedule[:, t].any():
            one_offs["deficit_recovery"] = -self.schedule[:, t]
        if self.pending_ratchet.any():
            recurring["ratchet"] = -self.pending_ratchet
        self.drawn = self.p.draw * np.maximum(self.accumulated, 0.0)
        if self.drawn.any():
            one_offs["accumulated_draw"] = self.drawn
        if self.p.requests is not None:
            frame = (
                proposed
                + sum(recurring.values(), np.zeros_like(proposed))
                + sum(one_offs.values(), np.zeros_like(proposed))
            )
            recurring["request_granted"] = self._grant(t, frame)
        return recurring, one_offs

    def _expected(self, t: int, series: np.ndarray, base: np.ndarray) -> np.ndarray:
        """Last year's value grown at last year's rate (the first year: at the assumed cost-mix rate)."""
        a = self.arrays
        if t == 0:
            rate = mix_rate(a, a.wage_uplift[:, 0, None], a.price_uplift[:, 0, None])
            return base * (1 + rate)
        before = series[:, t - 2] if t >= 2 else np.broadcast_to(base, series[:, 0].shape)
        return series[:, t - 1] ** 2 / before

    def _grant(self, t: int, frame: np.ndarray) -> np.ndarray:
        p, r = self.p, self.p.requests
        assert r is not None
        year = int(self.arrays.years[t])
        operating_cost = self.cost - self.records["drawn"]  # one-offs paid from savings are not a gap
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
        before = self.records["operating_result"][:, t - 1] if t > 0 else self.arrays.base_frame - self.arrays.base_cost
        last_deficit = np.broadcast_to(np.maximum(-before, 0.0), frame.shape)
        weights = {
            "pro_rata": request,
            "need": evidence,
            "advocacy": request * p.ambition[t],
            "last_deficit": last_deficit,
        }
        granted = _water_fill(request, weights[p.rules[t]], pool)
        self.records["requested"][:, t] = request
        self.records["granted"][:, t] = granted
        self.records["granted_by_need"][:, t] = _water_fill(request, evidence, pool)
        return granted

    def actual_cost(self, t: int) -> np.ndarray:
        """(D, C) net cost of year t: the cost path under action plans, plus what was spent of the
        accumulated result on temporary initiatives."""
        return self.costs.cost[:, t] * self.cost_level[:, t] + self.drawn

    def settle(self, t: int, frame: np.ndarray, cost: np.ndarray) -> None:
        """Year-end of year t. The booked result (frame - cost) is settled: a deficit is written off,
        covered from the committee's savings (accumulated result), or carried (added to the debt,
        recovered from the next frames); a surplus is clawed back or kept, and what is kept first
        repays any debt, the rest is saved. The operating result adds
        back this year's recovery deduction: what the year's own activity did. Ratchet and action
        plans follow the booked result; no new action plan starts before the last one bites."""
        p, rec = self.p, self.records
        self.cost[:, t] = cost
        recovered = self.schedule[:, t].copy()
        result = frame - cost
        deficit, surplus = np.maximum(-result, 0.0), np.maximum(result, 0.0)
        written_off = p.write_off * deficit
        savings = np.maximum(self.accumulated - self.drawn, 0.0)
        covered = np.minimum(deficit - written_off, savings)  # savings cover a deficit before it becomes debt
        carried = deficit - written_off - covered
        years = np.arange(self.schedule.shape[1])[None, :, None]
        due = (years > t) & (years <= t + p.recovery_years[None, None, :])
        self.schedule += due * (carried / p.recovery_years)[:, None, :]
        clawed = p.claw_back * surplus
        kept = surplus - clawed
        debt = self.schedule[:, t + 1 :].sum(axis=1)
        repaid = np.minimum(kept, debt)
        share_left = np.divide(debt - repaid, debt, out=np.ones_like(debt), where=debt > 0)
        self.schedule[:, t + 1 :] *= share_left[:, None, :]
        self.accumulated = self.accumulated - self.drawn - covered + kept - repaid
        self.pending_ratchet = p.ratchet * surplus
        triggered = (result < -p.plan_threshold * frame) & (t >= self.plan_from)
        self.plan_from = np.where(triggered, t + p.plan_lag, self.plan_from)
        later = np.arange(self.cost_level.shape[1])[None, :, None] >= (t + p.plan_lag)[None, None, :]
        self.cost_level *= np.where(triggered[:, None, :] & later, 1 - p.plan_cut, 1.0)
        for name, value in (
            ("result", result),
            ("recovered", recovered),
            ("operating_result", result + recovered),
            ("written_off", written_off),
            ("covered_by_savings", covered),
            ("carried_forward", carried),
            ("debt", self.schedule[:, t + 1 :].sum(axis=1)),
            ("clawed_back", clawed),
            ("kept", kept),
            ("drawn", self.drawn),
            ("accumulated", self.accumulated),
            ("action_plan", triggered.astype(float)),
        ):
            rec[name][:, t] = value


def _water_fill(request: np.ndarray, weights: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Grants min(request, lambda x weight), with one lambda per draw so they add up to the pool or to
    everything that can be granted (nobody gets more than asked; zero weight gets nothing)."""
    weights = np.where(request > 0, weights, 0.0)
    grantable = np.where(weights > 0, request, 0.0).sum(axis=-1)
    target = np.minimum(pool, grantable)
    ratio = np.divide(request, weights, out=np.zeros_like(request), where=weights > 0)
    hi = ratio.max(axis=-1) + 1.0
    lam = solve_increasing(
        lambda x: np.minimum(request, x[:, None] * weights).sum(axis=-1), target, np.zeros_like(hi), hi
    )
    return np.minimum(request, lam[:, None] * weights)
