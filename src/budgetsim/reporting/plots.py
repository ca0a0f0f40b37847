"""Plots (matplotlib, ``pip install "budgetsim[report]"``): frames over time per strategy, need
coverage as a committee x year heat map, the bridge as a waterfall, and fan charts of Monte Carlo
results. Every function returns the matplotlib Figure; money is shown in MSEK."""

from __future__ import annotations

import io
import re
from textwrap import fill
from typing import Any

import numpy as np

from budgetsim.compare import Comparison
from budgetsim.core.text import number, term
from budgetsim.result import MonteCarloResult, Result
from budgetsim.result.figures import msek_axis, pyplot


def frames_over_time(cmp: Comparison, language: str = "en") -> Any:
    """One panel per committee: its frame each year under each strategy.

    >>> import budgetsim as bs
    >>> fig = frames_over_time(bs.compare(bs.default_scenario(), [bs.strategies.incremental()]))
    >>> len(fig.axes)
    7
    """
    plt = pyplot()
    frames = cmp.frames
    committees = list(dict.fromkeys(frames.committee))
    cols = min(4, len(committees))
    rows = -(-len(committees) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False, sharex=True)
    for ax, committee in zip(axes.ravel(), committees, strict=False):
        for strategy, part in frames[frames.committee == committee].groupby("strategy", sort=False):
            ax.plot(part.year, part.frame, marker="o", markersize=3, label=strategy)
        ax.set_title(committee, fontsize=10)
        msek_axis(ax, language)
    for ax in axes.ravel()[len(committees) :]:
        ax.remove()
    fig.legend(
        *axes[0, 0].get_legend_handles_labels(),
        loc="lower center",
        ncol=min(4, len(cmp.results)),
        fontsize=8,
        frameon=False,
    )
    fig.suptitle(term("frames_per_committee", language))
    fig.tight_layout(rect=(0, 0.06, 1, 0.96))
    return fig


def coverage_spread(results: list[Result]) -> float:
    """The largest distance of any coverage from 1 in ``results``: one colour scale for all of them."""
    spreads = [np.nanmax(np.abs(r.outcomes.coverage.to_numpy() - 1)) for r in results]
    return max(float(max(spreads, default=0.0)), 0.01)


def coverage_heatmap(result: Result, spread: float | None = None, language: str = "en") -> Any:
    """Need coverage (frame / need) per committee and year; 1 is exact coverage. Give ``spread``
    (:func:`coverage_spread`) to draw several strategies on one colour scale."""
    plt = pyplot()
    table = result.outcomes.groupby(["committee", "year"], sort=False).coverage.mean().unstack("year")
    fig, ax = plt.subplots(figsize=(1.6 + 0.8 * table.shape[1], 0.9 + 0.45 * table.shape[0]))
    spread = spread if spread is not None else coverage_spread([result])
    image = ax.imshow(table.to_numpy(), cmap="RdBu", vmin=1 - spread, vmax=1 + spread, aspect="auto")
    ax.set_xticks(range(table.shape[1]), [str(y) for y in table.columns])
    ax.set_yticks(range(table.shape[0]), list(table.index))
    for (i, j), value in np.ndenumerate(table.to_numpy()):
        dark = abs(value - 1) > 0.6 * spread
        ax.text(
            j, i, number(value, 2, language), ha="center", va="center", fontsize=8, color="white" if dark else "black"
        )
    fig.colorbar(image, ax=ax, label=term("frame_over_need", language))
    ax.set_title(fill(f"{term('need_coverage', language)} ({result.strategy})", 50))
    fig.tight_layout()
    return fig


def fan_chart(mc: MonteCarloResult, committee: str, quantity: str = "result", language: str = "en") -> Any:
    """Quantile bands of a Monte Carlo ``quantity`` for one committee over the years."""
    plt = pyplot()
    table = mc.summary[(mc.summary.committee == committee) & (mc.summary.quantity == quantity)]
    if table.empty:
        raise ValueError(f"fan chart: no {quantity!r} for committee {committee!r}")
    quantiles = sorted((c for c in table.columns if re.fullmatch(r"q[0-9.]+", c)), key=lambda c: float(c[1:]))
    fig, ax = plt.subplots(figsize=(6, 3.5))
    years = table.year.to_numpy()
    for k in range(len(quantiles) // 2):
        lo, hi = quantiles[k], quantiles[-1 - k]
        ax.fill_between(
            years,
            table[lo],
            table[hi],
            alpha=0.2 + 0.2 * k,
            color="#4c72b0",
            linewidth=0,
            label=f"{lo[1:]}-{hi[1:]} {term('of_draws', language)}",
        )
    ax.plot(years, table["mean"], color="black", label=term("mean", language))
    if quantity == "result":
        ax.axhline(0, color="#c44e52", linewidth=0.8)
    if quantity == "coverage":
        ax.set_ylabel(term("frame_over_need", language))
    else:
        msek_axis(ax, language)
    over = term("over_draws", language).format(draws=number(mc.draws, 0, language))
    ax.set_title(fill(f"{committee}: {term(quantity, language)} {over} ({mc.strategy})", 60), fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def svg(fig: Any) -> str:
    """A figure as an inline SVG string with its words kept as text (searchable, read out by screen
    readers, drawn in the page's font); closes the figure."""
    buffer = io.StringIO()
    with pyplot().rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg")
    pyplot().close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]
