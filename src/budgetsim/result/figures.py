"""The matplotlib helpers every figure uses (money on an MSEK axis), and the bridge's own figure,
the waterfall. Plots need ``matplotlib`` (the ``report`` extra)."""

from __future__ import annotations

from textwrap import fill
from typing import Any

import numpy as np
import pandas as pd

from budgetsim.core.money import MSEK
from budgetsim.core.text import install_hint, number, term


def pyplot() -> Any:
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(install_hint("report", "plots need matplotlib")) from None
    return plt


def msek_axis(ax: Any, language: str = "en") -> None:
    """Label the y axis of ``ax`` in MSEK (mnkr in Swedish)."""
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v / MSEK, 0, language)))
    ax.set_ylabel(term("MSEK", language))


def waterfall(table: pd.DataFrame, title: str, ax: Any = None, language: str = "en") -> Any:
    """A bridge table as a waterfall: last year's frame, each change, this year's frame."""
    plt = pyplot()
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.2 + 0.9 * len(table), 4))
    starts = np.concatenate([[0.0], table.cumulative.to_numpy()[:-1]])
    heights = table.amount.to_numpy().copy()
    ends = table.component.isin(["base", "frame"]).to_numpy()
    bottoms = np.where(ends, 0.0, np.where(heights >= 0, starts, starts + heights))
    colors = np.where(ends, "#4c72b0", np.where(heights >= 0, "#55a868", "#c44e52"))
    ax.bar(range(len(table)), np.abs(heights), bottom=bottoms, color=colors)
    low = (bottoms[~ends].min() if (~ends).any() else 0) * 0.98
    ax.set_ylim(bottom=min(low, table.amount.iloc[0] * 0.9))
    ax.set_xticks(range(len(table)), table.label, rotation=35, ha="right", fontsize=8)
    for x, amount in enumerate(table.amount):
        ax.annotate(
            number(amount / MSEK, 1, language), (x, bottoms[x] + abs(heights[x])), ha="center", va="bottom", fontsize=7
        )
    msek_axis(ax, language)
    ax.set_title(fill(title, 70), fontsize=10)
    figure = fig or ax.figure
    figure.tight_layout()
    return figure
