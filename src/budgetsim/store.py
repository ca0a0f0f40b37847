"""The result store of sweeps: one Parquet dataset per table, partitioned by sweep point, that an
interrupted run leaves whole and a rerun completes. Query it with DuckDB.

Layout::

    store/manifest.json                  the sweep (points, draws, seed)
    store/points.parquet                 point, one column per variation, strategy
    store/summary/point=3/part.parquet   one file per table and point
    store/risk/point=3/part.parquet
    store/_done/3                        written last: point 3 is complete

Every file is written under a temporary name and renamed into place, so a file is either absent
or complete; a point counts as done only when its marker exists.

>>> import budgetsim as bs, tempfile
>>> from budgetsim.sweep import sweep
>>> folder = tempfile.mkdtemp()
>>> _ = sweep(bs.default_scenario(), {}, {"current": bs.strategies.boras_current()}, draws=100, store=folder)
>>> int(query(folder, "SELECT count(*) AS n FROM risk").n.iloc[0])
49
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

TABLES = ("summary", "risk")


def _atomic_write(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


class SweepStore:
    """Writes and reads the tables of one sweep in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def open(self, manifest: dict[str, Any]) -> None:
        """Start or resume the sweep described by ``manifest``; refuse a store of another sweep."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.rglob(".*.tmp"):  # left by an interrupted write
            stale.unlink()
        path = self.folder / "manifest.json"
        if path.exists():
            if json.loads(path.read_text(encoding="utf-8")) != manifest:
                raise ValueError(
                    f"the store at {self.folder} holds another sweep (points, draws, seed, scenario, strategies or process differ)"
                )
            return
        _atomic_write(path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8"))
        points = pd.DataFrame(manifest["points"]).astype({"point": int}).assign(fingerprint=manifest["fingerprints"])
        _atomic_write(self.folder / "points.parquet", lambda tmp: points.to_parquet(tmp, index=False))

    def done(self, point: int) -> bool:
        return (self.folder / "_done" / str(point)).exists()

    def write(self, point: int, tables: dict[str, pd.DataFrame]) -> None:
        """Write one point's tables, then its done-marker."""
        for name in TABLES:
            data = tables[name].drop(columns="point")
            _atomic_write(
                self.folder / name / f"point={point}" / "part.parquet",
                lambda tmp, d=data: d.to_parquet(tmp, index=False),
            )
        _atomic_write(self.folder / "_done" / str(point), lambda tmp: tmp.write_text("", encoding="utf-8"))

    def read_all(self, points: list[int]) -> dict[int, dict[str, pd.DataFrame]]:
        missing = [p for p in points if not self.done(p)]
        if missing:
            raise ValueError(f"the store at {self.folder} lacks points {missing}")
        return {
            p: {
                name: pd.read_parquet(self.folder / name / f"point={p}" / "part.parquet").assign(point=p)
                for name in TABLES
            }
            for p in points
        }


def open_store(folder: str | Path) -> Any:
    """A DuckDB connection with views ``summary``, ``risk`` (with a ``point`` column from the
    partitions) and ``points`` over a sweep store; join on ``point``."""
    import duckdb

    folder = Path(folder)
    if not (folder / "manifest.json").exists():
        raise ValueError(f"{folder} is not a sweep store (no manifest.json)")
    con = duckdb.connect()
    for name in TABLES:
        pattern = (folder / name / "*" / "part.parquet").as_posix()
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{pattern}', hive_partitioning = true)")
    con.execute(f"CREATE VIEW points AS SELECT * FROM read_parquet('{(folder / 'points.parquet').as_posix()}')")
    return con


def query(folder: str | Path, sql: str) -> pd.DataFrame:
    """Run SQL on a sweep store (views ``summary``, ``risk``, ``points``) and get pandas back."""
    con = open_store(folder)
    try:
        return con.execute(sql).df()
    finally:
        con.close()
