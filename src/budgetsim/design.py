"""Design a transition: search the phase-ins from today's frames to a target allocation (e.g.
needs-based on the current model's total), check each against the council's constraints, score it
on what the transition costs, and hand back the Pareto set and one design to adopt.

>>> import budgetsim as bs
>>> s = bs.boras()
>>> current = bs.strategies.boras_current()
>>> d = design_transition(s, current, bs.strategies.needs_based(total=current), max_loss=0.02)
>>> bool(d.candidates.feasible.any()), d.recommended in d.pareto.design.tolist()
(True, True)

Families (each a registered rule wrapped around the target, so a design is written to a run file):

* ``blend``: ``Blend`` of target and current with the target's weight rising over ``years`` budget
  years, linearly (``shape`` 1), front-loaded (0.5) or back-loaded (2), kept on the current model's
  total (``SameTotal``);
* ``pace``: ``PaceOfChange`` from the current model toward the target's split, every committee at
  least ``min_uplift`` a year;
* ``floor``: ``FloorWithDamping`` around the target: nobody loses more than ``floor`` a year;
* ``loss_cap``: ``LossCap`` around the target against the current model, at most
  ``per_inhabitant`` SEK lost per inhabitant.

Constraints, checked on every committee-year: the total each year equals the current model's
(to ``neutral_sek``); no frame falls more than ``max_loss`` a year (nominal); optionally every
coverage at least ``min_coverage``. Objectives (``objectives``, by default all), lower-is-better: the distance to the target's
frames in the end year (share of the target's total), the years until every committee is within
``tolerance`` of its target frame for good, the mean Gini of need coverage over the years, the
share of committee-years in deficit (with ``draws``: the mean probability of a deficit over the
draws) and the volatility of frame changes. The recommended design is the Pareto-optimal one with
the least maximum regret: its largest shortfall, over the objectives, against the best feasible
value, as a share of the range of that objective.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from budgetsim.compare import Comparison, compare, compare_monte_carlo
from budgetsim.core.arrays import ScenarioArrays, compile_scenario
from budgetsim.core.context import StrategyLike
from budgetsim.core.text import pct, short, term, tr
from budgetsim.io.run_files import save_run
from budgetsim.process.rules import BudgetProcess
from budgetsim.reporting import plots
from budgetsim.reporting.html import table_html
from budgetsim.result.figures import pyplot
from budgetsim.scenario import Scenario
from budgetsim.strategies.base import own_path_totals
from budgetsim.transitions import Blend, FloorWithDamping, LossCap, PaceOfChange, SameTotal

#: The objectives, in the order they are shown; every one is lower-is-better.
OBJECTIVES = ("distance_end", "years_to_target", "coverage_gini", "deficit_risk", "volatility")
LABELS = {
    "distance_end": ("distance to target in the end year", "avstånd till målet sista året"),
    "years_to_target": ("years until within tolerance of target", "år tills inom toleransen från målet"),
    "coverage_gini": ("mean Gini of need coverage", "genomsnittlig Ginikoefficient för behovstäckning"),
    "deficit_risk": ("share of committee-years in deficit", "andel nämndår med underskott"),
    "volatility": ("volatility of frame changes", "volatilitet i ramförändringar"),
}

#: The default grid of each family's parameters.
FAMILIES: dict[str, list[dict[str, Any]]] = {
    "blend": [{"years": n, "shape": p} for n in (2, 3, 4, 5, 6, 7) for p in (0.5, 1.0, 2.0)],
    "pace": [{"min_uplift": m} for m in (-0.03, -0.02, -0.01, 0.0)],
    "floor": [{"floor": f} for f in (-0.03, -0.02, -0.01, 0.0)],
    "loss_cap": [{"per_inhabitant": x} for x in (100.0, 250.0, 500.0, 1000.0)],
}


def candidate(
    family: str, parameters: Mapping[str, Any], current: StrategyLike, target: StrategyLike, years: tuple[int, ...]
) -> StrategyLike:
    """The design of ``family`` with ``parameters``, moving from ``current`` to ``target`` over the
    budget ``years``.

    >>> import budgetsim as bs
    >>> b = candidate("blend", {"years": 4}, bs.strategies.boras_current(), bs.strategies.needs_based(), (2024, 2025, 2026, 2027, 2028))
    >>> [round(b.inner.weight(0, y), 2) for y in (2024, 2025, 2027, 2028)]
    [0.25, 0.5, 1.0, 1.0]
    """
    if family == "blend":
        n, shape = int(parameters["years"]), float(parameters.get("shape", 1.0))
        weight = {y: min(1.0, ((i + 1) / n) ** shape) for i, y in enumerate(years)}
        blend = Blend(((target, weight), (current, {y: 1 - w for y, w in weight.items()})))
        return SameTotal(blend, total=current)  # a blend's parts drift off the total by some thousand SEK
    if family == "pace":
        return PaceOfChange(current, target=target, min_uplift=float(parameters["min_uplift"]), hold_harmless=False)
    if family == "floor":
        return FloorWithDamping(target, floor=float(parameters["floor"]), if_unaffordable="scale")
    if family == "loss_cap":
        return LossCap(target, reference=current, per_inhabitant=float(parameters["per_inhabitant"]))
    raise ValueError(f"family {family!r}: unknown; known: {', '.join(FAMILIES)}")


#: Each family's rule (its name in a language from the glossary) and its parameters' names (en, sv).
RULES = {"blend": "blend", "pace": "pace_of_change", "floor": "floor", "loss_cap": "loss_cap"}
PARAMETERS = {
    "years": ("years", "år"),
    "shape": ("shape", "form"),
    "min_uplift": ("min_uplift", "minsta uppräkning"),
    "floor": ("floor", "golv"),
    "per_inhabitant": ("per_inhabitant", "per invånare"),
}


def _label(family: str, parameters: Mapping[str, Any], language: str = "en") -> str:
    """A design's name: ``blend (years 4, shape 1)`` (the key of every table), or in Swedish
    ``blandning (år 4, form 1)`` for people."""
    words = [PARAMETERS.get(k, (k, k))[language == "sv"] for k in parameters]
    values = [short(v, language) if isinstance(v, float) else str(v) for v in parameters.values()]
    name = family if language == "en" else term(f"rule:{RULES[family]}", language)
    return f"{name} ({', '.join(f'{w} {v}' for w, v in zip(words, values, strict=True))})"


@dataclass
class Design:
    """The result of :func:`design_transition`.

    ``candidates``: one row per design: design, family, its parameters, feasible, the first
    violated constraint (``violation``), and each objective (:data:`OBJECTIVES`); ``pareto`` the
    feasible designs no other feasible one beats in every objective (``pareto`` column);
    ``recommended`` the design to adopt and ``reason`` why, in English and Swedish;
    ``strategies`` every design as a registered rule; ``comparison`` the deterministic comparison
    of them all with the current model and the target, on ``scenario`` (inside ``process``)."""

    candidates: pd.DataFrame
    strategies: dict[str, StrategyLike]
    comparison: Comparison
    scenario: Scenario
    recommended: str
    reason: dict[str, str] = field(default_factory=dict)
    objectives: tuple[str, ...] = OBJECTIVES
    process: BudgetProcess | None = None

    @property
    def pareto(self) -> pd.DataFrame:
        return self.candidates[self.candidates.pareto].reset_index(drop=True)

    def summary(self, language: str = "en") -> str:
        """The Pareto set as a plain-text table (objectives as shares or years), and the
        recommendation with its reason."""
        names = "design_sv" if language == "sv" else "design"
        shown = (
            self.pareto[[names, *self.objectives]].set_index(names).rename_axis(tr(language, "design", "utformning"))
        )
        shown.columns = [LABELS[c][language == "sv"] for c in self.objectives]
        feasible = int(self.candidates.feasible.sum())
        head = tr(
            language,
            f"{len(self.candidates)} designs, {feasible} meet the constraints, {len(shown)} in the Pareto set",
            f"{len(self.candidates)} utformningar, {feasible} uppfyller villkoren, {len(shown)} i Paretomängden",
        )
        table = shown.to_string(float_format="{:.4f}".format)
        table = table.replace(".", ",") if language == "sv" else table
        return f"{head}\n{table}\n\n{tr(language, 'Recommended', 'Rekommenderas')}: {self.explain(language)}"

    def paths(self, language: str = "en") -> Comparison:
        """The current model, the target and the recommended design side by side, named in
        ``language`` (run again under those names, so every chart and bridge carries them)."""
        names = {
            "current": term("current", language),
            "target": tr(language, "target", "mål"),
            self.recommended: self.candidates.set_index("design").design_sv[self.recommended]
            if language == "sv"
            else self.recommended,
        }
        return compare(self.scenario, {names[n]: self.strategies[n] for n in names}, self.process)

    def plan_html(self, language: str = "en") -> str:
        """The "Transition plan" ("Övergångsplan") section of an HTML report: the recommendation
        and why, the Pareto set, the Pareto front of the first two objectives with the recommended
        design marked, and each committee's frames under today's model, the target and the design."""
        names = "design_sv" if language == "sv" else "design"
        shown = self.pareto[[names, *self.objectives]]
        labels = {c: LABELS[c][language == "sv"] for c in self.objectives}
        labels[names] = tr(language, "design", "utformning")
        return "\n".join(
            [
                f'<h2 id="transition">{tr(language, "Transition plan", "Övergångsplan")}</h2>',
                f"<p>{html.escape(self.explain(language))}</p>",
                table_html(shown, "pareto", digits=4, labels=labels, language=language),
                f"<figure>{plots.svg(self.front(language))}</figure>",
                f"<figure>{plots.svg(plots.frames_over_time(self.paths(language), language))}</figure>",
            ]
        )

    def front(self, language: str = "en") -> Any:
        """The Pareto front of the first two objectives: every feasible design, the Pareto set
        joined, the recommended one marked."""
        plt = pyplot()
        x, y = self.objectives[0], self.objectives[min(1, len(self.objectives) - 1)]
        feasible = self.candidates[self.candidates.feasible]
        front = self.pareto.sort_values(x)
        chosen = self.candidates.set_index("design").loc[self.recommended]
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.scatter(feasible[x], feasible[y], color="0.7", s=18, label=tr(language, "feasible", "möjliga"))
        ax.plot(front[x], front[y], "o-", color="tab:blue", label=tr(language, "Pareto set", "Paretomängd"))
        ax.plot(
            [chosen[x]],
            [chosen[y]],
            "*",
            color="tab:red",
            markersize=14,
            label=tr(language, "recommended", "rekommenderad"),
        )
        ax.set_xlabel(LABELS[x][language == "sv"])
        ax.set_ylabel(LABELS[y][language == "sv"])
        ax.legend(fontsize=8, frameon=False)
        fig.tight_layout()
        return fig

    def explain(self, language: str = "en") -> str:
        """Why the recommended design, in ``language``."""
        return self.reason[language]

    def save_run(
        self, path: str | Path, scenario: str | Path | Scenario, process: str | BudgetProcess | None = None
    ) -> Path:
        """A run file with the current model, the target and the recommended design (``design``),
        so ``budgetsim compare`` reproduces the design's numbers."""
        strategies = {name: self.strategies[name] for name in ("current", "target")}
        strategies["design"] = self.strategies[self.recommended]
        return save_run(path, strategies, scenario=scenario, process=process)


def design_transition(
    scenario: Scenario,
    current: StrategyLike,
    target: StrategyLike,
    families: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    *,
    objectives: Iterable[str] = OBJECTIVES,
    max_loss: float | None = None,
    min_coverage: float | None = None,
    neutral_sek: float = 1.0,
    tolerance: float = 0.01,
    process: BudgetProcess | None = None,
    draws: int | None = None,
    seed: int = 0,
) -> Design:
    """Search ``families`` (default :data:`FAMILIES`) of transitions from ``current`` to ``target``
    on ``scenario`` (inside ``process`` if given), under the constraints, and recommend one design
    (see the module docstring)."""
    families = FAMILIES if families is None else families
    chosen = tuple(objectives)
    unknown = sorted(set(chosen) - set(OBJECTIVES))
    if unknown or not chosen:
        raise ValueError(f"objectives: {unknown or 'none'}: give some of {', '.join(OBJECTIVES)}")
    years = scenario.years
    designs: dict[str, tuple[str, dict[str, Any]]] = {}
    strategies: dict[str, StrategyLike] = {"current": current, "target": target}
    for family, grid in families.items():
        for parameters in grid:
            label = _label(family, parameters)
            strategies[label] = candidate(family, parameters, current, target, years)
            designs[label] = (family, dict(parameters))
    if not designs:
        raise ValueError("families: give at least one design to try")
    cmp = compare(scenario, strategies, process=process)
    arrays = compile_scenario(scenario)
    frames = cmp.frames.pivot_table(index=["strategy", "committee"], columns="year", values="frame")
    base = pd.Series({c.id: c.base_frame for c in scenario.committees})
    rows = []

    def path(name: str) -> pd.DataFrame:  # committee x year frames of one strategy
        return cast(pd.DataFrame, frames.loc[name])

    for label, (family, parameters) in designs.items():
        rows.append(
            {
                "design": label,
                "design_sv": _label(family, parameters, "sv"),
                "family": family,
                **{f"parameter: {k}": v for k, v in parameters.items()},
                **_checks(path(label), base, cmp, label, max_loss, min_coverage),
                **_neutral(arrays, strategies[label], current, neutral_sek),
                **_objectives(path(label), path("target"), cmp, label, tolerance),
            }
        )
    table = pd.DataFrame(rows)
    neutral = np.where(
        table.neutral, "", table.total_off_sek.map("total off the current model's by {:,.2f} SEK".format)
    )
    table["violation"] = np.where(table.violation != "", table.violation, neutral)
    table.insert(2, "feasible", table.violation == "")
    if draws:
        mc = compare_monte_carlo(scenario, {k: strategies[k] for k in designs}, process, draws=draws, seed=seed)
        table["deficit_risk"] = table.design.map(mc.metrics.set_index("strategy").mean_prob_deficit)
    table["pareto"] = _pareto(table, chosen)
    recommended, reason = _recommend(table, chosen, tolerance)
    return Design(table, strategies, cmp, scenario, recommended, reason, chosen, process)


def _checks(
    own: pd.DataFrame,
    base: pd.Series,
    cmp: Comparison,
    label: str,
    max_loss: float | None,
    min_coverage: float | None,
) -> dict[str, Any]:
    """The largest yearly loss and the lowest coverage of a design's frames (in the process, if
    any), and the first of those constraints it breaks."""
    previous = pd.concat([base.reindex(own.index), own.iloc[:, :-1]], axis=1).to_numpy()
    worst_loss = max(0.0, float(-(own.to_numpy() / previous - 1).min()))  # 0: nobody loses
    lowest = float(cmp.outcomes[cmp.outcomes.strategy == label].coverage.min())
    violation = ""
    if max_loss is not None and worst_loss > max_loss + 1e-12:
        violation = f"a committee loses {worst_loss:.2%} in a year (at most {max_loss:.2%})"
    elif min_coverage is not None and lowest < min_coverage:
        violation = f"coverage {lowest:.3f} (at least {min_coverage:.3f})"
    return {"violation": violation, "largest_yearly_loss": worst_loss, "lowest_coverage": lowest}


def _neutral(arrays: ScenarioArrays, design: StrategyLike, current: StrategyLike, neutral_sek: float) -> dict[str, Any]:
    """Budget neutrality as the fair comparisons define it: what the design proposes each year,
    on its own path, adds up to what the current model proposes on its own (a budget process adds
    each path's own requests and year-end effects on top of both)."""
    off = float(np.abs(own_path_totals(arrays, design) - own_path_totals(arrays, current)).max())
    return {"total_off_sek": off, "neutral": off <= neutral_sek}


def _objectives(
    own: pd.DataFrame, target: pd.DataFrame, cmp: Comparison, label: str, tolerance: float
) -> dict[str, float]:
    gap = (own - target).abs() / target
    within = (gap <= tolerance).all(axis=0).to_numpy()  # per year: every committee near target
    stays = [all(within[i:]) for i in range(len(within))]
    years = next((i + 1 for i, ok in enumerate(stays) if ok), len(within) + 1)
    end = own.columns[-1]
    metrics = cmp.metrics[cmp.metrics.strategy == label].iloc[0]
    yearly = cmp.yearly_metrics[cmp.yearly_metrics.strategy == label]
    return {
        "distance_end": float((own[end] - target[end]).abs().sum() / target[end].sum()),
        "years_to_target": float(years),
        "coverage_gini": float(yearly.coverage_gini.mean()),
        "deficit_risk": float(metrics["deficit_share"]),
        "volatility": float(metrics["volatility"]),
    }


def _pareto(table: pd.DataFrame, objectives: tuple[str, ...]) -> pd.Series:
    """The feasible designs that no other feasible design beats: at least as good in every
    objective and better in one."""
    values = table[list(objectives)].to_numpy()
    feasible = table.feasible.to_numpy()
    keep = np.zeros(len(table), dtype=bool)
    for i in np.flatnonzero(feasible):
        others = values[feasible & (np.arange(len(table)) != i)]
        dominated = ((others <= values[i]).all(axis=1) & (others < values[i]).any(axis=1)).any()
        keep[i] = not dominated
    return pd.Series(keep, index=table.index)


def _recommend(table: pd.DataFrame, objectives: tuple[str, ...], tolerance: float) -> tuple[str, dict[str, str]]:
    """The Pareto design with the least maximum regret, and why (en, sv)."""
    pareto = table[table.pareto]
    if pareto.empty:
        raise ValueError(
            "no design meets the constraints; loosen them (a larger max_loss, a lower min_coverage) or add designs"
        )
    feasible = table[table.feasible][list(objectives)]
    best, worst = feasible.min(), feasible.max()
    span = (worst - best).replace(0.0, 1.0)
    regret = (pareto[list(objectives)] - best) / span
    worst_regret = regret.max(axis=1)
    at = int(np.argmin(worst_regret.to_numpy()))
    row, objective = pareto.iloc[at], str(regret.iloc[at].idxmax())
    share = float(worst_regret.iloc[at])
    reason = {
        language: tr(
            language,
            f"{row.design}: of the {len(pareto)} designs no other beats in every objective, it gives up least against "
            f"the best feasible value in any objective: at most {pct(share, 'en')} of the range "
            f"({LABELS[objective][0]}). It is within {pct(tolerance, 'en')} of the target in "
            f"{row.years_to_target:.0f} year(s) and ends {pct(row.distance_end, 'en')} from it.",
            f"{row.design_sv}: av de {len(pareto)} utformningar som ingen annan slår i alla avseenden ger den upp minst "
            f"mot det bästa möjliga värdet i något avseende: högst {pct(share, 'sv')} av spannet "
            f"({LABELS[objective][1]}). Den är inom {pct(tolerance, 'sv')} från målet efter "
            f"{row.years_to_target:.0f} år och slutar {pct(row.distance_end, 'sv')} från det.",
        )
        for language in ("en", "sv")
    }
    return str(row.design), reason
