"""Snapshots: pin a comparison's metrics and frames in a CSV file, and fail with a table of what
moved when a later run differs by more than the stated margins.

>>> import pathlib, tempfile
>>> import budgetsim as bs
>>> s = bs.boras()
>>> c = bs.compare(s, {"current": bs.strategies.boras_current()})
>>> path = pathlib.Path(tempfile.mkdtemp()) / "current.csv"
>>> snapshot(c, path)  # the first run writes it
>>> snapshot(c, path)  # later runs compare with it
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from budgetsim.compare import Comparison
from budgetsim.metrics import MONEY_METRICS
from budgetsim.writing import write_text

#: Set (to anything but 0) to rewrite snapshots instead of comparing: what pytest's
#: ``--update-snapshots`` does.
UPDATE = "BUDGETSIM_UPDATE_SNAPSHOTS"
KEYS = ["table", "strategy", "committee", "year", "name"]


class SnapshotMismatch(AssertionError):
    """Values that moved: ``moved`` has table, strategy, committee, year, name, before, after."""

    def __init__(self, path: Path, moved: pd.DataFrame, margins: str) -> None:
        self.moved = moved
        shown = moved.to_string(index=False, max_rows=40)
        super().__init__(
            f"{path}: {len(moved)} value(s) moved beyond the margins ({margins}); if the change is meant, "
            f"rerun with --update-snapshots (pytest) or {UPDATE}=1:\n{shown}"
        )


def pinned(comparison: Comparison) -> pd.DataFrame:
    """What a snapshot keeps: each strategy's metrics, and frames by committee and year (SEK), in
    long form (table, strategy, committee, year, name, value)."""
    metrics = comparison.metrics.melt(id_vars="strategy", var_name="name", value_name="value")
    metrics = metrics.assign(table="metric", committee="", year=0)
    frames = comparison.frames.assign(table="frame", name="frame").rename(columns={"frame": "value"})
    table = pd.concat([metrics, frames], ignore_index=True)[[*KEYS, "value"]]
    return table.astype({"committee": str, "year": int, "value": float})


def snapshot(comparison: Comparison, path: str | Path, *, money: float = 1.0, share: float = 1e-9) -> None:
    """Compare ``comparison`` with the snapshot at ``path`` (written when missing, or when
    :data:`UPDATE` is set): amounts may differ by ``money`` SEK, other values by ``share``; more
    raises :class:`SnapshotMismatch` listing what moved (strategy, committee, year, before, after).
    A value that appears or disappears counts as moved."""
    path = Path(path)
    now = pinned(comparison)
    margins = f"{money:g} SEK for amounts, {share:g} for other values"
    if not path.exists() or os.environ.get(UPDATE, "0") not in ("", "0"):
        text = now.to_csv(index=False, float_format="%.17g", lineterminator="\n")
        write_text(path, f"# budgetsim snapshot; margins: {margins}\n{text}")
        return
    before = pd.read_csv(path, comment="#", keep_default_na=False, dtype={"committee": str})
    before = before.astype({"year": int, "value": float})
    both = before.merge(now, on=KEYS, how="outer", suffixes=("_before", "_after"), indicator=True)
    amount = (both.table == "frame") | both.name.isin(MONEY_METRICS)
    margin = amount.map({True: money, False: share})
    diff = (both.value_after - both.value_before).abs()
    same_nan = both.value_after.isna() & both.value_before.isna() & (both._merge == "both")
    moved = both[(both._merge != "both") | (((diff > margin) | diff.isna()) & ~same_nan)]
    if not moved.empty:
        shown = moved[KEYS + ["value_before", "value_after"]].rename(
            columns={"value_before": "before", "value_after": "after"}
        )
        raise SnapshotMismatch(path, shown.reset_index(drop=True), margins)
