"""The HTML report of a comparison: one self-contained file (inline styles and SVG plots, no
scripts, nothing fetched) that opens in any browser without a server. Every user-supplied text
(names, ids, labels, strategy names) is escaped; the model descriptions are Markdown rendered
without raw HTML or links.

Every number in a table cell carries its exact value in a ``data-value`` attribute, so tests and
other tools can read the numbers back and check them against the DataFrames.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from budgetsim.compare import Comparison, MonteCarloComparison
from budgetsim.core.context import StrategyLike
from budgetsim.core.money import MSEK
from budgetsim.core.text import glossary, install_hint, item_label, msek, number, term, tr
from budgetsim.metrics import MONEY_METRICS
from budgetsim.process.rules import BudgetProcess
from budgetsim.reporting import plots
from budgetsim.reporting.describe import describe_sections
from budgetsim.scenario import Scenario
from budgetsim.writing import write_text

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .85rem; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; } th { background: #dce6f1; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: .85rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table.rules th { vertical-align: top; min-width: 8rem; } table.rules td { font-size: .85rem; }
dl.glossary dt { font-weight: 600; margin-top: .6rem; } dl.glossary dd { margin-left: 1rem; }
@media (max-width: 600px) { body { margin: .6rem; } h1 { font-size: 1.25rem; } table { font-size: .75rem; } }
"""


def table_html(
    table: pd.DataFrame,
    table_id: str,
    scale: dict[str, float] | None = None,
    digits: int = 1,
    labels: dict[str, str] | None = None,
    language: str = "en",
) -> str:
    """An HTML table; numeric cells show ``value / scale`` rounded (Swedish number format with
    ``language="sv"``) and carry the exact value; ``labels`` name the columns for people."""
    scale, labels = scale or {}, labels or {}
    integers = {c for c in table.columns if pd.api.types.is_integer_dtype(table[c])}
    head = "".join(f"<th>{html.escape(str(labels.get(c, c)))}</th>" for c in table.columns)
    rows = []
    for record in table.itertuples(index=False):
        cells = []
        for column, value in zip(table.columns, record, strict=True):
            if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_):
                shown = value / scale.get(column, 1.0)
                if pd.isna(value):
                    text = ""
                elif column in integers:
                    text = str(int(value)) if column == "year" else number(int(value), 0, language)
                else:
                    text = number(float(shown), digits if column in scale else 3, language)
                cells.append(
                    f'<td class="num" data-column="{html.escape(str(column))}" data-value="{float(value)!r}">{text}</td>'
                )
            else:
                cells.append(f'<td data-column="{html.escape(str(column))}">{html.escape(str(value))}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="scroll"><table id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


#: Markdown's parts the report leaves out, so that raw HTML and links show as text: block HTML (a
#: preprocessor), and inline HTML, links, images and autolinks (inline patterns).
OMITTED_PREPROCESSORS = ("html_block",)
OMITTED_INLINE = (
    "html",
    "link",
    "image_link",
    "reference",
    "image_reference",
    "short_reference",
    "short_image_ref",
    "autolink",
    "automail",
)


def markdown_html(text: str) -> str:
    """Markdown (headings, lists, tables, emphasis) as HTML, with raw HTML and links in it shown as
    text, so a name in a description can neither run a script nor link anywhere; tables scroll
    sideways on a narrow screen.

    >>> print(markdown_html("**A** <script>x()</script> [a](javascript:x())"))
    <p><strong>A</strong> &lt;script&gt;x()&lt;/script&gt; [a](javascript:x())</p>
    """
    try:
        import markdown
    except ImportError:
        raise ImportError(install_hint("report", "the HTML report needs markdown")) from None
    md = markdown.Markdown(extensions=["tables"])
    for name in OMITTED_PREPROCESSORS:
        md.preprocessors.deregister(name)
    for name in OMITTED_INLINE:
        md.inlinePatterns.deregister(name)
    # raw HTML is escaped, so every <table> is the Markdown's own: let it scroll on a narrow screen
    return md.convert(text).replace("<table>", '<div class="scroll"><table>').replace("</table>", "</table></div>")


def _summary(cmp: Comparison, language: str) -> list[str]:
    """The one-page summary: which strategy funds need best, who runs deficits, what changes."""
    m = cmp.metrics.set_index("strategy")
    best = str(m.coverage_gini.idxmin())
    fullest = str(m.mean_coverage.sub(1).abs().idxmin())
    gini, mean = float(m.coverage_gini.loc[best]), float(m.mean_coverage.loc[fullest])
    first = next(iter(cmp.results))
    deficits = cmp.committee_metrics[cmp.committee_metrics.strategy == first].set_index("committee").deficits
    worst = deficits[deficits > 0].sort_values(ascending=False).head(3)
    who = ", ".join(f"{c} ({msek(v, language)})" for c, v in worst.items()) or tr(language, "none", "ingen")
    points = [
        tr(
            language,
            f"Need is funded most evenly between committees by <strong>{html.escape(best)}</strong> "
            f"(Gini of coverage {number(gini, 3, language)}), and closest to full coverage by "
            f"<strong>{html.escape(fullest)}</strong> (mean coverage {number(mean, 3, language)}).",
            f"Behovet finansieras jämnast mellan nämnderna med <strong>{html.escape(best)}</strong> "
            f"(Ginikoefficient för täckningen {number(gini, 3, language)}), och närmast full täckning med "
            f"<strong>{html.escape(fullest)}</strong> (genomsnittlig täckning {number(mean, 3, language)}).",
        ),
        tr(
            language,
            f"Largest deficits with <strong>{html.escape(str(first))}</strong>, summed over the years: {html.escape(who)}.",
            f"Störst underskott med <strong>{html.escape(str(first))}</strong>, summerat över åren: {html.escape(who)}.",
        ),
    ]
    return ["<ul>", *(f"<li>{p}</li>" for p in points), "</ul>"]


def _sources(scenario: Scenario, language: str) -> pd.DataFrame:
    """Every source note in full, each path with its label in the reader's language (in Swedish
    without the English free text of sources and methods)."""
    notes = scenario.provenance()
    notes.insert(1, "label", [item_label(i, language) for i in notes["item"]])
    if language == "en":
        return notes
    return notes.assign(
        status=[term(s, language) for s in notes.status],
        value=[_swedish_value(v, u) for v, u in zip(notes.value, notes.unit, strict=True)],
        unit=[term(u, language) for u in notes.unit],
    )[["item", "label", "status", "value", "unit"]]


def _swedish_value(value: str, unit: str) -> str:
    """A number written in a source note, in Swedish form ('0.018' -> '0,018', '795994529' ->
    '795 994 529', a year as it is); other text unchanged."""
    try:
        x = float(value)
    except ValueError:
        return value
    if unit == "year":
        return f"{x:.0f}"
    text = f"{int(x):,}" if x.is_integer() else f"{x:,}"
    return text.replace(",", " ").replace(".", ",")


def _glossary(columns: list[str], language: str) -> str:
    items = [
        f"<dt>{html.escape(term(c, language))}</dt><dd>{html.escape(term('def:' + c, language))}</dd>"
        for c in columns
        if f"def:{c}" in glossary()
    ]
    return '<dl class="glossary">' + "".join(items) + "</dl>"


def render_html(
    cmp: Comparison,
    title: str,
    scenario: Scenario,
    strategies: dict[str, StrategyLike],
    process: BudgetProcess | None = None,
    monte_carlo: MonteCarloComparison | None = None,
    language: str = "en",
    sections: Sequence[str] = (),
) -> str:
    """The report as one HTML string: a summary first, ``sections`` (HTML of sections made
    elsewhere, such as a transition plan), the strategies side by side, coverage on one colour
    scale, bridges, the scorecard, risks with a fan chart per strategy, the model described once
    with each strategy's rules side by side, a glossary of every metric, and the sources."""
    last_year = int(cmp.frames.year.max())
    frames = cmp.frames[cmp.frames.year == last_year].pivot(index="committee", columns="strategy", values="frame")
    frames = frames.loc[list(dict.fromkeys(cmp.frames.committee)), list(cmp.results)].reset_index()
    metrics = cmp.metrics
    labels = {c: term(c, language) for c in metrics.columns}
    spread = plots.coverage_spread(list(cmp.results.values()))
    h = html.escape
    parts: list[str] = [
        f"<h1>{h(title)}</h1>",
        (
            f'<p class="note">{tr(language, "Money in MSEK unless marked.", "Belopp i mnkr om inget annat anges.")} '
            f"{tr(language, 'Strategies', 'Strategier')}: {h(', '.join(cmp.results))}.</p>"
        ),
        f'<h2 id="summary">{tr(language, "Summary", "Sammanfattning")}</h2>',
        *_summary(cmp, language),
        f"<h3>{tr(language, 'Frames', 'Ramar')} {last_year} ({term('MSEK', language)})</h3>",
        table_html(
            frames,
            "frames-last-year",
            dict.fromkeys(cmp.results, MSEK),
            labels={"committee": term("committee", language)},
            language=language,
        ),
        *sections,
        f'<h2 id="strategies">{tr(language, "The strategies compared", "Strategierna jämförda")}</h2>',
        table_html(
            metrics,
            "metrics",
            dict.fromkeys([c for c in MONEY_METRICS if c in metrics], MSEK),
            labels=labels,
            language=language,
        ),
        f'<p class="note">{tr(language, "Every measure is explained in the glossary below.", "Varje mått förklaras i ordlistan nedan.")}</p>',
        f"<h2>{tr(language, 'Frames over time', 'Ramarna över tiden')}</h2>",
        f"<figure>{plots.svg(plots.frames_over_time(cmp, language))}</figure>",
        f"<h2>{term('need_coverage', language)}</h2>",
        f'<p class="note">{tr(language, "One colour scale for every strategy: white is full coverage.", "En färgskala för alla strategier: vitt är full täckning.")}</p>',
    ]
    for result in cmp.results.values():
        figure = plots.svg(plots.coverage_heatmap(result, spread, language))
        parts.append(f'<figure class="coverage" data-spread="{spread!r}">{figure}</figure>')
    parts.append(f"<h2>{tr(language, 'Bridges', 'Bryggor')} {last_year}</h2>")
    for name, result in cmp.results.items():
        bridge = result.explain(year=last_year, language=language)
        parts += [
            f"<h3>{h(name)}: {tr(language, 'all committees', 'alla nämnder')}</h3>",
            table_html(
                bridge.table[["label", "amount"]],
                f"bridge-{_slug(name)}",
                {"amount": MSEK},
                labels={"label": term("label", language), "amount": term("MSEK", language)},
                language=language,
            ),
            f"<figure>{plots.svg(bridge.plot())}</figure>",
        ]
    card = cmp.scorecard.drop(columns="description")
    card = card.assign(
        **{c: [term(v, language) for v in card[c]] for c in ("principle", "cornerstone", "metric", "better")}
    )
    parts += [
        f"<h2>{tr(language, 'Principles scorecard', 'Principkort')}</h2>",
        table_html(
            card,
            "scorecard",
            labels={
                "principle": tr(language, "principle", "princip"),
                "cornerstone": tr(language, "cornerstone", "hörnsten"),
                "metric": term("metric", language),
                "better": tr(language, "better", "bättre"),
            },
            language=language,
        ),
    ]
    mc_columns: list[str] = []
    if monte_carlo is not None:
        risk = monte_carlo.risk[monte_carlo.risk.year == last_year]
        draws = next(iter(monte_carlo.results.values())).draws
        mc_columns = list(monte_carlo.metrics.columns)
        parts += [
            (
                f"<h2>{tr(language, 'Risk over', 'Risk över')} {number(draws, 0, language)} "
                f"{tr(language, 'draws', 'dragningar')}</h2>"
            ),
            table_html(
                monte_carlo.metrics,
                "mc-metrics",
                {"expected_deficits": MSEK},
                labels={c: term(c, language) for c in mc_columns},
                language=language,
            ),
            table_html(
                risk,
                "risk-last-year",
                {"expected_deficit": MSEK},
                labels={c: term(c, language) for c in risk.columns},
                language=language,
            ),
        ]
        for name, mc in monte_carlo.results.items():
            parts.append(f'<h3 class="fan">{h(name)}</h3>')
            for committee in dict.fromkeys(mc.summary.committee):
                parts.append(f"<figure>{plots.svg(plots.fan_chart(mc, committee, language=language))}</figure>")
    shared = describe_sections(scenario, None, process, language)
    rules = "".join(
        f"<tr><th>{h(name)}</th><td>{markdown_html(describe_sections(scenario, s, None, language)['rules'])}</td></tr>"
        for name, s in strategies.items()
    )
    parts += [
        f'<h2 id="model">{tr(language, "The model", "Modellen")}</h2>',
        '<section class="model">',
        markdown_html(shared["scenario"]),
        f"<h3>{tr(language, 'Rules of each strategy', 'Varje strategis regler')}</h3>",
        f'<div class="scroll"><table class="rules">{rules}</table></div>',
        markdown_html(shared["economy"]),
        markdown_html(shared["process"]) if shared["process"] else "",
        "</section>",
        f'<h2 id="glossary">{tr(language, "Glossary", "Ordlista")}</h2>',
        _glossary(
            [
                *metrics.columns,
                *card.columns.drop(["principle", "cornerstone", "metric", "better"], errors="ignore"),
                *cmp.scorecard.metric,
                *mc_columns,
            ],
            language,
        ),
        f'<h2 id="sources">{tr(language, "Sources", "Källor")}</h2>',
        ""
        if language == "en"
        else '<p class="note">Källornas och metodernas texter är skrivna på engelska; '
        "de listas av <code>budgetsim sources</code>.</p>",
        table_html(
            _sources(scenario, language),
            "sources",
            labels={
                "item": tr(language, "parameter", "parameter"),
                "label": term("description", language),
                "status": term("status", language),
                "value": term("value", language),
                "unit": term("unit", language),
                "source": tr(language, "source", "källa"),
                "method": tr(language, "method", "metod"),
            },
            language=language,
        ),
    ]
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{h(title)}</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def write_html(cmp: Comparison, path: str | Path, title: str, **kwargs: Any) -> Path:
    """Write :func:`render_html` to ``path`` (written whole, then moved in place)."""
    return write_text(path, render_html(cmp, title, **kwargs))


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
