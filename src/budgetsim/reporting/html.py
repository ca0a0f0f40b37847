"""The HTML report of a comparison: one self-contained file (inline styles and SVG plots, no
scripts, nothing fetched) that opens in any browser without a server. Every user-supplied text
(names, ids, labels, strategy names) is escaped; the model descriptions are Markdown rendered
without raw HTML or links.

Every number in a table cell carries its exact value in a ``data-value`` attribute, so tests and
other tools can read the numbers back and check them against the DataFrames.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from budgetsim.compare import Comparison, MonteCarloComparison
from budgetsim.core.money import MSEK
from budgetsim.metrics import MONEY_METRICS
from budgetsim.reporting import plots

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .85rem; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; } th { background: #dce6f1; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: .85rem; }
"""


def table_html(table: pd.DataFrame, table_id: str, scale: dict[str, float] | None = None, digits: int = 1) -> str:
    """An HTML table; numeric cells show ``value / scale`` rounded, and carry the exact value."""
    scale = scale or {}
    integers = {c for c in table.columns if pd.api.types.is_integer_dtype(table[c])}
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    rows = []
    for record in table.itertuples(index=False):
        cells = []
        for column, value in zip(table.columns, record, strict=True):
            if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_):
                shown = value / scale.get(column, 1.0)
                if pd.isna(value):
                    text = ""
                elif column in integers:
                    text = str(int(value)) if column == "year" else f"{int(value):,}"
                else:
                    text = f"{shown:,.{digits}f}" if column in scale else f"{shown:,.3f}"
                cells.append(
                    f'<td class="num" data-column="{html.escape(str(column))}" data-value="{float(value)!r}">{text}</td>'
                )
            else:
                cells.append(f'<td data-column="{html.escape(str(column))}">{html.escape(str(value))}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


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
    text, so a name in a description can neither run a script nor link anywhere.

    >>> print(markdown_html("**A** <script>x()</script> [a](javascript:x())"))
    <p><strong>A</strong> &lt;script&gt;x()&lt;/script&gt; [a](javascript:x())</p>
    """
    try:
        import markdown
    except ImportError:
        raise ImportError('the HTML report needs markdown: pip install "budgetsim[report]"') from None
    md = markdown.Markdown(extensions=["tables"])
    for name in OMITTED_PREPROCESSORS:
        md.preprocessors.deregister(name)
    for name in OMITTED_INLINE:
        md.inlinePatterns.deregister(name)
    return md.convert(text)


def render_html(
    cmp: Comparison,
    title: str,
    descriptions: dict[str, str] | None = None,
    monte_carlo: MonteCarloComparison | None = None,
) -> str:
    """The report as one HTML string."""
    metrics = cmp.metrics
    last_year = int(cmp.frames.year.max())
    frames = cmp.frames[cmp.frames.year == last_year].pivot(index="committee", columns="strategy", values="frame")
    frames = frames.loc[list(dict.fromkeys(cmp.frames.committee)), list(cmp.results)].reset_index()
    parts: list[str] = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="note">Money in MSEK unless marked. Strategies: {html.escape(", ".join(cmp.results))}.</p>',
        "<h2>Strategies</h2>",
        table_html(metrics, "metrics", dict.fromkeys([c for c in MONEY_METRICS if c in metrics], MSEK)),
        f"<h2>Frames {last_year} (MSEK)</h2>",
        table_html(frames, "frames-last-year", dict.fromkeys(cmp.results, MSEK)),
        "<h2>Frames over time</h2>",
        f"<figure>{plots.svg(plots.frames_over_time(cmp))}</figure>",
        "<h2>Need coverage</h2>",
    ]
    for name, result in cmp.results.items():
        parts.append(f"<figure>{plots.svg(plots.coverage_heatmap(result))}</figure>")
        bridge = result.explain(year=last_year)
        parts += [
            f"<h3>Bridge {last_year}, all committees: {html.escape(name)}</h3>",
            table_html(bridge.table[["label", "amount"]], f"bridge-{_slug(name)}", {"amount": MSEK}),
            f"<figure>{plots.svg(bridge.plot())}</figure>",
        ]
    card = cmp.scorecard.drop(columns="description")
    parts += ["<h2>Principles scorecard</h2>", table_html(card, "scorecard")]
    if monte_carlo is not None:
        risk = monte_carlo.risk[monte_carlo.risk.year == last_year]
        parts += [
            f"<h2>Risk over {next(iter(monte_carlo.results.values())).draws:,} draws</h2>",
            table_html(monte_carlo.metrics, "mc-metrics", {"expected_deficits": MSEK}),
            table_html(risk, "risk-last-year", {"expected_deficit": MSEK}),
        ]
        first = next(iter(monte_carlo.results.values()))
        for committee in dict.fromkeys(first.summary.committee):
            parts.append(f"<figure>{plots.svg(plots.fan_chart(first, committee))}</figure>")
    for name, text in (descriptions or {}).items():
        parts += [f'<section class="model" id="model-{_slug(name)}">', markdown_html(text), "</section>"]
    body = "\n".join(parts)
    return f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n'


def write_html(cmp: Comparison, path: str | Path, title: str, **kwargs: Any) -> Path:
    """Write :func:`render_html` to ``path`` (written whole, then moved in place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render_html(cmp, title, **kwargs), encoding="utf-8")
    tmp.replace(path)
    return path


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
