"""The model describes itself: a plain-language account (Markdown, English or Swedish) of the rules
and parameters in force, generated from the very objects that compute the frames, so it cannot
drift from what is computed. Each built-in rule writes its own paragraph (its ``describe``
method); a user's own rule is described by its docstring.

Everything the user wrote (names, ids, labels, docstrings) is written as text: HTML in it is
escaped, so neither this Markdown nor the HTML report rendered from it runs a user's markup, and a
``|`` in a table cell is escaped so it cannot split the cell."""

from __future__ import annotations

import re
from typing import Any

from budgetsim.core.context import StrategyLike
from budgetsim.core.strategy import describe_rule, display_name
from budgetsim.core.text import msek, pct, term, tr
from budgetsim.process.grants import GrantRule
from budgetsim.process.rules import BudgetProcess
from budgetsim.process.year_end import NEUTRAL, YearEndRule, complete
from budgetsim.scenario import Scenario

_ENTITY = re.compile(r"&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


def no_html(text: str) -> str:
    """Markdown with its HTML shown as text: ``<``, ``>`` and an ``&`` that starts a character
    reference are escaped; any other ``&`` stays as it is (Markdown shows it as it is).

    >>> no_html("<b>Kultur & fritid</b> &amp;")
    '&lt;b&gt;Kultur & fritid&lt;/b&gt; &amp;amp;'
    """
    return _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


_MARKDOWN = re.compile(r"([\\`\[\]!])")


def user_text(value: object) -> str:
    r"""A user's name, id or label for Markdown: on one line, its HTML shown as text, and the
    Markdown that would make a link, an image or code shown as text too.

    >>> user_text("Vård- och äldrenämnden"), user_text("<script>x</script>\n# heading")
    ('Vård- och äldrenämnden', '&lt;script&gt;x&lt;/script&gt; # heading')
    >>> print(user_text("[click](javascript:x) ![i](http://h/i) `code` equal_growth"))
    \[click\](javascript:x) \!\[i\](http://h/i) \`code\` equal_growth
    """
    return no_html(_MARKDOWN.sub(r"\\\1", " ".join(str(value).splitlines())))


def user_cell(value: object) -> str:
    r"""A user's text for a Markdown table cell: as :func:`user_text`, with ``|`` escaped so the
    cell stays one cell.

    >>> print(user_cell("A|B"), user_cell(r"A\|B"))
    A\|B A\\\|B
    """
    return user_text(value).replace("|", "\\|")


def _per_year(value: Any, language: str, as_pct: bool = True) -> str:
    """A constant or per-year parameter in words: '1 %' or '2024: 1 %, 2025: 2 %'."""
    show = (lambda v: pct(v, language)) if as_pct else str
    if isinstance(value, dict):
        return ", ".join(f"{y}: {show(v)}" for y, v in value.items())
    return show(value)


def describe_process(process: BudgetProcess, scenario: Scenario, language: str = "en") -> str:
    """The budget process in plain words: every committee's year-end rule, requests and roles,
    the reserve, the frame period and planning horizon."""
    lines = [f"## {tr(language, 'Budget process', 'Budgetprocessen')}", ""]
    default = process.year_end.get("*")
    for committee in scenario.committee_ids:
        rule = process.year_end.get(committee, default)
        note = "" if rule is not None else tr(language, " (no rule given)", " (ingen regel angiven)")
        rule = NEUTRAL if rule is None else rule
        text = (
            rule.text(language)
            if isinstance(rule, YearEndRule)
            else "; ".join(s.text(language) for s in complete(rule))
        )
        lines.append(f"- {user_text(committee)}: {no_html(text)}{note}.")
    for committee, amount in process.opening_accumulated.items():
        lines.append(
            f"- {user_text(committee)}: {tr(language, 'accumulated result at the start', 'ackumulerat resultat vid start')} {msek(amount, language)}."
        )
    r = process.requests
    if r is not None:
        eligible = (
            list(r.eligible) if r.eligible is not None else [c.id for c in scenario.committees if not c.volume_drivers]
        )
        grants = _grant_rule(r.rule, language)
        who = ", ".join(user_text(c) for c in eligible)
        lines.append(
            "- "
            + tr(
                language,
                f"Requests: {who or 'no committee'} may request money (the advocates); the guardian, the executive board, grants from a pool of {_per_year(r.pool_share, language)} of the frames by rule '{grants}'.",
                f"Äskanden: {who or 'ingen nämnd'} får äska (förkämparna); väktaren, kommunstyrelsen, beviljar ur en central pott på {_per_year(r.pool_share, language)} av ramarna, {grants}.",
            )
        )
        if r.ambition:
            ambition = "; ".join(
                f"{user_text(c)}: {_per_year(v, language, as_pct=False)}" for c, v in r.ambition.items()
            )
            lines.append(
                "- "
                + tr(
                    language,
                    "Advocates' ambition (request / perceived gap): ",
                    "Förkämparnas ambition (äskande / upplevt underskott): ",
                )
                + ambition
                + "."
            )
        if r.noise:
            lines.append(
                "- "
                + tr(
                    language,
                    f"Requests vary at random by {pct(r.noise, language)} (sd).",
                    f"Äskandena varierar slumpmässigt med {pct(r.noise, language)} (sd).",
                )
            )
        if r.hoarding or r.revenue_pessimism:
            lines.append(
                "- "
                + tr(
                    language,
                    f"Hoarders hold back {_per_year(r.hoarding, language)} of the pool and push the revenue estimate down by {_per_year(r.revenue_pessimism, language)}.",
                    f"Hamstrare håller inne {_per_year(r.hoarding, language)} av potten och räknar ned intäktsprognosen med {_per_year(r.revenue_pessimism, language)}.",
                )
            )
    if process.november is not None:
        lines.append("- " + process.november.text(language))
    lines.append("- " + process.balance.text(language))
    period = process.frame_period
    frames = (
        tr(language, "Frames are set one year at a time", "Ramarna beslutas för ett år i taget")
        if period == 1
        else tr(
            language, f"Frames are fixed for {period} years at a time", f"Ramarna fastställs för {period} år i taget"
        )
    )
    plan = tr(
        language,
        f"; committees plan {process.planning_horizon} years ahead.",
        f"; flerårsplanen sträcker sig {process.planning_horizon} år framåt.",
    )
    lines.append("- " + frames + plan)
    return "\n".join(lines)


def _grant_rule(rule: GrantRule | dict[int, GrantRule], language: str = "en") -> str:
    """A grant rule by its tag, or per year: 'pro_rata' or '2024: need, 2025: advocacy'; in Swedish
    in words."""

    def one(r: GrantRule) -> str:
        return r.tag if language == "en" else r.text(language)

    if isinstance(rule, dict):
        return ", ".join(f"{y}: {one(v)}" for y, v in rule.items())
    return one(rule)


def describe_sections(
    scenario: Scenario, strategy: StrategyLike | None, process: BudgetProcess | None = None, language: str = "en"
) -> dict[str, str]:
    """The description in parts (Markdown): ``scenario`` (the scenario and its committees), ``rules``
    (the strategy's rules; empty without a strategy), ``economy``, ``process`` (empty without one)
    and ``sources``. :func:`describe` joins them; the report shows the shared parts once and the
    rules of each strategy side by side."""
    scenario_name = user_text(scenario.name)
    lines = [
        tr(
            language,
            f"Scenario *{scenario_name}*: base year {scenario.base_year}, budget years {scenario.years[0]}-{scenario.years[-1]}, {len(scenario.committees)} committees.",
            f"Scenario *{scenario_name}*: basår {scenario.base_year}, budgetår {scenario.years[0]}–{scenario.years[-1]}, {len(scenario.committees)} nämnder.",
        ),
        "",
        f"## {tr(language, 'Committees', 'Nämnder')}",
        "",
        "| id | "
        + tr(
            language,
            "name | sector | base frame | wage share",
            f"namn | verksamhet | kommunbidrag {scenario.base_year} | lönekostnadsandel",
        )
        + " |",
        "|---|---|---|---:|---:|",
    ]
    status = {n.item: n.status for n in scenario.notes}
    for c in scenario.committees:
        flag = status.get(f"committees.{c.id}.base_frame")
        mark = f" ({term(flag, language)})" if flag and flag != "published" else ""
        lines.append(
            f"| {user_cell(c.id)} | {user_cell(c.name)} | {user_cell(term(c.sector, language))} | {msek(c.base_frame, language)}{mark}"
            f" | {pct(c.cost_mix.wages, language)} |"
        )
    e = scenario.economy
    economy = [f"## {tr(language, 'Economy', 'Ekonomi')}", ""]
    first = scenario.years[0]
    if e.revenue is not None:
        economy.append(
            "- "
            + tr(
                language,
                f"Tax revenue, general grants and equalisation {msek(e.revenue[first], language)} in {first}; result target {pct(e.result_target, language)} of them.",
                f"Skatteintäkter, generella statsbidrag och utjämning {msek(e.revenue[first], language)} år {first}; resultatmål {pct(e.result_target, language)} av dem.",
            )
        )
    if e.tax_base is not None and e.tax_rate is not None:
        grants = (e.general_grants or {}).get(first, 0.0)
        economy.append(
            "- "
            + tr(
                language,
                f"Of which tax revenue: tax base {msek(e.tax_base[first], language)} × tax rate {pct(e.tax_rate[first], language)}; general grants and equalisation {msek(grants, language)}.",
                f"Därav skatteintäkter: skatteunderlag {msek(e.tax_base[first], language)} × skattesats {pct(e.tax_rate[first], language)}; generella statsbidrag och utjämning {msek(grants, language)}.",
            )
        )
    economy.append(
        "- "
        + tr(
            language,
            f"Activity adapts to the frame: a committee's net cost is its need-driven cost plus {pct(e.spending_adaptation, language)} of the difference between frame and need-driven cost, whichever rule set the frame; productivity actually realised {pct(e.outcome('efficiency', first), language)} a year against an efficiency requirement of {pct(e.efficiency[first], language)}.",
            f"Verksamheten anpassas efter ramen: en nämnds nettokostnad är den behovsdrivna kostnaden plus {pct(e.spending_adaptation, language)} av skillnaden mellan ram och behovsdriven kostnad, vilken regel som än satt ramen; faktiskt realiserad produktivitet {pct(e.outcome('efficiency', first), language)} per år mot ett effektiviseringskrav om {pct(e.efficiency[first], language)}.",
        )
    )
    for step in scenario.cost_steps:
        economy.append(
            "- "
            + tr(
                language,
                f"{user_text(step.committee)}: cost +{pct(step.share, language)} from {step.year} ({user_text(term(step.label, language))}), not seen by the allocation.",
                f"{user_text(step.committee)}: kostnaderna ökar med {pct(step.share, language)} från {step.year} ({user_text(term(step.label, language))}); resursfördelningsmodellen kompenserar inte för detta.",
            )
        )
    for a in scenario.additions:
        economy.append(
            f"- {a.year} {user_text(a.committee)}: {user_text(term(a.label, language))} {msek(a.amount, language)}"
        )
    counts = {s: sum(1 for n in scenario.notes if n.status == s) for s in ("published", "estimate", "assumption")}
    sources = ""
    if scenario.notes:
        sources = "\n".join(
            [
                f"## {tr(language, 'Sources', 'Källor')}",
                "",
                tr(
                    language,
                    f"{counts['published']} values published, {counts['estimate']} estimated, {counts['assumption']} assumed; every source is listed by `budgetsim sources`.",
                    f"{counts['published']} värden publicerade, {counts['estimate']} skattade, {counts['assumption']} antagna; alla källor listas av `budgetsim sources`.",
                ),
            ]
        )
    return {
        "scenario": "\n".join(lines),
        "rules": "" if strategy is None else no_html(describe_rule(strategy, scenario, language)),
        "economy": "\n".join(economy),
        "process": "" if process is None else describe_process(process, scenario, language),
        "sources": sources,
    }


def describe(
    scenario: Scenario, strategy: StrategyLike, process: BudgetProcess | None = None, language: str = "en"
) -> str:
    """A Markdown description of the model in force: the committees and their frames, the
    allocation rules with their parameters, the economy, and the budget process.

    >>> import budgetsim as bs
    >>> text = describe(bs.default_scenario().with_volume_driver("VÄN", min_age=80), bs.strategies.boras_current())
    >>> "VÄN (Vård- och äldrenämnden): 80+" in text
    True
    """
    parts = describe_sections(scenario, strategy, process, language)
    name = user_text(display_name(strategy, language))
    lines = [f"# {tr(language, 'Allocation model', 'Resursfördelningsmodell')}: {name}", "", parts["scenario"]]
    lines += ["", f"## {tr(language, 'Rules', 'Regler')}", "", parts["rules"], "", parts["economy"]]
    if parts["process"]:
        lines += ["", parts["process"]]
    if parts["sources"]:
        lines += ["", parts["sources"]]
    return "\n".join(lines) + "\n"
